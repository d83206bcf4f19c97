import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { pdfkitAddPlaceholder } from '@signpdf/placeholder-pdfkit';
import { DomainError } from '../common/domain-error';
import { DEFAULT_INSTITUTION } from '../config/config';
import { formatFechaHora, formatFechaOficio } from './fecha';
import type { CertificateInfo, PdfSigner } from './signer';
import { sha256 } from './verification';

export const TEST_MARK = 'DOCUMENTO DE PRUEBA — sin validez oficial';

/** Where the table goes in a letter's cuerpo: a paragraph consisting exactly of this text. */
export const TABLE_MARK = '[[tabla]]';

/** A table in a reply letter (the combined reply to an oficio asking for many accounts: one row per line). */
export interface LetterTable {
  /** Column headings (Spanish). */
  columnas: string[];
  /** Relative column widths (any positive numbers; scaled to the content width). Equal widths when absent. */
  anchos?: number[];
  /** One array of cell texts per row (same length as columnas). A cell may contain '\n' for several lines. */
  filas: string[][];
}

export interface Persona {
  nombre: string;
  cargo: string;
}

/** Guía 5.2.1 paso 3, 5.3.1 paso 3 …: the Subdirección "firma y sella de recibido" an incoming oficio. */
export interface AcuseData {
  folio: string;
  /** The instant the oficio was received (stored UTC, printed in Mexico City time). */
  recibidoEn: Date;
  recibio: Persona;
  /** Area the oficio is turned to, e.g. "Subjefatura de Sistemas". */
  turnadoA: string;
  remitente: Persona & { dependencia?: string };
  oficio: {
    numero: string;
    /** Calendar date written on the oficio, "YYYY-MM-DD" (a date, not an instant: no time-zone shift). */
    fecha: string;
  };
  asunto: string;
  fojas: number;
  /** Free text: "Copia de identificación oficial", or empty. */
  anexos?: string;
  /** SHA-256 (hex) of the scanned oficio as stored; null when the oficio arrived on paper only. */
  archivoSha256: string | null;
  verifyUrl: string;
  shortUrl: string;
  testDocument: boolean;
}

/** An oficio de respuesta, already worded (templates.ts fills asunto, cuerpo and c.c.p.). */
export interface ReplyLetterData {
  folio: string;
  numeroOficio: string;
  /** The letter's date: an instant, written as its day in Mexico City. */
  fecha: Date;
  asunto: string;
  destinatario: Persona & { area?: string };
  /** Paragraphs separated by a blank line. */
  cuerpo: string;
  firmante: Persona;
  ccp: string[];
  verifyUrl: string;
  shortUrl: string;
  testDocument: boolean;
  /** Defaults to the membrete's place (LETTER_PLACE, "Colima, Col."). */
  lugar?: string;
  /**
   * Drawn at the cuerpo's paragraph equal to TABLE_MARK, or after the last paragraph when none is. Part of the data,
   * so part of the signed content digest.
   */
  tabla?: LetterTable;
}

/**
 * The letterhead set by administrators (/admin/membrete): the institution's logo (PNG or JPEG, checked before it is
 * saved), the year legend above the header and up to two address lines under the institution's name. The names and
 * the place come from the configuration (INSTITUTION_NAME, LETTERHEAD_AREA, LETTER_PLACE).
 */
export interface Membrete {
  logo: Buffer | null;
  leyenda: string;
  direccion: string[];
  /** First line: the institution. */
  institucion: string;
  /** Second line: the area that issues the letters (it also receives the oficios the acuses acknowledge). */
  area: string;
  /** Where letters are dated and signed: "Colima, Col.". */
  lugar: string;
}

export const SIN_MEMBRETE: Membrete = {
  logo: null,
  leyenda: '',
  direccion: [],
  institucion: DEFAULT_INSTITUTION.name,
  area: DEFAULT_INSTITUTION.letterheadArea,
  lugar: DEFAULT_INSTITUTION.letterPlace,
};

export type LetterDocument = { kind: 'acuse'; data: AcuseData } | { kind: 'respuesta'; data: ReplyLetterData };

/** Everything the case record and the verification page need about a signed document. */
export interface SignedDocument {
  pdf: Buffer;
  /** SHA-256 (hex) of the signed PDF file: the verification page compares an uploaded file against it. */
  sha256: string;
  /** SHA-256 (hex) of the document's data, canonical JSON: the "contenido" of the cadena original. */
  contentDigest: string;
  cadenaOriginal: string;
  /** base64 RSA-SHA256 of the cadena original with the signing key (verifySello checks it). */
  sello: string;
  signedAt: Date;
  pages: number;
  certificate: CertificateInfo;
  signerId: string;
  /** True when the document carries the test mark (test certificate or a test request). */
  testDocument: boolean;
}

// Layout, in PDF points (A4 = 595.28 × 841.89).
const MARGIN_X = 72;
const TOP = 112; // below the membrete (and the test banner)
const BOTTOM = 106; // above the footer with the QR
const QR_SIZE = 74;
// DejaVu (an npm package, so it ships with the product and works from dist/): the PDF base fonts only know Latin-1,
// and names such as "Kʼiin Ŭlloa Łukasz" came out garbled. Embedded as subsets: only the glyphs used are written.
const FONT = 'Texto';
const FONT_BOLD = 'Texto-Negrita';
const FONT_MONO = 'Monoespaciada';
// Condensed: its widths are close to Helvetica's, so the letters keep their layout (one page).
const FONT_FILES: Record<string, string> = {
  [FONT]: 'DejaVuSansCondensed.ttf',
  [FONT_BOLD]: 'DejaVuSansCondensed-Bold.ttf',
  [FONT_MONO]: 'DejaVuSansMono.ttf',
};
let fonts: Array<[string, PDFKit.Mixins.PDFFontSource]> | undefined;

/**
 * The fonts are parsed once per process, with pdfkit's own fontkit (pdfkit takes a parsed font as well as a file):
 * parsing DejaVu for every document tripled the time to sign a letter. Each document still embeds only its subset.
 */
function registerFonts(doc: PDFKit.PDFDocument): void {
  if (fonts === undefined) {
    const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as { create(data: Buffer): unknown };
    fonts = Object.entries(FONT_FILES).map(([name, file]) => [
      name,
      fontkit.create(readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${file}`))) as PDFKit.Mixins.PDFFontSource,
    ]);
  }
  for (const [name, font] of fonts) doc.registerFont(name, font);
}
const SIGNATURE_LENGTH = 8192;

/**
 * A password-looking line in a signed letter is a bug upstream (letters carry activation links, never passwords):
 * refuse to sign it rather than trust every template edit.
 */
const PASSWORD_LINE = /(contraseña|password)\s*(temporal|inicial|provisional|asignada)?\s*[:=]\s*\S/i;

function assertNoPassword(texts: string[]): void {
  for (const t of texts) {
    if (PASSWORD_LINE.test(t)) {
      throw new DomainError(
        'OFICIO_CON_CONTRASENA',
        'El oficio parece contener una contraseña ("contraseña: …"). Los oficios nunca llevan contraseñas: el ' +
          'titular activa su cuenta con el enlace enviado a su correo alterno. Corrija la plantilla o los datos.',
        422,
      );
    }
  }
}

/** Stable JSON: sorted keys, dates as ISO strings, so the same data always gives the same digest. */
export function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The "contenido" digest of the cadena original: SHA-256 of the canonical JSON of { kind, data }. */
export function contentDigestOf(doc: LetterDocument): string {
  return sha256(canonicalJson(doc));
}

/** "2026-11-28T17:05:00Z": the instant of signing, UTC, whole seconds. */
export function isoUtc(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** ||folio||fecha ISO||RFC o CURP del firmante||sha256 del contenido|| */
export function cadenaOriginal(folio: string, signedAt: Date, signerId: string, contentDigest: string): string {
  const clean = (s: string): string => s.replace(/\|/g, '/').trim();
  return `||${clean(folio)}||${isoUtc(signedAt)}||${clean(signerId)}||${contentDigest}||`;
}

interface SignatureBlock {
  firmante: string;
  signerId: string;
  serial: string;
  signedAt: Date;
  cadena: string;
  sello: string;
}

interface PageChrome {
  folio: string;
  verifyUrl: string;
  shortUrl: string;
  test: boolean;
  title: string;
}

function contentWidth(doc: PDFKit.PDFDocument): number {
  return doc.page.width - MARGIN_X * 2;
}

function ensureSpace(doc: PDFKit.PDFDocument, height: number): void {
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
}

function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  // Vector modules, one fill: sharp at any zoom or scan resolution, and no PNG to encode per document.
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const quiet = 2;
  const cell = size / (n + quiet * 2);
  doc.save();
  doc.rect(x, y, size, size).fill('#ffffff');
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (qr.modules.get(r, c)) doc.rect(x + (c + quiet) * cell, y + (r + quiet) * cell, cell + 0.01, cell + 0.01);
    }
  }
  doc.fill('#000000');
  doc.restore();
}

/**
 * Block capitals drawn as strokes on a 4×6 grid (y down). The watermark must not be text: pdftotext and copy-paste
 * would mix its rotated letters into the cadena original and the sello printed over it.
 */
const STROKE_GLYPHS: Record<string, number[][]> = {
  A: [
    [0, 6, 2, 0, 4, 6],
    [1, 4, 3, 4],
  ],
  B: [[0, 3, 3, 3, 4, 4, 4, 5, 3, 6, 0, 6, 0, 0, 3, 0, 4, 1, 4, 2, 3, 3]],
  C: [[4, 1, 3, 0, 1, 0, 0, 1, 0, 5, 1, 6, 3, 6, 4, 5]],
  D: [[0, 0, 0, 6, 2.5, 6, 4, 4.5, 4, 1.5, 2.5, 0, 0, 0]],
  E: [
    [4, 0, 0, 0, 0, 6, 4, 6],
    [0, 3, 3, 3],
  ],
  M: [[0, 6, 0, 0, 2, 3, 4, 0, 4, 6]],
  N: [[0, 6, 0, 0, 4, 6, 4, 0]],
  O: [[1, 0, 3, 0, 4, 1, 4, 5, 3, 6, 1, 6, 0, 5, 0, 1, 1, 0]],
  P: [[0, 6, 0, 0, 3, 0, 4, 1, 4, 2, 3, 3, 0, 3]],
  R: [
    [0, 6, 0, 0, 3, 0, 4, 1, 4, 2, 3, 3, 0, 3],
    [2, 3, 4, 6],
  ],
  T: [
    [0, 0, 4, 0],
    [2, 0, 2, 6],
  ],
  U: [[0, 0, 0, 5, 1, 6, 3, 6, 4, 5, 4, 0]],
};

function drawWatermark(doc: PDFKit.PDFDocument, w: number, h: number): void {
  const text = 'DOCUMENTO DE PRUEBA';
  const unit = 5.2; // one grid step, in points
  const advance = 6 * unit; // 4 for the glyph + 2 of spacing
  const width = text.length * advance - 2 * unit;
  doc.save();
  doc.rotate(-40, { origin: [w / 2, h / 2] });
  doc.translate(w / 2 - width / 2, h / 2 - 3 * unit);
  doc
    .lineWidth(unit * 0.9)
    .lineCap('round')
    .lineJoin('round')
    .strokeColor('#e6e6e6');
  [...text].forEach((ch, i) => {
    for (const stroke of STROKE_GLYPHS[ch] ?? []) {
      const x0 = i * advance;
      doc.moveTo(x0 + stroke[0] * unit, stroke[1] * unit);
      for (let k = 2; k < stroke.length; k += 2) doc.lineTo(x0 + stroke[k] * unit, stroke[k + 1] * unit);
    }
  });
  doc.stroke();
  doc.restore();
}

/**
 * Watermark (beneath the content, so text stays readable), membrete and test banner: drawn as each page is added.
 * Runs inside pdfkit's page break, so it leaves the cursor, font and colour as the flowing text expects them.
 */
function drawPageHeader(doc: PDFKit.PDFDocument, test: boolean, membrete: Membrete): void {
  const w = doc.page.width;
  const h = doc.page.height;
  const cw = w - MARGIN_X * 2;
  const savedBottom = doc.page.margins.bottom;
  doc.page.margins.bottom = 0;
  doc.save();
  if (test) drawWatermark(doc, w, h);
  if (membrete.logo !== null) doc.image(membrete.logo, MARGIN_X, 24, { fit: [64, 44], valign: 'center' });
  if (membrete.leyenda !== '') {
    doc.font(FONT).fontSize(7.5).fillColor('#555555');
    doc.text(membrete.leyenda, MARGIN_X, 22, { width: cw, align: 'center', lineBreak: false });
  }
  // The address lines, when set, go under the names, which move up to make room above the rule.
  const y0 = membrete.direccion.length ? 32 : 40;
  doc.font(FONT_BOLD).fontSize(11).fillColor('#1f3b63');
  doc.text(membrete.institucion, MARGIN_X, y0, { width: cw, align: 'center', lineBreak: false });
  doc.font(FONT).fontSize(9.5).fillColor('#1f3b63');
  doc.text(membrete.area, MARGIN_X, y0 + 14, { width: cw, align: 'center', lineBreak: false });
  doc.fontSize(6.5);
  membrete.direccion.forEach((line, k) =>
    doc.text(line, MARGIN_X, 58 + k * 7, { width: cw, align: 'center', lineBreak: false }),
  );
  doc
    .moveTo(MARGIN_X, 72)
    .lineTo(w - MARGIN_X, 72)
    .lineWidth(0.8)
    .strokeColor('#1f3b63')
    .stroke();
  if (test) {
    doc.rect(MARGIN_X, 80, cw, 18).fill('#fde8e8');
    doc.font(FONT_BOLD).fontSize(10).fillColor('#b00020');
    doc.text(TEST_MARK, MARGIN_X, 85, { width: cw, align: 'center', lineBreak: false });
  }
  doc.restore();
  doc.page.margins.bottom = savedBottom;
  doc.font(FONT).fontSize(10.5).fillColor('#000000');
  doc.x = MARGIN_X;
  doc.y = doc.page.margins.top;
}

/** The footer with QR, short URL and "Página n de m" on every buffered page (the page count is known only now). */
function drawPageFooters(doc: PDFKit.PDFDocument, chrome: PageChrome): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Drawing in the margin must not trigger pdfkit's automatic page break.
    const savedBottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const w = doc.page.width;
    const h = doc.page.height;
    const cw = w - MARGIN_X * 2;
    const footerTop = h - BOTTOM + 14;
    doc
      .moveTo(MARGIN_X, footerTop)
      .lineTo(w - MARGIN_X, footerTop)
      .lineWidth(0.5)
      .strokeColor('#999999')
      .stroke();
    drawQr(doc, chrome.verifyUrl, MARGIN_X, footerTop + 6, QR_SIZE);
    const tx = MARGIN_X + QR_SIZE + 10;
    const tw = cw - QR_SIZE - 10;
    doc.fillColor('#333333').font(FONT).fontSize(8);
    doc.text('Verifique la autenticidad de este documento en:', tx, footerTop + 14, { width: tw, lineBreak: false });
    doc.font(FONT_BOLD).fontSize(11).fillColor('#000000');
    doc.text(chrome.shortUrl, tx, footerTop + 26, { width: tw, lineBreak: false, link: chrome.verifyUrl });
    doc.font(FONT).fontSize(8).fillColor('#333333');
    doc.text('o escanee el código QR. Firmado electrónicamente (PKCS#7).', tx, footerTop + 42, {
      width: tw,
      lineBreak: false,
    });
    const pageLine = `${chrome.title} · Folio ${chrome.folio} · Página ${i - range.start + 1} de ${range.count}`;
    doc.text(pageLine, tx, footerTop + 56, { width: tw, lineBreak: false });
    if (chrome.test) {
      doc
        .font(FONT_BOLD)
        .fillColor('#b00020')
        .text(TEST_MARK, tx, footerTop + 70, { width: tw, lineBreak: false });
    }
    doc.page.margins.bottom = savedBottom;
  }
  doc.fillColor('#000000');
}

function signatureBlockText(b: SignatureBlock): Array<[string, string, boolean]> {
  return [
    ['Firmante', b.firmante, false],
    ['RFC / CURP', b.signerId, false],
    ['No. de serie del certificado', b.serial, true],
    ['Fecha de firma', formatFechaHora(b.signedAt), false],
    ['Cadena original', b.cadena, true],
    ['Sello digital', b.sello, true],
  ];
}

/** Guía: the reply "firmado"; here the electronic signature's human-readable trace, kept on one page. */
function drawSignatureBlock(doc: PDFKit.PDFDocument, b: SignatureBlock): void {
  const cw = contentWidth(doc);
  const labelW = 118;
  const valueW = cw - labelW - 12;
  // Cut the sello into full lines ourselves (monospaced: every glyph as wide as "0"), or pdfkit breaks it after every "/".
  // One glyph less than fits: pdfkit measures the "\n" that ends a line with the embedded font's width for it.
  const perLine = Math.floor(valueW / doc.font(FONT_MONO).fontSize(7).widthOfString('0')) - 1;
  const rows = signatureBlockText({
    ...b,
    sello: (b.sello.match(new RegExp(`.{1,${perLine}}`, 'g')) ?? []).join('\n'),
  });
  const rowHeight = (value: string, mono: boolean): number => {
    doc.font(mono ? FONT_MONO : FONT).fontSize(7);
    return Math.max(doc.heightOfString(value, { width: valueW, lineGap: 1 }), 9) + 3;
  };
  const total = 20 + rows.reduce((s, [, v, mono]) => s + rowHeight(v, mono), 0) + 6;
  ensureSpace(doc, total + 10);
  const x = MARGIN_X;
  const top = doc.y + 4;
  doc.rect(x, top, cw, total).lineWidth(0.5).strokeColor('#7a7a7a').stroke();
  doc.font(FONT_BOLD).fontSize(8).fillColor('#000000');
  doc.text('FIRMA ELECTRÓNICA', x + 6, top + 6, { width: cw - 12, lineBreak: false });
  let y = top + 20;
  for (const [label, value, mono] of rows) {
    const rh = rowHeight(value, mono);
    doc
      .font(FONT_BOLD)
      .fontSize(7)
      .text(`${label}:`, x + 6, y, { width: labelW, lineBreak: false });
    doc
      .font(mono ? FONT_MONO : FONT)
      .fontSize(7)
      .text(value, x + 6 + labelW, y, { width: valueW, lineGap: 1 });
    y += rh;
  }
  doc.x = MARGIN_X;
  doc.y = top + total + 8;
}

function newDocument(
  title: string,
  subject: string,
  author: string,
  signedAt: Date,
  test: boolean,
  membrete: Membrete,
): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    autoFirstPage: false,
    bufferPages: true,
    size: 'A4',
    lang: 'es-MX',
    displayTitle: true,
    margins: { top: TOP, bottom: BOTTOM, left: MARGIN_X, right: MARGIN_X },
    info: {
      Title: title,
      Subject: subject,
      Author: author,
      Creator: 'Mi Correo Institucional',
      Producer: 'Mi Correo Institucional (pdfkit, @signpdf)',
      CreationDate: signedAt,
      ModDate: signedAt,
    },
  });
  registerFonts(doc);
  doc.on('pageAdded', () => drawPageHeader(doc, test, membrete));
  return doc;
}

function labelValueTable(doc: PDFKit.PDFDocument, rows: Array<[string, string, boolean?]>): void {
  const cw = contentWidth(doc);
  const labelW = 160; // "Archivo digitalizado (SHA-256)" on one line in DejaVu Sans Condensed Bold 10
  const valueW = cw - labelW - 10;
  for (const [label, value, mono] of rows) {
    doc.font(mono === true ? FONT_MONO : FONT).fontSize(mono === true ? 8.5 : 10);
    const h = Math.max(doc.heightOfString(value, { width: valueW }), 12) + 8;
    ensureSpace(doc, h);
    const y = doc.y;
    doc
      .font(FONT_BOLD)
      .fontSize(10)
      .fillColor('#1f3b63')
      .text(label, MARGIN_X, y + 4, { width: labelW });
    doc
      .font(mono === true ? FONT_MONO : FONT)
      .fontSize(mono === true ? 8.5 : 10)
      .fillColor('#000000')
      .text(value, MARGIN_X + labelW + 10, y + 4, { width: valueW });
    doc
      .moveTo(MARGIN_X, y + h)
      .lineTo(MARGIN_X + cw, y + h)
      .lineWidth(0.3)
      .strokeColor('#bbbbbb')
      .stroke();
    doc.x = MARGIN_X;
    doc.y = y + h;
  }
}

function drawAcuse(doc: PDFKit.PDFDocument, d: AcuseData, sig: SignatureBlock): void {
  doc.addPage();
  const cw = contentWidth(doc);
  doc
    .font(FONT_BOLD)
    .fontSize(15)
    .fillColor('#000000')
    .text('ACUSE DE RECIBO', MARGIN_X, doc.y, { width: cw, align: 'center' });
  doc.moveDown(0.2);
  doc.font(FONT).fontSize(9.5).fillColor('#444444');
  doc.text('Oficialía de partes — recepción de oficios', { width: cw, align: 'center' });
  doc.moveDown(1);
  const remitente = [d.remitente.nombre, d.remitente.cargo, d.remitente.dependencia]
    .filter((s) => s && s.trim())
    .join(', ');
  const fojas = `${d.fojas} ${d.fojas === 1 ? 'foja' : 'fojas'}${d.anexos && d.anexos.trim() ? `; anexos: ${d.anexos.trim()}` : '; sin anexos'}`;
  labelValueTable(doc, [
    ['Folio', d.folio],
    ['Fecha y hora de recepción', formatFechaHora(d.recibidoEn)],
    ['Recibió', `${d.recibio.nombre}, ${d.recibio.cargo}`],
    ['Turnado a', d.turnadoA],
    ['Remitente', remitente],
    ['Oficio', `${d.oficio.numero}, de fecha ${formatFechaCalendario(d.oficio.fecha)}`],
    ['Asunto', d.asunto],
    ['Fojas y anexos', fojas],
    [
      'Archivo digitalizado (SHA-256)',
      // Two halves of 32 hex digits: the 64 do not fit one line at a readable size, and a split mid-way reads better.
      d.archivoSha256 === null
        ? 'Sin archivo digitalizado (recibido en papel).'
        : `${d.archivoSha256.slice(0, 32)}\n${d.archivoSha256.slice(32)}`,
      d.archivoSha256 !== null,
    ],
  ]);
  doc.moveDown(1);
  doc.font(FONT).fontSize(9).fillColor('#333333');
  doc.text(
    'Este acuse hace constar la recepción del oficio descrito y su turno al área indicada; no prejuzga sobre la ' +
      'procedencia de lo solicitado. Conserve el folio para dar seguimiento a su trámite.',
    MARGIN_X,
    doc.y,
    { width: cw, align: 'justify' },
  );
  doc.moveDown(1);
  drawSignatureBlock(doc, sig);
}

/** "2026-11-25" → "25/11/2026", without going through an instant (no time-zone shift for a calendar date). */
function formatFechaCalendario(ymd: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (m === null) {
    throw new DomainError('FECHA_INVALIDA', `La fecha del oficio "${ymd}" debe tener la forma AAAA-MM-DD.`, 422);
  }
  return `${m[3]}/${m[2]}/${m[1]}`;
}

const tableError = (message: string): DomainError => new DomainError('TABLA_INVALIDA', message, 422);

/** The cuerpo's paragraphs (separated by a blank line), each with its line breaks folded into spaces. */
function paragraphsOf(cuerpo: string): string[] {
  return cuerpo
    .split(/\n\s*\n/)
    .map((s) => s.trim().replace(/\s*\n\s*/g, ' '))
    .filter((s) => s !== '');
}

/**
 * Checks a reply letter's table against its cuerpo before anything is drawn or signed, and says where it goes: the
 * index of the paragraph that is TABLE_MARK, the number of paragraphs (after the last one) when there is no mark, or
 * undefined when the letter has no table. The mark is never printed.
 */
function tablePlacement(paragraphs: string[], tabla: LetterTable | undefined): number | undefined {
  const marks = paragraphs.flatMap((p, i) => (p === TABLE_MARK ? [i] : []));
  if (marks.length > 1) {
    throw tableError(
      `El cuerpo del oficio marca el lugar de la tabla (${TABLE_MARK}) más de una vez; debe ir una sola.`,
    );
  }
  if (tabla === undefined) {
    if (marks.length === 0) return undefined;
    throw tableError(
      `El cuerpo del oficio marca el lugar de una tabla (${TABLE_MARK}), pero el oficio no trae la tabla. ` +
        'Corrija la plantilla o los datos del oficio.',
    );
  }
  const { columnas, anchos, filas } = tabla;
  if (columnas.length === 0 || columnas.some((c) => typeof c !== 'string')) {
    throw tableError('La tabla del oficio debe tener al menos una columna, cada una con su encabezado.');
  }
  if (
    anchos !== undefined &&
    (anchos.length !== columnas.length || anchos.some((w) => typeof w !== 'number' || !(w > 0) || !isFinite(w)))
  ) {
    throw tableError(
      `La tabla del oficio tiene ${columnas.length} columnas y ${anchos.length} anchos: debe dar un ancho positivo ` +
        'por columna, u omitir los anchos para columnas iguales.',
    );
  }
  if (filas.length === 0) throw tableError('La tabla del oficio no tiene filas.');
  filas.forEach((fila, i) => {
    if (!Array.isArray(fila) || fila.length !== columnas.length || fila.some((c) => typeof c !== 'string')) {
      const celdas = Array.isArray(fila) ? fila.length : 0;
      throw tableError(
        `La fila ${i + 1} de la tabla del oficio tiene ${celdas} ${celdas === 1 ? 'celda' : 'celdas'}; debe tener ` +
          `${columnas.length}, un texto por columna (${columnas.join(', ')}).`,
      );
    }
  });
  return marks[0] ?? paragraphs.length;
}

/** Every text a table prints, and each cell under its heading ("Contraseña: …" split across heading and cell). */
function tableTexts(t: LetterTable | undefined): string[] {
  if (t === undefined) return [];
  return [...t.columnas, ...t.filas.flatMap((fila) => fila.flatMap((c, j) => [c, `${t.columnas[j]}: ${c}`]))];
}

const TABLE_SIZE = 8.5;
const CELL_PAD_X = 3;
const CELL_PAD_Y = 2.5;

function rule(doc: PDFKit.PDFDocument, y: number, width: number, color: string): void {
  doc
    .moveTo(MARGIN_X, y)
    .lineTo(MARGIN_X + contentWidth(doc), y)
    .lineWidth(width)
    .strokeColor(color)
    .stroke();
}

/**
 * The table at the cursor: cells wrap within their column, a row never splits across pages, and every page the table
 * reaches starts it with the header row again. A row taller than a page is refused (it could never be drawn whole).
 */
function drawTable(doc: PDFKit.PDFDocument, t: LetterTable): void {
  const cw = contentWidth(doc);
  const weights = t.anchos ?? t.columnas.map(() => 1);
  const sum = weights.reduce((a, b) => a + b, 0);
  const widths = weights.map((w) => (w / sum) * cw);
  const xs = widths.map((_, j) => MARGIN_X + widths.slice(0, j).reduce((a, b) => a + b, 0));
  const textWidth = (j: number): number => widths[j] - 2 * CELL_PAD_X;
  const heightOf = (cells: string[], font: string): number => {
    doc.font(font).fontSize(TABLE_SIZE);
    const lines = cells.map((c, j) => doc.heightOfString(c, { width: textWidth(j) }));
    return Math.max(doc.currentLineHeight(), ...lines) + 2 * CELL_PAD_Y;
  };
  const drawCells = (cells: string[], y: number, h: number, font: string, color: string): void => {
    doc.font(font).fontSize(TABLE_SIZE).fillColor(color);
    // The height keeps pdfkit from breaking the page inside a cell: the row was measured to fit.
    cells.forEach((c, j) => {
      if (c !== '') doc.text(c, xs[j] + CELL_PAD_X, y + CELL_PAD_Y, { width: textWidth(j), height: h });
    });
  };
  const headerH = heightOf(t.columnas, FONT_BOLD);
  const bottom = (): number => doc.page.height - doc.page.margins.bottom;
  const room = bottom() - doc.page.margins.top - headerH;

  let y = doc.y;
  let headed = false;
  t.filas.forEach((fila, i) => {
    const h = heightOf(fila, FONT);
    if (h > room) throw tableError(`La fila ${i + 1} de la tabla del oficio no cabe en una página: acorte sus textos.`);
    if (y + (headed ? 0 : headerH) + h > bottom()) {
      doc.addPage();
      y = doc.y;
      headed = false;
    }
    if (!headed) {
      doc.rect(MARGIN_X, y, cw, headerH).fill('#e8edf4');
      drawCells(t.columnas, y, headerH, FONT_BOLD, '#1f3b63');
      y += headerH;
      rule(doc, y, 0.6, '#1f3b63');
      headed = true;
    }
    drawCells(fila, y, h, FONT, '#000000');
    y += h;
    rule(doc, y, 0.3, '#b4b4b4');
  });
  doc.font(FONT).fontSize(10.5).fillColor('#000000');
  doc.x = MARGIN_X;
  doc.y = y;
}

function drawReplyLetter(doc: PDFKit.PDFDocument, d: ReplyLetterData, sig: SignatureBlock, lugar: string): void {
  doc.addPage();
  const cw = contentWidth(doc);
  const blockW = 270;
  const bx = MARGIN_X + cw - blockW;
  doc.font(FONT_BOLD).fontSize(10.5).fillColor('#000000');
  doc.text(`Oficio No. ${d.numeroOficio}`, bx, doc.y, { width: blockW, align: 'right' });
  doc.font(FONT).fontSize(10.5).text(formatFechaOficio(d.fecha, lugar), bx, doc.y, { width: blockW, align: 'right' });
  doc.font(FONT).fontSize(9).text(`Folio: ${d.folio}`, bx, doc.y, { width: blockW, align: 'right' });
  doc.moveDown(0.3);
  // A right-aligned run with `continued` overlaps in pdfkit: the asunto block is left-aligned inside the right column.
  doc.font(FONT_BOLD).fontSize(10.5).text('Asunto: ', bx, doc.y, { width: blockW, continued: true });
  doc.font(FONT).text(d.asunto, { width: blockW });
  doc.moveDown(1.2);

  doc.x = MARGIN_X;
  doc.font(FONT_BOLD).fontSize(10.5).text(d.destinatario.nombre.toUpperCase(), MARGIN_X, doc.y, { width: cw });
  doc.font(FONT).text(d.destinatario.cargo, { width: cw });
  if (d.destinatario.area !== undefined && d.destinatario.area.trim() !== '')
    doc.text(d.destinatario.area, { width: cw });
  doc.font(FONT_BOLD).text('P r e s e n t e', { width: cw });
  doc.moveDown(1.2);

  const paragraphs = paragraphsOf(d.cuerpo);
  // Without a mark, the table goes after the last paragraph.
  if (tablePlacement(paragraphs, d.tabla) === paragraphs.length) paragraphs.push(TABLE_MARK);
  for (const p of paragraphs) {
    if (p === TABLE_MARK && d.tabla !== undefined) {
      drawTable(doc, d.tabla);
      doc.moveDown(0.8);
      continue;
    }
    // A paragraph written **like this** in a template (an account address) stands out, centred and bold.
    const emphasis = /^\*\*(.+)\*\*$/.exec(p);
    if (emphasis !== null) {
      doc.font(FONT_BOLD).fontSize(11).text(emphasis[1], MARGIN_X, doc.y, { width: cw, align: 'center' });
    } else {
      doc.font(FONT).fontSize(10.5).text(p, MARGIN_X, doc.y, { width: cw, align: 'justify', lineGap: 2 });
    }
    doc.moveDown(0.5);
  }

  // "Atentamente" and the signer stay together on one page.
  const closing = 16 + 14 + 34 + 14 + doc.heightOfString(d.firmante.cargo, { width: cw });
  ensureSpace(doc, closing + 10);
  doc.moveDown(0.4);
  doc.font(FONT_BOLD).fontSize(11).text('A t e n t a m e n t e', MARGIN_X, doc.y, { width: cw, align: 'center' });
  doc.font(FONT).fontSize(8).fillColor('#555555').text('(firmado electrónicamente)', { width: cw, align: 'center' });
  doc.moveDown(1.2);
  doc
    .fillColor('#000000')
    .font(FONT_BOLD)
    .fontSize(11)
    .text(d.firmante.nombre.toUpperCase(), { width: cw, align: 'center' });
  doc.font(FONT).fontSize(10.5).text(d.firmante.cargo, { width: cw, align: 'center' });
  doc.moveDown(0.6);

  if (d.ccp.length > 0) {
    doc.font(FONT).fontSize(8).fillColor('#333333');
    for (const c of d.ccp) doc.text(`c.c.p. ${c}`, MARGIN_X, doc.y, { width: cw });
    doc.fillColor('#000000');
    doc.moveDown(0.4);
  }

  // The electronic signature closes the document, after the c.c.p., as the sello closes a CFDI.
  drawSignatureBlock(doc, sig);
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

export interface SignOptions {
  /** The instant of signing (time comes from the caller; defaults to now). */
  signedAt?: Date;
  /** The letterhead; the configured defaults (Colima's CSEEE), no logo, when absent. */
  membrete?: Membrete;
}

/**
 * Renders and signs one document. A document signed with the test certificate always carries the test mark,
 * whatever its data say.
 */
export async function renderSignedDocument(
  document: LetterDocument,
  signer: PdfSigner,
  options: SignOptions = {},
): Promise<SignedDocument> {
  const signedAt = options.signedAt ?? new Date();
  const membrete = options.membrete ?? SIN_MEMBRETE;
  const test = document.data.testDocument || signer.certificate.test;
  const contentDigest = contentDigestOf(document);
  const cadena = cadenaOriginal(document.data.folio, signedAt, signer.signerId, contentDigest);
  const sello = signer.sello(cadena);
  const sig: SignatureBlock = {
    firmante: signer.certificate.subject.nombre,
    signerId: signer.signerId,
    serial: signer.certificate.serial,
    signedAt,
    cadena,
    sello,
  };

  let doc: PDFKit.PDFDocument;
  let title: string;
  let reason: string;
  switch (document.kind) {
    case 'acuse': {
      const d = document.data;
      assertNoPassword([d.asunto, d.anexos ?? '']);
      title = 'Acuse de recibo';
      reason = `Acuse de recibo del oficio ${d.oficio.numero}, folio ${d.folio}`;
      doc = newDocument(`Acuse de recibo ${d.folio}`, d.asunto, membrete.area, signedAt, test, membrete);
      drawAcuse(doc, d, sig);
      break;
    }
    case 'respuesta': {
      const d = document.data;
      // Before anything is drawn: a bad table or a stray mark is refused whole, never half-printed.
      tablePlacement(paragraphsOf(d.cuerpo), d.tabla);
      assertNoPassword([d.asunto, d.cuerpo, ...d.ccp, ...tableTexts(d.tabla)]);
      title = `Oficio ${d.numeroOficio}`;
      reason = `Oficio de respuesta ${d.numeroOficio}, folio ${d.folio}`;
      doc = newDocument(`Oficio ${d.numeroOficio}`, d.asunto, d.firmante.nombre, signedAt, test, membrete);
      drawReplyLetter(doc, d, sig, d.lugar ?? membrete.lugar);
      break;
    }
  }
  const { folio, verifyUrl, shortUrl } = document.data;
  drawPageFooters(doc, { folio, verifyUrl, shortUrl, test, title });
  const pages = doc.bufferedPageRange().count;

  const done = collect(doc);
  // The placeholder ends its own refs (signature, widget): ending them again corrupts the file.
  pdfkitAddPlaceholder({
    pdf: doc,
    pdfBuffer: Buffer.alloc(0),
    reason: test ? `${TEST_MARK}. ${reason}` : reason,
    contactInfo: '',
    name: signer.certificate.subject.nombre,
    location: (document.kind === 'respuesta' ? document.data.lugar : undefined) ?? membrete.lugar,
    signingTime: signedAt,
    signatureLength: SIGNATURE_LENGTH,
  });
  doc.end();
  const unsigned = await done;
  const pdf = await signer.signPdf(unsigned, signedAt);
  return {
    pdf,
    sha256: sha256(pdf),
    contentDigest,
    cadenaOriginal: cadena,
    sello,
    signedAt,
    pages,
    certificate: signer.certificate,
    signerId: signer.signerId,
    testDocument: test,
  };
}

export function renderSignedAcuse(data: AcuseData, signer: PdfSigner, options?: SignOptions): Promise<SignedDocument> {
  return renderSignedDocument({ kind: 'acuse', data }, signer, options);
}

export function renderSignedReplyLetter(
  data: ReplyLetterData,
  signer: PdfSigner,
  options?: SignOptions,
): Promise<SignedDocument> {
  return renderSignedDocument({ kind: 'respuesta', data }, signer, options);
}
