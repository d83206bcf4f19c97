import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../config/config';
import { ENTITIES } from './entities';
import { MYSQL_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations';
import { SnakeNamingStrategy } from './naming.strategy';
import { SqliteConnectionGate } from './transaction';

export type Dialect = 'sqlite' | 'mysql';

export function dialectOf(databaseUrl: string | undefined): Dialect {
  return databaseUrl ? 'mysql' : 'sqlite';
}

/**
 * The one TypeORM options factory, used by the app, the CLIs and ormconfig.ts.
 * No DATABASE_URL → an SQLite file under dataDir (WAL); mysql:// or mariadb:// → MySQL 8 / MariaDB 10.11.
 * Never `synchronize`: the schema only changes through the migrations of each dialect.
 */
export function buildDataSourceOptions(opts: { databaseUrl?: string; dataDir: string; sqliteFile?: string }): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'migrations',
    logging: false,
  } as const;
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
      extra: { connectionLimit: 10 },
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
    prepareDatabase: (db: { pragma(s: string): unknown }) => {
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
    },
    migrations: SQLITE_MIGRATIONS,
  };
}
