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
 * Several SELECTs of one transaction: one request on MySQL/MariaDB when `ds`'s pool allows multiple statements (the
 * engine reads a case and its open tasks in one round trip), else one after the other. The raw records of each.
 */
export async function readTogether(
  ds: DataSource,
  em: EntityManager,
  statements: readonly SqlStatement[],
): Promise<unknown[][]> {
  const runner = em.queryRunner;
  if (!runner) throw new Error('readTogether fuera de una transacción');
  const together = await oneRequest(runner, multiStatementPool(ds), statements);
  if (together) return together.map((r): unknown[] => (Array.isArray(r) ? (r as unknown[]) : []));
  const out: unknown[][] = [];
  for (const s of statements) {
    const res = await runner.query(s.text, s.params, true);
    out.push(Array.isArray(res.records) ? res.records : []);
  }
  return out;
}
