import { isAscii } from 'node:buffer';
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';
import { CsvError, parse } from 'csv-parse';
import { DomainError } from '../../common/domain-error';

export type FileEncoding = 'UTF-8' | 'Windows-1252';
export type Separator = ';' | ',';

export interface CsvRecord {
  /** Line of the file where the record starts (1 = first line, the header). */
  line: number;
  values: string[];
}

export interface CsvHead {
  encoding: FileEncoding;
  separator: Separator;
  /** Header cells as written in the file. */
  header: string[];
  headerLine: number;
}

export interface CsvTable extends CsvHead {
  records: CsvRecord[];
}

/**
 * Where the bytes of a catalog file come from, re-readable: the import reads it twice (validate everything, then load),
 * so a refusal is decided before anything is written. `size` (bytes), when known, lets the progress estimate the rows.
 */
export interface CsvSource {
  open(): AsyncIterable<Buffer>;
  size?: number;
}

/** A file already in memory (the browser upload, the tests), handed out in chunks as a file stream would be. */
export function bufferSource(content: Buffer, chunkBytes = 256 * 1024): CsvSource {
  return {
    size: content.length,
    async *open() {
      for (let i = 0; i < content.length; i += chunkBytes) yield content.subarray(i, i + chunkBytes);
    },
  };
}

/** A file on disk, read in 1 MiB chunks each time the import opens it. */
export function fileSource(path: string): CsvSource {
  return { size: statSync(path).size, open: () => createReadStream(path, { highWaterMark: 1024 * 1024 }) };
}

/**
 * The file turned out not to be UTF-8 after UTF-8 text was already read (valid UTF-8 first, an invalid byte later):
 * the whole file must be read again as Windows-1252, as a whole-file decode would have read it.
 */
export class NotUtf8Error extends Error {
  constructor() {
    super('el archivo no es UTF-8 válido');
  }
}

const formatError = (message: string): DomainError => new DomainError('IMPORTACION_FORMATO', message, 415);

/**
 * Text of a catalog export, chunk by chunk. Capital Humano and the CCT catalog come out of Excel either as UTF-8
 * (with or without BOM) or as Windows-1252 ("CSV delimitado por comas"): bytes that are valid UTF-8 are read as
 * UTF-8, anything else as Windows-1252, which decodes every byte, so ñ and accents survive both. While the file is
 * plain ASCII both read the same, so the decision waits for the first byte above 0x7F; a UTF-8 sequence split
 * between two chunks is carried over. An invalid byte after valid UTF-8 text throws NotUtf8Error (read it again as
 * Windows-1252).
 */
export class CatalogDecoder {
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private head: Buffer | null = Buffer.alloc(0);
  private nonAscii = false;
  private started = false;
  encoding: FileEncoding;

  constructor(private readonly forced?: FileEncoding) {
    this.encoding = forced ?? 'UTF-8';
  }

  write(chunk: Buffer): string {
    if (this.head !== null) {
      // The signature checks need the first four bytes, whatever the chunking.
      this.head = Buffer.concat([this.head, chunk]);
      if (this.head.length < 4) return '';
      chunk = this.head;
      this.head = null;
      this.checkSignature(chunk);
    }
    return this.decode(chunk, true);
  }

  end(): string {
    if (this.head !== null) {
      const rest = this.head;
      this.head = null;
      this.checkSignature(rest);
      return this.decode(rest, false);
    }
    return this.decode(Buffer.alloc(0), false);
  }

  private checkSignature(b: Buffer): void {
    if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) {
      throw formatError(
        'El archivo es un libro de Excel (.xlsx), no un CSV. Ábralo en Excel y use «Guardar como» → «CSV UTF-8 (delimitado por comas)».',
      );
    }
    if (b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))) {
      throw formatError(
        'El archivo está en UTF-16 («Texto Unicode» de Excel). Guárdelo como «CSV UTF-8 (delimitado por comas)».',
      );
    }
  }

  private decode(chunk: Buffer, stream: boolean): string {
    if (chunk.includes(0))
      throw formatError('El archivo no es texto (contiene bytes nulos); exporte el catálogo como CSV.');
    let text: string;
    if (this.encoding === 'Windows-1252') text = iconv.decode(chunk, 'win1252');
    else {
      try {
        text = this.utf8.decode(chunk, { stream });
      } catch {
        if (this.forced === 'UTF-8' || this.nonAscii) throw new NotUtf8Error();
        // Everything before was ASCII, which Windows-1252 reads the same: go on in Windows-1252.
        this.encoding = 'Windows-1252';
        text = iconv.decode(chunk, 'win1252');
      }
      if (!this.nonAscii && !isAscii(chunk)) this.nonAscii = true;
    }
    if (!this.started && text !== '') {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  }
}

/** The whole of a file in memory as text (see CatalogDecoder). */
export function decodeCatalogFile(content: Buffer): { text: string; encoding: FileEncoding } {
  let decoder = new CatalogDecoder();
  let text: string;
  try {
    text = decoder.write(content) + decoder.end();
  } catch (e) {
    if (!(e instanceof NotUtf8Error)) throw e;
    decoder = new CatalogDecoder('Windows-1252');
    text = decoder.write(content) + decoder.end();
  }
  return { text, encoding: decoder.encoding };
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

/**
 * Finds the line where a quoted field opens and never closes (csv-parse only knows where the file ended), fed the
 * text chunk by chunk: a doubled quote ("") split between two chunks is carried over.
 */
export class UnclosedQuoteFinder {
  private line = 1;
  private openedAt: number | undefined;
  private fieldStart = true;
  /** Inside a quoted field, the last chunk ended on a quote: the next character says whether it closed. */
  private pendingQuote = false;

  constructor(private readonly separator: string) {}

  write(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (this.pendingQuote) {
        this.pendingQuote = false;
        if (c === '"') continue; // "" inside quotes: a literal quote
        this.openedAt = undefined; // the quote closed the field; c is read outside it
      }
      if (this.openedAt !== undefined) {
        if (c === '"') {
          if (i + 1 === text.length) this.pendingQuote = true;
          else if (text[i + 1] === '"') i++;
          else this.openedAt = undefined;
        } else if (c === '\n') this.line++;
        continue;
      }
      if (c === '"' && this.fieldStart) this.openedAt = this.line;
      if (c === '\n') this.line++;
      this.fieldStart = c === this.separator || c === '\n' || c === '\r';
    }
  }

  /** The line of the quote still open at the end, if any. */
  end(): number | undefined {
    return this.pendingQuote ? undefined : this.openedAt;
  }
}

const NOT_CLOSED = 'CSV_QUOTE_NOT_CLOSED';

async function* decodeAll(source: CsvSource, decoder: CatalogDecoder): AsyncGenerator<string> {
  for await (const chunk of source.open()) {
    const text = decoder.write(chunk);
    if (text !== '') yield text;
  }
  const rest = decoder.end();
  if (rest !== '') yield rest;
}

/** Where the unclosed quote opens: the file is read once more (only after the parser found one). */
async function unclosedQuoteLine(
  source: CsvSource,
  encoding: FileEncoding,
  separator: string,
): Promise<number | undefined> {
  const finder = new UnclosedQuoteFinder(separator);
  for await (const text of decodeAll(source, new CatalogDecoder(encoding))) finder.write(text);
  return finder.end();
}

/**
 * Reads a catalog file as a stream: decodes it (CatalogDecoder), takes the separator from its first non-empty line,
 * parses the records incrementally (quoted values may hold separators and line breaks, across chunks) and hands them
 * to `visit` one by one, the header first to `onHead`; a promise returned by `visit` is awaited before reading on
 * (backpressure: the import writes a batch while the file waits). Empty lines are skipped, line numbers kept. Memory
 * is a chunk and a record, whatever the file's size. Unreadable files throw a DomainError (IMPORTACION_FORMATO,
 * IMPORTACION_VACIA); NotUtf8Error when UTF-8 text turns invalid further on (read again with encoding Windows-1252).
 */
export async function streamCsv(
  source: CsvSource,
  handlers: { onHead?: (head: CsvHead) => void | Promise<void>; visit: (record: CsvRecord) => void | Promise<void> },
  encoding?: FileEncoding,
): Promise<CsvHead> {
  const decoder = new CatalogDecoder(encoding);
  const chunks = decodeAll(source, decoder)[Symbol.asyncIterator]();
  // Text up to the first non-empty line, for the separator.
  let buffered = '';
  let firstLine: string | undefined;
  let done = false;
  while (firstLine === undefined && !done) {
    const next = await chunks.next();
    if (next.done) done = true;
    else buffered += next.value;
    const lines = buffered.split(/\r\n|\n|\r/);
    // The last piece may still grow (no line break after it yet), unless the text ended.
    firstLine = lines.slice(0, done ? lines.length : lines.length - 1).find((l) => l.trim() !== '');
  }
  if (firstLine === undefined) {
    throw new DomainError(
      'IMPORTACION_VACIA',
      'El archivo está vacío: debe tener una primera línea con los nombres de las columnas.',
      422,
    );
  }
  const separator = detectSeparator(firstLine);
  async function* text(): AsyncGenerator<string> {
    yield buffered;
    buffered = '';
    for (;;) {
      let next: IteratorResult<string>;
      try {
        next = await chunks.next();
      } catch (e) {
        throw (failure ??= e);
      }
      if (next.done) return;
      yield next.value;
    }
  }
  let head: CsvHead | undefined;
  let drift = 0;
  /**
   * The first error of the decoder or the visitor: pipeline() may reject with the AbortError of tearing the file
   * stream down instead.
   */
  let failure: unknown;
  const parser = parse({
    delimiter: separator,
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
  });
  try {
    await pipeline(
      Readable.from(text()),
      parser,
      async (records: AsyncIterable<{ record: string[]; info: { lines: number } }>) => {
        try {
          for await (const { record, info } of records) {
            // info.lines is where a record ends; a quoted field may span lines, so step back over its line breaks.
            // csv-parse counts a CRLF inside quotes as two lines, and keeps the extra one for the rest of the file.
            let breaks = 0;
            for (const v of record) {
              if (!v.includes('\n') && !v.includes('\r')) continue;
              breaks += v.match(/\r\n|\n|\r/g)!.length;
              drift += v.match(/\r\n/g)?.length ?? 0;
            }
            const line = info.lines - drift - breaks;
            if (head === undefined) {
              // The encoding so far: a file that is ASCII up to here may still turn out Windows-1252.
              head = { encoding: decoder.encoding, separator, header: record, headerLine: line };
              await handlers.onHead?.(head);
              continue;
            }
            const p = handlers.visit({ line, values: record });
            if (p) await p;
          }
        } catch (e) {
          throw (failure ??= e);
        }
      },
    );
  } catch (thrown) {
    const e = failure ?? thrown;
    if (e instanceof CsvError) {
      const line =
        e.code === NOT_CLOSED
          ? await unclosedQuoteLine(source, decoder.encoding, separator)
          : (e as CsvError & { lines?: number }).lines;
      const why =
        e.code === NOT_CLOSED ? 'hay comillas (") que se abren y no se cierran' : 'el formato CSV no es válido';
      throw new DomainError(
        'IMPORTACION_FORMATO',
        `No se pudo leer el archivo${line ? ` en la línea ${line}` : ''}: ${why}. Corrija esa línea (o guarde de nuevo el archivo como CSV) e inténtelo otra vez.`,
        422,
      );
    }
    throw e;
  }
  if (head === undefined) {
    throw new DomainError(
      'IMPORTACION_VACIA',
      'El archivo no tiene una línea de encabezado con los nombres de las columnas.',
      422,
    );
  }
  return { ...head, encoding: decoder.encoding };
}

/**
 * A whole (small) file into a header and its records, through the same streaming reader, read again as Windows-1252
 * when it is not UTF-8 (for tests and callers that want the table).
 */
export async function readCsv(content: Buffer, chunkBytes?: number): Promise<CsvTable> {
  const read = async (encoding?: FileEncoding): Promise<CsvTable> => {
    const records: CsvRecord[] = [];
    const head = await streamCsv(bufferSource(content, chunkBytes), { visit: (r) => void records.push(r) }, encoding);
    return { ...head, records };
  };
  try {
    return await read();
  } catch (e) {
    if (e instanceof NotUtf8Error) return read('Windows-1252');
    throw e;
  }
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
