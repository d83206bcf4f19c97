import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compile,
  escapeHtml,
  hbs,
  readPartials,
  syntaxError,
  unescapedLines,
  variableLines,
  variablesOf,
} from './handlebars';

describe('escapeHtml', () => {
  it('escapes the HTML-significant characters, and a missing value is empty', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href&#x3D;&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;');
    expect(escapeHtml(undefined)).toBe('');
    expect(escapeHtml(12)).toBe('12');
  });
});

describe('variablesOf', () => {
  it('does not count a partial name as a value, but what the call passes and the block it wraps', () => {
    expect([
      ...variablesOf('{{#> layouts/x titulo="T" a=b}}{{c}}{{/layouts/x}}{{> partials/y}}{{> @partial-block}}'),
    ]).toEqual(['b', 'c']);
  });

  it('with partials, follows them, less the names the call passes', () => {
    const partials = {
      'layouts/x': '<h1>{{titulo}}</h1>{{> @partial-block}}{{> pie}}',
      pie: '{{folio}} {{nombre}}',
    };
    expect([...variablesOf('{{#> layouts/x titulo="T"}}{{nombre}}{{/layouts/x}}', partials)].sort()).toEqual([
      'folio',
      'nombre',
    ]);
    expect([...variablesOf('{{> pie nombre="fijo"}}', partials)]).toEqual(['folio']);
  });

  it('with partials, refuses an unknown one or one that calls itself', () => {
    expect(() => variablesOf('a\n{{> pei}}', { pie: '' })).toThrow(
      'la pieza {{> pei}} (línea 2) no existe (disponibles: pie).',
    );
    expect(() => variablesOf('{{> a}}', { a: '{{> b}}', b: '{{> a}}' })).toThrow('la pieza {{> a}} se usa a sí misma.');
  });

  it('gives the line each name is first read on; inside a partial, the line of the call', () => {
    expect([
      ...variableLines('a\n{{x}}\n{{#if y}}\n{{x}}{{/if}}\n{{> p}}', {
        p: '\n\n{{z}}',
      }),
    ]).toEqual([
      ['x', 2],
      ['y', 3],
      ['z', 5],
    ]);
  });
});

describe('syntaxError', () => {
  it('explains a Handlebars syntax error in Spanish, with its line', () => {
    expect(syntaxError('a\n{{x}')).toMatch(
      /^error de escritura en la línea 2: revise que cada "\{\{" se cierre con "\}\}"/,
    );
    expect(syntaxError('a\n\n{{#if x}}b{{/unless}}')).toMatch(/^error de escritura en la línea 3/);
  });

  it('refuses stray braces, which would reach the reader literally', () => {
    expect(syntaxError('Hola\n{{nombre}}, su cuenta {correo}} está lista')).toBe(
      'hay llaves "{{" o "}}" sueltas en la línea 2: un marcador se escribe {{nombre}}.',
    );
    expect(syntaxError('Hola {{nombre}}\n{{!-- nota --}}')).toBeUndefined();
  });
});

describe('unescapedLines', () => {
  it('finds triple braces and {{& …}}', () => {
    expect(unescapedLines('{{a}}\n{{{b}}}\n{{& c}}')).toEqual([2, 3]);
  });
});

describe('compile with partials', () => {
  const partials = { pie: '<b>{{nombre}}</b>' };

  it('compiles them in the template mode: escaped in HTML, as is in plain text', () => {
    expect(compile('{{> pie}}', { partials })({ nombre: 'A&B' })).toBe('<b>A&amp;B</b>');
    expect(compile('{{> pie}}', { plainText: true, partials })({ nombre: 'A&B' })).toBe('<b>A&B</b>');
  });

  it('keeps them strict, and to this template only', () => {
    expect(() => compile('{{> pie}}', { partials })({})).toThrow(/"nombre" not defined/);
    expect(Object.keys(hbs.partials)).not.toContain('pie');
    expect(() => compile('{{> pie}}')({ nombre: 'x' })).toThrow(/could not be found/);
  });
});

describe('readPartials', () => {
  it('names each *.hbs by its path under the folder, without the extension', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbs-partials-'));
    try {
      mkdirSync(join(dir, 'layouts'));
      writeFileSync(join(dir, 'layouts', 'base.hbs'), '\uFEFF<main>{{> @partial-block}}</main>');
      writeFileSync(join(dir, 'pie.hbs'), 'pie');
      writeFileSync(join(dir, 'nota.txt'), 'no');
      expect(readPartials(dir)).toEqual({
        'layouts/base': '<main>{{> @partial-block}}</main>',
        pie: 'pie',
      });
      expect(readPartials(join(dir, 'no-existe'))).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
