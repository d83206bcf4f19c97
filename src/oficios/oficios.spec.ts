import { folioYear, registrationFolio, replyNumber } from './folio';
import { normalizeNumber, normalizeSender } from './oficios.service';
import { detectType } from './upload';
import { renderErrorPage, renderVerificationPage } from './verification-page';
import type { VerificationView } from './documents.service';

describe('detectType (by content, never by name)', () => {
  const b = (...bytes: number[]): Buffer => Buffer.concat([Buffer.from(bytes), Buffer.alloc(16)]);
  it.each([
    ['PDF', Buffer.from('%PDF-1.7\n%âãÏÓ\n'), 'application/pdf'],
    [
      'PDF after leading junk (within 1024 bytes)',
      Buffer.concat([Buffer.alloc(300, 0x20), Buffer.from('%PDF-1.4')]),
      'application/pdf',
    ],
    ['PNG', b(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), 'image/png'],
    ['JPEG', b(0xff, 0xd8, 0xff, 0xe1), 'image/jpeg'],
    ['TIFF little-endian', b(0x49, 0x49, 0x2a, 0x00), 'image/tiff'],
    ['TIFF big-endian', b(0x4d, 0x4d, 0x00, 0x2a), 'image/tiff'],
  ])('recognises %s', (_name, data, type) => {
    expect(detectType(data)).toBe(type);
  });

  it.each([
    ['plain text', Buffer.from('%PD no es un PDF')],
    ['a PDF header too far in', Buffer.concat([Buffer.alloc(1100, 0x20), Buffer.from('%PDF-1.4')])],
    ['a GIF', Buffer.from('GIF89a......')],
    ['a truncated PNG signature', Buffer.from([0x89, 0x50, 0x4e])],
    ['empty', Buffer.alloc(0)],
  ])('refuses %s', (_name, data) => {
    expect(detectType(data)).toBeNull();
  });
});

describe('folio numbers', () => {
  it('writes registration folios and reply numbers with their padding, growing past it if needed', () => {
    expect(registrationFolio(2026, 42)).toBe('SSST-2026-000042');
    expect(registrationFolio(2026, 1234567)).toBe('SSST-2026-1234567');
    expect(replyNumber(2026, 7)).toBe('SSST/0007/2026');
    expect(replyNumber(2026, 12345)).toBe('SSST/12345/2026');
  });

  it('takes the year in Mexico City, not in UTC', () => {
    expect(folioYear(new Date('2026-01-01T05:59:59Z'))).toBe(2025); // 23:59:59 on 31 Dec in Colima
    expect(folioYear(new Date('2026-01-01T06:00:00Z'))).toBe(2026);
    expect(folioYear(new Date('2026-12-31T23:00:00Z'))).toBe(2026);
  });
});

describe('duplicate detection keys', () => {
  it('reads one sender and one number however they were typed', () => {
    expect(normalizeSender('  Dirección  de   Becas ')).toBe(normalizeSender('DIRECCION DE BECAS'));
    expect(normalizeSender('Dirección de Becas')).not.toBe(normalizeSender('Dirección de Recursos Humanos'));
    expect(normalizeNumber('dep / 0457 /2026')).toBe('DEP/0457/2026');
  });
});

describe('verification page', () => {
  const view: VerificationView = {
    codigo: '7K3QXM2PZA',
    tipo: 'Oficio de respuesta',
    folio: 'SSST-2026-000001',
    numeroOficio: 'SSST/0001/2026',
    emitido: '2026-11-28T17:05:00.000Z',
    fecha: '28/11/2026 11:05:00 h (hora del centro de México)',
    firmante: 'Mtro. Luis <script>alert("x")</script> & "Gómez"',
    certificadoSerie: '00001000000504465028',
    estado: 'vigente',
    prueba: false,
    sha256: 'a'.repeat(64),
    paginas: 1,
  };

  it('escapes what the document says, so a certificate name cannot inject markup', () => {
    const html = renderVerificationPage(view);
    expect(html).not.toContain('<script>');
    expect(html).toContain('Mtro. Luis &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;Gómez&quot;');
    expect(html).toContain('action="/verificar/7K3QXM2PZA"');
    expect(html).not.toContain('DOCUMENTO DE PRUEBA');
  });

  it('says cancelado and the comparison result in words', () => {
    const html = renderVerificationPage(
      { ...view, estado: 'cancelado', prueba: true },
      { coincide: false, sha256: 'b'.repeat(64) },
    );
    expect(html).toContain('CANCELADO');
    expect(html).not.toContain('VIGENTE');
    expect(html).toContain('DOCUMENTO DE PRUEBA');
    expect(html).toContain('El archivo no coincide');
    expect(renderVerificationPage(view, { coincide: true, sha256: view.sha256 })).toContain('El archivo coincide');
    expect(renderErrorPage(404, 'No existe <b>')).toContain('No existe &lt;b&gt;');
  });
});
