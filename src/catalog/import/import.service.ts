import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '../../common/domain-error';
import { inTransaction } from '../../database/transaction';
import {
  CATALOG_KINDS,
  isCatalogKind,
  KEY_COLUMNS,
  keyOfLongRow,
  mapHeader,
  parseCentroRow,
  parseTrabajadorRow,
  type CatalogKind,
  type CentroRecord,
  type RowResult,
  type TrabajadorRecord,
} from './catalog-rows';
import {
  catalogWriter,
  planRetirement,
  retireCatalog,
  type CatalogWriter,
  type RetirementPlan,
  type SyncCounts,
} from './catalog-sync';
import {
  bufferSource,
  NotUtf8Error,
  streamCsv,
  type CsvHead,
  type CsvSource,
  type FileEncoding,
  type Separator,
} from './csv-file';
import { KeyLines } from './key-lines';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import type { AutoBlockPolicy } from '../reconciliation/auto-block';
import { ReconciliationCaseOpener } from '../reconciliation/case-opener';
import { reconcileCatalog, type ReconcileResult } from '../reconciliation/catalog-reconciliation';
import { ensureNiveles } from './niveles';
import { formatCount } from './summary';

export type ImportMode = 'full' | 'partial';

export interface ImportProgress {
  /**
   * validando: reading and checking every row (total estimated from the bytes read so far, when the size is known);
   * cargando: writing the valid ones (total exact).
   */
  phase: 'validando' | 'cargando';
  done: number;
  total: number;
}

export interface ImportOptions {
  /** trabajadores | centros (anything else is a fatal error with what to type). */
  kind: string;
  /** The file in memory (the browser upload, tests): read through the same streaming path as `source`. */
  content?: Buffer;
  /** The file as a re-readable stream (the CLI: the file on disk); it is read twice, see importCatalog. */
  source?: CsvSource;
  /** full (default): the file is the whole catalog, whoever is missing is retired. partial: only upsert. */
  mode?: ImportMode;
  /** The person confirmed a full import that retires more than RETIREMENT_CONFIRM_PERCENT of the active rows. */
  confirmRetirement?: boolean;
  now?: Date;
  batchSize?: number;
  batchesPerTransaction?: number;
  /** Rejected rows listed in the summary (the first ones, by line); all are counted. Default 10,000. */
  maxRejections?: number;
  onProgress?: (p: ImportProgress) => void;
  /** The automatic blocking policy for the reconciliation after a full import (RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS). */
  autoBlock?: AutoBlockPolicy;
}

export interface RejectedRow {
  line: number;
  /** CURP or CCT of the row, when it had one. */
  key: string | null;
  reason: string;
}

export interface ImportSummary extends SyncCounts {
  kind: CatalogKind;
  mode: ImportMode;
  encoding: FileEncoding;
  separator: Separator;
  /** Data rows read (header and empty lines excluded). */
  read: number;
  /** All the rejected rows; `rejections` lists the first maxRejections of them. */
  rejected: number;
  rejections: RejectedRow[];
  nivelesCreados: { clave: string; nombre: string }[];
  ignoredColumns: string[];
  seconds: number;
  rowsPerSecond: number;
  /**
   * The reconciliation run that follows every full import (issue 14): accounts whose holder this catalog no longer
   * has as active. Its failure does not undo the import (already committed): it is reported here, and
   * `npm run reconcile` runs it again. Null after a partial import.
   */
  conciliacion: ReconcileResult | { error: string } | null;
}

/** Optional columns whose absence from the header means "keep what is stored", per record property. */
const OPTIONAL_PROPS: Record<CatalogKind, Record<string, string>> = {
  trabajadores: {
    segundo_apellido: 'segundoApellido',
    correo_alterno: 'correoAlterno',
    cct: 'cct',
    nivel: 'nivelClave',
  },
  centros: { curp_director: 'directorCurp', correo: 'correo' },
};

type CatalogRecord = TrabajadorRecord | CentroRecord;
type Getter = (field: string) => string | undefined;

const PARSE_ROW: Record<CatalogKind, (get: Getter) => RowResult<CatalogRecord>> = {
  trabajadores: parseTrabajadorRow,
  centros: parseCentroRow,
};

/** Checks one row against the header: too many values, then the catalog's own rules (parseTrabajadorRow…). */
function rowChecker(kind: CatalogKind, header: string[]) {
  const { columns, ignored } = mapHeader<string>(kind, header);
  const keyColumn = columns.get(KEY_COLUMNS[kind].field)!;
  const parseRow = PARSE_ROW[kind];
  const check = (values: string[]): RowResult<CatalogRecord> => {
    if (values.length > header.length && values.slice(header.length).some((v) => v.trim() !== '')) {
      return {
        ok: false,
        // Still read, so a full import does not take this worker or school for missing.
        key: keyOfLongRow(kind, keyColumn, values, header.length),
        reason: `La línea tiene ${values.length} columnas y el encabezado ${header.length}; revise si un valor lleva el separador sin comillas.`,
      };
    }
    return parseRow((f) => {
      const i = columns.get(f);
      return i === undefined ? undefined : values[i];
    });
  };
  return { check, ignored, present: new Set(columns.keys()) };
}

/** What the first read of the file (validation only, nothing written) leaves for the second one and the summary. */
interface Scan {
  head: CsvHead;
  read: number;
  valid: number;
  rejected: number;
  /** The first maxRejections rejected rows. */
  rejections: RejectedRow[];
  /** Key of each valid row → the line it was first seen at (a later row with it is a rejected duplicate). */
  validKeys: KeyLines;
  /** Keys of rejected rows that could be read: the file brings them, so they are not retired. */
  rejectedKeys: KeyLines;
  niveles: Map<string, string>;
  present: Set<string>;
  ignored: string[];
}

/** Counts the bytes a source hands out, for the progress estimate. */
function counting(source: CsvSource, onBytes: (n: number) => void): CsvSource {
  return {
    size: source.size,
    async *open() {
      for await (const chunk of source.open()) {
        onBytes(chunk.length);
        yield chunk;
      }
    },
  };
}

const PROGRESS_EVERY = 5000;

async function scanFile(
  kind: CatalogKind,
  source: CsvSource,
  encoding: FileEncoding | undefined,
  opts: ImportOptions,
): Promise<Scan> {
  const maxRejections = Math.max(1, opts.maxRejections ?? 10_000);
  let bytes = 0;
  let checker: ReturnType<typeof rowChecker> | undefined;
  const scan: Omit<Scan, 'head' | 'present' | 'ignored'> = {
    read: 0,
    valid: 0,
    rejected: 0,
    rejections: [],
    validKeys: new KeyLines(),
    rejectedKeys: new KeyLines(1024),
    niveles: new Map(),
  };
  const reject = (r: RejectedRow): void => {
    scan.rejected++;
    if (scan.rejections.length < maxRejections) scan.rejections.push(r);
    if (r.key !== null) scan.rejectedKeys.add(r.key.toUpperCase(), r.line);
  };
  const what = kind === 'trabajadores' ? 'La CURP' : 'La CCT';
  const head = await streamCsv(
    counting(source, (n) => (bytes += n)),
    {
      onHead: (h) => {
        checker = rowChecker(kind, h.header);
      },
      visit: ({ line, values }) => {
        if (scan.read % PROGRESS_EVERY === 0 && opts.onProgress) {
          const total = source.size && bytes > 0 ? Math.round((scan.read * source.size) / bytes) : scan.read;
          opts.onProgress({ phase: 'validando', done: scan.read, total: Math.max(total, scan.read) });
        }
        scan.read++;
        const result = checker!.check(values);
        if (!result.ok) return reject({ line, key: result.key, reason: result.reason });
        const first = scan.validKeys.add(result.key, line);
        if (first !== line) {
          return reject({
            line,
            key: result.key,
            reason: `${what} ${result.key} ya aparece en la línea ${first}; se tomó esa línea y se descartó esta.`,
          });
        }
        scan.valid++;
        if (result.nivel && !scan.niveles.has(result.nivel.clave))
          scan.niveles.set(result.nivel.clave, result.nivel.nombre);
      },
    },
    encoding,
  );
  // A file with a header line only: the header is still checked (wrong catalog, missing columns).
  checker ??= rowChecker(kind, head.header);
  opts.onProgress?.({ phase: 'validando', done: scan.read, total: scan.read });
  return { ...scan, head, present: checker.present, ignored: checker.ignored };
}

/**
 * A full import may retire up to this percentage of the catalog's active rows without being confirmed: a cut or
 * wrong export (one level only, yesterday's half file) would otherwise retire thousands in one run.
 */
export const RETIREMENT_CONFIRM_PERCENT = 10;

/** Refuses (409, nothing written yet) a retirement above RETIREMENT_CONFIRM_PERCENT that was not confirmed. */
export function checkRetirement(kind: CatalogKind, plan: RetirementPlan, confirmed: boolean): void {
  const retiring = plan.keys.length;
  if (confirmed || retiring * 100 <= plan.active * RETIREMENT_CONFIRM_PERCENT) return;
  const percent = (retiring * 100) / plan.active;
  // Whole percent, unless rounding would hide that it is over the threshold (10.4 %, never «10 %»).
  const shown = Math.round(percent) > RETIREMENT_CONFIRM_PERCENT ? Math.round(percent) : Math.ceil(percent * 10) / 10;
  const what = kind === 'trabajadores' ? 'trabajadores' : 'centros de trabajo';
  throw new DomainError(
    'IMPORTACION_DESACTIVACION_MASIVA',
    `La importación completa dejaría inactivos ${formatCount(retiring)} de ${formatCount(plan.active)} ${what} activos ` +
      `(${shown.toLocaleString('es-MX')} %); más del ${RETIREMENT_CONFIRM_PERCENT} % pide confirmación. No se cargó ni se desactivó nada. ` +
      `Revise que el archivo sea el catálogo completo (una exportación cortada o de un solo nivel deja fuera a los demás). ` +
      `Si lo es, vuelva a importarlo confirmando: npm run import -- ${kind} ARCHIVO.csv --confirmar ` +
      `(o con --parcial para solo agregar y actualizar, sin desactivar a nadie).`,
    409,
    { retiring, active: plan.active, percent, threshold: RETIREMENT_CONFIRM_PERCENT },
  );
}

/**
 * Imports a catalog export (CSV) into the database: validates every row, reports the rejected ones with their line
 * and reason, loads the rest. Fatal problems (unknown kind, unreadable file, missing header, a full import of no valid
 * row, an unconfirmed mass retirement) throw a DomainError before anything is written.
 *
 * The file is streamed twice, so memory does not grow with it (2,000,000 workers: a chunk, a batch of rows and the
 * keys, ≈ 16 bytes each):
 * 1. validation: every row is parsed and checked, nothing is written; kept are the keys (to reject a repeated one and
 *    to know whom a full import retires), the counts, the first maxRejections rejected rows and the levels;
 * 2. if a full import would retire more than RETIREMENT_CONFIRM_PERCENT unconfirmed, it is refused here, so a refused
 *    import loads nothing, as when the file was read whole (one transaction over millions of rows, or a staging
 *    table, would give the same guarantee at the cost of long locks, a huge undo log or a rollback of minutes);
 * 3. loading: the file is read again and its valid rows upserted in batches as they come (batchSize rows per
 *    statement, batchesPerTransaction statements per transaction), then the missing rows are retired.
 * As before, the batches commit as they go: a failure while loading (the database stops) leaves the rows loaded so
 * far, and running the same file again finishes the job (the import is idempotent).
 */
export async function importCatalog(ds: DataSource, opts: ImportOptions): Promise<ImportSummary> {
  const started = process.hrtime.bigint();
  const importedAt = opts.now ?? new Date();
  if (!isCatalogKind(opts.kind)) {
    throw new DomainError(
      'IMPORTACION_TIPO_DESCONOCIDO',
      `No se reconoce el tipo de catálogo «${opts.kind}». Use uno de: ${CATALOG_KINDS.join(', ')}.`,
      400,
    );
  }
  const kind = opts.kind;
  const mode = opts.mode ?? 'full';
  const source = opts.source ?? bufferSource(opts.content ?? Buffer.alloc(0));

  let scan: Scan;
  try {
    scan = await scanFile(kind, source, undefined, opts);
  } catch (e) {
    // Valid UTF-8 first and a Windows-1252 byte later: the whole file is Windows-1252.
    if (!(e instanceof NotUtf8Error)) throw e;
    scan = await scanFile(kind, source, 'Windows-1252', opts);
  }

  if (scan.valid === 0 && mode === 'full') {
    // A full import of nothing would retire the whole catalog: that is never what a person meant.
    throw new DomainError(
      'IMPORTACION_SIN_REGISTROS',
      scan.read === 0
        ? 'El archivo solo tiene el encabezado: no hay registros que importar. No se cargó ni se desactivó nada.'
        : `Ninguno de los ${scan.read} registros es válido (el primero, en la línea ${scan.rejections[0].line}: ${scan.rejections[0].reason}). No se cargó ni se desactivó nada.`,
      422,
      { rejections: scan.rejections.slice(0, 100) },
    );
  }

  let retire: RetirementPlan | undefined;
  if (mode === 'full') {
    // Asked before anything is written, so a refused run leaves the catalog (and its levels) as it was.
    const brought = { has: (k: string) => scan.validKeys.has(k) || scan.rejectedKeys.has(k) };
    retire = await planRetirement(ds, kind, brought);
    checkRetirement(kind, retire, opts.confirmRetirement === true);
  }

  const created = await inTransaction(ds, (em) => ensureNiveles(em, scan.niveles));
  const writer: CatalogWriter<CatalogRecord> = catalogWriter(ds, kind, {
    mode,
    now: importedAt,
    batchSize: opts.batchSize,
    batchesPerTransaction: opts.batchesPerTransaction,
    absent: new Set(
      Object.entries(OPTIONAL_PROPS[kind])
        .filter(([field]) => !scan.present.has(field))
        .map(([, prop]) => prop),
    ),
  });
  await loadFile(kind, source, scan, writer, opts.onProgress);
  const counts = writer.counts;
  if (retire)
    counts.deactivated = await retireCatalog(ds, kind, retire.keys, { batchSize: opts.batchSize, now: importedAt });
  // The import's own time (rows/s stay comparable across versions); the reconciliation that follows is not in it.
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  let conciliacion: ImportSummary['conciliacion'] = null;
  if (mode === 'full') {
    try {
      conciliacion = await reconcileCatalog(ds, {
        origen: kind,
        importacionAt: importedAt,
        now: opts.now,
        autoBlock: opts.autoBlock,
      });
    } catch (e) {
      conciliacion = { error: (e as Error).message ?? String(e) };
    }
  }

  return {
    kind,
    mode,
    encoding: scan.head.encoding,
    separator: scan.head.separator,
    read: scan.read,
    ...counts,
    rejected: scan.rejected,
    rejections: scan.rejections,
    nivelesCreados: created,
    ignoredColumns: scan.ignored,
    seconds,
    rowsPerSecond: seconds > 0 ? scan.read / seconds : scan.read,
    conciliacion,
  };
}

/**
 * Second read: the rows the first read found valid (a key at the line it was first seen), written a group at a time
 * while the file waits. A file that changed between the two reads stops the import with what was loaded so far.
 */
async function loadFile(
  kind: CatalogKind,
  source: CsvSource,
  scan: Scan,
  writer: CatalogWriter<CatalogRecord>,
  onProgress: ((p: ImportProgress) => void) | undefined,
): Promise<void> {
  const { check } = rowChecker(kind, scan.head.header);
  let group: CatalogRecord[] = [];
  let written = 0;
  const flush = async (): Promise<void> => {
    await writer.write(group);
    written += group.length;
    group = [];
    onProgress?.({ phase: 'cargando', done: written, total: scan.valid });
  };
  const changed = (): DomainError =>
    new DomainError(
      'IMPORTACION_ARCHIVO_CAMBIO',
      `El archivo cambió mientras se importaba (se cargaron ${formatCount(written)} de ${formatCount(scan.valid)} registros). Vuelva a importarlo cuando nadie lo esté modificando.`,
      409,
    );
  onProgress?.({ phase: 'cargando', done: 0, total: scan.valid });
  const head = await streamCsv(
    source,
    {
      onHead: (h) => {
        if (h.header.join('\u0000') !== scan.head.header.join('\u0000')) throw changed();
      },
      visit: ({ line, values }) => {
        const result = check(values);
        if (!result.ok || scan.validKeys.get(result.key) !== line) return;
        group.push(result.record);
        if (group.length >= writer.groupSize) return flush();
      },
    },
    scan.head.encoding,
  );
  if (group.length > 0) await flush();
  if (written !== scan.valid || head.separator !== scan.head.separator) throw changed();
}

/**
 * The import as a Nest provider (the administrators' import page runs it through CatalogImportJobs): it must answer
 * the same refusals (wrong kind 422, mass retirement 409) and pass confirmRetirement only after the person confirmed.
 * With RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS set, the reconciliation after a full import applies the policy.
 */
@Injectable()
export class ImportService {
  constructor(
    private readonly dataSource: DataSource,
    // RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS and the product's case opener, for the reconciliation after a full import.
    @Optional() @Inject(APP_CONFIG) private readonly config?: Pick<AppConfig, 'reconciliationAutoBlockDays'>,
    @Optional() private readonly opener?: ReconciliationCaseOpener,
  ) {}

  import(opts: ImportOptions): Promise<ImportSummary> {
    const dias = this.config?.reconciliationAutoBlockDays;
    const autoBlock = dias && this.opener ? { dias, open: this.opener.open } : undefined;
    return importCatalog(this.dataSource, { autoBlock, ...opts });
  }
}
