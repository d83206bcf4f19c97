import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../config/config';
import { boundedMysql2 } from './bounded-mysql';
import { MYSQL_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations';
import { SnakeNamingStrategy } from './naming.strategy';
import { DB_POOL_SIZE, type DbTimeouts, DEFAULT_DB_TIMEOUTS, SQLITE_BUSY_TIMEOUT_MS } from '../config/db-timeouts';
import { SqliteConnectionGate } from './transaction';
import { startWalCheckpointer } from './wal-checkpointer';

export type Dialect = 'sqlite' | 'mysql';

export function dialectOf(databaseUrl: string | undefined): Dialect {
  return databaseUrl ? 'mysql' : 'sqlite';
}

/**
 * The one TypeORM options factory, used (through src/entities.ts) by the app, the CLIs and ormconfig.ts.
 * No DATABASE_URL → an SQLite file under dataDir (WAL); mysql:// or mariadb:// → MySQL 8 / MariaDB 10.11.
 * Never `synchronize`: the schema only changes through the migrations of each dialect.
 * Nothing waits for the database without a bound (`dbTimeouts`, src/config/db-timeouts.ts): a server that is down or
 * frozen makes a statement fail within seconds, and src/database/unavailable.ts turns that into a 503.
 */
export interface DataSourceSettings {
  databaseUrl?: string;
  dataDir: string;
  sqliteFile?: string;
  dbTimeouts?: DbTimeouts;
}

/** `entities`: the tables of the modules, which the composition root gathers (src/entities.ts). */
export function buildDataSourceOptions(
  opts: DataSourceSettings,
  entities: DataSourceOptions['entities'],
): DataSourceOptions {
  const common = {
    entities,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'migrations',
    logging: false,
  } as const;
  const timeouts = opts.dbTimeouts ?? DEFAULT_DB_TIMEOUTS;
  if (opts.databaseUrl) {
    // Same SQL either way; TypeORM's 'mariadb' type only reads MariaDB's catalog quirks (DEFAULT NULL) correctly.
    const mariadb = opts.databaseUrl.startsWith('mariadb:');
    return {
      ...common,
      type: mariadb ? 'mariadb' : 'mysql',
      url: opts.databaseUrl.replace(/^mariadb:/, 'mysql:'),
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      migrations: MYSQL_MIGRATIONS,
      // mysql2 with the acquire and statement bounds it lacks (a frozen server otherwise holds a request forever).
      driver: boundedMysql2(timeouts),
      connectTimeout: timeouts.connectMs,
      // multipleStatements: the engine sends a transition's writes in one request (src/database/write-batch.ts). Every
      // statement of the product binds its values as parameters; none is built from a caller's text.
      extra: { connectionLimit: DB_POOL_SIZE, multipleStatements: true },
    };
  }
  const database = opts.sqliteFile ?? join(opts.dataDir, 'mci.sqlite');
  if (database !== ':memory:') {
    ensurePrivateDir(opts.dataDir);
    // Made 0600 before SQLite opens it: SQLite gives its -wal and -shm files the database file's permissions.
    closeSync(openSync(database, 'a', PRIVATE_FILE_MODE));
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database,
    enableWAL: true,
    // One shared connection: every statement and transaction goes through inTransaction's gate.
    subscribers: [SqliteConnectionGate],
    // busy_timeout: a lock held by another process (a CLI) ends in SQLITE_BUSY after this long (a 503), never waits on.
    timeout: SQLITE_BUSY_TIMEOUT_MS,
    prepareDatabase: (db: { pragma(s: string): unknown; close(): unknown }) => {
      db.pragma('foreign_keys = ON');
      startWalCheckpointer(db, database);
    },
    migrations: SQLITE_MIGRATIONS,
  };
}
