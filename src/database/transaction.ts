import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type DataSource,
  type EntityManager,
  type EntitySubscriberInterface,
  EventSubscriber,
  type QueryRunner,
} from 'typeorm';
import type { BeforeQueryEvent } from 'typeorm/subscriber/event/QueryEvent';
import type { TransactionStartEvent } from 'typeorm/subscriber/event/TransactionStartEvent';
import type { TransactionCommitEvent } from 'typeorm/subscriber/event/TransactionCommitEvent';
import type { TransactionRollbackEvent } from 'typeorm/subscriber/event/TransactionRollbackEvent';

/**
 * The one way to open a database transaction: `inTransaction(ds, fn)`. Lint forbids `.transaction(` and
 * `.startTransaction(` anywhere else in src/.
 *
 * Why it matters on SQLite: TypeORM's better-sqlite3 driver runs every statement of the process on one shared
 * connection. A statement issued while some transaction is open becomes part of that transaction (and reads its
 * uncommitted rows); a transaction opened meanwhile becomes a SAVEPOINT inside it. When the open transaction then rolls
 * back, work whose author saw it committed disappears. So on SQLite each data source gets a gate:
 * - a transaction opened by inTransaction holds the gate from BEGIN to COMMIT/ROLLBACK; the statements of its callback
 *   run in its async context (AsyncLocalStorage) and pass;
 * - any other statement (a plain insert, a read, a CLI's query) waits for the gate and holds it for that one statement;
 * - a transaction TypeORM opens by itself (`save()` outside inTransaction, migrations) holds the gate from its start to
 *   its end; statements not in an inTransaction context pass while it is open (they can only be its own: everything
 *   else in src/ opens transactions through inTransaction).
 * On MySQL/MariaDB each transaction takes its own pooled connection and InnoDB's locks do the ordering; the gate is not
 * installed there. On both, a transaction opened inside another (which on SQLite would wait for itself forever, and on
 * MySQL would commit independently of its parent) is refused at once.
 */
export async function inTransaction<T>(ds: DataSource, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  const current = context.getStore();
  if (current?.active === true && current.ds === ds) {
    throw new Error(
      'Se intentó abrir una transacción dentro de otra sobre la misma base de datos: use el EntityManager de la ' +
        'transacción abierta (error de programación).',
    );
  }
  const owner: Holder = { kind: 'transaction', ds, active: true };
  const gate = ds.options.type === 'better-sqlite3' ? gateOf(ds) : undefined;
  if (gate) await gate.acquire(owner);
  let result: T;
  try {
    // eslint-disable-next-line no-restricted-syntax -- the one place that opens transactions
    result = await context.run(owner, () => ds.transaction(fn));
  } finally {
    owner.active = false;
    gate?.release(owner);
  }
  // Committed (a rollback threw above, and its callbacks are dropped with the holder).
  for (const callback of owner.afterCommit ?? []) {
    try {
      context.exit(callback);
    } catch {
      // A callback only signals (wakes a relay); its failure must not turn a committed transaction into an error.
    }
  }
  return result;
}

/**
 * Runs `fn` once the transaction `em` writes in has committed: registered on the open inTransaction transaction of
 * this async context (dropped if it rolls back), or run at once when there is none (what `em` wrote is already
 * committed). `fn` runs outside the transaction's context, synchronously after COMMIT: it should only signal (wake a
 * relay), not do work of its own. A throwing `fn` is ignored.
 */
export function afterCommit(em: EntityManager, fn: () => void): void {
  const mine = ownTransaction(em.connection);
  if (mine !== undefined) {
    (mine.afterCommit ??= []).push(fn);
    return;
  }
  try {
    fn();
  } catch {
    // as above: a signal only
  }
}

/**
 * Runs `fn` (which may open its own transaction) as work that does not belong to the transaction the caller is in:
 * for work started from inside a transaction and not awaited there (it runs after that transaction ends, on its own).
 */
export function outsideTransaction<T>(fn: () => T): T {
  return context.exit(fn);
}

/**
 * Who holds a gate: a transaction of inTransaction (its async context carries it; `active` ends with the transaction,
 * since continuations may outlive it), one statement from elsewhere, or a transaction TypeORM opened by itself.
 */
interface Holder {
  kind: 'transaction' | 'statement' | 'implicit';
  ds: DataSource;
  active: boolean;
  /** What afterCommit registered on this transaction, run after its COMMIT. */
  afterCommit?: (() => void)[];
}

const context = new AsyncLocalStorage<Holder>();

/** A FIFO lock: one transaction or one statement at a time on a shared SQLite connection. */
class SqliteGate {
  holder: Holder | null = null;
  private readonly waiting: Array<{ holder: Holder; grant: () => void }> = [];

  acquire(holder: Holder): Promise<void> {
    if (this.holder === null && this.waiting.length === 0) {
      this.holder = holder;
      return Promise.resolve();
    }
    return new Promise((grant) => this.waiting.push({ holder, grant }));
  }

  release(holder: Holder): void {
    if (this.holder !== holder) return;
    const next = this.waiting.shift();
    this.holder = next?.holder ?? null;
    next?.grant();
  }
}

const gates = new WeakMap<DataSource, SqliteGate>();

function gateOf(ds: DataSource): SqliteGate {
  let gate = gates.get(ds);
  if (!gate) {
    gate = new SqliteGate();
    gates.set(ds, gate);
  }
  return gate;
}

/** The inTransaction transaction this async context runs in, if it is still open. */
function ownTransaction(ds: DataSource): Holder | undefined {
  const mine = context.getStore();
  return mine !== undefined && mine.active && mine.ds === ds ? mine : undefined;
}

/**
 * Puts every statement and every transaction of an SQLite data source through its gate (see inTransaction).
 * Registered by the options factory on SQLite data sources; TypeORM awaits `beforeQuery` and `beforeTransactionStart`
 * and calls `afterQuery` whether the statement succeeded or failed.
 */
@EventSubscriber()
export class SqliteConnectionGate implements EntitySubscriberInterface {
  async beforeQuery(event: BeforeQueryEvent): Promise<void> {
    const gate = gateOf(event.dataSource);
    const mine = ownTransaction(event.dataSource);
    if (mine !== undefined && gate.holder === mine) return;
    // A transaction TypeORM opened by itself: statements outside every inTransaction can only be its own.
    if (mine === undefined && gate.holder?.kind === 'implicit') return;
    await gate.acquire({ kind: 'statement', ds: event.dataSource, active: true });
  }

  afterQuery(event: { dataSource: DataSource }): void {
    // While a statement holds the gate nothing else runs, so the statement that just ran is the holder.
    const gate = gateOf(event.dataSource);
    if (gate.holder?.kind === 'statement') gate.release(gate.holder);
  }

  async beforeTransactionStart(event: TransactionStartEvent): Promise<void> {
    if (ownTransaction(event.dataSource) !== undefined) return; // inTransaction already holds the gate
    await gateOf(event.dataSource).acquire({ kind: 'implicit', ds: event.dataSource, active: true });
    // A transaction that ended while this one waited cleared the shared runner's flag that TypeORM set before asking.
    (event.queryRunner as { isTransactionActive: boolean }).isTransactionActive = true;
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    this.endImplicit(event.dataSource, event.queryRunner);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.endImplicit(event.dataSource, event.queryRunner);
  }

  private endImplicit(ds: DataSource, queryRunner: QueryRunner): void {
    const gate = gateOf(ds);
    if (gate.holder?.kind === 'implicit' && !queryRunner.isTransactionActive) gate.release(gate.holder);
  }
}
