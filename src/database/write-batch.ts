import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { SqlStatement } from './row-sql';

/** A statement of a WriteBatch marked `mustChange` changed no row: the row it guards is not as the caller read it. */
export class StaleRowError extends Error {
  constructor(readonly index: number) {
    super(`La sentencia ${index} del lote no cambió ninguna fila`);
  }
}

/** Whether `ds` is a MySQL/MariaDB pool opened with `multipleStatements` (data-source-options.ts). */
export function multiStatementPool(ds: DataSource): boolean {
  const extra = (ds.options as { extra?: { multipleStatements?: boolean } }).extra;
  return ds.options.type !== 'better-sqlite3' && extra?.multipleStatements === true;
}

/**
 * Several statements as one request when `multi` allows and there are several: the raw result of each, in order.
 * Undefined when they are to run one by one.
 */
async function oneRequest(
  runner: QueryRunner,
  multi: boolean,
  statements: readonly SqlStatement[],
): Promise<unknown[] | undefined> {
  if (!multi || statements.length < 2) return undefined;
  const res = await runner.query(
    statements.map((s) => s.text).join(';\n'),
    statements.flatMap((s) => s.params),
    true,
  );
  const parts = res.raw as unknown;
  if (!Array.isArray(parts) || parts.length !== statements.length)
    throw new Error('Respuesta inesperada de la base de datos a un lote de sentencias');
  return parts as unknown[];
}

/**
 * Writes of one transaction sent to the database together. On MySQL/MariaDB the statements go as one multi-statement
 * request (the pool is opened with `multipleStatements`, see data-source-options.ts): a transition's five writes
 * (case, movement, tasks, outbox) cost one round trip instead of five, and a round trip — a socket write that wakes
 * the server — is most of the engine's CPU per event there (profiled: ~40 %). On SQLite, which runs in-process and has
 * no round trips, they run one by one.
 *
 * Every value is a bound parameter (texts come from RowSql, built from entity metadata), exactly as when each
 * statement runs alone. The batch must run inside a transaction: a failure leaves the transaction to roll back.
 */
export class WriteBatch {
  private readonly items: { stmt: SqlStatement; mustChange: boolean }[] = [];

  constructor(readonly multiStatement: boolean) {}

  /** A batch for `ds`: one request per flush when its MySQL pool allows multiple statements, else one by one. */
  static for(ds: DataSource): WriteBatch {
    return new WriteBatch(multiStatementPool(ds));
  }

  /** Adds a statement (null: nothing to write). `mustChange`: the flush fails with StaleRowError if it changes no row. */
  add(stmt: SqlStatement | null, opts: { mustChange?: boolean } = {}): void {
    if (stmt) this.items.push({ stmt, mustChange: opts.mustChange ?? false });
  }

  get size(): number {
    return this.items.length;
  }

  /** Runs every statement in order on the transaction of `em`; the rows each changed. Empties the batch. */
  async flush(em: EntityManager): Promise<number[]> {
    const items = this.items.splice(0);
    if (!items.length) return [];
    const runner = em.queryRunner;
    if (!runner?.isTransactionActive) throw new Error('WriteBatch.flush fuera de una transacción');
    const together = await oneRequest(
      runner,
      this.multiStatement,
      items.map((i) => i.stmt),
    );
    let affected: number[];
    if (together) affected = together.map((p) => (p as { affectedRows?: number } | undefined)?.affectedRows ?? 0);
    else {
      affected = [];
      for (const [k, i] of items.entries()) {
        const res = await runner.query(i.stmt.text, i.stmt.params, true);
        affected.push(res.affected ?? 0);
        if (i.mustChange && !res.affected) throw new StaleRowError(k);
      }
    }
    items.forEach((i, k) => {
      if (i.mustChange && !affected[k]) throw new StaleRowError(k);
    });
    return affected;
  }
}

/**
 * Several SELECTs: one request on MySQL/MariaDB when `ds`'s pool allows multiple statements (the engine reads a case
 * and its open tasks in one round trip), else one after the other. In `em`'s transaction when it has one; otherwise
 * on a connection of their own, taken for them and given back. The raw records of each.
 */
export async function readTogether(
  ds: DataSource,
  em: EntityManager,
  statements: readonly SqlStatement[],
): Promise<unknown[][]> {
  const own = em.queryRunner ? undefined : ds.createQueryRunner();
  const runner = em.queryRunner ?? own!;
  try {
    const together = await oneRequest(runner, multiStatementPool(ds), statements);
    if (together) return together.map((r): unknown[] => (Array.isArray(r) ? (r as unknown[]) : []));
    const out: unknown[][] = [];
    for (const s of statements) {
      const res = await runner.query(s.text, s.params, true);
      out.push(Array.isArray(res.records) ? res.records : []);
    }
    return out;
  } finally {
    await own?.release();
  }
}

/** What a reader needs from the database: its SELECTs, and what their raw records (in order) become. */
export interface Read<T> {
  statements: readonly SqlStatement[];
  from(records: unknown[][]): T;
}

type ReadResults<R extends readonly Read<unknown>[]> = { [K in keyof R]: R[K] extends Read<infer T> ? T : never };

/**
 * Independent reads sent together (readTogether): the SELECTs of all of them in one request on MariaDB, each reader's
 * records handed back to it. A page's reads of the same moment cost one round trip and one connection, not one each:
 * on a machine shared with the database, every statement's socket write wakes a server thread that competes for the
 * same cores (profiled on the register's pages: the largest share of the web process's time). In `em`'s transaction
 * when it has one.
 */
export async function readAll<R extends readonly Read<unknown>[]>(
  ds: DataSource,
  reads: R,
  em: EntityManager = ds.manager,
): Promise<ReadResults<R>> {
  const read = readsAs(reads, (results) => results);
  return read.from(await readTogether(ds, em, read.statements));
}

/**
 * One Read of several: their statements, each reader handed its own records, then `finish` with what they became. A
 * service whose view takes several reads offers them as one, to be sent with a page's other reads (readAll).
 */
export function readsAs<R extends readonly Read<unknown>[], T>(
  reads: R,
  finish: (results: ReadResults<R>) => T,
): Read<T> {
  return {
    statements: reads.flatMap((r) => r.statements),
    from: (records) => {
      let at = 0;
      return finish(reads.map((r) => r.from(records.slice(at, (at += r.statements.length)))) as ReadResults<R>);
    },
  };
}
