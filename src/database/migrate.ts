import type { DataSource } from 'typeorm';
import { withoutQueryTimeout } from './bounded-mysql';

/** How long a process waits for another one's migrations before it gives up (seconds). */
const LOCK_WAIT_S = 900;

/**
 * Applies pending migrations of the connection's dialect, each in its own transaction; returns their names. With no
 * statement timeout: an ALTER TABLE on a big table may take minutes, and cutting it half-way helps no one.
 *
 * On MySQL/MariaDB, under a named lock of the server (GET_LOCK, per database): several web processes started at once
 * (a deployment, compose's two webs) apply them one at a time; the ones that waited find nothing left to apply. Without
 * it both read the same pending list and the second fails on tables the first has just created. SQLite has one writer
 * per file and takes the migrations in one process anyway.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  return withoutQueryTimeout(() =>
    underMigrationLock(dataSource, async () => {
      const done = await dataSource.runMigrations({ transaction: 'each' });
      return done.map((m) => m.name);
    }),
  );
}

async function underMigrationLock<T>(ds: DataSource, fn: () => Promise<T>): Promise<T> {
  if (ds.options.type !== 'mysql' && ds.options.type !== 'mariadb') return fn();
  // A connection of its own holds the lock while the migrations use others of the pool; the lock ends with it.
  const runner = ds.createQueryRunner();
  await runner.connect();
  const name = `mci_migraciones:${ds.driver.database ?? ''}`.slice(0, 64);
  try {
    const [row] = (await runner.query('SELECT GET_LOCK(?, ?) AS got', [name, LOCK_WAIT_S])) as { got: unknown }[];
    if (Number(row?.got) !== 1)
      throw new Error(
        `Otro proceso aplica las migraciones de esta base desde hace más de ${LOCK_WAIT_S / 60} minutos. ` +
          'Revise que haya terminado (SHOW PROCESSLIST) y vuelva a iniciar este proceso.',
      );
    try {
      return await fn();
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [name]).catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}
