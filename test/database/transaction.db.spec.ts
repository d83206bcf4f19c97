import { Nivel } from '../../src/catalog/entities/nivel.entity';
import { inTransaction } from '../../src/database/transaction';
import { createTestDb, type TestDb } from '../support/test-db';

/**
 * On SQLite every statement of the process runs on one shared connection: a statement issued while another transaction
 * is open would become part of it, and a transaction opened inside it a SAVEPOINT of it. Whatever that transaction does
 * next (roll back) would then undo work its author had seen committed. These tests hold a transaction open, write from
 * elsewhere, roll the open one back and check the other write survived — on MariaDB too, where it is the pool's job.
 */
describe('one way to open a transaction', () => {
  let db: TestDb;
  beforeEach(async () => {
    db = await createTestDb();
  });
  afterEach(async () => db?.close());

  const nivel = (clave: string): Nivel => Object.assign(new Nivel(), { clave, nombre: clave });
  const claves = async (): Promise<string[]> =>
    (await db.dataSource.getRepository(Nivel).find({ order: { clave: 'ASC' } })).map((n) => n.clave);

  /** Opens a transaction that inserts `clave`, waits for `hold`, then rolls back. Resolves `inside` once it wrote. */
  function rollingBack(clave: string): { inside: Promise<void>; release: () => void; done: Promise<unknown> } {
    let release!: () => void;
    let wrote!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const inside = new Promise<void>((r) => (wrote = r));
    const done = inTransaction(db.dataSource, async (em) => {
      await em.insert(Nivel, nivel(clave));
      wrote();
      await hold;
      throw new Error('rollback on purpose');
    }).catch((e: Error) => e);
    return { inside, release, done };
  }

  it('a plain write made while another transaction is open is not undone by its rollback', async () => {
    const open = rollingBack('UNDONE');
    await open.inside;
    const write = db.dataSource.getRepository(Nivel).insert(nivel('KEPT'));
    // Let the write reach the connection before the other transaction ends.
    await new Promise((r) => setTimeout(r, 50));
    open.release();
    await Promise.all([open.done, write]);
    expect(await claves()).toEqual(['KEPT']);
  });

  it('a transaction that commits while another is open is not undone by the other one’s rollback', async () => {
    const open = rollingBack('UNDONE');
    await open.inside;
    const committed = inTransaction(db.dataSource, async (em) => {
      await em.insert(Nivel, nivel('KEPT'));
      await em.insert(Nivel, nivel('KEPT_2'));
    });
    await new Promise((r) => setTimeout(r, 50));
    open.release();
    await Promise.all([open.done, committed]);
    expect(await claves()).toEqual(['KEPT', 'KEPT_2']);
  });

  it('a save outside any transaction (TypeORM opens its own) is not undone by another transaction’s rollback', async () => {
    const open = rollingBack('UNDONE');
    await open.inside;
    const saved = db.dataSource.getRepository(Nivel).save([nivel('KEPT'), nivel('KEPT_2')]);
    await new Promise((r) => setTimeout(r, 50));
    open.release();
    await Promise.all([open.done, saved]);
    expect(await claves()).toEqual(['KEPT', 'KEPT_2']);
  });

  it('a transaction opened with TypeORM directly is not made a savepoint of another one', async () => {
    const open = rollingBack('UNDONE');
    await open.inside;
    const direct = db.dataSource.transaction(async (em) => {
      await em.insert(Nivel, nivel('KEPT'));
    });
    await new Promise((r) => setTimeout(r, 50));
    open.release();
    await Promise.all([open.done, direct]);
    expect(await claves()).toEqual(['KEPT']);
  });

  it('a read made while another transaction is open does not see its uncommitted rows', async () => {
    const open = rollingBack('UNCOMMITTED');
    await open.inside;
    const read = claves();
    await new Promise((r) => setTimeout(r, 50));
    open.release();
    await open.done;
    expect(await read).toEqual([]);
  });

  it('many transactions and plain writes interleaved: every committed one stays, every rolled back one goes', async () => {
    const work: Promise<unknown>[] = [];
    const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    for (let i = 0; i < 30; i++) {
      const clave = `N${String(i).padStart(2, '0')}`;
      work.push(
        pause(i % 3 === 0 ? i : i % 5).then((): Promise<unknown> =>
          i % 3 === 0
            ? db.dataSource.getRepository(Nivel).insert(nivel(clave))
            : inTransaction(db.dataSource, async (em) => {
                await em.insert(Nivel, nivel(clave));
                await pause(i % 3 === 2 ? 8 : 1);
                if (i % 3 === 2) throw new Error('rollback');
              }).catch(() => undefined),
        ),
      );
    }
    await Promise.all(work);
    const expected = Array.from({ length: 30 }, (_, i) => i)
      .filter((i) => i % 3 !== 2)
      .map((i) => `N${String(i).padStart(2, '0')}`);
    expect(await claves()).toEqual(expected);
  });

  it('a transaction opened inside another one fails at once, in Spanish, instead of waiting for itself', async () => {
    await expect(
      inTransaction(db.dataSource, async () => inTransaction(db.dataSource, async () => 'never')),
    ).rejects.toThrow(/transacción dentro de otra/);
    // The outer one rolled back and the connection is usable.
    await inTransaction(db.dataSource, (em) => em.insert(Nivel, nivel('AFTER')));
    expect(await claves()).toEqual(['AFTER']);
  });

  it('work started inside a transaction that outlives it does not slip into the next one', async () => {
    let late!: Promise<unknown>;
    let startLate!: () => void;
    const go = new Promise<void>((r) => (startLate = r));
    await inTransaction(db.dataSource, async (em) => {
      await em.insert(Nivel, nivel('FIRST'));
      // A fire-and-forget continuation carries this transaction's async context past its end.
      late = go.then(() => db.dataSource.getRepository(Nivel).insert(nivel('LATE')));
    });
    const open = rollingBack('UNDONE');
    await open.inside;
    startLate();
    await new Promise((r) => setTimeout(r, 50));
    open.release();
    await Promise.all([open.done, late]);
    expect(await claves()).toEqual(['FIRST', 'LATE']);
  });
});
