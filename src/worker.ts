import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { PROCEDURES } from '../machines';
import { AppModule } from './app.module';
import { QUIET_START } from './bootstrap';
import { exitOnStartupError, loadConfigOrExit } from './common/startup-error';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './entities';
import { ensureMysqlDatabase } from './database/ensure-database';
import { addressOf, serveMetrics } from './health/metrics-server';
import { MetricsScrape } from './health/metrics-scrape.service';

/**
 * `npm run worker`: a process that runs the queue jobs (provisioning, mail, letters, reminders) against Redis.
 * Stateless: start as many as needed. Without REDIS_URL there is nothing to do here — the web process runs the jobs.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.redisUrl) {
    console.error(
      'El worker necesita REDIS_URL (p. ej. redis://127.0.0.1:6379). Sin Redis, `npm start` ejecuta los trabajos en el mismo proceso.',
    );
    process.exit(78);
  }
  await ensureMysqlDatabase(config.databaseUrl);
  // The web process (or `npm run migration:run`) migrates; a worker never races it. It only checks.
  const probe = new DataSource(dataSourceOptions(config));
  await probe.initialize();
  const pending = await probe.showMigrations();
  await probe.destroy();
  if (pending) {
    console.error(
      'La base de datos no está al día. Inicie primero el proceso web (npm run start:prod) o ejecute: npm run migration:run',
    );
    process.exit(78);
  }
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, PROCEDURES, 'worker'), QUIET_START);
  app.useLogger(app.get(Logger));
  app.flushLogs();
  app.enableShutdownHooks();
  await app.init();
  if (config.metricsPort !== undefined) {
    const server = await serveMetrics(app.get(MetricsScrape), config.metricsPort, config.host);
    console.log(`Métricas del worker en ${addressOf(server)} (Authorization: Bearer METRICS_TOKEN).`);
  }
  console.log('Worker de Mi Correo Institucional en marcha (colas en Redis).');
}

main().catch((e: unknown) => exitOnStartupError('No se pudo iniciar el worker', e));
