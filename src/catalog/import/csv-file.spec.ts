import iconv from 'iconv-lite';
import { DomainError } from '../../common/domain-error';
import { decodeCatalogFile, detectSeparator, normalizeHeader, readCsv } from './csv-file';

describe('decodeCatalogFile', () => {
  const text = 'nombre;apellido\nÍñigo;Muñoz Peña\n';

  it('reads UTF-8 with and without BOM, and Windows-1252, to the same text', () => {
    const plain = decodeCatalogFile(Buffer.from(text, 'utf8'));
    const bom = decodeCatalogFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
    const win = decodeCatalogFile(iconv.encode(text, 'win1252'));
    expect(plain).toEqual({ text, encoding: 'UTF-8' });
    expect(bom).toEqual({ text, encoding: 'UTF-8' });
    expect(win).toEqual({ text, encoding: 'Windows-1252' });
  });

  it('decodes the Windows-1252 bytes that Latin-1 would get wrong', () => {
    // 0x93/0x94 are curly quotes and 0x80 the euro sign in Windows-1252, control characters in ISO-8859-1.
    expect(decodeCatalogFile(Buffer.from([0x93, 0x41, 0x94, 0x20, 0x80])).text).toBe('\u201cA\u201d \u20ac');
  });

  it('refuses workbooks, UTF-16 and binary files with what to do', () => {
    const code = (b: Buffer): string => {
      try {
        decodeCatalogFile(b);
        return 'ok';
      } catch (e) {
        return (e as DomainError).message;
      }
    };
    expect(code(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14]))).toMatch(/Excel.*Guardar como/);
    expect(code(Buffer.from([0xff, 0xfe, 0x41, 0x00]))).toMatch(/UTF-16/);
    expect(code(Buffer.from([0x41, 0x00, 0x42]))).toMatch(/no es texto/);
  });
});

describe('detectSeparator and normalizeHeader', () => {
  it('picks the separator the header uses, ignoring quoted text', () => {
    expect(detectSeparator('curp;curt;nombre')).toBe(';');
    expect(detectSeparator('curp,curt,nombre')).toBe(',');
    expect(detectSeparator('"nombre; completo",curp,curt')).toBe(',');
  });

  it('compares headers without case, accents, dots or spacing', () => {
    expect(normalizeHeader(' Primer  Apellido ')).toBe('primer_apellido');
    expect(normalizeHeader('CÚRP')).toBe('curp');
    expect(normalizeHeader('C.C.T.')).toBe('cct');
    expect(normalizeHeader('Correo-Alterno')).toBe('correo_alterno');
  });
});

describe('readCsv', () => {
  it('keeps physical line numbers across empty lines and quoted line breaks', () => {
    const t = readCsv(Buffer.from('\na,b\n1,2\n\n"x\ny",3\n4,5\n;;\n', 'utf8'));
    expect(t.header).toEqual(['a', 'b']);
    expect(t.headerLine).toBe(2);
    expect(t.records).toEqual([
      { line: 3, values: ['1', '2'] },
      { line: 5, values: ['x\ny', '3'] },
      { line: 7, values: ['4', '5'] },
      { line: 8, values: [';;'] },
    ]);
  });

  it('points at the line where an unclosed quote opens', () => {
    expect(() => readCsv(Buffer.from('a,b\n1,2\n"3,4\n5,6\n'))).toThrow(/línea 3: hay comillas/);
  });

  it('reports an empty file', () => {
    expect(() => readCsv(Buffer.from('  \n\n'))).toThrow(DomainError);
  });
});
