import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../entities';
import { type DataSourceSettings, dialectOf } from '../database/data-source-options';
import { ensureMysqlDatabase } from '../database/ensure-database';
import { runMigrations } from '../database/migrate';

/**
 * The database of a command, ready as `npm start` leaves it: the MySQL/MariaDB database created if the user may, the
 * pending migrations applied (runMigrations, the code the app runs at boot), so a command on a fresh embedded default
 * works instead of refusing an unmigrated file. `say` hears which migrations were applied, if any.
 */
export async function openMigratedDatabase(
  config: DataSourceSettings,
  say: (line: string) => void = (l) => console.error(l),
): Promise<DataSource> {
  await ensureMysqlDatabase(config.databaseUrl);
  const ds = new DataSource(dataSourceOptions(config));
  await ds.initialize();
  try {
    const applied = await runMigrations(ds);
    const where = dialectOf(config.databaseUrl) === 'sqlite' ? 'SQLite' : 'MySQL/MariaDB';
    if (applied.length > 0) say(`Migraciones aplicadas en ${where}: ${applied.join(', ')}`);
  } catch (e) {
    await ds.destroy();
    throw e;
  }
  return ds;
}
