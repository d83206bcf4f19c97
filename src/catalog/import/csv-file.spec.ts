import iconv from 'iconv-lite';
import { DomainError } from '../../common/domain-error';
import {
  bufferSource,
  decodeCatalogFile,
  detectSeparator,
  normalizeHeader,
  readCsv,
  streamCsv,
  UnclosedQuoteFinder,
} from './csv-file';

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
  it('keeps physical line numbers across empty lines and quoted line breaks', async () => {
    const t = await readCsv(Buffer.from('\na,b\n1,2\n\n"x\ny",3\n4,5\n;;\n', 'utf8'));
    expect(t.header).toEqual(['a', 'b']);
    expect(t.headerLine).toBe(2);
    expect(t.records).toEqual([
      { line: 3, values: ['1', '2'] },
      { line: 5, values: ['x\ny', '3'] },
      { line: 7, values: ['4', '5'] },
      { line: 8, values: [';;'] },
    ]);
  });

  it('points at the line where an unclosed quote opens', async () => {
    await expect(readCsv(Buffer.from('a,b\n1,2\n"3,4\n5,6\n'))).rejects.toThrow(/línea 3: hay comillas/);
  });

  it('reports an empty file', async () => {
    await expect(readCsv(Buffer.from('  \n\n'))).rejects.toThrow(DomainError);
  });
});

describe('streamCsv: the file in chunks reads as the file whole', () => {
  // A quoted value with a line break, separators and doubled quotes; 2-, 3- and 4-byte UTF-8 characters.
  const text =
    'curp;nombre;nota\r\n' +
    'A1;Íñigo Muñoz;"dice ""sí"";\r\nsegunda línea ñ"\r\n' +
    '\r\n' +
    'B2;Zoë € 𝄞;"x"\r\n' +
    'C3;"Peña\nNúñez";último\r\n';
  const utf8Bytes = Buffer.from(text, 'utf8');
  const expected = {
    encoding: 'UTF-8',
    separator: ';',
    header: ['curp', 'nombre', 'nota'],
    headerLine: 1,
    records: [
      { line: 2, values: ['A1', 'Íñigo Muñoz', 'dice "sí";\r\nsegunda línea ñ'] },
      { line: 5, values: ['B2', 'Zoë € 𝄞', 'x'] },
      { line: 6, values: ['C3', 'Peña\nNúñez', 'último'] },
    ],
  };

  it.each([1, 2, 3, 5, 7, 13, 64, 1 << 20])('UTF-8 (with BOM) in chunks of %i bytes', async (chunk) => {
    // Every chunk size below 8 splits some multi-byte character (and the BOM) between two chunks.
    expect(await readCsv(utf8Bytes, chunk)).toEqual(expected);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8Bytes]);
    expect(await readCsv(bom, chunk)).toEqual(expected);
  });

  it.each([1, 4, 1 << 20])(
    'Windows-1252 in chunks of %i bytes, also when the first byte above 0x7F comes late',
    async (chunk) => {
      const win = iconv.encode(text.replace('𝄞', 'ss'), 'win1252');
      const t = await readCsv(win, chunk);
      expect(t.encoding).toBe('Windows-1252');
      expect(t.records.map((r) => r.values[1])).toEqual(['Íñigo Muñoz', 'Zoë € ss', 'Peña\nNúñez']);
      // 200 KB of ASCII before the first accent: whatever the chunking, the encoding is decided there.
      const ascii = 'curp,nombre\r\n' + 'X1,Ana Ruiz\r\n'.repeat(16_000);
      const late = await readCsv(
        Buffer.concat([Buffer.from(ascii), iconv.encode('Y2,Muñoz\r\n', 'win1252')]),
        chunk === 1 ? 997 : chunk,
      );
      expect(late.encoding).toBe('Windows-1252');
      expect(late.records.at(-1)).toEqual({ line: 16_002, values: ['Y2', 'Muñoz'] });
    },
  );

  it('valid UTF-8 first and a Windows-1252 byte later: the whole file is read as Windows-1252, as when read whole', async () => {
    const mixed = Buffer.concat([
      Buffer.from('a,b\r\nÑ,1\r\n', 'utf8'),
      Buffer.from([0x4d, 0x75, 0xf1, 0x6f, 0x7a, 0x2c, 0x32]),
    ]);
    const t = await readCsv(mixed, 3);
    expect(t.encoding).toBe('Windows-1252');
    expect(t.records.map((r) => r.values)).toEqual([
      ['Ã‘', '1'],
      ['Muñoz', '2'],
    ]);
    expect(decodeCatalogFile(mixed).encoding).toBe('Windows-1252');
  });

  it('finds the unclosed quote with doubled quotes split across chunks', async () => {
    const bad = Buffer.from('a,b\n1,"x""\n""y"\n2,"open\n3,4\n');
    for (const chunk of [1, 2, 5, 100]) {
      await expect(readCsv(bad, chunk)).rejects.toThrow(/línea 4: hay comillas/);
    }
  });

  it('hands the records one at a time and waits for the promise visit returns', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},"v\n${i}"`);
    const content = Buffer.from(['n,v', ...rows].join('\n'));
    const seen: number[] = [];
    let pending = 0;
    let maxPending = 0;
    await streamCsv(bufferSource(content, 4096), {
      visit: async (r) => {
        pending++;
        maxPending = Math.max(maxPending, pending);
        if (Number(r.values[0]) % 1000 === 0) await new Promise((ok) => setTimeout(ok, 5));
        seen.push(r.line);
        pending--;
      },
    });
    expect(maxPending).toBe(1);
    expect(seen).toHaveLength(5000);
    expect(seen[4999]).toBe(2 + 2 * 4999);
  });
});

describe('UnclosedQuoteFinder', () => {
  it('gives the same line whichever way the text is cut', () => {
    const text = 'a,b\n"ok ""quoted""\nline",1\n2,"never closed\n3\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const f = new UnclosedQuoteFinder(',');
      f.write(text.slice(0, cut));
      f.write(text.slice(cut));
      expect(f.end()).toBe(4);
    }
  });
});
