import { crc32, inflateRawSync } from 'node:zlib';
import { DomainError } from './domain-error';

/**
 * The first worksheet of an Excel book (.xlsx) as rows of text, without a dependency: an .xlsx is a ZIP of XML parts
 * (ECMA-376 / ISO 29500), so a central-directory reader, node:zlib's inflateRawSync and a tolerant scan of the
 * workbook, its relationships, the shared strings and one sheet are enough to read a typed table. Formatting, formulas
 * (their cached value is read), dates (their serial number, as stored) and every other part are ignored.
 * Why no package (December 2026): `xlsx` on npm is SheetJS's abandoned 0.18.5 (later versions are only on their own
 * CDN, and that one has published advisories); ExcelJS 4.4 brings nine dependencies (two ZIP libraries, a temp-file
 * one), mostly for writing; `read-excel-file` 9.x brings four, one ESM-only (`unzipper-esm`). Reading one typed table
 * needs none of them.
 *
 * An uploaded book is hostile until read: only the parts needed are inflated, each with a cap on its inflated size
 * (a ZIP bomb stops at the cap, whatever its headers claim), the entries are counted, and reading stops after
 * `maxRows` rows with data. Every refusal is a Spanish 422 that says what to do with the file.
 */

export interface XlsxLimits {
  /** Inflated bytes of all the parts read together (workbook, relationships, shared strings, the sheet). */
  maxBytes: number;
  /** Inflated bytes of any one part. */
  maxEntryBytes: number;
  /** Entries in the ZIP's central directory. */
  maxEntries: number;
  /** Rows with data to read; more are not read and the result says `truncated`. */
  maxRows: number;
}

export const XLSX_LIMITS: XlsxLimits = {
  maxBytes: 5 * 1024 * 1024,
  maxEntryBytes: 5 * 1024 * 1024,
  maxEntries: 2000,
  maxRows: 10_000,
};

export interface XlsxSheet {
  /** The rows with at least one non-blank cell, in sheet order; a cell sits at its column's index (A = 0). */
  rows: string[][];
  /** The sheet has more rows with data than `maxRows`. */
  truncated: boolean;
}

/** By the magic bytes: a ZIP (an .xlsx, an .ods, a .docx) or an OLE compound file (an .xls, an encrypted book). */
export function spreadsheetContainer(content: Buffer): 'zip' | 'ole' | null {
  const starts = (sig: number[]): boolean => content.length >= sig.length && sig.every((b, i) => content[i] === b);
  if (starts([0x50, 0x4b, 0x03, 0x04])) return 'zip';
  if (starts([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole';
  return null;
}

const SAVE_AS = 'guárdelo como «Libro de Excel (.xlsx)» o como «CSV UTF-8 (delimitado por comas)»';
const unreadable = (message: string): DomainError => new DomainError('XLSX_ILEGIBLE', message, 422);
const corrupt = (): DomainError =>
  unreadable(`El libro de Excel está dañado o incompleto. Ábralo en Excel y ${SAVE_AS}.`);
const encrypted = (): DomainError =>
  unreadable(
    `El libro de Excel está protegido con contraseña y no se puede leer. Ábralo en Excel, quite la contraseña («Archivo» → «Información» → «Proteger libro») y ${SAVE_AS}.`,
  );

/** The rows of the first worksheet of an .xlsx (the first one not hidden, when the first is). */
export function readFirstSheet(content: Buffer, limits: Partial<XlsxLimits> = {}): XlsxSheet {
  const lim = { ...XLSX_LIMITS, ...limits };
  const container = spreadsheetContainer(content);
  if (container === 'ole') {
    // Office encrypts an .xlsx into an OLE container with these streams (MS-OFFCRYPTO 2.3.4.4).
    if (content.includes(Buffer.from('EncryptionInfo', 'utf16le'))) throw encrypted();
    throw unreadable(
      `El archivo es un libro de Excel 97-2003 (.xls), que no se puede leer. Ábralo en Excel y, con «Guardar como», ${SAVE_AS}.`,
    );
  }
  if (container !== 'zip') throw unreadable(`El archivo no es un libro de Excel (.xlsx): ${SAVE_AS}.`);
  const zip = new ZipReader(content, lim);
  const workbook = relTarget(zip, '', '/officeDocument') ?? 'xl/workbook.xml';
  if (!zip.has(workbook) || !isWorkbook(zip, workbook)) {
    const mimetype = zip.has('mimetype') ? zip.text('mimetype') : '';
    throw unreadable(
      mimetype.includes('opendocument.spreadsheet')
        ? 'El archivo es una hoja de cálculo de LibreOffice (.ods). Ábrala en LibreOffice y guárdela como «Excel 2007-365 (.xlsx)» o como «Texto CSV (.csv)» en UTF-8.'
        : `El archivo es un ZIP u otro documento, no un libro de Excel (.xlsx): ${SAVE_AS}.`,
    );
  }
  const sheet = firstSheetPath(zip, workbook);
  if (!sheet || !zip.has(sheet)) throw unreadable(`El libro de Excel no tiene ninguna hoja de cálculo: ${SAVE_AS}.`);
  const sharedPath = relTarget(zip, workbook, '/sharedStrings') ?? 'xl/sharedStrings.xml';
  const shared = zip.has(sharedPath) ? sharedStrings(zip.text(sharedPath)) : [];
  return sheetRows(zip.text(sheet), shared, lim.maxRows);
}

// ---- ZIP (APPNOTE.TXT 4.3): the central directory names every entry, its method, sizes and local header ----

interface ZipEntry {
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

class ZipReader {
  private readonly entries = new Map<string, ZipEntry>();
  private inflated = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly lim: XlsxLimits,
  ) {
    const eocd = this.findEndOfDirectory();
    const count = this.u16(eocd + 10);
    const dirSize = this.u32(eocd + 12);
    let at = this.u32(eocd + 16);
    // ZIP64 markers: a book that large is far beyond the upload limit anyway.
    if (count === 0xffff || at === 0xffffffff || at + dirSize > eocd) throw corrupt();
    if (count > lim.maxEntries)
      throw unreadable(`El archivo tiene demasiadas partes (${count}) para ser un libro de Excel: ${SAVE_AS}.`);
    for (let i = 0; i < count; i++) {
      if (this.u32(at) !== 0x02014b50) throw corrupt();
      const nameLength = this.u16(at + 28);
      const name = this.buf.toString('utf8', at + 46, at + 46 + nameLength);
      this.entries.set(partKey(name), {
        flags: this.u16(at + 8),
        method: this.u16(at + 10),
        crc: this.u32(at + 16),
        compressedSize: this.u32(at + 20),
        size: this.u32(at + 24),
        localOffset: this.u32(at + 42),
      });
      at += 46 + nameLength + this.u16(at + 30) + this.u16(at + 32);
    }
  }

  has(name: string): boolean {
    return this.entries.has(partKey(name));
  }

  /** An entry inflated and decoded, within the caps. */
  text(name: string): string {
    const e = this.entries.get(partKey(name));
    if (!e) throw corrupt();
    if (e.flags & 0x1) throw encrypted();
    const budget = Math.min(this.lim.maxEntryBytes, this.lim.maxBytes - this.inflated);
    if (e.size > budget) throw this.tooLarge();
    const local = e.localOffset;
    if (this.u32(local) !== 0x04034b50) throw corrupt();
    const start = local + 30 + this.u16(local + 26) + this.u16(local + 28);
    if (start + e.compressedSize > this.buf.length) throw corrupt();
    const raw = this.buf.subarray(start, start + e.compressedSize);
    let data: Buffer;
    if (e.method === 0) data = raw;
    else if (e.method === 8) {
      try {
        // The declared size is not trusted: inflation itself stops at the budget.
        data = inflateRawSync(raw, { maxOutputLength: Math.max(budget, 1) });
      } catch (err) {
        throw (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? this.tooLarge() : corrupt();
      }
    } else throw corrupt();
    if (data.length > budget) throw this.tooLarge();
    if (data.length !== e.size || crc32(data) !== e.crc) throw corrupt();
    this.inflated += data.length;
    return decodeXmlBytes(data);
  }

  private tooLarge(): DomainError {
    const mb = Math.round(this.lim.maxBytes / 1024 / 1024);
    return unreadable(
      `El libro de Excel es demasiado grande al abrirlo (más de ${mb} MB de datos). Deje en la primera hoja solo la tabla que se pide y guárdelo de nuevo, o ${SAVE_AS}.`,
    );
  }

  private findEndOfDirectory(): number {
    // The record is 22 bytes plus a comment of up to 65,535.
    for (let i = this.buf.length - 22; i >= Math.max(0, this.buf.length - 22 - 0xffff); i--) {
      if (this.buf.readUInt32LE(i) === 0x06054b50) return i;
    }
    throw corrupt();
  }

  private u16(at: number): number {
    if (at < 0 || at + 2 > this.buf.length) throw corrupt();
    return this.buf.readUInt16LE(at);
  }

  private u32(at: number): number {
    if (at < 0 || at + 4 > this.buf.length) throw corrupt();
    return this.buf.readUInt32LE(at);
  }
}

/** Part names compare without case and without a leading slash (ECMA-376 Part 2, 9.1.1.1). */
const partKey = (name: string): string => name.replace(/^\/+/, '').toLowerCase();

function decodeXmlBytes(data: Buffer): string {
  if (data.length >= 2 && data[0] === 0xff && data[1] === 0xfe) return new TextDecoder('utf-16le').decode(data);
  if (data.length >= 2 && data[0] === 0xfe && data[1] === 0xff) return new TextDecoder('utf-16be').decode(data);
  return new TextDecoder('utf-8').decode(data);
}

// ---- Package relationships: which part is the workbook, its sheets, its shared strings ----

/** The relationships part of `source` ('' for the package): `_rels/<name>.rels` beside it. */
function relsOf(zip: ZipReader, source: string): { id: string; type: string; target: string }[] {
  const slash = source.lastIndexOf('/');
  const path = `${source.slice(0, slash + 1)}_rels/${source.slice(slash + 1)}.rels`;
  if (!zip.has(path)) return [];
  const out: { id: string; type: string; target: string }[] = [];
  scanXml(zip.text(path), {
    open(name, attrs) {
      if (name !== 'Relationship' || attr(attrs, 'TargetMode') === 'External') return;
      const target = attr(attrs, 'Target');
      if (target)
        out.push({ id: attr(attrs, 'Id') ?? '', type: attr(attrs, 'Type') ?? '', target: resolve(source, target) });
    },
  });
  return out;
}

/** The target of the first relationship of `source` whose type ends so (transitional and strict URIs differ). */
function relTarget(zip: ZipReader, source: string, typeEnd: string): string | undefined {
  return relsOf(zip, source).find((r) => r.type.endsWith(typeEnd))?.target;
}

/** A relationship target relative to its source part's folder, or absolute from the package root. */
function resolve(source: string, target: string): string {
  const parts = target.startsWith('/') ? [] : source.split('/').slice(0, -1);
  for (const seg of target.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg && seg !== '.') parts.push(seg);
  }
  return parts.join('/');
}

/** The main part is a SpreadsheetML workbook by its declared content type (a .docx or .pptx declares another). */
function isWorkbook(zip: ZipReader, workbook: string): boolean {
  let type: string | undefined;
  if (zip.has('[Content_Types].xml')) {
    scanXml(zip.text('[Content_Types].xml'), {
      open(name, attrs) {
        if (name === 'Override' && partKey(attr(attrs, 'PartName') ?? '') === partKey(workbook))
          type = attr(attrs, 'ContentType');
      },
    });
  }
  return type === undefined ? /workbook\.xml$/i.test(workbook) : /spreadsheetml|ms-excel/.test(type);
}

/** The first worksheet in the book's tab order (chart sheets skipped), preferring one not hidden. */
function firstSheetPath(zip: ZipReader, workbook: string): string | undefined {
  const rels = new Map(relsOf(zip, workbook).map((r) => [r.id, r]));
  const sheets: { path: string; hidden: boolean }[] = [];
  scanXml(zip.text(workbook), {
    open(name, attrs) {
      if (name !== 'sheet') return;
      const rel = rels.get(attr(attrs, 'id') ?? '');
      if (rel?.type.endsWith('/worksheet'))
        sheets.push({ path: rel.target, hidden: !!attr(attrs, 'state')?.includes('hidden') });
    },
  });
  return (
    (sheets.find((s) => !s.hidden) ?? sheets[0])?.path ??
    (zip.has('xl/worksheets/sheet1.xml') ? 'xl/worksheets/sheet1.xml' : undefined)
  );
}

// ---- Cells ----

/** Text of the runs of a string item (`<si>` or `<is>`): its `<t>`s, but not the phonetic guides' (`<rPh>`). */
class RichText {
  private depthT = 0;
  private inPhonetic = 0;
  text = '';

  open(name: string): void {
    if (name === 't') this.depthT++;
    else if (name === 'rPh') this.inPhonetic++;
  }

  close(name: string): void {
    if (name === 't') this.depthT--;
    else if (name === 'rPh') this.inPhonetic--;
  }

  add(s: string): void {
    if (this.depthT > 0 && this.inPhonetic === 0) this.text += s;
  }
}

function sharedStrings(xml: string): string[] {
  const out: string[] = [];
  let item: RichText | null = null;
  scanXml(xml, {
    open(name, _attrs, empty) {
      if (name === 'si') {
        if (empty) out.push('');
        else item = new RichText();
      } else item?.open(name);
    },
    close(name) {
      if (name === 'si' && item) {
        out.push(unescapeOoxml(item.text));
        item = null;
      } else item?.close(name);
    },
    text(s) {
      item?.add(s);
    },
  });
  return out;
}

const MAX_COLUMNS = 16_384;
const MAX_SHEET_ROWS = 1_048_576;

/** «B7» → [1, 6]; a reference without a row gives `null` for it. */
function cellRef(ref: string): [number, number | null] {
  const m = /^\$?([A-Za-z]{1,3})\$?(\d*)$/.exec(ref);
  if (!m) throw corrupt();
  let col = 0;
  for (const ch of m[1].toUpperCase()) col = col * 26 + (ch.charCodeAt(0) - 64);
  const row = m[2] ? Number(m[2]) : null;
  if (col > MAX_COLUMNS || (row !== null && (row < 1 || row > MAX_SHEET_ROWS))) throw corrupt();
  return [col - 1, row === null ? null : row - 1];
}

function cellText(type: string, v: string | null, inline: string | null, shared: string[]): string {
  switch (type) {
    case 's': {
      const i = Number(v);
      if (v === null || !Number.isInteger(i) || i < 0 || i >= shared.length) throw corrupt();
      return shared[i];
    }
    case 'inlineStr':
      return unescapeOoxml(inline ?? v ?? '');
    case 'b':
      return v === '1' ? 'VERDADERO' : v === '0' ? 'FALSO' : (v ?? '');
    case 'n':
    case '': {
      if (v === null || v.trim() === '') return '';
      const n = Number(v);
      // Excel keeps 15 significant digits: 0.1 + 0.2 stored as 0.30000000000000004 reads 0.3, as Excel shows it.
      return Number.isFinite(n) ? String(Number(n.toPrecision(15))) : v;
    }
    default:
      // 'str' (a formula's cached text), 'e' (#N/A…), 'd' (an ISO date): the stored value as is.
      return unescapeOoxml(v ?? '');
  }
}

function sheetRows(xml: string, shared: string[], maxRows: number): XlsxSheet {
  const rows = new Map<number, string[]>();
  let truncated = false;
  let inData = false;
  let rowIndex = -1;
  let rowGiven = false;
  let col = -1;
  let cell: { col: number; row: number; type: string; v: string | null; inV: boolean; is: RichText | null } | null =
    null;
  scanXml(xml, {
    open(name, attrs, empty) {
      if (name === 'sheetData') {
        inData = !empty;
        return;
      }
      if (!inData) return;
      if (name === 'row') {
        const r = attr(attrs, 'r');
        rowGiven = r !== undefined;
        rowIndex = r !== undefined ? cellRef(`A${r}`)[1]! : rowIndex + 1;
        col = -1;
      } else if (name === 'c') {
        const r = attr(attrs, 'r');
        let row = rowIndex;
        if (r !== undefined) {
          const [c, rr] = cellRef(r);
          col = c;
          if (rr !== null && !rowGiven) row = rowIndex = rr;
        } else col += 1;
        if (col >= MAX_COLUMNS) throw corrupt();
        cell = empty
          ? null
          : { col, row: Math.max(row, 0), type: attr(attrs, 't') ?? '', v: null, inV: false, is: null };
      } else if (cell) {
        if (name === 'v' && !empty) {
          cell.inV = true;
          cell.v ??= '';
        } else if (name === 'is') cell.is = new RichText();
        else cell.is?.open(name);
      }
    },
    close(name) {
      if (!inData) return;
      if (name === 'sheetData') {
        inData = false;
        return false;
      }
      if (!cell) return;
      if (name === 'v') cell.inV = false;
      else if (name === 'c') {
        const value = cellText(cell.type, cell.v, cell.is?.text ?? null, shared);
        if (value.trim() !== '') {
          let row = rows.get(cell.row);
          if (!row) {
            if (rows.size >= maxRows) {
              truncated = true;
              return false;
            }
            row = [];
            rows.set(cell.row, row);
          }
          row[cell.col] = value;
        }
        cell = null;
      } else if (name !== 'is') cell.is?.close(name);
    },
    text(s) {
      if (!cell) return;
      if (cell.inV) cell.v += s;
      else cell.is?.add(s);
    },
  });
  const ordered = [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
  return { rows: ordered, truncated };
}

/** `_x000D_` and the like: characters XML cannot carry, escaped by Office in strings (ECMA-376 Part 1, 22.9.2.19). */
const unescapeOoxml = (s: string): string =>
  s.includes('_x') ? s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) : s;

// ---- A tolerant XML scan: elements by local name (any prefix), attributes raw, text with its entities decoded ----

interface XmlHandlers {
  /** Return false to stop the scan. */
  open?(name: string, attrs: string, empty: boolean): boolean | void;
  close?(name: string): boolean | void;
  text?(s: string): void;
}

function scanXml(xml: string, on: XmlHandlers): void {
  let i = 0;
  const n = xml.length;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i && on.text) on.text(decodeEntities(xml.slice(i, textEnd)));
    if (lt < 0) return;
    if (xml.startsWith('<!--', lt)) {
      i = after(xml, '-->', lt + 4);
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (end < 0) throw corrupt();
      on.text?.(xml.slice(lt + 9, end));
      i = end + 3;
    } else if (xml[lt + 1] === '?') {
      i = after(xml, '?>', lt + 2);
    } else if (xml[lt + 1] === '!') {
      i = after(xml, '>', lt + 2);
    } else {
      // The tag's end: the first '>' outside a quoted attribute value.
      let j = lt + 1;
      let quote = '';
      for (; j < n; j++) {
        const ch = xml[j];
        if (quote) {
          if (ch === quote) quote = '';
        } else if (ch === '"' || ch === "'") quote = ch;
        else if (ch === '>') break;
      }
      if (j >= n) throw corrupt();
      const tag = xml.slice(lt + 1, j);
      i = j + 1;
      const closing = tag.startsWith('/');
      const m = /^\/?\s*(?:[\w.-]+:)?([\w.-]+)/.exec(tag);
      if (!m) throw corrupt();
      if (closing) {
        if (on.close?.(m[1]) === false) return;
      } else {
        const empty = tag.endsWith('/');
        if (on.open?.(m[1], tag.slice(m[0].length, empty ? -1 : undefined), empty) === false) return;
        if (empty && on.close?.(m[1]) === false) return;
      }
    }
  }
}

function after(xml: string, end: string, from: number): number {
  const at = xml.indexOf(end, from);
  if (at < 0) throw corrupt();
  return at + end.length;
}

/** An attribute's value by its local name (`r:id` answers to `id`), entities decoded. */
const ATTR_PATTERNS = new Map<string, RegExp>();

function attr(attrs: string, name: string): string | undefined {
  let re = ATTR_PATTERNS.get(name);
  if (!re) {
    re = new RegExp(`(?:^|\\s)(?:[\\w.-]+:)?${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`);
    ATTR_PATTERNS.set(name, re);
  }
  const m = re.exec(attrs);
  return m ? decodeEntities(m[1] ?? m[2]) : undefined;
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9A-Fa-f]{1,6}|#\d{1,7}|lt|gt|amp|quot|apos);/g, (whole, e: string) => {
    if (e[0] !== '#') return NAMED[e];
    const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}
