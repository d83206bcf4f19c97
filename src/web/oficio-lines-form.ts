import { readCsv, normalizeHeader } from '../catalog/import/csv-file';
import { DomainError } from '../common/domain-error';
import { readFirstSheet, spreadsheetContainer } from '../common/xlsx';
import { MAX_OFICIO_LINEAS } from '../oficios/oficio.dto';

/**
 * The annex of an oficio for many schools (5.2.1) as the registration page takes it: rows of its table (repeated
 * «lineaCct» / «lineaNombre» fields), a pasted list («lineasTexto», one school a line: «CCT, nombre») and a CSV file
 * or an Excel book («lineasCsv», columns CCT and nombre). The page only gathers them: every line is checked by the
 * registration service (checkOficioLines), the same as POST /api/oficios.
 */
export interface LineRow {
  cct: string;
  nombre: string;
}

/** A line as the form shows it again after a refusal: its values and its errors in Spanish, by field. */
export interface LineRowView extends LineRow {
  linea: number;
  errorCct: string | null;
  errorNombre: string | null;
}

const values = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => (typeof x === 'string' ? x : ''));

/** The rows of the table, in order; rows left blank are not lines. */
export function rowsFromTable(body: unknown): LineRow[] {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const ccts = values(b.lineaCct);
  const nombres = values(b.lineaNombre);
  const rows: LineRow[] = [];
  for (let i = 0; i < Math.max(ccts.length, nombres.length); i++) {
    const cct = (ccts[i] ?? '').trim();
    const nombre = (nombres[i] ?? '').trim();
    if (cct || nombre) rows.push({ cct, nombre });
  }
  return rows;
}

/** «06DPR0012X, Escuela Primaria Benito Juárez» a line (the first `,`, `;` or tab separates); blank lines skipped. */
export function rowsFromText(text: string | undefined): LineRow[] {
  return (text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => {
      const m = /^([^,;\t]*)[,;\t](.*)$/.exec(l);
      return m ? { cct: m[1].trim(), nombre: m[2].trim() } : { cct: l, nombre: '' };
    });
}

const csvProblem = (mensaje: string): DomainError =>
  new DomainError('LINEAS_CSV_INVALIDO', mensaje, 422, { campo: 'lineasCsv' });

const CCT_HEADERS = ['cct', 'clave_cct', 'clave_del_centro_de_trabajo', 'clave'];
const NOMBRE_HEADERS = ['nombre', 'nombre_de_la_cuenta', 'nombre_cuenta', 'cuenta', 'nombre_del_centro'];

/**
 * The lines of the annex's file: an Excel book (.xlsx, its first worksheet) or a CSV, told apart by their bytes,
 * not by the file's name. Either way the columns CCT and nombre are found by the header, the same rules for both.
 */
export async function rowsFromFile(content: Buffer): Promise<LineRow[]> {
  return spreadsheetContainer(content) ? rowsFromXlsx(content) : rowsFromCsv(content);
}

/**
 * The lines of a CSV file by its header (columns CCT and nombre, in any order, among others), read by the catalog
 * importer's reader: `,` or `;`, UTF-8 with or without BOM or Windows-1252. Not a CSV (UTF-16, a column missing): a
 * Spanish 422 on the file field.
 */
export async function rowsFromCsv(content: Buffer): Promise<LineRow[]> {
  const table = await readingAnnex(() => readCsv(content));
  return rowsByHeader(
    table.header,
    table.records.map((r) => r.values),
  );
}

/**
 * The lines of an Excel book: its first worksheet, the first row with data as the header (src/common/xlsx.ts). An
 * .xls, an encrypted, damaged or oversized book, or more than 500 rows: a Spanish 422 on the file field.
 */
export async function rowsFromXlsx(content: Buffer): Promise<LineRow[]> {
  // The header row and up to 500 lines.
  const sheet = await readingAnnex(() => readFirstSheet(content, { maxRows: MAX_OFICIO_LINEAS + 1 }));
  if (sheet.truncated)
    throw csvProblem(
      `La primera hoja del libro tiene más de ${MAX_OFICIO_LINEAS} filas de escuelas; se admiten hasta ${MAX_OFICIO_LINEAS}.`,
    );
  const [header = [], ...records] = sheet.rows;
  return rowsByHeader(header, records);
}

/** A reader's refusal, on the file field. */
async function readingAnnex<T>(read: () => T | Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof DomainError) throw csvProblem(`El archivo de escuelas no se pudo leer: ${e.message}`);
    throw e;
  }
}

/** The lines of a table by its header row (CCT and nombre among other columns); rows without either are skipped. */
function rowsByHeader(rawHeader: readonly string[], records: readonly (readonly string[])[]): LineRow[] {
  // A spreadsheet's rows are sparse (a cell at its column's index): the header names only its filled cells.
  const named = Array.from(rawHeader, (h) => h ?? '');
  const header = named.map(normalizeHeader);
  const col = (names: string[]): number => names.map((n) => header.indexOf(n)).find((i) => i >= 0) ?? -1;
  const cct = col(CCT_HEADERS);
  const nombre = col(NOMBRE_HEADERS);
  if (cct < 0 || nombre < 0) {
    throw csvProblem(
      `El archivo de escuelas debe tener en su primera línea las columnas «CCT» y «nombre» (tiene: ${named.filter((h) => h.trim()).join(', ') || 'ninguna'}).`,
    );
  }
  const rows = records
    .map((r) => ({ cct: (r[cct] ?? '').trim(), nombre: (r[nombre] ?? '').trim() }))
    .filter((r) => r.cct || r.nombre);
  if (rows.length === 0) throw csvProblem('El archivo de escuelas no tiene líneas después de su encabezado.');
  if (rows.length > MAX_OFICIO_LINEAS)
    throw csvProblem(`El archivo de escuelas tiene ${rows.length} líneas; se admiten hasta ${MAX_OFICIO_LINEAS}.`);
  return rows;
}

interface LineErrorDetail {
  linea: number;
  errores: { campo: string; mensaje: string }[];
}

/** The rows with the errors of a LINEAS_INVALIDAS refusal beside each (its lines count from 1, in the rows' order). */
export function rowsWithErrors(rows: LineRow[], refusal?: DomainError): LineRowView[] {
  const bad = new Map<number, LineErrorDetail>();
  const lineas = refusal?.code === 'LINEAS_INVALIDAS' ? refusal.details?.lineas : undefined;
  if (Array.isArray(lineas)) for (const l of lineas as LineErrorDetail[]) bad.set(l.linea, l);
  return rows.map((r, i) => {
    const errores = bad.get(i + 1)?.errores ?? [];
    const of = (campo: string): string | null =>
      errores
        .filter((e) => e.campo === campo)
        .map((e) => e.mensaje)
        .join(' ') || null;
    return { ...r, linea: i + 1, errorCct: of('cct'), errorNombre: of('nombre') };
  });
}
