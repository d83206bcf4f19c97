import { randomUUID } from 'node:crypto';
import type { Logger } from 'typeorm';
import { RowSql } from '../../src/database/row-sql';
import { inTransaction } from '../../src/database/transaction';
import { readTogether, StaleRowError, WriteBatch } from '../../src/database/write-batch';
import { isUniqueViolation } from '../../src/database/unique-violation';
import { Task } from '../../src/engine/entities/task.entity';
import { createTestDb, type TestDb } from '../support/test-db';
import { taskRow } from '../support/task-row';

jest.setTimeout(60_000);

/**
 * A transition's writes as one batch (src/database/write-batch.ts): one request on MySQL/MariaDB, one by one on
 * SQLite; a guarded statement that changes nothing, or a failure half-way, leaves nothing written.
 */
describe('WriteBatch', () => {
  let db: TestDb;
  let tasks: RowSql<Task>;
  const sent: string[] = [];

  beforeAll(async () => {
    db = await createTestDb();
    tasks = new RowSql(db.dataSource, Task);
    const logger: Logger = {
      logQuery: (q) => void sent.push(q),
      logQueryError: () => undefined,
      logQuerySlow: () => undefined,
      logSchemaBuild: () => undefined,
      logMigration: () => undefined,
      log: () => undefined,
    };
    Object.assign(db.dataSource, { logger });
  });
  afterAll(() => db.close());

  const task = taskRow;
  const repo = () => db.dataSource.getRepository(Task);

  it('runs every statement in order and reports the rows each changed; on MariaDB in one request', async () => {
    const [a, b] = [task(), task()];
    await repo().insert(a);
    sent.length = 0;
    const affected = await inTransaction(db.dataSource, (em) => {
      const out = WriteBatch.for(db.dataSource);
      out.add(tasks.updateStatement({ title: 'Cerrada' }, { id: a.id }), { mustChange: true });
      out.add(tasks.insertStatement([b]));
      out.add(tasks.updateStatement({ priority: 1 }, {}, { column: 'id', values: [a.id, b.id] }));
      out.add(tasks.insertStatement([]));
      expect(out.size).toBe(3);
      return out.flush(em);
    });
    const writes = sent.filter((q) => !/^(START|BEGIN|COMMIT)/.test(q));
    expect(writes).toHaveLength(db.dialect === 'mysql' ? 1 : 3);
    expect(affected).toEqual([1, 1, 2]);
    expect((await repo().findOneByOrFail({ id: a.id })).title).toBe('Cerrada');
    expect((await repo().findOneByOrFail({ id: b.id })).priority).toBe(1);
  });

  it('a guarded statement that changes no row fails the flush and nothing of the batch stays', async () => {
    const c = task();
    await expect(
      inTransaction(db.dataSource, async (em) => {
        const out = WriteBatch.for(db.dataSource);
        out.add(tasks.insertStatement([c]));
        out.add(tasks.updateStatement({ title: 'x' }, { id: randomUUID() }), { mustChange: true });
        await out.flush(em);
      }),
    ).rejects.toBeInstanceOf(StaleRowError);
    expect(await repo().countBy({ id: c.id })).toBe(0);
  });

  it('a statement that fails half-way (a duplicate key) fails the flush and the earlier ones roll back', async () => {
    const d = task();
    await repo().insert(d);
    const e = task();
    const failure = await inTransaction(db.dataSource, async (em) => {
      const out = WriteBatch.for(db.dataSource);
      out.add(tasks.insertStatement([e]));
      out.add(tasks.insertStatement([d]));
      out.add(tasks.updateStatement({ title: 'nunca' }, { id: d.id }));
      await out.flush(em);
    }).catch((err: unknown) => err);
    expect(isUniqueViolation(failure)).toBe(true);
    expect(await repo().countBy({ id: e.id })).toBe(0);
    expect((await repo().findOneByOrFail({ id: d.id })).title).toBe('Turnar el oficio');
  });

  it('reads several SELECTs in one request on MariaDB, each with its own rows (also an empty one)', async () => {
    const f = task({ folio: 'MCI-2026-000777' });
    await repo().insert(f);
    sent.length = 0;
    const [one, none, both] = await inTransaction(db.dataSource, (em) =>
      readTogether(db.dataSource, em, [
        tasks.findStatement({ id: f.id }, { limit: 1 }),
        tasks.findStatement({ id: randomUUID() }),
        tasks.findStatement({ folio: 'MCI-2026-000777' }, { select: ['id', 'folio'] }),
      ]),
    );
    const reads = sent.filter((q) => q.startsWith('SELECT'));
    expect(reads).toHaveLength(db.dialect === 'mysql' ? 1 : 3);
    expect(tasks.rows(one)).toEqual([await repo().findOneByOrFail({ id: f.id })]);
    expect(none).toEqual([]);
    expect(tasks.rows(both, { select: ['id', 'folio'] }).map((t) => [t.id, t.folio])).toEqual([
      [f.id, 'MCI-2026-000777'],
    ]);
  });

  it('refuses to run outside a transaction', async () => {
    const out = WriteBatch.for(db.dataSource);
    out.add(tasks.insertStatement([task()]));
    await expect(out.flush(db.dataSource.manager)).rejects.toThrow('fuera de una transacción');
  });
});
