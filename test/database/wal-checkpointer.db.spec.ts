import { existsSync, statSync } from 'node:fs';
import { createTestDb, type TestDb, TEST_DIALECT } from '../support/test-db';
import { WAL_BACKSTOP_PAGES, walCheckpointerStats } from '../../src/database/wal-checkpointer';

/**
 * SQLite's WAL checkpoints run on a thread of their own (src/database/wal-checkpointer.ts): the process's connection
 * only keeps a backstop, the thread copies committed pages into the database file while the process goes on, and the
 * thread ends with the connection.
 */
const sqliteOnly = TEST_DIALECT === 'sqlite' ? describe : describe.skip;

type Handle = { pragma(s: string, o?: { simple?: boolean }): unknown; close(): unknown };

sqliteOnly('WAL checkpoints on their own thread (SQLite)', () => {
  jest.setTimeout(60_000);
  let db: TestDb;
  let conn: Handle;
  beforeAll(async () => {
    db = await createTestDb('sqlite');
    conn = (db.dataSource.driver as unknown as { databaseConnection: Handle }).databaseConnection;
    await db.dataSource.query('CREATE TABLE wal_probe (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  });
  afterAll(async () => db?.close());

  const waitFor = async (check: () => Promise<boolean>, ms: number): Promise<void> => {
    const until = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > until) throw new Error('no ocurrió a tiempo');
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  it('leaves the process connection only a backstop, in WAL mode', () => {
    expect(conn.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(conn.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_BACKSTOP_PAGES);
  });

  it('copies committed pages into the database file from the thread, with the process doing none', async () => {
    const before = (await walCheckpointerStats(conn))!;
    expect(before).toBeDefined();
    // 400 transactions of ~2 pages each: far below the backstop, so only the thread can have copied them.
    const body = 'x'.repeat(6000);
    for (let i = 0; i < 400; i++) await db.dataSource.query('INSERT INTO wal_probe (body) VALUES (?)', [body]);
    await waitFor(async () => (await walCheckpointerStats(conn))!.framesCopied - before.framesCopied >= 400, 20_000);
    const after = (await walCheckpointerStats(conn))!;
    expect(after.runs).toBeGreaterThan(before.runs);
    const [{ n }] = await db.dataSource.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM wal_probe');
    expect(Number(n)).toBe(400);
  });

  it('ends with the connection: after destroy the thread answers no more', async () => {
    const other = await createTestDb('sqlite');
    const handle = (other.dataSource.driver as unknown as { databaseConnection: Handle }).databaseConnection;
    expect(await walCheckpointerStats(handle)).toBeDefined();
    await other.dataSource.destroy();
    expect(await walCheckpointerStats(handle)).toBeUndefined();
    // The last connection closed: SQLite folded the WAL back and removed it.
    await waitFor(
      async () => !existsSync(`${other.sqliteFile}-wal`) || statSync(`${other.sqliteFile}-wal`).size === 0,
      10_000,
    );
    await other.close();
  });
});
