import { demoAcuse } from './demo-data';
import { cadenaOriginal, canonicalJson, contentDigestOf, isoUtc } from './renderer';

describe('cadena original', () => {
  it('has the documented shape', () => {
    const digest = 'a'.repeat(64);
    expect(cadenaOriginal('MCI-2026-000123', new Date('2026-11-28T17:05:00.789Z'), 'NUCJ800101AB1', digest)).toBe(
      `||MCI-2026-000123||2026-11-28T17:05:00Z||NUCJ800101AB1||${digest}||`,
    );
  });

  it('cannot be forged by a pipe inside a field', () => {
    expect(cadenaOriginal('A||B', new Date(0), 'X', 'd')).toBe('||A//B||1970-01-01T00:00:00Z||X||d||');
  });

  it('writes instants in UTC with whole seconds', () => {
    expect(isoUtc(new Date('2026-11-28T11:05:00-06:00'))).toBe('2026-11-28T17:05:00Z');
  });
});

describe('content digest', () => {
  it('does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: new Date(0) } })).toBe(
      '{"a":{"c":"1970-01-01T00:00:00.000Z","d":[1,"x"]},"b":1}',
    );
    const a = demoAcuse();
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as typeof a;
    expect(contentDigestOf({ kind: 'acuse', data: reordered })).toBe(contentDigestOf({ kind: 'acuse', data: a }));
  });

  it('changes with any printed datum', () => {
    const base = contentDigestOf({ kind: 'acuse', data: demoAcuse() });
    expect(contentDigestOf({ kind: 'acuse', data: demoAcuse({ fojas: 3 }) })).not.toBe(base);
    expect(contentDigestOf({ kind: 'acuse', data: demoAcuse({ asunto: 'Otro' }) })).not.toBe(base);
    expect(
      contentDigestOf({ kind: 'acuse', data: demoAcuse({ recibidoEn: new Date('2026-11-28T17:05:01Z') }) }),
    ).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
});
