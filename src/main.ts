import 'reflect-metadata';
import { createApp, warnIfEmpty } from './bootstrap';
import { loadConfigOrExit } from './config/config';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createApp(config);
  await warnIfEmpty(app);
  await app.listen(config.port, config.host);
  console.log(`Mi Correo Institucional escucha en ${config.publicBaseUrl} (salud: /health, API: /api/docs)`);
}

main().catch((e: unknown) => {
  console.error('No se pudo iniciar Mi Correo Institucional:', e);
  process.exit(1);
});
