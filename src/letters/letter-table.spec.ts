import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoCombinedReplyLetter, demoReplyLetter, demoTable } from './demo-data';
import { contentDigestOf, renderSignedReplyLetter, TABLE_MARK, type ReplyLetterData } from './renderer';
import { loadOrCreateTestSigner, type PdfSigner } from './signer';

// The reply letter's table, read back as a person would: poppler's pdftotext page by page, and pdfsig.
let dir: string;
let signer: PdfSigner;
/** The suite's clock, read once: the test certificate is made from it and every letter is signed at it. */
let NOW: Date;

beforeAll(() => {
  for (const bin of ['pdftotext', 'pdfsig']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) {
      throw new Error(`These tests need "${bin}": apt-get install -y --no-install-recommends poppler-utils`);
    }
  }
  dir = mkdtempSync(join(tmpdir(), 'letter-table-'));
  NOW = new Date();
  signer = loadOrCreateTestSigner(join(dir, 'data'), NOW);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const render = (data: ReplyLetterData) => renderSignedReplyLetter(data, signer, { signedAt: NOW });

function savePdf(pdf: Buffer, name: string): string {
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  return file;
}

/** The text of every page, one pdftotext run a page. */
function pageTexts(pdf: Buffer, name: string, pages: number): string[] {
  const file = savePdf(pdf, name);
  return Array.from({ length: pages }, (_, i) =>
    execFileSync('pdftotext', ['-f', String(i + 1), '-l', String(i + 1), '-layout', file, '-'], { encoding: 'utf8' }),
  );
}

/**
 * The words on each page that sit between the text's bottom margin (A4 841.89 pt − 106 pt) and the footer's first line
 * (28 pt lower): a row drawn past the margin would run into the footer.
 */
function wordsOverMargin(pdf: Buffer, name: string): string[][] {
  const bbox = execFileSync('pdftotext', ['-bbox', savePdf(pdf, name), '-'], { encoding: 'utf8' });
  const bottom = 841.89 - 106;
  return bbox
    .split('<page ')
    .slice(1)
    .map((page) =>
      [...page.matchAll(/<word [^>]*yMin="([\d.]+)"[^>]*yMax="([\d.]+)">([^<]*)</g)]
        .filter(([, yMin, yMax]) => Number(yMax) > bottom + 0.5 && Number(yMin) < bottom + 27.5)
        .map(([, , , word]) => word),
    );
}

const flat = (s: string): string => s.replace(/\s+/g, ' ');
const HEADER = /No\.\s+CCT\s+Centro de trabajo\s+Cuenta institucional\s+Resultado/;

describe('a reply letter with a table', () => {
  it('draws the table where the cuerpo marks it, between the paragraphs, and never prints the mark', async () => {
    const data = demoCombinedReplyLetter(6);
    const doc = await render(data);
    const text = flat(pageTexts(doc.pdf, 'six', doc.pages).join('\n'));
    expect(text).toMatch(HEADER);
    const before = text.indexOf('le informo el resultado de cada uno:');
    const rows = data.tabla!.filas.map(([n, cct, , cuenta]) => text.search(new RegExp(`${n} ${cct} .*?${cuenta}`)));
    const after = text.indexOf('Cada director recibió');
    expect(before).toBeGreaterThan(-1);
    expect(rows.every((at) => at > before && at < after)).toBe(true);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    // A cell's own line break (row 6), kept inside its cell.
    expect(text).toContain('Localidad El Trapiche');
    expect(text).not.toContain(TABLE_MARK);
    expect(text.indexOf('Atentamente')).toBeGreaterThan(after);
  });

  it('goes after the last paragraph when the cuerpo does not mark its place', async () => {
    const doc = await render(demoReplyLetter({ cuerpo: 'Primer párrafo.\n\nÚltimo párrafo.', tabla: demoTable(3) }));
    const text = flat(pageTexts(doc.pdf, 'unmarked', doc.pages).join('\n'));
    const table = text.search(HEADER);
    expect(table).toBeGreaterThan(text.indexOf('Último párrafo.'));
    expect(text.indexOf('06DPR0003C')).toBeGreaterThan(table);
    expect(text.indexOf('Atentamente')).toBeGreaterThan(text.indexOf('06DPR0003C'));
  });

  it('runs over many pages with 500 rows: whole rows, the header row on every page that has rows, a valid signature', async () => {
    const data = demoCombinedReplyLetter(500);
    const doc = await render(data);
    expect(doc.pages).toBeGreaterThan(20);
    const pages = pageTexts(doc.pdf, 'five-hundred', doc.pages);
    const rowStart = /^\s*\d+\s+06DPR\d{4}[A-Z]\b/m;
    const withRows = pages.filter((p) => rowStart.test(p));
    expect(withRows.length).toBeGreaterThanOrEqual(doc.pages - 2);
    for (const p of withRows) expect(p).toMatch(HEADER);
    // Each row's first line, with its number and CCT together, on exactly one page.
    const counts = data.tabla!.filas.map(
      ([n, cct]) => pages.filter((p) => new RegExp(`^\\s*${n}\\s+${cct}\\b`, 'm').test(p)).length,
    );
    expect(counts.every((c) => c === 1)).toBe(true);
    pages.forEach((p, i) => expect(flat(p)).toContain(`Página ${i + 1} de ${doc.pages}`));
    expect(pages[doc.pages - 1]).toContain('FIRMA ELECTRÓNICA');
    expect(wordsOverMargin(doc.pdf, 'five-hundred')).toEqual(pages.map(() => []));
    const sig = spawnSync('pdfsig', [savePdf(doc.pdf, 'five-hundred')], { encoding: 'utf8' }).stdout;
    expect(sig).toContain('Signature is Valid.');
  });
});

describe('a reply letter table is refused (422, in Spanish) before anything is signed', () => {
  it('when a row does not have one cell per column', async () => {
    const tabla = demoTable(3);
    tabla.filas[1] = tabla.filas[1].slice(0, 4);
    await expect(render(demoCombinedReplyLetter(3, { tabla }))).rejects.toMatchObject({
      status: 422,
      code: 'TABLA_INVALIDA',
      message: expect.stringContaining('La fila 2 de la tabla del oficio tiene 4 celdas; debe tener 5'),
    });
  });

  it('when the cuerpo marks a table the letter does not carry', async () => {
    await expect(render(demoCombinedReplyLetter(3, { tabla: undefined }))).rejects.toMatchObject({
      status: 422,
      code: 'TABLA_INVALIDA',
      message: expect.stringContaining('el oficio no trae la tabla'),
    });
  });

  it('when the widths do not match the columns, or a row could never fit on one page', async () => {
    const anchos = { ...demoTable(3), anchos: [1, 2] };
    await expect(render(demoCombinedReplyLetter(3, { tabla: anchos }))).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('5 columnas y 2 anchos'),
    });
    const tall = demoTable(3);
    tall.filas[2][2] = Array.from({ length: 90 }, (_, i) => `Línea ${i + 1}`).join('\n');
    await expect(render(demoCombinedReplyLetter(3, { tabla: tall }))).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('La fila 3 de la tabla del oficio no cabe en una página'),
    });
  });

  it('when a cell, or a cell under a password heading, looks like a password', async () => {
    const tabla = demoTable(3);
    tabla.filas[2][4] = 'Creada. Contraseña temporal: Xy7-plq';
    await expect(render(demoCombinedReplyLetter(3, { tabla }))).rejects.toMatchObject({
      status: 422,
      code: 'OFICIO_CON_CONTRASENA',
    });
    const heading = { columnas: ['CCT', 'Contraseña'], filas: [['06DPR0001A', 'Xy7-plq']] };
    await expect(render(demoCombinedReplyLetter(1, { tabla: heading }))).rejects.toMatchObject({
      status: 422,
      code: 'OFICIO_CON_CONTRASENA',
    });
  });
});

it('the table is part of the signed content: one different cell, another digest', () => {
  const digest = (data: ReplyLetterData): string => contentDigestOf({ kind: 'respuesta', data });
  const base = demoCombinedReplyLetter(25);
  const changed = demoCombinedReplyLetter(25);
  changed.tabla!.filas[17][2] = 'Escuela Primaria "Benito Juárez "';
  expect(digest(changed)).not.toBe(digest(base));
  expect(digest(demoCombinedReplyLetter(25))).toBe(digest(base));
});
