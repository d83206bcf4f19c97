import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runInNewContext } from 'node:vm';
import { searchText } from '../../src/common/search-text';
import type { CentroRecord, TrabajadorRecord } from '../../src/catalog/import/catalog-rows';
import { workerSearchText } from '../../src/catalog/import/catalog-sync';
import { fileSource } from '../../src/catalog/import/csv-file';
import { importCatalog, type ImportSummary } from '../../src/catalog/import/import.service';
import { type BenchDb, openMariaDbBenchDb, openSqliteBenchDb } from './bench-db';
import { nationalCentro, nationalTrabajador, writeNationalFiles } from './national-catalog';
import { emptySection, type SectionResult, type Sizes } from './section';
import { heading, note, summarize, type Measurement } from './stats';

/**
 * Issue 13, national scale: 2,000,000 workers and 250,000 schools. Both CSVs are generated row by row to temporary
 * files (never whole in memory), imported with the product's streaming import (npm run import does the same) into a
 * fresh database, then the same rows go into the same, emptied tables by a raw bulk insert (multi-row INSERTs of
 * 1,000 rows, 10 per transaction, over mysql2 on MariaDB; one prepared INSERT in transactions of 10,000 rows on
 * SQLite). Reported: rows/s of both and their ratio, the peak RSS of each phase (sampled every 100 ms, and the
 * kernel's VmHWM) and the tables' data and index sizes.
 *
 * Sizes: 2,000,000 / 250,000 (--rapido: 20,000 / 2,500); BENCH_NACIONAL_TRABAJADORES and BENCH_NACIONAL_CENTROS
 * override them, BENCH_NACIONAL_SQLITE=0 leaves SQLite out.
 */

const MB = 1024 * 1024;
// stats.ts set --expose-gc; a fresh context sees it. Collected before each phase, so its RSS starts from live data.
const gc = runInNewContext('gc') as () => void;
const RAW_BATCH = 1000;
const RAW_BATCHES_PER_TX = 10;

function envCount(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} debe ser un entero positivo («${v}»)`);
  return n;
}

/** Peak RSS of a phase: sampled every 100 ms, and the kernel's high-water mark (reset first, where Linux lets it). */
class RssPeak {
  private peak = process.memoryUsage.rss();
  private readonly timer = setInterval(() => {
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
  }, 100);

  constructor() {
    try {
      writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
    } catch {
      // not Linux, or not allowed: VmHWM is then the process's peak so far
    }
  }

  stop(): { sampledMb: number; vmHwmMb: number | null } {
    clearInterval(this.timer);
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
    let hwm: number | null = null;
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
      if (m) hwm = Number(m[1]) / 1024;
    } catch {
      hwm = null;
    }
    return { sampledMb: round1(this.peak / MB), vmHwmMb: hwm === null ? null : round1(hwm) };
  }
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

type Kind = 'centros' | 'trabajadores';
const TABLE: Record<Kind, string> = { centros: 'centro_trabajo', trabajadores: 'trabajador' };

interface Phase {
  seconds: number;
  rowsPerSecond: number;
  peak: { sampledMb: number; vmHwmMb: number | null };
  rssBeforeMb: number;
}

async function timed(fn: () => Promise<unknown>, rows: number): Promise<Phase> {
  gc();
  const rssBeforeMb = round1(process.memoryUsage.rss() / MB);
  const peak = new RssPeak();
  const t0 = performance.now();
  try {
    await fn();
  } catch (e) {
    peak.stop();
    throw e;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, rowsPerSecond: rows / seconds, peak: peak.stop(), rssBeforeMb };
}

/** Every ~10 s, where the import is (stderr, for a long run in a log file). */
function progressNote(label: string): (p: { phase: string; done: number; total: number }) => void {
  let last = 0;
  return (p) => {
    const now = performance.now();
    if (now - last < 10_000 && p.done < p.total) return;
    last = now;
    note(`    ${label} ${p.phase}: ${p.done.toLocaleString('es-MX')}/${p.total.toLocaleString('es-MX')}`);
  };
}

const workerValues = (r: TrabajadorRecord, now: Date | string): unknown[] => [
  r.curp,
  r.curt,
  r.nombre,
  r.primerApellido,
  r.segundoApellido,
  r.correoAlterno,
  r.cct,
  r.nivelClave,
  r.activo,
  workerSearchText(r),
  now,
  now,
  now,
];
const WORKER_COLUMNS =
  'curp, curt, nombre, primer_apellido, segundo_apellido, correo_alterno, cct, nivel_clave, activo, nombre_busqueda, ultima_importacion, created_at, updated_at';
const schoolValues = (r: CentroRecord, now: Date | string): unknown[] => [
  r.cct,
  r.nombre,
  r.nivelClave,
  r.directorCurp,
  r.correo,
  r.estatus,
  searchText(r.nombre),
  now,
  now,
];
const SCHOOL_COLUMNS =
  'cct, nombre, nivel_clave, director_curp, correo, estatus, nombre_busqueda, created_at, updated_at';

interface Counts {
  workers: number;
  schools: number;
}

function rowValues(kind: Kind, i: number, n: Counts, now: Date | string): unknown[] {
  return kind === 'trabajadores'
    ? workerValues(nationalTrabajador(i, n.schools), now)
    : schoolValues(nationalCentro(i, n.workers), now);
}

/** The same rows, straight into the table: no CSV, no validation, no comparison with what is stored. */
async function rawInsert(db: BenchDb, kind: Kind, n: Counts): Promise<void> {
  const rows = kind === 'trabajadores' ? n.workers : n.schools;
  const columns = kind === 'trabajadores' ? WORKER_COLUMNS : SCHOOL_COLUMNS;
  const width = columns.split(',').length;
  if (db.sqlite) {
    const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
    const stmt = db.sqlite.prepare(
      `INSERT INTO ${TABLE[kind]} (${columns}) VALUES (${Array(width).fill('?').join(', ')})`,
    );
    const chunk = db.sqlite.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++)
        stmt.run(...rowValues(kind, i, n, now).map((v) => (typeof v === 'boolean' ? Number(v) : v)));
    });
    for (let i = 0; i < rows; i += RAW_BATCH * RAW_BATCHES_PER_TX)
      chunk(i, Math.min(rows, i + RAW_BATCH * RAW_BATCHES_PER_TX));
    return;
  }
  const conn = await db.mysqlConnection!();
  try {
    const now = new Date();
    const row = `(${Array(width).fill('?').join(', ')})`;
    for (let tx = 0; tx < rows; tx += RAW_BATCH * RAW_BATCHES_PER_TX) {
      await conn.beginTransaction();
      for (let start = tx; start < Math.min(rows, tx + RAW_BATCH * RAW_BATCHES_PER_TX); start += RAW_BATCH) {
        const end = Math.min(rows, start + RAW_BATCH);
        const params: unknown[] = [];
        for (let i = start; i < end; i++) params.push(...rowValues(kind, i, n, now));
        await conn.query(
          `INSERT INTO ${TABLE[kind]} (${columns}) VALUES ${Array(end - start)
            .fill(row)
            .join(', ')}`,
          params,
        );
      }
      await conn.commit();
    }
  } finally {
    await conn.end();
  }
}

/**
 * A statement outside the product's pool: on MariaDB over a plain connection, without the pool's statement timeout
 * (ANALYZE, COUNT(*) or TRUNCATE of 2,000,000 rows may outlast it).
 */
async function adminQuery<T>(db: BenchDb, sql: string, params: unknown[] = []): Promise<T> {
  if (db.sqlite) return db.dataSource.query<T>(sql, params);
  const conn = await db.mysqlConnection!();
  try {
    const [rows] = await conn.query(sql, params);
    return rows as T;
  } finally {
    await conn.end();
  }
}

interface TableSize {
  rows: number;
  dataMb: number;
  indexMb: number;
}

async function tableSizes(db: BenchDb): Promise<Record<string, TableSize>> {
  const out: Record<string, TableSize> = {};
  const tables = Object.values(TABLE);
  if (db.sqlite) {
    for (const t of tables) {
      const [{ n }] = await adminQuery<{ n: number }[]>(db, `SELECT COUNT(*) AS n FROM ${t}`);
      let data = 0;
      let index = 0;
      try {
        const pages = db.sqlite.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all() as {
          name: string;
          bytes: number;
        }[];
        const indexes = db.sqlite
          .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?`)
          .all(t) as {
          name: string;
        }[];
        const names = new Set(indexes.map((i) => i.name));
        for (const p of pages) {
          if (p.name === t) data += p.bytes;
          else if (names.has(p.name)) index += p.bytes;
        }
      } catch {
        // dbstat not compiled in: sizes unknown
      }
      out[t] = { rows: Number(n), dataMb: round1(data / MB), indexMb: round1(index / MB) };
    }
    return out;
  }
  await adminQuery(db, `ANALYZE TABLE ${tables.join(', ')}`);
  const rows = await adminQuery<{ t: string; d: number; i: number }[]>(
    db,
    `SELECT TABLE_NAME AS t, DATA_LENGTH AS d, INDEX_LENGTH AS i FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (${tables.map(() => '?').join(', ')})`,
    tables,
  );
  for (const r of rows) {
    const [{ n }] = await adminQuery<{ n: number }[]>(db, `SELECT COUNT(*) AS n FROM ${r.t}`);
    out[r.t] = { rows: Number(n), dataMb: round1(Number(r.d) / MB), indexMb: round1(Number(r.i) / MB) };
  }
  return out;
}

function measurement(
  db: BenchDb,
  kind: Kind,
  how: 'importCatalog' | 'raw',
  rows: number,
  phase: Phase,
  notes: string[],
): Measurement {
  const dialect = db.dialect === 'sqlite' ? 'sqlite' : 'mariadb';
  const id = `nacional.${dialect}.${kind}.${how}`;
  const what = kind === 'trabajadores' ? 'trabajadores' : 'centros de trabajo';
  return {
    section: 'importacion',
    id,
    label:
      how === 'importCatalog'
        ? `importación nacional (streaming): ${rows.toLocaleString('es-MX')} ${what} desde CSV, ${db.name}`
        : `INSERT masivo crudo de las mismas ${rows.toLocaleString('es-MX')} filas, ${db.name}`,
    kind: how === 'importCatalog' ? 'producto' : 'base',
    ...(how === 'importCatalog' ? { compareWith: [`nacional.${dialect}.${kind}.raw`] } : { short: 'sql' }),
    summary: summarize([phase.seconds * 1000], 'fila', rows),
    memory: { rssPeakMb: round1(phase.peak.sampledMb - phase.rssBeforeMb), heapRetainedMb: 0 },
    notes,
  };
}

export async function benchNational(sizes: Sizes): Promise<SectionResult> {
  const out = emptySection();
  const n: Counts = {
    workers: envCount('BENCH_NACIONAL_TRABAJADORES') ?? (sizes.quick ? 20_000 : 2_000_000),
    schools: envCount('BENCH_NACIONAL_CENTROS') ?? (sizes.quick ? 2_500 : 250_000),
  };
  const fmt = (x: number): string => x.toLocaleString('es-MX');
  heading(`Importación nacional / national import: ${fmt(n.workers)} trabajadores, ${fmt(n.schools)} centros`);
  const dir = mkdtempSync(join(tmpdir(), 'mci-nacional-'));
  const files = { workers: join(dir, 'trabajadores.csv'), schools: join(dir, 'centros.csv') };
  const details: Record<string, unknown> = { rows: n };
  out.details.nacional = details;
  const lines: string[] = [];
  try {
    const gen = await timed(async () => {
      const [w, s] = await writeNationalFiles(files, n.workers, n.schools);
      details.fileBytes = { trabajadores: w, centros: s };
    }, n.workers + n.schools);
    const bytes = details.fileBytes as Record<Kind, number>;
    note(
      `  CSV generados en ${gen.seconds.toFixed(1)} s: trabajadores ${(bytes.trabajadores / MB).toFixed(1)} MiB, centros ${(bytes.centros / MB).toFixed(1)} MiB (RSS pico ${gen.peak.sampledMb} MB)`,
    );
    details.generation = gen;

    const databases: { open: () => Promise<BenchDb>; label: string }[] = [
      { open: openMariaDbBenchDb, label: 'MariaDB' },
    ];
    if (process.env.BENCH_NACIONAL_SQLITE !== '0') databases.push({ open: openSqliteBenchDb, label: 'SQLite' });
    for (const { open, label } of databases) {
      let db: BenchDb;
      try {
        db = await open();
      } catch (e) {
        const why = `Importación nacional en ${label}: omitida, ${(e as Error).message}`;
        note(why);
        out.skipped.push(why);
        continue;
      }
      const perDb: Record<string, unknown> = { name: db.name };
      details[db.dialect] = perDb;
      try {
        const kinds: Kind[] = ['centros', 'trabajadores'];
        const product: Partial<Record<Kind, Phase & { summary?: ImportSummary }>> = {};
        for (const kind of kinds) {
          const rows = kind === 'trabajadores' ? n.workers : n.schools;
          note(`  ${db.name}: importCatalog ${kind} (${fmt(rows)})…`);
          let summary: ImportSummary | undefined;
          const phase = await timed(async () => {
            summary = await importCatalog(db.dataSource, {
              kind,
              source: fileSource(kind === 'trabajadores' ? files.workers : files.schools),
              mode: 'full',
              onProgress: progressNote(kind),
            });
          }, rows);
          if (summary!.inserted !== rows || summary!.rejected !== 0)
            throw new Error(
              `importCatalog ${kind}: ${summary!.inserted} insertados, ${summary!.rejected} rechazados (se esperaban ${rows} y 0)`,
            );
          const { rejections: _r, ...kept } = summary!;
          product[kind] = { ...phase, summary: kept as ImportSummary };
          note(
            `    ${phase.seconds.toFixed(1)} s, ${fmt(Math.round(phase.rowsPerSecond))} filas/s, RSS pico ${phase.peak.sampledMb} MB`,
          );
        }
        perDb.afterImport = await tableSizes(db);
        perDb.import = product;
        for (const kind of kinds)
          await adminQuery(db, `${db.sqlite ? 'DELETE FROM' : 'TRUNCATE TABLE'} ${TABLE[kind]}`);

        const raw: Partial<Record<Kind, Phase>> = {};
        for (const kind of kinds) {
          const rows = kind === 'trabajadores' ? n.workers : n.schools;
          note(`  ${db.name}: INSERT crudo ${kind} (${fmt(rows)})…`);
          raw[kind] = await timed(() => rawInsert(db, kind, n), rows);
          note(`    ${raw[kind].seconds.toFixed(1)} s, ${fmt(Math.round(raw[kind].rowsPerSecond))} filas/s`);
          const [{ c }] = await adminQuery<{ c: number }[]>(db, `SELECT COUNT(*) AS c FROM ${TABLE[kind]}`);
          if (Number(c) !== rows) throw new Error(`INSERT crudo ${kind}: ${c} filas en la tabla, se esperaban ${rows}`);
        }
        perDb.afterRaw = await tableSizes(db);
        perDb.raw = raw;

        for (const kind of kinds) {
          const rows = kind === 'trabajadores' ? n.workers : n.schools;
          const p = product[kind]!;
          const r = raw[kind]!;
          const size = (perDb.afterImport as Record<string, TableSize>)[TABLE[kind]];
          const rawSize = (perDb.afterRaw as Record<string, TableSize>)[TABLE[kind]];
          out.measurements.push(
            measurement(db, kind, 'importCatalog', rows, p, [
              `Archivo de ${(bytes[kind] / MB).toFixed(1)} MiB leído dos veces en streaming (validar todo, luego cargar en lotes de 1,000, 10 por transacción). RSS pico ${p.peak.sampledMb} MB (VmHWM ${p.peak.vmHwmMb ?? '?'} MB). Tabla: datos ${size.dataMb} MB, índices ${size.indexMb} MB.`,
            ]),
            measurement(db, kind, 'raw', rows, r, [
              `Filas generadas en memoria por lote (sin CSV, sin validar, sin comparar con lo guardado). RSS pico ${r.peak.sampledMb} MB. Tabla: datos ${rawSize.dataMb} MB, índices ${rawSize.indexMb} MB.`,
            ]),
          );
          lines.push(
            `${db.name.padEnd(16)} ${kind.padEnd(13)} ${fmt(rows).padStart(10)}  import ${p.seconds.toFixed(1).padStart(7)} s ${fmt(Math.round(p.rowsPerSecond)).padStart(8)} filas/s  RSS pico ${String(p.peak.sampledMb).padStart(6)} MB` +
              `  | crudo ${r.seconds.toFixed(1).padStart(6)} s ${fmt(Math.round(r.rowsPerSecond)).padStart(8)} filas/s  RSS pico ${String(r.peak.sampledMb).padStart(6)} MB` +
              `  | import/crudo ${(p.rowsPerSecond / r.rowsPerSecond).toFixed(2)}  | tabla ${size.dataMb} + índices ${size.indexMb} MB`,
          );
        }
      } finally {
        await db.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  out.blocks.push({ title: 'Importación nacional / national import', text: lines.join('\n') });
  return out;
}
