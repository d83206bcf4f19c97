import { columnName, xlsxBook, xlsxParts, type ZipPart, zipOf } from '../../test/support/xlsx-book';
import { DomainError } from './domain-error';
import { readFirstSheet, spreadsheetContainer } from './xlsx';

/** The refusal of a book: its Spanish message (the test fails if it was read). */
const refusal = (content: Buffer, limits?: Parameters<typeof readFirstSheet>[1]): string => {
  try {
    readFirstSheet(content, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).status).toBe(422);
    return (e as DomainError).message;
  }
  throw new Error('the book was read');
};
const replace = (parts: ZipPart[], name: string, data: string): ZipPart[] =>
  parts.map((p) => (p.name === name ? { ...p, data } : p));
const sheetXml = (data: string, prefix = ''): string =>
  `<?xml version="1.0"?><${prefix}worksheet xmlns${prefix ? `:${prefix.slice(0, -1)}` : ''}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><${prefix}sheetData>${data}</${prefix}sheetData></${prefix}worksheet>`;

describe('readFirstSheet: the first worksheet of an .xlsx as rows of text', () => {
  it('shared strings, numbers, skipped columns and rows: each cell at its column, blank rows left out', () => {
    const book = xlsxBook([
      {
        rows: [
          ['CCT', null, 'Nombre de la cuenta'],
          null,
          null,
          ['06DPR0012X', null, 'Escuela Primaria «Niños Héroes» & anexo'],
          [null, 1234, 0.1 + 0.2, null, 'E'],
          ['  ', null, ''],
        ],
      },
    ]);
    expect(spreadsheetContainer(book)).toBe('zip');
    const sheet = readFirstSheet(book);
    expect(sheet.truncated).toBe(false);
    expect(sheet.rows).toEqual([
      ['CCT', undefined, 'Nombre de la cuenta'],
      ['06DPR0012X', undefined, 'Escuela Primaria «Niños Héroes» & anexo'],
      [undefined, '1234', '0.3', undefined, 'E'],
    ]);
  });

  it('inline strings, with their entities and Office escapes', () => {
    const sheet = readFirstSheet(
      xlsxBook(
        [
          {
            rows: [
              ['CCT', 'nombre'],
              ['06DJN0001A', 'Jardín "Sor Juana" <anexo>_x000D_'],
            ],
          },
        ],
        {
          inlineStrings: true,
        },
      ),
    );
    expect(sheet.rows).toEqual([
      ['CCT', 'nombre'],
      ['06DJN0001A', 'Jardín "Sor Juana" <anexo>\r'],
    ]);
  });

  it('references honoured over position, formulas and dates by their cached value, rich text without its phonetic guide', () => {
    const parts = xlsxParts([{ sheetData: '' }]);
    const withShared = replace(
      replace(
        parts,
        'xl/worksheets/sheet1.xml',
        sheetXml(
          // A row without r follows the previous one; cells without r follow the previous cell; a <row r> gap is kept.
          '<row r="2"><c r="C2" t="s"><v>0</v></c><c t="s"><v>1</v></c></row>' +
            '<row><c r="A3" t="str"><f>UPPER(B9)</f><v>06DES0003Z</v></c><c r="B3" s="4"><f>TODAY()</f><v>46000</v></c>' +
            '<c r="C3" t="b"><v>1</v></c><c r="D3" t="e"><v>#N/A</v></c><c r="E3" t="s"/><c r="F3"><f>1/0</f></c></row>' +
            '<row r="7" spans="1:3"><c r="AA7" t="inlineStr"><is><r><t>Secundaria </t></r><r><rPr><b/></rPr><t>Técnica</t></r></is></c>' +
            '<c r="B7" t="d"><v>2026-11-20T00:00:00Z</v></c></row>',
        ),
      ),
      'xl/sharedStrings.xml',
      '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><r><t>Escuela </t></r><r><t xml:space="preserve">Primaria</t></r><rPh sb="0" eb="1"><t>エスクエラ</t></rPh></si>' +
        '<si><t><![CDATA[Núm. <5>]]></t></si></sst>',
    );
    const rows = readFirstSheet(zipOf(withShared)).rows;
    expect(rows[0]).toEqual([undefined, undefined, 'Escuela Primaria', 'Núm. <5>']);
    expect(rows[1]).toEqual(['06DES0003Z', '46000', 'VERDADERO', '#N/A']);
    expect(rows[2][26]).toBe('Secundaria Técnica');
    expect(rows[2][1]).toBe('2026-11-20T00:00:00Z');
    expect(rows).toHaveLength(3);
  });

  it('elements with a namespace prefix, and the workbook named by the package relationships', () => {
    const parts = xlsxParts([{ rows: [] }]).map((p) => {
      if (p.name === 'xl/worksheets/sheet1.xml')
        return {
          ...p,
          data: sheetXml('<x:row r="1"><x:c r="B1" t="inlineStr"><x:is><x:t>CCT</x:t></x:is></x:c></x:row>', 'x:'),
        };
      if (p.name === '_rels/.rels')
        return { ...p, data: String(p.data).replace('Target="xl/workbook.xml"', 'Target="/xl/workbook.xml"') };
      return p;
    });
    expect(readFirstSheet(zipOf(parts)).rows).toEqual([[undefined, 'CCT']]);
  });

  it('the first sheet in tab order, skipping a hidden one', () => {
    const first = [['CCT', 'nombre']];
    expect(readFirstSheet(xlsxBook([{ rows: first }, { rows: [['otra']] }])).rows).toEqual(first);
    expect(readFirstSheet(xlsxBook([{ rows: [['catálogos']], hidden: true }, { rows: first }])).rows).toEqual(first);
    // Tab order is the workbook's, not the parts' names: sheet2.xml listed first.
    const parts = xlsxParts([{ rows: [['segunda']] }, { rows: first }]);
    const reordered = replace(
      parts,
      'xl/workbook.xml',
      String(parts.find((p) => p.name === 'xl/workbook.xml')!.data).replace(
        /(<sheet [^>]*rId1"\/>)(<sheet [^>]*rId2"\/>)/,
        '$2$1',
      ),
    );
    expect(readFirstSheet(zipOf(reordered)).rows).toEqual(first);
  });

  it('stops after maxRows rows with data and says so', () => {
    const rows = Array.from({ length: 30 }, (_, i) => [`06DPR${String(i).padStart(4, '0')}X`, `Escuela ${i}`]);
    const sheet = readFirstSheet(xlsxBook([{ rows }]), { maxRows: 10 });
    expect(sheet.truncated).toBe(true);
    expect(sheet.rows).toHaveLength(10);
    expect(readFirstSheet(xlsxBook([{ rows }]), { maxRows: 30 }).truncated).toBe(false);
  });

  it('wide sheets: a cell in the last column (XFD) lands at its index without filling the row', () => {
    const sheet = readFirstSheet(
      zipOf(
        replace(
          xlsxParts([{ rows: [] }]),
          'xl/worksheets/sheet1.xml',
          sheetXml('<row r="1"><c r="XFD1"><v>7</v></c></row>'),
        ),
      ),
    );
    expect(columnName(16_383)).toBe('XFD');
    expect(sheet.rows[0][16_383]).toBe('7');
    expect(Object.keys(sheet.rows[0])).toEqual(['16383']);
  });
});

describe('readFirstSheet: hostile and unreadable files, each a Spanish 422 that says what to do', () => {
  const big = (bytes: number): string =>
    sheetXml(`<row r="1"><c r="A1" t="inlineStr"><is><t>${'x'.repeat(bytes)}</t></is></c></row>`);

  it('a ZIP bomb: inflation stops at the cap, whatever size the headers claim', () => {
    const parts = xlsxParts([{ rows: [['CCT', 'nombre']] }]);
    const lying = parts.map((p) =>
      p.name === 'xl/worksheets/sheet1.xml' ? { ...p, data: big(6 * 1024 * 1024), declaredSize: 900 } : p,
    );
    const bomb = zipOf(lying);
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(refusal(bomb)).toMatch(
      /^El libro de Excel es demasiado grande al abrirlo \(más de 5 MB de datos\)\..*CSV UTF-8/,
    );
    // Honest headers: refused before inflating.
    expect(refusal(zipOf(replace(parts, 'xl/worksheets/sheet1.xml', big(6 * 1024 * 1024))))).toMatch(
      /demasiado grande/,
    );
    // Every part under the cap, their sum over it.
    const two = replace(
      replace(parts, 'xl/worksheets/sheet1.xml', big(3 * 1024 * 1024)),
      'xl/sharedStrings.xml',
      `<sst><si><t>${'y'.repeat(3 * 1024 * 1024)}</t></si></sst>`,
    );
    expect(refusal(zipOf(two))).toMatch(/demasiado grande/);
  });

  it('too many entries', () => {
    const parts = [
      ...xlsxParts([{ rows: [['CCT']] }]),
      ...Array.from({ length: 2001 }, (_, i) => ({ name: `xl/media/i${i}.bin`, data: '', store: true })),
    ];
    expect(refusal(zipOf(parts))).toMatch(/^El archivo tiene demasiadas partes \(2007\)/);
  });

  it('an Excel 97-2003 book, or an encrypted one (both OLE compound files)', () => {
    const ole = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(512)]);
    expect(spreadsheetContainer(ole)).toBe('ole');
    expect(refusal(ole)).toBe(
      'El archivo es un libro de Excel 97-2003 (.xls), que no se puede leer. Ábralo en Excel y, con «Guardar como», guárdelo como «Libro de Excel (.xlsx)» o como «CSV UTF-8 (delimitado por comas)».',
    );
    const encrypted = Buffer.concat([
      ole,
      Buffer.from('EncryptionInfo', 'utf16le'),
      Buffer.from('EncryptedPackage', 'utf16le'),
    ]);
    expect(refusal(encrypted)).toMatch(/^El libro de Excel está protegido con contraseña/);
    const zipEncrypted = xlsxParts([{ rows: [['CCT']] }]).map((p) => ({ ...p, flags: 1 }));
    expect(refusal(zipOf(zipEncrypted))).toMatch(/^El libro de Excel está protegido con contraseña/);
  });

  it('damaged: cut short, a wrong checksum, bad deflate data, only the signature, broken XML', () => {
    const book = xlsxBook([{ rows: [['CCT', 'nombre']] }]);
    const damaged =
      /^El libro de Excel está dañado o incompleto\. Ábralo en Excel y guárdelo como «Libro de Excel \(\.xlsx\)»/;
    expect(refusal(book.subarray(0, book.length - 40))).toMatch(damaged);
    expect(refusal(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]))).toMatch(damaged);
    const stored = xlsxParts([{ rows: [['CCT', 'nombre']] }]).map((p) => ({ ...p, store: true }));
    const flipped = zipOf(stored);
    const at = flipped.indexOf('CCT');
    flipped[at] = 0x58;
    expect(refusal(flipped)).toMatch(damaged);
    const inflatable = Buffer.from(book);
    const body = inflatable.indexOf('xl/worksheets/sheet1.xml') + 'xl/worksheets/sheet1.xml'.length;
    inflatable.fill(0xff, body, body + 4);
    expect(refusal(inflatable)).toMatch(damaged);
    const garbage = xlsxParts([{ rows: [] }]).map((p) =>
      p.name === 'xl/worksheets/sheet1.xml' ? { ...p, data: Buffer.alloc(40, 0xff), store: true } : p,
    );
    // Stored garbage passes its checksum but is no sheet: no cell read, no crash.
    expect(readFirstSheet(zipOf(garbage)).rows).toEqual([]);
    expect(
      refusal(
        zipOf(
          replace(
            xlsxParts([{ rows: [] }]),
            'xl/worksheets/sheet1.xml',
            sheetXml('<row r="1"><c r="A1" t="s"><v>9</v></c></row>'),
          ),
        ),
      ),
    ).toMatch(damaged);
    expect(
      refusal(
        zipOf(
          replace(xlsxParts([{ rows: [] }]), 'xl/worksheets/sheet1.xml', '<worksheet><sheetData><row r="1"><c r="A1"'),
        ),
      ),
    ).toMatch(damaged);
  });

  it('a ZIP that is not a book: another Office document, a LibreOffice sheet, a plain archive; and not a ZIP at all', () => {
    const docx = xlsxParts([{ rows: [['CCT']] }]).map((p) =>
      p.name === '[Content_Types].xml'
        ? { ...p, data: String(p.data).replace('spreadsheetml.sheet.main+xml', 'wordprocessingml.document.main+xml') }
        : p,
    );
    expect(refusal(zipOf(docx))).toMatch(/^El archivo es un ZIP u otro documento, no un libro de Excel \(\.xlsx\)/);
    const ods = zipOf([
      { name: 'mimetype', data: 'application/vnd.oasis.opendocument.spreadsheet', store: true },
      { name: 'content.xml', data: '<office:document-content/>' },
    ]);
    expect(refusal(ods)).toMatch(/^El archivo es una hoja de cálculo de LibreOffice \(\.ods\)/);
    expect(refusal(zipOf([{ name: 'escuelas.csv', data: 'CCT,nombre' }]))).toMatch(
      /^El archivo es un ZIP u otro documento/,
    );
    expect(spreadsheetContainer(Buffer.from('CCT,nombre\n'))).toBeNull();
    expect(refusal(Buffer.from('CCT,nombre\n'))).toMatch(/^El archivo no es un libro de Excel/);
  });
});
