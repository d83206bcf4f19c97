import { DataSource } from 'typeorm';
import { runMigrations } from '../../src/database/migrate';
import { dataSourceOptions } from '../../src/entities';
import { createTestDb, type TestDb } from '../support/test-db';

interface Schema {
  tables: string[];
  columns: Record<string, string[]>;
  indexes: Record<string, string[]>;
}

/** Normalises a declared type to what both dialects must agree on (family and length). */
function family(type: string): string {
  const t = type.toLowerCase();
  if (t.startsWith('varchar') || t.startsWith('character varying'))
    return `varchar(${/\((\d+)\)/.exec(t)?.[1] ?? '?'})`;
  if (t.startsWith('datetime')) return 'datetime';
  if (t === 'boolean' || t === 'tinyint' || t.startsWith('tinyint')) return 'boolean';
  if (t.includes('int')) return 'integer';
  if (t.includes('text') || t === 'clob') return 'text';
  return t;
}

async function sqliteSchema(ds: DataSource): Promise<Schema> {
  const tables: { name: string }[] = await ds.query(
    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name <> 'migrations' ORDER BY name",
  );
  const s: Schema = { tables: tables.map((t) => t.name), columns: {}, indexes: {} };
  for (const { name } of tables) {
    const cols: { name: string; type: string; notnull: number; pk: number }[] = await ds.query(
      `PRAGMA table_info("${name}")`,
    );
    s.columns[name] = cols
      .map((c) => `${c.name} ${family(c.type)}${c.notnull || c.pk ? ' not null' : ''}${c.pk ? ' pk' : ''}`)
      .sort();
    const idx: { name: string; unique: number; origin: string }[] = await ds.query(`PRAGMA index_list("${name}")`);
    const out: string[] = [];
    for (const i of idx.filter((x) => x.origin === 'c')) {
      const ic: { name: string }[] = await ds.query(`PRAGMA index_info("${i.name}")`);
      out.push(`${i.name}${i.unique ? ' unique' : ''} (${ic.map((c) => c.name).join(',')})`);
    }
    s.indexes[name] = out.sort();
  }
  return s;
}

async function mysqlSchema(ds: DataSource): Promise<Schema> {
  const db = ds.driver.database!;
  const tables: { name: string }[] = await ds.query(
    "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME <> 'migrations' ORDER BY TABLE_NAME",
    [db],
  );
  const s: Schema = { tables: tables.map((t) => t.name), columns: {}, indexes: {} };
  for (const { name } of tables) {
    const cols: { n: string; t: string; nullable: string; k: string }[] = await ds.query(
      'SELECT COLUMN_NAME n, COLUMN_TYPE t, IS_NULLABLE nullable, COLUMN_KEY k FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [db, name],
    );
    s.columns[name] = cols
      .map((c) => `${c.n} ${family(c.t)}${c.nullable === 'NO' ? ' not null' : ''}${c.k === 'PRI' ? ' pk' : ''}`)
      .sort();
    const idx: { n: string; nonUnique: number | string; c: string }[] = await ds.query(
      "SELECT INDEX_NAME n, NON_UNIQUE nonUnique, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME <> 'PRIMARY' GROUP BY INDEX_NAME, NON_UNIQUE",
      [db, name],
    );
    s.indexes[name] = idx.map((i) => `${i.n}${Number(i.nonUnique) === 0 ? ' unique' : ''} (${i.c})`).sort();
  }
  return s;
}

describe('migrations', () => {
  let sqlite: TestDb;
  let mysql: TestDb;
  beforeAll(async () => {
    sqlite = await createTestDb('sqlite');
    mysql = await createTestDb('mysql');
  });
  afterAll(async () => {
    await sqlite?.close();
    await mysql?.close();
  });

  it('take SQLite and MariaDB from empty to the same tables, columns and indexes', async () => {
    const a = await sqliteSchema(sqlite.dataSource);
    const b = await mysqlSchema(mysql.dataSource);
    expect(a.tables.length).toBeGreaterThan(5);
    expect(a.tables).toEqual(b.tables);
    for (const t of a.tables) {
      expect({ table: t, columns: a.columns[t] }).toEqual({ table: t, columns: b.columns[t] });
      expect({ table: t, indexes: a.indexes[t] }).toEqual({ table: t, indexes: b.indexes[t] });
    }
  });

  it('leave nothing for the entities to add on either dialect (no drift between entities and migrations)', async () => {
    for (const db of [sqlite, mysql]) {
      const pending = await db.dataSource.driver.createSchemaBuilder().log();
      const real = pending.upQueries.map((q) => q.query);
      expect({ dialect: db.dialect, real }).toEqual({ dialect: db.dialect, real: [] });
    }
  });

  it('are all reverted by their down steps', async () => {
    for (const db of [sqlite, mysql]) {
      const n = db.dataSource.migrations.length;
      for (let i = 0; i < n; i++) await db.dataSource.undoLastMigration({ transaction: 'each' });
      const left: unknown[] =
        db.dialect === 'sqlite'
          ? await db.dataSource.query(
              "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name <> 'migrations'",
            )
          : await db.dataSource.query(
              "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME <> 'migrations'",
              [db.dataSource.driver.database],
            );
      expect({ dialect: db.dialect, left }).toEqual({ dialect: db.dialect, left: [] });
      await db.dataSource.runMigrations({ transaction: 'each' });
    }
  });

  it('are applied once when two processes start on an empty MariaDB database at the same time', async () => {
    const ds = mysql.dataSource;
    for (let i = ds.migrations.length; i > 0; i--) await ds.undoLastMigration({ transaction: 'each' });
    // A second process: its own pool on the same database, as the second web process of a deployment.
    const other = new DataSource(dataSourceOptions({ databaseUrl: mysql.databaseUrl, dataDir: mysql.dataDir }));
    await other.initialize();
    try {
      const [a, b] = await Promise.all([runMigrations(ds), runMigrations(other)]);
      expect([...a, ...b].sort()).toEqual(ds.migrations.map((m) => m.name).sort());
      expect(Math.min(a.length, b.length)).toBe(0);
      const [row] = await ds.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM migrations');
      expect(Number(row.n)).toBe(ds.migrations.length);
    } finally {
      await other.destroy();
    }
  });
});
