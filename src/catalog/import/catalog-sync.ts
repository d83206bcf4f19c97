import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { searchText } from '../../common/search-text';
import { inTransaction } from '../../database/transaction';
import { CentroTrabajo } from '../entities/centro-trabajo.entity';
import { Trabajador } from '../entities/trabajador.entity';
import type { CatalogKind, CentroRecord, TrabajadorRecord } from './catalog-rows';

/**
 * Loads validated catalog records into their table: multi-row upserts per dialect, in batches, each batch in its own
 * transaction. Rows are compared with what is stored first, so only new and changed rows are written: importing the
 * same file twice writes nothing and no updated_at moves. Shared by the CSV import and the demo seed.
 */

type Value = string | boolean | null;

/**
 * What the worker name search compares: both surnames and the name, folded (src/common/search-text.ts); surnames
 * first, so the search lists people as a payroll does.
 */
export const workerSearchText = (w: Pick<TrabajadorRecord, 'nombre' | 'primerApellido' | 'segundoApellido'>): string =>
  searchText(w.primerApellido, w.segundoApellido, w.nombre);

interface TableSpec<R> {
  entity: EntityTarget<ObjectLiteral>;
  /** Record property of the key (CURP, CCT). */
  key: keyof R & string;
  /** Data properties compared and written, key included. */
  props: readonly (keyof R & string)[];
  /** How a row missing from a full export is retired, and how to recognize one that is still active. */
  retire: { prop: keyof R & string; active: Value; inactive: Value };
  /** Stamped on every row a full import sees (without counting as a change). */
  seenProp?: string;
  /** A column derived from some props (the folded search text), written with them; not compared (they are). */
  derived?: { prop: string; from: readonly (keyof R & string)[]; value: (r: R) => string };
}

const TRABAJADOR_SPEC: TableSpec<TrabajadorRecord> = {
  entity: Trabajador,
  key: 'curp',
  props: [
    'curp',
    'curt',
    'nombre',
    'primerApellido',
    'segundoApellido',
    'correoAlterno',
    'cct',
    'nivelClave',
    'activo',
  ],
  retire: { prop: 'activo', active: true, inactive: false },
  seenProp: 'ultimaImportacion',
  derived: {
    prop: 'nombreBusqueda',
    from: ['nombre', 'primerApellido', 'segundoApellido'],
    value: (r) => workerSearchText(r),
  },
};

const CENTRO_SPEC: TableSpec<CentroRecord> = {
  entity: CentroTrabajo,
  key: 'cct',
  props: ['cct', 'nombre', 'nivelClave', 'directorCurp', 'correo', 'estatus'],
  retire: { prop: 'estatus', active: 'activo', inactive: 'inactivo' },
  derived: { prop: 'nombreBusqueda', from: ['nombre'], value: (r) => searchText(r.nombre) },
};

/** What a full import retires: the keys still active that the source does not bring, out of how many active. */
export interface RetirementPlan {
  active: number;
  keys: string[];
}

interface CommonSyncOptions {
  /** Properties the source does not carry (a column absent from the file): stored values are kept. */
  absent?: ReadonlySet<string>;
  /** Clock of the run (UTC), for created_at/updated_at/ultima_importacion. */
  now?: Date;
  batchSize?: number;
  batchesPerTransaction?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * full: the rows of retire.keys are retired after the upserts (activo=false / estatus=inactivo); the plan comes from
 * planRetirement, before anything is written, so a caller can refuse it. partial: only upsert.
 */
export type SyncOptions = CommonSyncOptions & ({ mode: 'partial' } | { mode: 'full'; retire: RetirementPlan });

export interface SyncCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  deactivated: number;
}

export type CatalogRecords =
  { kind: 'trabajadores'; records: TrabajadorRecord[] } | { kind: 'centros'; records: CentroRecord[] };

export async function syncCatalog(ds: DataSource, data: CatalogRecords, opts: SyncOptions): Promise<SyncCounts> {
  switch (data.kind) {
    case 'trabajadores':
      return syncTable(ds, TRABAJADOR_SPEC, data.records, opts);
    case 'centros':
      return syncTable(ds, CENTRO_SPEC, data.records, opts);
  }
}

export const CATALOG_ENTITY: Record<CatalogKind, EntityTarget<ObjectLiteral>> = {
  trabajadores: Trabajador,
  centros: CentroTrabajo,
};

const SPECS: Record<CatalogKind, TableSpec<TrabajadorRecord> | TableSpec<CentroRecord>> = {
  trabajadores: TRABAJADOR_SPEC,
  centros: CENTRO_SPEC,
};

/** Keys a source brings, asked one by one (a Set, or the import's compact KeyLines). */
export interface KeyLookup {
  has(key: string): boolean;
}

/** Active keys read per query while planning a retirement: memory stays one page, whatever the catalog's size. */
const PLAN_PAGE = 10_000;

/**
 * What a full import that brings these keys (the valid rows and the rejected ones whose key could be read) would
 * retire: every active row of the catalog whose key is not among them. Reads only, the active keys a page at a time
 * (in key order); only the keys to retire are kept.
 */
export async function planRetirement(
  ds: DataSource,
  kind: CatalogKind,
  present: Iterable<string> | KeyLookup,
): Promise<RetirementPlan> {
  const spec = SPECS[kind];
  const meta = ds.getMetadata(spec.entity);
  const q = (name: string): string => ds.driver.escape(name);
  const keyCol = q(meta.findColumnWithPropertyName(spec.key)!.databaseName);
  const retireCol = meta.findColumnWithPropertyName(spec.retire.prop)!;
  const seen: KeyLookup =
    'has' in present && typeof present.has === 'function'
      ? present
      : new Set([...(present as Iterable<string>)].map((k) => k.toUpperCase()));
  const activeValue: unknown = ds.driver.preparePersistentValue(spec.retire.active, retireCol);
  const plan: RetirementPlan = { active: 0, keys: [] };
  let after: string | null = null;
  for (;;) {
    const page: { k: string }[] = await ds.query<{ k: string }[]>(
      `SELECT ${keyCol} AS k FROM ${q(meta.tableName)} WHERE ${q(retireCol.databaseName)} = ?` +
        `${after === null ? '' : ` AND ${keyCol} > ?`} ORDER BY ${keyCol} LIMIT ${PLAN_PAGE}`,
      after === null ? [activeValue] : [activeValue, after],
    );
    plan.active += page.length;
    for (const { k } of page) if (!seen.has(k.toUpperCase())) plan.keys.push(k);
    if (page.length < PLAN_PAGE) return plan;
    after = page[page.length - 1].k;
  }
}

/** Rows per statement: 1,000 rows × 12 columns stays far under SQLite's 32,766 and MySQL's 65,535 placeholders. */
const DEFAULT_BATCH = 1000;
const DEFAULT_BATCHES_PER_TX = 10;

export type WriterOptions = CommonSyncOptions & { mode: 'full' | 'partial' };

/**
 * Writes validated records as they come, a group at a time (the streaming import hands one per batchesPerTransaction
 * × batchSize rows): each group in one transaction, one SELECT and one multi-row upsert per batch of batchSize. Keys
 * must be unique across all the groups (the caller dedupes). `counts` adds up what was written so far.
 */
export interface CatalogWriter<R> {
  write(records: readonly R[]): Promise<void>;
  /** Rows per group that keeps batchSize × batchesPerTransaction in one transaction. */
  readonly groupSize: number;
  readonly counts: SyncCounts;
}

export function catalogWriter(
  ds: DataSource,
  kind: 'trabajadores',
  opts: WriterOptions,
): CatalogWriter<TrabajadorRecord>;
export function catalogWriter(ds: DataSource, kind: 'centros', opts: WriterOptions): CatalogWriter<CentroRecord>;
export function catalogWriter(
  ds: DataSource,
  kind: CatalogKind,
  opts: WriterOptions,
): CatalogWriter<TrabajadorRecord> | CatalogWriter<CentroRecord>;
export function catalogWriter(
  ds: DataSource,
  kind: CatalogKind,
  opts: WriterOptions,
): CatalogWriter<TrabajadorRecord> | CatalogWriter<CentroRecord> {
  return kind === 'trabajadores' ? tableWriter(ds, TRABAJADOR_SPEC, opts) : tableWriter(ds, CENTRO_SPEC, opts);
}

async function syncTable<R extends object>(
  ds: DataSource,
  spec: TableSpec<R>,
  records: readonly R[],
  opts: SyncOptions,
): Promise<SyncCounts> {
  // One statement cannot touch a row twice (SQLite refuses, MySQL would keep the last): callers dedupe first.
  if (new Set(records.map((r) => (r[spec.key] as string).toUpperCase())).size !== records.length) {
    throw new Error(`syncCatalog: duplicate ${spec.key} in the records`);
  }
  const writer = tableWriter(ds, spec, { ...opts, onProgress: undefined });
  for (let start = 0; start < records.length; start += writer.groupSize) {
    await writer.write(records.slice(start, start + writer.groupSize));
    opts.onProgress?.(Math.min(start + writer.groupSize, records.length), records.length);
  }
  const counts = writer.counts;
  if (opts.mode === 'full') counts.deactivated = await retire(ds, spec, opts.retire.keys, opts, opts.now ?? new Date());
  return counts;
}

function tableWriter<R extends object>(ds: DataSource, spec: TableSpec<R>, opts: WriterOptions): CatalogWriter<R> {
  const meta = ds.getMetadata(spec.entity);
  const mysql = ds.options.type !== 'better-sqlite3';
  const q = (name: string): string => ds.driver.escape(name);
  const col = (prop: string): ColumnMetadata => {
    const c = meta.findColumnWithPropertyName(prop);
    if (!c) throw new Error(`${meta.name} has no property ${prop}`);
    return c;
  };
  const prepare = (prop: string, v: unknown): unknown => ds.driver.preparePersistentValue(v, col(prop));
  const table = q(meta.tableName);
  const keyCol = col(spec.key);
  const createdCol = meta.createDateColumn!.databaseName;
  const updatedCol = meta.updateDateColumn!.databaseName;
  const now = opts.now ?? new Date();
  const batchSize = opts.batchSize ?? DEFAULT_BATCH;
  const full = opts.mode === 'full';
  const props = spec.props.filter((p) => p === spec.key || !opts.absent?.has(p));
  const seenProp = full ? spec.seenProp : undefined;
  const booleanProps = new Set<string>(props.filter((p) => col(p).type === 'boolean' || col(p).type === Boolean));

  // What the database hands back (1/0, '1', true) folded to what the records hold.
  const stored = (prop: string, v: unknown): Value => {
    if (v === null || v === undefined) return null;
    if (booleanProps.has(prop)) return v === true || Number(v) === 1;
    return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : JSON.stringify(v);
  };

  // Only when every prop it comes from is in the source: otherwise it would be derived from values the file lacks.
  const derived = spec.derived && spec.derived.from.every((p) => props.includes(p)) ? spec.derived : undefined;
  const writeProps = [...props, ...(derived ? [derived.prop] : []), ...(seenProp ? [seenProp] : [])];
  const insertCols = [...writeProps.map((p) => col(p).databaseName), createdCol, updatedCol];
  const updateCols = insertCols.filter((c) => c !== keyCol.databaseName && c !== createdCol);
  const rowPlaceholder = `(${insertCols.map(() => '?').join(', ')})`;
  const upsertTail = mysql
    ? ` ON DUPLICATE KEY UPDATE ${updateCols.map((c) => `${q(c)} = VALUES(${q(c)})`).join(', ')}`
    : ` ON CONFLICT (${q(keyCol.databaseName)}) DO UPDATE SET ${updateCols.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}`;
  const nowCreated: unknown = ds.driver.preparePersistentValue(now, meta.createDateColumn!);
  const nowUpdated: unknown = ds.driver.preparePersistentValue(now, meta.updateDateColumn!);
  const nowSeen = seenProp ? prepare(seenProp, now) : undefined;
  // MySQL bumps an ON UPDATE CURRENT_TIMESTAMP column on any change unless the statement sets it itself.
  const keepUpdatedAt = mysql ? `, ${q(updatedCol)} = ${q(updatedCol)}` : '';

  const counts: SyncCounts = { inserted: 0, updated: 0, unchanged: 0, deactivated: 0 };
  const selectCols = props.map((p) => `${q(col(p).databaseName)} AS ${q(p)}`).join(', ');

  const syncBatch = async (em: EntityManager, batch: R[]): Promise<void> => {
    const keys = batch.map((r) => r[spec.key] as string);
    const rows = await em.query<Record<string, unknown>[]>(
      `SELECT ${selectCols} FROM ${table} WHERE ${q(keyCol.databaseName)} IN (${keys.map(() => '?').join(', ')})`,
      keys,
    );
    const existing = new Map(rows.map((r) => [String(r[spec.key]).toUpperCase(), r]));
    const toWrite: R[] = [];
    const seen: string[] = [];
    for (const rec of batch) {
      const before = existing.get((rec[spec.key] as string).toUpperCase());
      if (!before) {
        counts.inserted++;
        toWrite.push(rec);
      } else if (props.some((p) => stored(p, before[p]) !== (rec[p as keyof R] as Value))) {
        counts.updated++;
        toWrite.push(rec);
      } else {
        counts.unchanged++;
        if (seenProp) seen.push(rec[spec.key] as string);
      }
    }
    if (toWrite.length > 0) {
      const params: unknown[] = [];
      for (const rec of toWrite) {
        for (const p of props) params.push(prepare(p, rec[p as keyof R]));
        if (derived) params.push(derived.value(rec));
        if (seenProp) params.push(nowSeen);
        params.push(nowCreated, nowUpdated);
      }
      await em.query(
        `INSERT INTO ${table} (${insertCols.map(q).join(', ')}) VALUES ${toWrite.map(() => rowPlaceholder).join(', ')}${upsertTail}`,
        params,
      );
    }
    if (seenProp && seen.length > 0) {
      await em.query(
        `UPDATE ${table} SET ${q(col(seenProp).databaseName)} = ?${keepUpdatedAt} WHERE ${q(keyCol.databaseName)} IN (${seen.map(() => '?').join(', ')})`,
        [nowSeen, ...seen],
      );
    }
  };

  // One statement per batch; several batches per transaction, because on SQLite each commit is an fsync that costs
  // more than the statement itself (100,000 rows: 100 commits ≈ 3 s, 10 commits ≈ 0.3 s).
  const groupSize = batchSize * (opts.batchesPerTransaction ?? DEFAULT_BATCHES_PER_TX);
  return {
    groupSize,
    counts,
    write: (records) =>
      inTransaction(ds, async (em: EntityManager) => {
        for (let start = 0; start < records.length; start += batchSize)
          await syncBatch(em, records.slice(start, start + batchSize));
      }),
  };
}

/** Retires the rows of a plan (activo=false / estatus=inactivo), in batches; returns how many. */
export function retireCatalog(
  ds: DataSource,
  kind: CatalogKind,
  keys: readonly string[],
  opts: CommonSyncOptions = {},
): Promise<number> {
  return retire(ds, SPECS[kind] as TableSpec<object>, keys, opts, opts.now ?? new Date());
}

/** Full export: whoever is still active but was not in it is retired, never deleted. */
async function retire<R extends object>(
  ds: DataSource,
  spec: TableSpec<R>,
  missing: readonly string[],
  opts: CommonSyncOptions,
  now: Date,
): Promise<number> {
  const meta = ds.getMetadata(spec.entity);
  const q = (name: string): string => ds.driver.escape(name);
  const keyCol = meta.findColumnWithPropertyName(spec.key)!;
  const retireCol = meta.findColumnWithPropertyName(spec.retire.prop)!;
  const table = q(meta.tableName);
  const batchSize = opts.batchSize ?? DEFAULT_BATCH;
  const inactive: unknown = ds.driver.preparePersistentValue(spec.retire.inactive, retireCol);
  const updatedAt: unknown = ds.driver.preparePersistentValue(now, meta.updateDateColumn!);
  for (let start = 0; start < missing.length; start += batchSize) {
    const keys = missing.slice(start, start + batchSize);
    await inTransaction(ds, (em) =>
      em.query(
        `UPDATE ${table} SET ${q(retireCol.databaseName)} = ?, ${q(meta.updateDateColumn!.databaseName)} = ? WHERE ${q(keyCol.databaseName)} IN (${keys.map(() => '?').join(', ')})`,
        [inactive, updatedAt, ...keys],
      ),
    );
  }
  return missing.length;
}
