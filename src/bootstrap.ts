import { type INestApplication, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { mountBullBoard } from './admin/bull-board';
import { apiBodiesAreJson } from './auth/csrf';
import { AppModule } from './app.module';
import { useBodyParsers } from './common/body-parsers';
import { ErrorFilter } from './common/error.filter';
import { identityOf } from './render/identity';
import { httpMetrics } from './health/http-metrics';
import { createValidationPipe } from './common/validation';
import type { AppConfig } from './config/config';
import { dialectOf } from './database/data-source-options';
import { ensureMysqlDatabase } from './database/ensure-database';
import { runMigrations } from './database/migrate';
import type { EngineProcedure } from './engine/procedure-registry';
import type { QueueRole } from './queue/queue-runtime.service';
import { PROCEDURES } from '../machines';

const PROCEDURE_CATALOG = PROCEDURES as unknown as EngineProcedure[];

/**
 * Nest's start-up options for both entry points: a failing provider (e.g. an expired signing certificate) is thrown
 * to the caller, which prints one clean message, instead of Nest printing its coloured stack and exiting on its own.
 * Logs wait in a buffer until the structured logger takes them.
 */
export const QUIET_START = { bufferLogs: true, autoFlushLogs: false, abortOnError: false } as const;

/** Builds the web application: migrations applied, security headers, validation, errors, OpenAPI. Not listening yet. */
export interface AppOptions {
  /** The procedure catalog; defaults to every machine in machines/. Tests pass their own. */
  procedures?: EngineProcedure[];
  /** What this process does with the queues (default: web, or all-in-one without Redis); `off` for a benchmark of the web process alone. */
  queueRole?: QueueRole;
}

export async function createApp(config: AppConfig, opts: AppOptions = {}): Promise<NestExpressApplication> {
  await ensureMysqlDatabase(config.databaseUrl);
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, opts.procedures ?? PROCEDURE_CATALOG, opts.queueRole),
    QUIET_START,
  );
  app.useLogger(app.get(Logger));
  app.flushLogs();
  app.use(httpMetrics);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'img-src': ["'self'", 'data:'],
          'script-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
        },
      },
      // The referrer goes to our own pages only (never to another site): a form posted after the session expired
      // brings the person back to the page it was posted from once they sign in again (src/web/page-auth.ts).
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  // Before the body parsers: the JSON API never reads a form body (CSRF, see src/auth/csrf.ts).
  app.use('/api', apiBodiesAreJson);
  useBodyParsers(app);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorFilter(identityOf(config.institution)));
  app.enableShutdownHooks();
  app.set('trust proxy', config.trustProxy);

  const applied = await runMigrations(app.get(DataSource));
  const log = new NestLogger('Arranque');
  if (applied.length) log.log(`Migraciones aplicadas (${dialectOf(config.databaseUrl)}): ${applied.join(', ')}`);

  const doc = new DocumentBuilder()
    .setTitle('Mi Correo Institucional')
    .setDescription(
      'API de oficios, procedimientos y cuentas de correo institucional ' +
        `(${config.institution.shortName} ${config.institution.stateName})`,
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, doc));
  mountBullBoard(app);
  return app;
}

/** Tells the newcomer what to do when the database has no catalog yet. */
export async function warnIfEmpty(app: INestApplication): Promise<void> {
  const rows: { n: number | string }[] = await app.get(DataSource).query('SELECT COUNT(*) AS n FROM staff_user');
  if (Number(rows[0]?.n ?? 0) === 0) {
    new NestLogger('Arranque').warn(
      'La base de datos no tiene usuarios ni catálogos. Para probar el sistema con datos de demostración ejecute: npm run seed:demo ' +
        '(o importe los catálogos reales: npm run import -- trabajadores ARCHIVO.csv / npm run import -- centros ARCHIVO.csv).',
    );
  }
}
