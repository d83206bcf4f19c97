import { readCsv, normalizeHeader } from '../catalog/import/csv-file';
import { DomainError } from '../common/domain-error';
import { readFirstSheet, spreadsheetContainer } from '../common/xlsx';
import { MAX_OFICIO_LINEAS } from '../oficios/oficio.dto';
import { SERVICIO_TIPOS } from '../oficios/oficio-lines';

/**
 * The annex of an oficio for many accounts as the registration page takes it: rows of its table (repeated fields, one
 * per column), a pasted list («lineasTexto», one line a row, its values separated by `,`, `;` or a tab) and a CSV
 * file or an Excel book («lineasCsv», its columns found by the header). Two annexes, by the procedure chosen: schools
 * for 5.2.1 (CCT, nombre) and Servicio or Función accounts for 5.3.1 (CURP, cuenta, tipo). The page only gathers
 * them: every line is checked by the registration service (checkOficioLines / checkServicioLines), the same as POST
 * /api/oficios.
 */
export type LineRow = Record<string, string>;

/** A line as the form shows it again after a refusal: its values, and its errors in Spanish by field («errorCct»). */
export type LineRowView = Record<string, string | number | boolean | null> & { linea: number };

interface AnnexColumn {
  /** The key in a row, in the API's line and in a refusal's `campo`. */
  key: string;
  /** The table's repeated field. */
  field: string;
  /** The file's headers that name the column (normalized), the first found wins. */
  headers: string[];
  /** Optional columns may be missing from the file. */
  optional?: boolean;
  normalize?: (v: string) => string;
}

export interface Annex {
  /** The procedure whose lines these are; any other procedure reads the schools (and is refused by the service). */
  procedure: 'centro-trabajo-alta' | 'servicio-alta';
  columns: AnnexColumn[];
  /** «escuela» / «escuelas», «cuenta» / «cuentas»: what the messages count. */
  singular: string;
  plural: string;
  /** The required columns as a refusal of the file names them. */
  columnNames: string;
  /** A row as POST /api/oficios takes it. */
  toApi: (row: LineRow) => Record<string, string>;
  /** What a row's view adds (a select's unknown value). */
  view?: (row: LineRow) => Record<string, boolean>;
}

const plain = (v: string): string => v.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

const isTipo = (v: string): boolean => (SERVICIO_TIPOS as readonly string[]).includes(v);

/** 5.2.1: a school a line. */
export const SCHOOL_ANNEX: Annex = {
  procedure: 'centro-trabajo-alta',
  columns: [
    { key: 'cct', field: 'lineaCct', headers: ['cct', 'clave_cct', 'clave_del_centro_de_trabajo', 'clave'] },
    {
      key: 'nombre',
      field: 'lineaNombre',
      headers: ['nombre', 'nombre_de_la_cuenta', 'nombre_cuenta', 'cuenta', 'nombre_del_centro'],
    },
  ],
  singular: 'escuela',
  plural: 'escuelas',
  columnNames: '«CCT» y «nombre»',
  toApi: (r) => ({ cct: r.cct, nombre: r.nombre }),
};

/** 5.3.1: a Servicio or Función account a line; the type is Servicio when blank. */
export const SERVICIO_ANNEX: Annex = {
  procedure: 'servicio-alta',
  columns: [
    {
      key: 'curp',
      field: 'lineaCurp',
      headers: ['curp', 'curp_del_responsable', 'curp_del_titular'],
      normalize: (v) => v.toUpperCase(),
    },
    {
      key: 'cuenta',
      field: 'lineaCuenta',
      headers: ['cuenta', 'nombre_de_la_cuenta', 'nombre_cuenta', 'usuario'],
    },
    {
      key: 'tipo',
      field: 'lineaTipo',
      headers: ['tipo', 'tipo_de_cuenta'],
      optional: true,
      normalize: (v) => (isTipo(plain(v)) ? plain(v) : v),
    },
  ],
  singular: 'cuenta',
  plural: 'cuentas',
  columnNames: '«CURP» y «cuenta»',
  toApi: (r) => ({ curp: r.curp, cuenta: r.cuenta, ...(r.tipo ? { tipo: r.tipo } : {}) }),
  // A type the select does not offer (pasted, from a file) is shown as sent, beside its error.
  view: (r) => ({ tipoOtro: r.tipo !== '' && !isTipo(r.tipo) }),
};

/** The annex of the procedure chosen: Servicio accounts for 5.3.1, schools otherwise. */
export const annexOf = (procedimiento: string | undefined): Annex =>
  procedimiento === SERVICIO_ANNEX.procedure ? SERVICIO_ANNEX : SCHOOL_ANNEX;

const values = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => (typeof x === 'string' ? x : ''));

/** A row from its values in the columns' order, trimmed and normalized; null when all are blank. */
function rowOf(annex: Annex, cells: readonly (string | undefined)[]): LineRow | null {
  const row: LineRow = {};
  for (const [i, c] of annex.columns.entries()) {
    const v = (cells[i] ?? '').trim();
    row[c.key] = c.normalize ? c.normalize(v) : v;
  }
  // A row with only a type (the table's select always sends one) is a blank row.
  return annex.columns.some((c) => !c.optional && row[c.key] !== '') ? row : null;
}

/** The rows of the annex's table, in order; rows left blank are not lines. */
export function rowsFromTable(annex: Annex, body: unknown): LineRow[] {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const cols = annex.columns.map((c) => values(b[c.field]));
  const rows: LineRow[] = [];
  for (let i = 0; i < Math.max(...cols.map((c) => c.length)); i++) {
    const row = rowOf(
      annex,
      cols.map((c) => c[i]),
    );
    if (row) rows.push(row);
  }
  return rows;
}

/**
 * A line a row, its values in the columns' order separated by `,`, `;` or a tab; the last column takes the rest
 * («06DPR0012X, Escuela Primaria Benito Juárez», «CURP, becas.colima, función»). Blank lines skipped.
 */
export function rowsFromText(annex: Annex, text: string | undefined): LineRow[] {
  const n = annex.columns.length;
  return (text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => {
      const cells: string[] = [];
      let rest = l;
      while (cells.length < n - 1) {
        const m = /^([^,;\t]*)[,;\t](.*)$/.exec(rest);
        if (!m) break;
        cells.push(m[1]);
        rest = m[2];
      }
      cells.push(rest);
      return rowOf(annex, cells) ?? rowOf(annex, [l])!;
    });
}

const csvProblem = (mensaje: string): DomainError =>
  new DomainError('LINEAS_CSV_INVALIDO', mensaje, 422, { campo: 'lineasCsv' });

/**
 * The lines of the annex's file: an Excel book (.xlsx, its first worksheet) or a CSV, told apart by their bytes,
 * not by the file's name. Either way the annex's columns are found by the header, the same rules for both.
 */
export async function rowsFromFile(annex: Annex, content: Buffer): Promise<LineRow[]> {
  return spreadsheetContainer(content) ? rowsFromXlsx(annex, content) : rowsFromCsv(annex, content);
}

/**
 * The lines of a CSV file by its header (the annex's columns, in any order, among others), read by the catalog
 * importer's reader: `,` or `;`, UTF-8 with or without BOM or Windows-1252. Not a CSV (UTF-16, a column missing): a
 * Spanish 422 on the file field.
 */
export async function rowsFromCsv(annex: Annex, content: Buffer): Promise<LineRow[]> {
  const table = await readingAnnex(annex, () => readCsv(content));
  return rowsByHeader(
    annex,
    table.header,
    table.records.map((r) => r.values),
  );
}

/**
 * The lines of an Excel book: its first worksheet, the first row with data as the header (src/common/xlsx.ts). An
 * .xls, an encrypted, damaged or oversized book, or more than 500 rows: a Spanish 422 on the file field.
 */
export async function rowsFromXlsx(annex: Annex, content: Buffer): Promise<LineRow[]> {
  // The header row and up to 500 lines.
  const sheet = await readingAnnex(annex, () => readFirstSheet(content, { maxRows: MAX_OFICIO_LINEAS + 1 }));
  if (sheet.truncated)
    throw csvProblem(
      `La primera hoja del libro tiene más de ${MAX_OFICIO_LINEAS} filas de ${annex.plural}; se admiten hasta ${MAX_OFICIO_LINEAS}.`,
    );
  const [header = [], ...records] = sheet.rows;
  return rowsByHeader(annex, header, records);
}

/** A reader's refusal, on the file field. */
async function readingAnnex<T>(annex: Annex, read: () => T | Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof DomainError) throw csvProblem(`El archivo de ${annex.plural} no se pudo leer: ${e.message}`);
    throw e;
  }
}

/**
 * The lines of a table by its header row (the annex's columns among others; an optional one may be missing); rows
 * without any required value are skipped.
 */
function rowsByHeader(annex: Annex, rawHeader: readonly string[], records: readonly (readonly string[])[]): LineRow[] {
  // A spreadsheet's rows are sparse (a cell at its column's index): the header names only its filled cells.
  const named = Array.from(rawHeader, (h) => h ?? '');
  const header = named.map(normalizeHeader);
  const col = (names: string[]): number => names.map((n) => header.indexOf(n)).find((i) => i >= 0) ?? -1;
  const at = annex.columns.map((c) => col(c.headers));
  if (annex.columns.some((c, i) => !c.optional && at[i] < 0)) {
    throw csvProblem(
      `El archivo de ${annex.plural} debe tener en su primera línea las columnas ${annex.columnNames} (tiene: ${named.filter((h) => h.trim()).join(', ') || 'ninguna'}).`,
    );
  }
  const rows = records
    .map((r) =>
      rowOf(
        annex,
        at.map((i) => (i < 0 ? '' : r[i])),
      ),
    )
    .filter((r): r is LineRow => r !== null);
  if (rows.length === 0) throw csvProblem(`El archivo de ${annex.plural} no tiene líneas después de su encabezado.`);
  if (rows.length > MAX_OFICIO_LINEAS)
    throw csvProblem(
      `El archivo de ${annex.plural} tiene ${rows.length} líneas; se admiten hasta ${MAX_OFICIO_LINEAS}.`,
    );
  return rows;
}

interface LineErrorDetail {
  linea: number;
  errores: { campo: string; mensaje: string }[];
}

const errorKey = (key: string): string => `error${key[0].toUpperCase()}${key.slice(1)}`;

/**
 * The rows with the errors of a LINEAS_INVALIDAS refusal beside each (its lines count from 1, in the rows' order):
 * «errorCct», «errorCurp»… by the annex's columns, and «conError» for the row.
 */
export function rowsWithErrors(annex: Annex, rows: LineRow[], refusal?: DomainError): LineRowView[] {
  const bad = new Map<number, LineErrorDetail>();
  const lineas = refusal?.code === 'LINEAS_INVALIDAS' ? refusal.details?.lineas : undefined;
  if (Array.isArray(lineas)) for (const l of lineas as LineErrorDetail[]) bad.set(l.linea, l);
  return rows.map((r, i) => {
    const errores = bad.get(i + 1)?.errores ?? [];
    const view: LineRowView = { ...r, ...annex.view?.(r), linea: i + 1, conError: errores.length > 0 };
    for (const c of annex.columns)
      view[errorKey(c.key)] =
        errores
          .filter((e) => e.campo === c.key)
          .map((e) => e.mensaje)
          .join(' ') || null;
    return view;
  });
}

/** The rows of a table as the form shows them: the lines sent, then blank rows to type in (three when none). */
export function tableRows(annex: Annex, rows: LineRowView[]): LineRowView[] {
  const blank: LineRow = Object.fromEntries(annex.columns.map((c) => [c.key, '']));
  const blanks = Array.from({ length: rows.length ? 1 : 3 }, () => blank);
  return [...rows, ...rowsWithErrors(annex, blanks).map((r, i) => ({ ...r, linea: rows.length + i + 1 }))];
}
