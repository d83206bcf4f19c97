import { randomUUID } from 'node:crypto';
import { RowSql } from '../../src/database/row-sql';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { Task } from '../../src/engine/entities/task.entity';
import { inTransaction } from '../../src/database/transaction';
import { createTestDb, type TestDb } from '../support/test-db';
import { taskRow } from '../support/task-row';

jest.setTimeout(60_000);

/** RowSql writes and reads exactly what TypeORM's own repository writes and reads, on the suite's dialect. */
describe('RowSql (the engine hot path without the query builder)', () => {
  let db: TestDb;
  let tasks: RowSql<Task>;
  let outbox: RowSql<OutboxCommand>;

  beforeAll(async () => {
    db = await createTestDb();
    tasks = new RowSql(db.dataSource, Task);
    outbox = new RowSql(db.dataSource, OutboxCommand);
  });
  afterAll(() => db.close());

  const task = (over: Partial<Task> = {}): Task =>
    taskRow({ cct: '06DPR0001Z', createdAt: new Date('2026-12-01T18:30:00.123Z'), ...over });

  it('rows it inserts (several in one statement) read back as TypeORM stores them: dates, NULLs, numbers', async () => {
    const rows = [task(), task({ nivelClave: 'PRIMARIA', curp: 'GOMA800101HCMRRN09', priority: 1 })];
    await inTransaction(db.dataSource, (em) => tasks.insert(em, rows));
    for (const r of rows) {
      // The same values written by TypeORM itself (a DATETIME without fraction drops the .123 on MariaDB for both).
      const twin = { ...r, id: randomUUID() };
      await db.dataSource.getRepository(Task).insert(twin);
      const repo = db.dataSource.getRepository(Task);
      const [mine, theirs] = [await repo.findOneByOrFail({ id: r.id }), await repo.findOneByOrFail({ id: twin.id })];
      expect({ ...mine, id: twin.id }).toEqual(theirs);
      expect(mine.dueAt).toEqual(r.dueAt);
      expect(mine.curp).toBe(r.curp);
      expect(mine.priority).toBe(r.priority);
    }
  });

  it('reads back what TypeORM wrote, the same entity TypeORM itself would hydrate', async () => {
    const r = task({ closedAt: new Date('2026-12-04T01:02:03.000Z'), status: 'cerrada', closedBy: 'u-1' });
    await db.dataSource.getRepository(Task).insert(r);
    const mine = await tasks.findOne(db.dataSource.manager, { id: r.id });
    expect(mine).toBeInstanceOf(Task);
    expect(mine).toEqual(await db.dataSource.getRepository(Task).findOneByOrFail({ id: r.id }));
    const some = await tasks.find(db.dataSource.manager, { caseId: r.caseId }, { select: ['id', 'status'] });
    expect(some).toEqual([Object.assign(new Task(), { id: r.id, status: 'cerrada' })]);
  });

  it('a column left undefined takes its declared default (outbox attempts = 0)', async () => {
    const id = randomUUID();
    const now = new Date('2026-12-04T12:00:00.000Z');
    await inTransaction(db.dataSource, (em) =>
      outbox.insert(em, [
        {
          id,
          caseId: randomUUID(),
          type: 'issueAcuse',
          payload: '{}',
          idempotencyKey: `k-${id}`,
          status: 'pendiente',
          availableAt: now,
          createdAt: now,
        },
      ]),
    );
    const back = await db.dataSource.getRepository(OutboxCommand).findOneByOrFail({ id });
    expect(back.attempts).toBe(0);
    expect(back.enqueuedAt).toBeNull();
    expect(back.availableAt).toEqual(now);
  });

  it('update counts the rows it changed: a stale guard changes none; IN () with no values matches nothing', async () => {
    const a = task();
    const b = task({ caseId: a.caseId });
    await inTransaction(db.dataSource, (em) => tasks.insert(em, [a, b]));
    const closedAt = new Date('2026-12-04T15:00:00.000Z');
    const changed = await inTransaction(db.dataSource, (em) =>
      tasks.update(em, { status: 'cerrada', closedAt }, { caseId: a.caseId }, { column: 'id', values: [a.id, b.id] }),
    );
    expect(changed).toBe(2);
    expect(
      await inTransaction(db.dataSource, (em) => tasks.update(em, { priority: 3 }, { id: a.id, status: 'abierta' })),
    ).toBe(0);
    expect(
      await inTransaction(db.dataSource, (em) => tasks.update(em, { priority: 3 }, {}, { column: 'id', values: [] })),
    ).toBe(0);
    const back = await db.dataSource.getRepository(Task).findOneByOrFail({ id: b.id });
    expect(back.closedAt).toEqual(closedAt);
    expect(back.priority).toBe(2);
  });

  it('refuses NULL as an equality (it would match nothing silently)', async () => {
    await expect(tasks.find(db.dataSource.manager, { assigneeId: null })).rejects.toThrow(/IS NULL/);
  });
});
