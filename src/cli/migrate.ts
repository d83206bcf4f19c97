import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/config';
import { dataSourceOptions } from '../entities';
import { dialectOf } from '../database/data-source-options';
import { ensureMysqlDatabase } from '../database/ensure-database';
import { runMigrations } from '../database/migrate';

// npm run migration:run — the same migrations the app applies at boot, for deployments that migrate first.
async function main(): Promise<void> {
  const config = loadConfig();
  await ensureMysqlDatabase(config.databaseUrl);
  const ds = new DataSource(dataSourceOptions(config));
  await ds.initialize();
  const applied = await runMigrations(ds);
  await ds.destroy();
  const where = dialectOf(config.databaseUrl) === 'sqlite' ? 'SQLite' : 'MySQL/MariaDB';
  console.log(
    applied.length
      ? `Migraciones aplicadas en ${where}: ${applied.join(', ')}`
      : `La base de datos (${where}) ya está al día.`,
  );
}

main().catch((e: unknown) => {
  console.error(`No se pudieron aplicar las migraciones: ${(e as Error).message}`);
  process.exit(1);
});
