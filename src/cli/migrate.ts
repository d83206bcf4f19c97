import 'reflect-metadata';
import { loadConfig } from '../config/config';
import { dialectOf } from '../database/data-source-options';
import { openMigratedDatabase } from './open-database';

// npm run migration:run — the same migrations the app applies at boot, for deployments that migrate first.
async function main(): Promise<void> {
  const config = loadConfig();
  let applied = false;
  const ds = await openMigratedDatabase(config, (line) => {
    applied = true;
    console.log(line);
  });
  await ds.destroy();
  const where = dialectOf(config.databaseUrl) === 'sqlite' ? 'SQLite' : 'MySQL/MariaDB';
  if (!applied) console.log(`La base de datos (${where}) ya está al día.`);
}

main().catch((e: unknown) => {
  console.error(`No se pudieron aplicar las migraciones: ${(e as Error).message}`);
  process.exit(1);
});
