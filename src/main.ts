import 'reflect-metadata';
import { createApp, warnIfEmpty } from './bootstrap';
import { exitOnStartupError, loadConfigOrExit } from './common/startup-error';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createApp(config);
  await warnIfEmpty(app);
  await app.listen(config.port, config.host);
  console.log(`Mi Correo Institucional escucha en ${config.publicBaseUrl} (salud: /health, API: /api/docs)`);
}

main().catch((e: unknown) => exitOnStartupError('No se pudo iniciar Mi Correo Institucional', e));
