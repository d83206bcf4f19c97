import iconv from 'iconv-lite';
// The sync bundle carries its own CsvError class: import it from there, or instanceof never matches.
import { CsvError, parse } from 'csv-parse/sync';
import { DomainError } from '../../common/domain-error';

export type FileEncoding = 'UTF-8' | 'Windows-1252';
export type Separator = ';' | ',';

export interface CsvRecord {
  /** Line of the file where the record starts (1 = first line, the header). */
  line: number;
  values: string[];
}

export interface CsvTable {
  encoding: FileEncoding;
  separator: Separator;
  /** Header cells as written in the file. */
  header: string[];
  headerLine: number;
  records: CsvRecord[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Text of a catalog export. Capital Humano and the CCT catalog come out of Excel either as UTF-8 (with or without
 * BOM) or as Windows-1252 ("CSV delimitado por comas"): bytes that are valid UTF-8 are read as UTF-8, anything else
 * as Windows-1252, which decodes every byte, so ñ and accents survive both.
 */
export function decodeCatalogFile(content: Buffer): { text: string; encoding: FileEncoding } {
  if (content.length >= 4 && content[0] === 0x50 && content[1] === 0x4b && content[2] === 0x03 && content[3] === 0x04) {
    throw new DomainError(
      'IMPORTACION_FORMATO',
      'El archivo es un libro de Excel (.xlsx), no un CSV. Ábralo en Excel y use «Guardar como» → «CSV UTF-8 (delimitado por comas)».',
      415,
    );
  }
  if (
    content.length >= 2 &&
    ((content[0] === 0xff && content[1] === 0xfe) || (content[0] === 0xfe && content[1] === 0xff))
  ) {
    throw new DomainError(
      'IMPORTACION_FORMATO',
      'El archivo está en UTF-16 («Texto Unicode» de Excel). Guárdelo como «CSV UTF-8 (delimitado por comas)».',
      415,
    );
  }
  if (content.includes(0)) {
    throw new DomainError(
      'IMPORTACION_FORMATO',
      'El archivo no es texto (contiene bytes nulos); exporte el catálogo como CSV.',
      415,
    );
  }
  let text: string;
  let encoding: FileEncoding;
  try {
    text = utf8.decode(content);
    encoding = 'UTF-8';
  } catch {
    text = iconv.decode(content, 'win1252');
    encoding = 'Windows-1252';
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, encoding };
}

/** Counts a character in a line outside double quotes. */
function countOutsideQuotes(line: string, ch: string): number {
  let n = 0;
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (c === ch && !quoted) n++;
  }
  return n;
}

/** Spanish-locale Excel writes `;`, others `,`: whichever the header uses more is the separator. */
export function detectSeparator(headerLine: string): Separator {
  return countOutsideQuotes(headerLine, ';') > countOutsideQuotes(headerLine, ',') ? ';' : ',';
}

/** Line where a quoted field opens and never closes (csv-parse only knows where the file ended). */
function unclosedQuoteLine(text: string, separator: string): number | undefined {
  let line = 1;
  let openedAt: number | undefined;
  let fieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (openedAt !== undefined) {
      if (c === '"') {
        if (text[i + 1] === '"') i++;
        else openedAt = undefined;
      } else if (c === '\n') line++;
      continue;
    }
    if (c === '"' && fieldStart) openedAt = line;
    if (c === '\n') line++;
    fieldStart = c === separator || c === '\n' || c === '\r';
  }
  return openedAt;
}

/** Reads the whole file into a header and its records; empty lines are skipped, line numbers kept. */
export function readCsv(content: Buffer): CsvTable {
  const { text, encoding } = decodeCatalogFile(content);
  const firstLine = text.split(/\r\n|\n|\r/).find((l) => l.trim() !== '');
  if (firstLine === undefined) {
    throw new DomainError(
      'IMPORTACION_VACIA',
      'El archivo está vacío: debe tener una primera línea con los nombres de las columnas.',
      422,
    );
  }
  const separator = detectSeparator(firstLine);
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, {
      delimiter: separator,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    if (e instanceof CsvError) {
      const line =
        e.code === 'CSV_QUOTE_NOT_CLOSED'
          ? unclosedQuoteLine(text, separator)
          : (e as CsvError & { lines?: number }).lines;
      const why =
        e.code === 'CSV_QUOTE_NOT_CLOSED'
          ? 'hay comillas (") que se abren y no se cierran'
          : 'el formato CSV no es válido';
      throw new DomainError(
        'IMPORTACION_FORMATO',
        `No se pudo leer el archivo${line ? ` en la línea ${line}` : ''}: ${why}. Corrija esa línea (o guarde de nuevo el archivo como CSV) e inténtelo otra vez.`,
        422,
      );
    }
    throw e;
  }
  // info.lines is where a record ends; a quoted field may span lines, so step back over its line breaks.
  const records = parsed.map(({ record, info }) => ({
    line: info.lines - record.reduce((n, v) => n + (v.match(/\r\n|\n|\r/g)?.length ?? 0), 0),
    values: record,
  }));
  const [head, ...rest] = records;
  return { encoding, separator, header: head.values, headerLine: head.line, records: rest };
}

/** Header names compared without case, accents, spaces or punctuation: "Primer Apellido" = "primer_apellido", "C.C.T." = "cct". */
export function normalizeHeader(h: string): string {
  return h
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\./g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}
