import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { PROCEDURES } from '../../machines';
import { AppModule } from '../app.module';
import type { AutoBlockPolicy } from '../catalog/reconciliation';
import { ReconciliationCaseOpener } from '../catalog/reconciliation/case-opener';
import type { AppConfig } from '../config/config';
import { openMigratedDatabase } from './open-database';

/** The database of a command that reconciles (npm run import, npm run reconcile), with the policy when it is set. */
export interface ReconciliationDatabase {
  ds: DataSource;
  /** RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS with the product's case opener; absent when the policy is off. */
  autoBlock?: AutoBlockPolicy;
  close(): Promise<void>;
}

/**
 * Opens the database as `npm start` leaves it (migrated). With the automatic blocking policy set, the command must
 * open 5.5 cases as the page does, so it boots the application's providers without serving or consuming queues
 * (like cases:migrate) and works on their data source (one connection pool: SQLite allows one writer); the running
 * application's relay carries the cases' effects (outbox) to the directory. Off (the default): just the database.
 */
export async function openReconciliationDatabase(config: AppConfig): Promise<ReconciliationDatabase> {
  const ds = await openMigratedDatabase(config);
  const dias = config.reconciliationAutoBlockDays;
  if (!dias) return { ds, close: () => ds.destroy() };
  await ds.destroy();
  const app = await NestFactory.createApplicationContext(
    AppModule.forRoot({ ...config, logLevel: 'warn' }, PROCEDURES, 'off'),
    { logger: ['error', 'warn'] },
  );
  return {
    ds: app.get(DataSource),
    autoBlock: { dias, open: app.get(ReconciliationCaseOpener).open },
    close: () => app.close(),
  };
}
