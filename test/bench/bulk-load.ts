import { performance } from 'node:perf_hooks';
import type { Connection } from 'mysql2/promise';
import { optimizeSqlite } from '../../src/database/sqlite-maintenance';
import { backfillDashboardCounts, type SqlRunner } from '../../src/database/migrations/backfill-dashboard-counts';
import type { BenchDb } from './bench-db';
import { note, Progress, textTable } from './stats';
import { CASE_COLUMNS, OFICIO_COLUMNS, TASK_COLUMNS, type Batch, type TaskGenerator } from './task-generator';

/**
 * The bench's history loaded into a fresh, migrated database: tasks, and with `withCases` their cases and oficios, as
 * the generator streams them (one batch in memory at a time, whatever the scale).
 */

const BATCH_ROWS = 50_000;
const MYSQL_ROWS_PER_INSERT = 2_500;

export interface LoadReport {
  /** Seconds inserting rows, and (MariaDB) rebuilding the secondary indexes, and ANALYZE. */
  insertS: number;
  indexS: number;
  analyzeS: number;
  /** Seconds building the dashboard's counters from the rows (what the DashboardCounts migration does). */
  countersS: number;
}

const TABLES = [
  { table: 'task', columns: TASK_COLUMNS, rows: (b: Batch) => b.tasks },
  { table: 'procedure_case', columns: CASE_COLUMNS, rows: (b: Batch) => b.cases },
  { table: 'oficio', columns: OFICIO_COLUMNS, rows: (b: Batch) => b.oficios },
] as const;

const tablesOf = (withCases: boolean) => (withCases ? TABLES : TABLES.slice(0, 1));
const seconds = (t0: number): number => Math.round((performance.now() - t0) / 100) / 10;

function progress(db: BenchDb, g: TaskGenerator, withCases: boolean, how: string): Progress {
  const what = withCases
    ? `${g.total.toLocaleString('es-MX')} tareas, ${g.cases.toLocaleString('es-MX')} casos y sus oficios`
    : `${g.total.toLocaleString('es-MX')} tareas`;
  return new Progress(`${db.name}: cargando ${what} (${how})`, g.total);
}

/** The dashboard's counters of the loaded rows, built as the migration builds them for a database with rows; seconds. */
async function buildCounters(db: BenchDb, runner: SqlRunner): Promise<number> {
  const t0 = performance.now();
  note(`  ${db.name}: contadores del tablero, construidos desde las filas como en la migración…`);
  await backfillDashboardCounts(runner, db.sqlite ? 'sqlite' : 'mysql');
  const s = seconds(t0);
  note(`  ${db.name}: contadores del tablero listos (${s} s)`);
  return s;
}

export async function loadSqlite(db: BenchDb, g: TaskGenerator, withCases: boolean): Promise<LoadReport> {
  const sqlite = db.sqlite!;
  const tables = tablesOf(withCases).map((t) => ({
    ...t,
    stmt: sqlite.prepare(
      `INSERT INTO ${t.table} (${t.columns.join(', ')}) VALUES (${t.columns.map(() => '?').join(', ')})`,
    ),
  }));
  const insertMany = sqlite.transaction((b: Batch) => {
    for (const t of tables) for (const r of t.rows(b)) t.stmt.run(...r);
  });
  const p = progress(db, g, withCases, 'INSERT preparado, transacciones de 50 000 tareas');
  const t0 = performance.now();
  for (const b of g.batches(BATCH_ROWS, withCases)) {
    insertMany(b);
    p.tick(b.tasks.length);
  }
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  p.finish();
  const insertS = seconds(t0);
  const countersS = withCases
    ? await buildCounters(db, {
        query: async (sql, params = []) =>
          /^\s*SELECT/i.test(sql) ? sqlite.prepare(sql).all(...params) : sqlite.prepare(sql).run(...params),
      })
    : 0;
  // What the product's SqliteMaintenance does at boot and every hour (approximate ANALYZE).
  const t1 = performance.now();
  await optimizeSqlite(db.dataSource);
  const analyzeS = seconds(t1);
  note(`  ${db.name}: estadísticas del planificador como las mantiene el producto (${analyzeS} s)`);
  return { insertS, indexS: 0, analyzeS, countersS };
}

/** The secondary indexes of a table as SHOW CREATE TABLE prints them (`KEY …` / `UNIQUE KEY …`), by name. */
async function secondaryIndexes(conn: Connection, table: string): Promise<Map<string, string>> {
  const [rows] = await conn.query(`SHOW CREATE TABLE \`${table}\``);
  const ddl = String((rows as Record<string, string>[])[0]['Create Table']);
  const out = new Map<string, string>();
  for (const line of ddl.split('\n')) {
    const m = /^\s*((?:UNIQUE )?KEY `([^`]+)` \(.*\)),?$/.exec(line);
    if (m) out.set(m[2], m[1]);
  }
  return out;
}

/**
 * MariaDB: multi-row INSERTs of 2 500 rows in transactions of 50 000 tasks, with the tables' secondary indexes dropped
 * during the load and rebuilt after it in one ALTER TABLE per table (InnoDB builds an index by sorting, instead of
 * inserting 10 M random keys one by one into trees that outgrow the buffer pool). The rebuilt indexes are the
 * migrations' own: their definitions are read from the migrated table before the drop, and checked equal after.
 */
export async function loadMariaDb(db: BenchDb, g: TaskGenerator, withCases: boolean): Promise<LoadReport> {
  const conn = await db.mysqlConnection!();
  const tables = tablesOf(withCases);
  try {
    const ddl = new Map<string, Map<string, string>>();
    for (const t of tables) {
      const idx = await secondaryIndexes(conn, t.table);
      ddl.set(t.table, idx);
      if (idx.size)
        await conn.query(`ALTER TABLE \`${t.table}\` ${[...idx.keys()].map((k) => `DROP INDEX \`${k}\``).join(', ')}`);
    }
    const p = progress(
      db,
      g,
      withCases,
      `INSERT de ${MYSQL_ROWS_PER_INSERT} filas, transacciones de 50 000 tareas, índices secundarios reconstruidos al final`,
    );
    const t0 = performance.now();
    await conn.query('SET SESSION unique_checks = 0');
    // One batch in the server while the next one is generated: the connection runs its statements in order, so the
    // next batch's transaction waits for this one; at most two batches are held.
    let pending: Promise<unknown> = Promise.resolve();
    let pendingRows = 0;
    for (const b of g.batches(BATCH_ROWS, withCases)) {
      const work: Promise<unknown>[] = [conn.query('START TRANSACTION')];
      for (const t of tables) {
        const rows = t.rows(b);
        const sql = `INSERT INTO ${t.table} (${t.columns.join(', ')}) VALUES ?`;
        for (let i = 0; i < rows.length; i += MYSQL_ROWS_PER_INSERT)
          work.push(conn.query(sql, [rows.slice(i, i + MYSQL_ROWS_PER_INSERT)]));
      }
      work.push(conn.query('COMMIT'));
      const done = Promise.all(work);
      // Awaited below (its error thrown there); until then, not an unhandled rejection.
      done.catch(() => undefined);
      await pending;
      p.tick(pendingRows);
      pending = done;
      pendingRows = b.tasks.length;
    }
    await pending;
    p.tick(pendingRows);
    await conn.query('SET SESSION unique_checks = 1');
    p.finish();
    const insertS = seconds(t0);

    const t1 = performance.now();
    for (const t of tables) {
      const idx = ddl.get(t.table)!;
      if (!idx.size) continue;
      const ti = performance.now();
      await conn.query(`ALTER TABLE \`${t.table}\` ${[...idx.values()].map((k) => `ADD ${k}`).join(', ')}`);
      const again = await secondaryIndexes(conn, t.table);
      if ([...idx].some(([k, v]) => again.get(k) !== v) || again.size !== idx.size)
        throw new Error(`Los índices de ${t.table} reconstruidos no son los de las migraciones.`);
      note(`  ${db.name}: ${idx.size} índices secundarios de ${t.table} reconstruidos (${seconds(ti)} s)`);
    }
    const indexS = seconds(t1);
    const countersS = withCases
      ? await buildCounters(db, { query: async (sql, params = []) => (await conn.query(sql, params))[0] })
      : 0;
    // InnoDB recomputes statistics by itself after this many changes, in the background; do it now so the plans shown
    // are the ones a settled server picks.
    const t2 = performance.now();
    await conn.query(`ANALYZE TABLE ${tables.map((t) => t.table).join(', ')}`);
    const analyzeS = seconds(t2);
    return { insertS, indexS, analyzeS, countersS };
  } finally {
    await conn.end();
  }
}

export interface TableSize {
  table: string;
  rows: number;
  dataMb: number;
  indexMb: number;
}

/** Data and index sizes of the tables the pages read (information_schema after ANALYZE; SQLite: dbstat). */
export async function tableSizes(db: BenchDb): Promise<TableSize[]> {
  const names = ['task', 'procedure_case', 'oficio', 'movement'];
  const mb = (n: unknown): number => Math.round(Number(n ?? 0) / 1024 / 102.4) / 10;
  const out: TableSize[] = [];
  for (const table of names) {
    const [c] = await db.dataSource.query<{ n: number }[]>(`SELECT COUNT(*) AS n FROM ${table}`);
    if (db.sqlite) {
      // dbstat is compiled into better-sqlite3's SQLite: pages of the table's b-tree and of its indexes.
      const [d] = db.sqlite.prepare('SELECT SUM(pgsize) AS b FROM dbstat WHERE name = ?').all(table) as {
        b: number | null;
      }[];
      const [i] = db.sqlite
        .prepare(
          "SELECT SUM(s.pgsize) AS b FROM dbstat s JOIN sqlite_master m ON m.name = s.name WHERE m.type = 'index' AND m.tbl_name = ?",
        )
        .all(table) as { b: number | null }[];
      out.push({ table, rows: Number(c.n), dataMb: mb(d.b), indexMb: mb(i.b) });
    } else {
      const [t] = await db.dataSource.query<{ data: number; idx: number }[]>(
        'SELECT data_length AS data, index_length AS idx FROM information_schema.TABLES WHERE table_schema = DATABASE() AND table_name = ?',
        [table],
      );
      out.push({ table, rows: Number(c.n), dataMb: mb(t?.data), indexMb: mb(t?.idx) });
    }
  }
  return out;
}

export function sizesText(sizes: TableSize[]): string {
  const rows = sizes.map((s) => [
    s.table,
    s.rows.toLocaleString('es-MX'),
    `${s.dataMb.toLocaleString('es-MX')} MiB`,
    `${s.indexMb.toLocaleString('es-MX')} MiB`,
  ]);
  const header = ['tabla', 'filas', 'datos', 'índices'];
  return textTable(header, rows, 1);
}
