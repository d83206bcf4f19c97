import type { DataSource } from 'typeorm';
import { withoutQueryTimeout } from './bounded-mysql';

/**
 * Applies pending migrations of the connection's dialect, each in its own transaction; returns their names. With no
 * statement timeout: an ALTER TABLE on a big table may take minutes, and cutting it half-way helps no one.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const done = await withoutQueryTimeout(() => dataSource.runMigrations({ transaction: 'each' }));
  return done.map((m) => m.name);
}
