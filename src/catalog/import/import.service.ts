import { Injectable } from '@nestjs/common';
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
  type CentroField,
  type CentroRecord,
  type RowResult,
  type TrabajadorField,
  type TrabajadorRecord,
} from './catalog-rows';
import { planRetirement, syncCatalog, type RetirementPlan, type SyncCounts, type SyncOptions } from './catalog-sync';
import { readCsv, type FileEncoding, type Separator } from './csv-file';
import { ensureNiveles } from './niveles';
import { formatCount } from './summary';

export type ImportMode = 'full' | 'partial';

export interface ImportProgress {
  /** validando: reading and checking rows; cargando: writing them. */
  phase: 'validando' | 'cargando';
  done: number;
  total: number;
}

export interface ImportOptions {
  /** trabajadores | centros (anything else is a fatal error with what to type). */
  kind: string;
  content: Buffer;
  /** full (default): the file is the whole catalog, whoever is missing is retired. partial: only upsert. */
  mode?: ImportMode;
  /** The person confirmed a full import that retires more than RETIREMENT_CONFIRM_PERCENT of the active rows. */
  confirmRetirement?: boolean;
  now?: Date;
  batchSize?: number;
  onProgress?: (p: ImportProgress) => void;
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
  rejected: number;
  rejections: RejectedRow[];
  nivelesCreados: { clave: string; nombre: string }[];
  ignoredColumns: string[];
  seconds: number;
  rowsPerSecond: number;
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

interface Parsed<R> {
  valid: R[];
  rejections: RejectedRow[];
  /** Keys the file brings: of the valid rows and of the rejected rows whose key could be read (never "missing"). */
  keys: string[];
  niveles: Map<string, string>;
}

function parseRows<F extends string, R>(
  kind: CatalogKind,
  header: string[],
  records: { line: number; values: string[] }[],
  parseRow: (get: (f: F) => string | undefined) => RowResult<R>,
  onProgress?: (p: ImportProgress) => void,
): Parsed<R> & { present: Set<F>; ignored: string[] } {
  const { columns, ignored } = mapHeader<F>(kind, header);
  const valid: R[] = [];
  const rejections: RejectedRow[] = [];
  const niveles = new Map<string, string>();
  const firstLine = new Map<string, number>();
  const keyColumn = columns.get(KEY_COLUMNS[kind].field as F)!;
  for (const [n, { line, values }] of records.entries()) {
    if (n % 5000 === 0) onProgress?.({ phase: 'validando', done: n, total: records.length });
    const extra = values.slice(header.length).filter((v) => v.trim() !== '');
    if (extra.length > 0) {
      rejections.push({
        line,
        // Still read, so a full import does not take this worker or school for missing.
        key: keyOfLongRow(kind, keyColumn, values, header.length),
        reason: `La línea tiene ${values.length} columnas y el encabezado ${header.length}; revise si un valor lleva el separador sin comillas.`,
      });
      continue;
    }
    const result = parseRow((f) => {
      const i = columns.get(f);
      return i === undefined ? undefined : values[i];
    });
    if (!result.ok) {
      rejections.push({ line, key: result.key, reason: result.reason });
      continue;
    }
    const seenAt = firstLine.get(result.key);
    if (seenAt !== undefined) {
      const what = kind === 'trabajadores' ? 'La CURP' : 'La CCT';
      rejections.push({
        line,
        key: result.key,
        reason: `${what} ${result.key} ya aparece en la línea ${seenAt}; se tomó esa línea y se descartó esta.`,
      });
      continue;
    }
    firstLine.set(result.key, line);
    if (result.nivel && !niveles.has(result.nivel.clave)) niveles.set(result.nivel.clave, result.nivel.nombre);
    valid.push(result.record);
  }
  onProgress?.({ phase: 'validando', done: records.length, total: records.length });
  const keys = [...firstLine.keys(), ...rejections.flatMap((r) => (r.key === null ? [] : [r.key]))];
  return { valid, rejections, keys, niveles, present: new Set(columns.keys()), ignored };
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
 * and reason, loads the rest. Fatal problems (unknown kind, unreadable file, missing header) throw a DomainError
 * before anything is written.
 */
export async function importCatalog(ds: DataSource, opts: ImportOptions): Promise<ImportSummary> {
  const started = process.hrtime.bigint();
  if (!isCatalogKind(opts.kind)) {
    throw new DomainError(
      'IMPORTACION_TIPO_DESCONOCIDO',
      `No se reconoce el tipo de catálogo «${opts.kind}». Use uno de: ${CATALOG_KINDS.join(', ')}.`,
      400,
    );
  }
  const kind = opts.kind;
  const mode = opts.mode ?? 'full';
  const table = readCsv(opts.content);

  let parsed: Parsed<TrabajadorRecord | CentroRecord> & { present: Set<string>; ignored: string[] };
  let load: (retire: RetirementPlan | undefined) => Promise<SyncCounts>;
  const syncOpts = (p: { present: Set<string> }, retire: RetirementPlan | undefined): SyncOptions => ({
    ...(retire ? { mode: 'full', retire } : { mode: 'partial' }),
    now: opts.now,
    batchSize: opts.batchSize,
    absent: new Set(
      Object.entries(OPTIONAL_PROPS[kind])
        .filter(([field]) => !p.present.has(field))
        .map(([, prop]) => prop),
    ),
    onProgress: (done: number, total: number) => opts.onProgress?.({ phase: 'cargando', done, total }),
  });
  if (kind === 'trabajadores') {
    const p = parseRows<TrabajadorField, TrabajadorRecord>(
      kind,
      table.header,
      table.records,
      parseTrabajadorRow,
      opts.onProgress,
    );
    parsed = p;
    load = (retire) => syncCatalog(ds, { kind, records: p.valid }, syncOpts(p, retire));
  } else {
    const p = parseRows<CentroField, CentroRecord>(kind, table.header, table.records, parseCentroRow, opts.onProgress);
    parsed = p;
    load = (retire) => syncCatalog(ds, { kind, records: p.valid }, syncOpts(p, retire));
  }

  if (parsed.valid.length === 0 && mode === 'full') {
    // A full import of nothing would retire the whole catalog: that is never what a person meant.
    throw new DomainError(
      'IMPORTACION_SIN_REGISTROS',
      table.records.length === 0
        ? 'El archivo solo tiene el encabezado: no hay registros que importar. No se cargó ni se desactivó nada.'
        : `Ninguno de los ${table.records.length} registros es válido (el primero, en la línea ${parsed.rejections[0].line}: ${parsed.rejections[0].reason}). No se cargó ni se desactivó nada.`,
      422,
      { rejections: parsed.rejections.slice(0, 100) },
    );
  }

  let retire: RetirementPlan | undefined;
  if (mode === 'full') {
    // Asked before anything is written, so a refused run leaves the catalog (and its levels) as it was.
    retire = await planRetirement(ds, kind, parsed.keys);
    checkRetirement(kind, retire, opts.confirmRetirement === true);
  }

  const created = await inTransaction(ds, (em) => ensureNiveles(em, parsed.niveles));
  const counts = await load(retire);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    kind,
    mode,
    encoding: table.encoding,
    separator: table.separator,
    read: table.records.length,
    ...counts,
    rejected: parsed.rejections.length,
    rejections: parsed.rejections,
    nivelesCreados: created,
    ignoredColumns: parsed.ignored,
    seconds,
    rowsPerSecond: seconds > 0 ? table.records.length / seconds : table.records.length,
  };
}

/**
 * The import as a Nest provider. No module registers it and no HTTP upload exists yet; one that is added must answer
 * the same refusals (wrong kind 422, mass retirement 409) and pass confirmRetirement only after the person confirmed.
 */
@Injectable()
export class ImportService {
  constructor(private readonly dataSource: DataSource) {}

  import(opts: ImportOptions): Promise<ImportSummary> {
    return importCatalog(this.dataSource, opts);
  }
}
