/**
 * The generated guide as a PDF (A4, Spanish): a cover with the catalog version and date, one table per section of
 * the guide with its own title, and the corrections applied, each with what the guide said and what the catalog
 * does. Tables are drawn by hand (pdfkit has none): rows are measured first, so a row never splits across pages and
 * a table that continues on the next page repeats its header.
 */
import PDFDocument from 'pdfkit';
import { correctionsLabel } from './corrections';
import { AREA, type GeneratedGuide, type GeneratedTable, INSTITUTION } from './generated-guide';

const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const ITALIC = 'Helvetica-Oblique';
const MARGIN_X = 56;
const TOP = 78;
const BOTTOM = 62;
const PAD = 4;
const INK = '#000000';
const MUTED = '#555555';
const ACCENT = '#1f3b63';
const RULE = '#8a8a8a';
const SHADE = '#e4e9f1';
const NOTE = '#8a4b00';

type Doc = PDFKit.PDFDocument;

interface Cell {
  text: string;
  font?: string;
  size?: number;
  color?: string;
  /** A second, smaller line under the text (the correction a row carries). */
  note?: string;
}

const contentWidth = (doc: Doc): number => doc.page.width - 2 * MARGIN_X;
const bottomLimit = (doc: Doc): number => doc.page.height - BOTTOM;

function cellHeight(doc: Doc, cell: Cell, width: number): number {
  doc.font(cell.font ?? FONT).fontSize(cell.size ?? 9);
  let h = doc.heightOfString(cell.text || ' ', { width: width - 2 * PAD, lineGap: 1 });
  if (cell.note) {
    doc.font(ITALIC).fontSize(7.5);
    h += 2 + doc.heightOfString(cell.note, { width: width - 2 * PAD });
  }
  return h + 2 * PAD;
}

function rowHeight(doc: Doc, cells: Cell[], widths: number[]): number {
  return Math.max(...cells.map((c, i) => cellHeight(doc, c, widths[i])));
}

function drawRow(doc: Doc, y: number, cells: Cell[], widths: number[], h: number, fill?: string): void {
  let x = MARGIN_X;
  for (const [i, cell] of cells.entries()) {
    const w = widths[i];
    if (fill) doc.rect(x, y, w, h).fill(fill);
    doc.lineWidth(0.5).strokeColor(RULE).rect(x, y, w, h).stroke();
    doc
      .font(cell.font ?? FONT)
      .fontSize(cell.size ?? 9)
      .fillColor(cell.color ?? INK);
    doc.text(cell.text, x + PAD, y + PAD, { width: w - 2 * PAD, lineGap: 1 });
    if (cell.note) {
      const textH = doc.heightOfString(cell.text || ' ', { width: w - 2 * PAD, lineGap: 1 });
      doc
        .font(ITALIC)
        .fontSize(7.5)
        .fillColor(NOTE)
        .text(cell.note, x + PAD, y + PAD + textH + 2, { width: w - 2 * PAD });
    }
    x += w;
  }
  doc.fillColor(INK);
}

/** Rows drawn above a table's body, each with its own column widths (a title row spans the table). */
type HeaderRows = { cells: Cell[]; widths: number[] }[];

/**
 * Draws a table from `y`, moving to a new page when a row does not fit; there the header rows are drawn again
 * (`header(true)`: the title says it continues). Returns the y below the table.
 */
function drawTable(
  doc: Doc,
  y: number,
  widths: number[],
  header: (continued: boolean) => HeaderRows,
  rows: Cell[][],
  opts: { keepWithHeader?: number; rowAtPageTop?: (index: number) => Cell[] } = {},
): number {
  const keepWithHeader = opts.keepWithHeader ?? 2;
  const drawHeader = (top: number, continued: boolean): number => {
    let at = top;
    for (const r of header(continued)) {
      const h = rowHeight(doc, r.cells, r.widths);
      drawRow(doc, at, r.cells, r.widths, h, SHADE);
      at += h;
    }
    return at;
  };
  const headerH = header(false).reduce((s, r) => s + rowHeight(doc, r.cells, r.widths), 0);
  const firstRows = rows.slice(0, keepWithHeader).reduce((s, r) => s + rowHeight(doc, r, widths), 0);
  if (y + headerH + firstRows > bottomLimit(doc)) {
    doc.addPage();
    y = doc.page.margins.top;
  }
  y = drawHeader(y, false);
  for (const [i, row] of rows.entries()) {
    let r = row;
    let h = rowHeight(doc, r, widths);
    if (y + h > bottomLimit(doc)) {
      doc.addPage();
      y = drawHeader(doc.page.margins.top, true);
      r = opts.rowAtPageTop?.(i) ?? row;
      h = rowHeight(doc, r, widths);
    }
    drawRow(doc, y, r, widths, h);
    y += h;
  }
  return y;
}

const columnHeader = (labels: string[], widths: number[], size = 9): HeaderRows[number] => ({
  cells: labels.map((text) => ({ text, font: BOLD, size })),
  widths,
});

function drawSectionTable(doc: Doc, t: GeneratedTable, y: number): number {
  const cw = contentWidth(doc);
  const widths = [36, 150, cw - 186];
  const titleNote =
    t.titleCorrection !== undefined ? `Título corregido (${correctionsLabel([t.titleCorrection])}).` : undefined;
  // The table's title row spans the columns, as the guide prints it above No. / Responsable / Actividad.
  const header = (continued: boolean): HeaderRows => [
    {
      cells: [
        {
          text: continued ? `${t.title} (continuación)` : t.title,
          font: BOLD,
          size: 9.5,
          color: ACCENT,
          ...(titleNote && !continued ? { note: titleNote } : {}),
        },
      ],
      widths: [cw],
    },
    columnHeader(['No.', 'Responsable', 'Actividad'], widths),
  ];
  const row = (r: GeneratedTable['rows'][number], showResponsable: boolean): Cell[] => [
    { text: r.no },
    { text: showResponsable ? r.responsable : '' },
    {
      text: r.actividad,
      ...(r.correcciones.length ? { note: `${correctionsLabel(r.correcciones).replace(/^c/, 'C')}.` } : {}),
    },
  ];
  const rows = t.rows.map((r) => row(r, r.responsableVisible));

  // The heading, its note, the table's header and first rows stay on one page.
  const headingText = `${t.section} ${t.heading}`;
  const noteText = `Procedimiento del catálogo: ${t.procedureTitle} (${t.procedureId}, versión ${t.procedureVersion}).`;
  doc.font(BOLD).fontSize(11.5);
  const headingH = doc.heightOfString(headingText, { width: cw });
  doc.font(FONT).fontSize(8);
  const noteH = doc.heightOfString(noteText, { width: cw });
  const tableTop = header(false).reduce((s, r) => s + rowHeight(doc, r.cells, r.widths), 0);
  const firstRows = rows.slice(0, 2).reduce((s, r) => s + rowHeight(doc, r, widths), 0);
  if (y + headingH + 3 + noteH + 6 + tableTop + firstRows > bottomLimit(doc)) {
    doc.addPage();
    y = doc.page.margins.top;
  }
  doc.font(BOLD).fontSize(11.5).fillColor(INK).text(headingText, MARGIN_X, y, { width: cw });
  y += headingH + 3;
  doc.font(FONT).fontSize(8).fillColor(MUTED).text(noteText, MARGIN_X, y, { width: cw });
  y += noteH + 6;
  doc.fillColor(INK);
  // A row that opens a page names its responsable again, so the page reads on its own.
  y = drawTable(doc, y, widths, header, rows, { rowAtPageTop: (i) => row(t.rows[i], true) });
  return y + 18;
}

function drawCover(doc: Doc, g: GeneratedGuide): void {
  const cw = contentWidth(doc);
  let y = 90;
  doc.font(BOLD).fontSize(11).fillColor(ACCENT).text(INSTITUTION, MARGIN_X, y, { width: cw, align: 'center' });
  doc
    .font(FONT)
    .fontSize(10)
    .fillColor(MUTED)
    .text(AREA, MARGIN_X, doc.y + 2, { width: cw, align: 'center' });
  y = 250;
  doc
    .font(BOLD)
    .fontSize(24)
    .fillColor(INK)
    .text(g.title, MARGIN_X + 20, y, { width: cw - 40, align: 'center' });
  y = doc.y + 28;
  doc
    .font(BOLD)
    .fontSize(16)
    .fillColor(ACCENT)
    .text(`Versión ${g.catalogVersion}`, MARGIN_X, y, { width: cw, align: 'center' });
  doc
    .font(FONT)
    .fontSize(11)
    .fillColor(INK)
    .text(`Fecha de emisión: ${g.fecha}`, MARGIN_X, doc.y + 8, { width: cw, align: 'center' });
  y = doc.y + 36;
  doc.font(FONT).fontSize(9.5).fillColor(MUTED);
  doc.text(
    'Esta versión se generó de las máquinas de procedimiento del catálogo del sistema «Mi Correo Institucional»: ' +
      'cada tabla dice lo que el sistema hace, paso por paso. Los números de paso son los de la guía anterior, para ' +
      'que la bitácora de movimientos y las tareas del sistema los citen igual. Las correcciones a la guía anterior ' +
      'se señalan en cada fila y se listan en la última sección, con lo que decía la guía y lo que hace el catálogo.',
    MARGIN_X + 30,
    y,
    { width: cw - 60, align: 'justify', lineGap: 2 },
  );
  y = doc.y + 24;
  doc.font(BOLD).fontSize(10).fillColor(INK).text('Procedimientos del catálogo', MARGIN_X, y, { width: cw });
  y = doc.y + 6;
  const widths = [70, cw - 70 - 150 - 50, 150, 50];
  drawTable(
    doc,
    y,
    widths,
    () => [columnHeader(['Sección', 'Procedimiento', 'Identificador', 'Versión'], widths, 8.5)],
    g.procedures.map((p) => [
      { text: p.guideSection, size: 8.5 },
      { text: p.title, size: 8.5 },
      { text: p.id, size: 8.5 },
      { text: String(p.version), size: 8.5 },
    ]),
  );
}

function drawCorrections(doc: Doc, g: GeneratedGuide): void {
  const cw = contentWidth(doc);
  let y = doc.page.margins.top;
  doc.font(BOLD).fontSize(13).fillColor(INK).text('Correcciones aplicadas a la guía', MARGIN_X, y, { width: cw });
  y = doc.y + 4;
  doc
    .font(FONT)
    .fontSize(9)
    .fillColor(MUTED)
    .text(
      `Lo que cambia la Versión ${g.catalogVersion} respecto de la guía anterior («Versión N°. 1», 12/08/2021), y dónde.`,
      MARGIN_X,
      y,
      { width: cw },
    );
  y = doc.y + 12;
  const widths = [92, (cw - 92) / 2, (cw - 92) / 2];
  for (const c of g.corrections) {
    doc.font(FONT).fontSize(9);
    const intro = [`La guía: ${c.guia}`, `El catálogo: ${c.catalogo}`];
    const introH = intro.reduce((s, t) => s + doc.heightOfString(t, { width: cw - 12 }) + 3, 0);
    if (y + 16 + introH + 40 > bottomLimit(doc)) {
      doc.addPage();
      y = doc.page.margins.top;
    }
    doc.font(BOLD).fontSize(10.5).fillColor(ACCENT).text(`${c.numero}. ${c.titulo}`, MARGIN_X, y, { width: cw });
    y = doc.y + 3;
    for (const [label, text] of [
      ['La guía: ', c.guia],
      ['El catálogo: ', c.catalogo],
    ] as const) {
      doc
        .font(BOLD)
        .fontSize(9)
        .fillColor(INK)
        .text(label, MARGIN_X + 12, y, { width: cw - 12, continued: true });
      doc.font(FONT).text(text, { width: cw - 12 });
      y = doc.y + 3;
    }
    y += 3;
    if (c.detalles.length) {
      y = drawTable(
        doc,
        y,
        widths,
        () => [columnHeader(['Dónde', 'La guía decía', 'El catálogo'], widths, 8)],
        c.detalles.map((d) => [
          { text: d.lugar, size: 8 },
          { text: d.guia, size: 8 },
          { text: d.catalogo, size: 8 },
        ]),
        { keepWithHeader: 1 },
      );
    }
    y += 14;
  }
}

/** Page header and "Página n de N" on every page but the cover, once all pages exist. */
function drawPageFrames(doc: Doc, g: GeneratedGuide): void {
  const range = doc.bufferedPageRange();
  const total = range.count;
  for (let i = range.start; i < range.start + total; i++) {
    doc.switchToPage(i);
    if (i === range.start) continue;
    const cw = contentWidth(doc);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing in the margin must not open a new page
    doc.font(BOLD).fontSize(8.5).fillColor(ACCENT).text(g.title, MARGIN_X, 34, { width: cw, lineBreak: false });
    doc.font(FONT).fontSize(8).fillColor(MUTED).text(`Versión ${g.catalogVersion}`, MARGIN_X, 34, {
      width: cw,
      align: 'right',
      lineBreak: false,
    });
    doc
      .lineWidth(0.6)
      .strokeColor(ACCENT)
      .moveTo(MARGIN_X, 48)
      .lineTo(MARGIN_X + cw, 48)
      .stroke();
    const fy = doc.page.height - 40;
    doc
      .lineWidth(0.4)
      .strokeColor(RULE)
      .moveTo(MARGIN_X, fy - 6)
      .lineTo(MARGIN_X + cw, fy - 6)
      .stroke();
    doc.font(FONT).fontSize(7.5).fillColor(MUTED).text(`${INSTITUTION} · Fecha de emisión: ${g.fecha}`, MARGIN_X, fy, {
      width: cw,
      lineBreak: false,
    });
    doc.text(`Página ${i - range.start + 1} de ${total}`, MARGIN_X, fy, {
      width: cw,
      align: 'right',
      lineBreak: false,
    });
    doc.page.margins.bottom = bottom;
  }
}

/** Renders the generated guide; resolves with the PDF bytes. */
export function renderGuidePdf(g: GeneratedGuide): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    autoFirstPage: false,
    bufferPages: true,
    lang: 'es-MX',
    displayTitle: true,
    margins: { top: TOP, bottom: BOTTOM, left: MARGIN_X, right: MARGIN_X },
    info: {
      Title: `${g.title} — Versión ${g.catalogVersion}`,
      Subject: 'Tablas de procedimientos de la sección 5 generadas del catálogo de procedimientos',
      Author: `${AREA}, ${INSTITUTION}`,
      Creator: 'Mi Correo Institucional (npm run guia)',
      Producer: 'Mi Correo Institucional (pdfkit)',
      CreationDate: g.date,
      ModDate: g.date,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.addPage();
  drawCover(doc, g);
  doc.addPage();
  let y = doc.page.margins.top;
  for (const t of g.tables) y = drawSectionTable(doc, t, y);
  doc.addPage();
  drawCorrections(doc, g);
  drawPageFrames(doc, g);
  doc.end();
  return done;
}
