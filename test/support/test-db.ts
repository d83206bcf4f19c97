import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/entities';
import { type Dialect } from '../../src/database/data-source-options';

/** Which database the suite runs on: SQLite by default, MariaDB/MySQL with TEST_DB=mariadb. */
export const TEST_DIALECT: Dialect =
  process.env.TEST_DB === 'mariadb' || process.env.TEST_DB === 'mysql' ? 'mysql' : 'sqlite';
export const TEST_MYSQL_URL = (process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');

export interface TestDb {
  dataSource: DataSource;
  dialect: Dialect;
  /** DATABASE_URL for a process that should use the same database (undefined on SQLite). */
  databaseUrl?: string;
  dataDir: string;
  sqliteFile?: string;
  close(): Promise<void>;
}

/** Connects to the MariaDB server of the tests or fails with what to start; never skips. */
async function mysqlAdmin(): Promise<DataSource> {
  const admin = new DataSource({ type: 'mysql', url: TEST_MYSQL_URL, connectTimeout: 3000 });
  try {
    await admin.initialize();
  } catch (e) {
    throw new Error(
      `No se pudo conectar a MariaDB en ${TEST_MYSQL_URL} (${(e as Error).message}). ` +
        'Inicie el servidor (start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd) ' +
        'o indique otro con TEST_MYSQL_URL=mysql://usuario@host:puerto.',
    );
  }
  return admin;
}

/**
 * A fresh, migrated database for one suite: an SQLite file in a temp folder, or a database of its own on the
 * MariaDB server (mci_t_<random>), dropped on close.
 */
export async function createTestDb(dialect: Dialect = TEST_DIALECT): Promise<TestDb> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mci-test-'));
  if (dialect === 'sqlite') {
    const sqliteFile = join(dataDir, 'mci.sqlite'); // the file the app uses for DATA_DIR=dataDir
    const dataSource = new DataSource(dataSourceOptions({ dataDir, sqliteFile }));
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    return {
      dataSource,
      dialect,
      dataDir,
      sqliteFile,
      close: async () => {
        if (dataSource.isInitialized) await dataSource.destroy();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const admin = await mysqlAdmin();
  const name = `mci_t_${randomBytes(5).toString('hex')}`;
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  // mariadb:// picks TypeORM's MariaDB flavour (same SQL; reads MariaDB's catalog right for schema diffs).
  const databaseUrl = `${TEST_MYSQL_URL.replace(/^mysql:/, 'mariadb:')}/${name}`;
  const dataSource = new DataSource(dataSourceOptions({ databaseUrl, dataDir }));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return {
    dataSource,
    dialect,
    databaseUrl,
    dataDir,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
