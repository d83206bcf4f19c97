import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Connection, createConnection } from 'mysql2/promise';
import { DataSource, type Logger } from 'typeorm';
import { dataSourceOptions } from '../../src/entities';

/** The MariaDB server the db tests use; the benchmark creates and drops a database of its own on it. */
export const BENCH_MYSQL_URL = (process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');

export interface CapturedQuery {
  query: string;
  parameters: unknown[];
}

/** A TypeORM logger that records the statements the product sends while capturing is on (to replay them raw). */
export class QueryCapture implements Logger {
  private buffer?: CapturedQuery[];

  start(): void {
    this.buffer = [];
  }

  stop(): CapturedQuery[] {
    const out = this.buffer ?? [];
    this.buffer = undefined;
    return out;
  }

  logQuery(query: string, parameters?: unknown[]): void {
    this.buffer?.push({ query, parameters: [...(parameters ?? [])] });
  }

  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

/** The few better-sqlite3 calls the baselines use (the package ships no types). */
export interface RawStatement {
  run(...params: unknown[]): { changes: number };
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
}
export interface RawSqlite {
  prepare(sql: string): RawStatement;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
}

export interface BenchDb {
  dialect: 'sqlite' | 'mysql';
  /** For the tables: "SQLite" or "MariaDB 10.11.x". */
  name: string;
  dataSource: DataSource;
  capture: QueryCapture;
  /** SQLite: the very connection TypeORM uses, for baselines on the same file, pragmas and page cache. */
  sqlite?: RawSqlite;
  /** MariaDB: opens a plain mysql2 connection to the same database (UTC, like TypeORM's). */
  mysqlConnection?: () => Promise<Connection>;
  close(): Promise<void>;
}

/** A fresh, migrated SQLite file (WAL, the product's pragmas) in a temporary folder, removed on close. */
export async function openSqliteBenchDb(): Promise<BenchDb> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mci-bench-'));
  const capture = new QueryCapture();
  const dataSource = new DataSource({ ...dataSourceOptions({ dataDir }), logger: capture });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  const sqlite = (dataSource.driver as unknown as { databaseConnection: RawSqlite }).databaseConnection;
  return {
    dialect: 'sqlite',
    name: 'SQLite',
    dataSource,
    capture,
    sqlite,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A database of its own (mci_bench_<random>) on the MariaDB server at TEST_MYSQL_URL, migrated, dropped on close.
 * Throws with the reason when the server cannot be reached; the caller prints it and skips the MariaDB part.
 */
export async function openMariaDbBenchDb(): Promise<BenchDb> {
  let admin: Connection;
  try {
    admin = await createConnection({ uri: BENCH_MYSQL_URL, connectTimeout: 3000 });
  } catch (e) {
    throw new Error(`no se pudo conectar a ${BENCH_MYSQL_URL} (${(e as Error).message})`);
  }
  const [rows] = await admin.query('SELECT VERSION() AS v');
  const version = String((rows as { v: string }[])[0].v).replace(/-.*$/, '');
  const dbName = `mci_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const dataDir = mkdtempSync(join(tmpdir(), 'mci-bench-'));
  const capture = new QueryCapture();
  const databaseUrl = `${BENCH_MYSQL_URL.replace(/^mysql:/, 'mariadb:')}/${dbName}`;
  const dataSource = new DataSource({ ...dataSourceOptions({ databaseUrl, dataDir }), logger: capture });
  const drop = async (): Promise<void> => {
    if (dataSource.isInitialized) await dataSource.destroy();
    // BENCH_CONSERVAR_BASE=1 keeps the loaded database to read its plans afterwards (drop it by hand).
    if (process.env.BENCH_CONSERVAR_BASE === '1')
      process.stderr.write(`Base de MariaDB conservada (BENCH_CONSERVAR_BASE=1): ${BENCH_MYSQL_URL}/${dbName}\n`);
    else await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  } catch (e) {
    await drop();
    throw e;
  }
  return {
    dialect: 'mysql',
    name: `MariaDB ${version}`,
    dataSource,
    capture,
    mysqlConnection: () =>
      createConnection({
        uri: `${BENCH_MYSQL_URL}/${dbName}`,
        timezone: 'Z',
        charset: 'utf8mb4_unicode_ci',
        connectTimeout: 3000,
      }),
    close: drop,
  };
}

/**
 * Runs a part of the benchmark on a fresh SQLite database, then on a fresh MariaDB one; when the server cannot be
 * reached, the MariaDB part is skipped and `out` says why (`what`: «Motor», «Bandeja»…); `sqlite: false` skips SQLite
 * (said in `out` too). Each database is closed after.
 */
export async function onEachDatabase(
  out: { skipped: string[] },
  what: string,
  run: (db: BenchDb) => Promise<void>,
  opts: { sqlite?: boolean } = {},
): Promise<void> {
  if (opts.sqlite === false) {
    out.skipped.push(`${what} en SQLite: omitido a esta escala (--sin-sqlite; MariaDB es la base de producción)`);
  } else {
    const sqlite = await openSqliteBenchDb();
    try {
      await run(sqlite);
    } finally {
      await sqlite.close();
    }
  }
  let maria: BenchDb;
  try {
    maria = await openMariaDbBenchDb();
  } catch (e) {
    const why = `${what} en MariaDB: omitido, ${(e as Error).message}`;
    process.stderr.write(`${why}\n`);
    out.skipped.push(why);
    return;
  }
  try {
    await run(maria);
  } finally {
    await maria.close();
  }
}
