import 'reflect-metadata';
import { createApp, warnIfEmpty } from './bootstrap';
import { ConfigError, loadConfig } from './config/config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const app = await createApp(config);
  await warnIfEmpty(app);
  await app.listen(config.port, config.host);
  console.log(`Mi Correo Institucional escucha en ${config.publicBaseUrl} (salud: /health, API: /api/docs)`);
}

main().catch((e: unknown) => {
  console.error('No se pudo iniciar Mi Correo Institucional:', e);
  process.exit(1);
});
