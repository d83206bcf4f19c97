import type { DataSource, EntityManager } from 'typeorm';

const queues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs `fn` in one database transaction. On SQLite TypeORM shares a single connection, so two transactions started
 * at once would interleave on it: they are queued here (the embedded default is one process). On MySQL/MariaDB each
 * transaction takes its own pooled connection and InnoDB's row locks do the ordering.
 */
export async function inTransaction<T>(ds: DataSource, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  if (ds.options.type !== 'better-sqlite3') return ds.transaction(fn);
  const previous = queues.get(ds) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => ds.transaction(fn));
  queues.set(
    ds,
    run.catch(() => undefined),
  );
  return run;
}
