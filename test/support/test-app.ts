import type { NestExpressApplication } from '@nestjs/platform-express';
import { type AppOptions, createApp } from '../../src/bootstrap';
import { type AppConfig, loadConfig } from '../../src/config/config';
import { createTestDb, type TestDb } from './test-db';

export interface TestApp {
  app: NestExpressApplication;
  db: TestDb;
  config: AppConfig;
  close(): Promise<void>;
}

/** The real web application on a fresh database of the suite's dialect (SQLite or MariaDB), quiet logs. */
export async function createTestApp(env: Record<string, string> = {}, opts: AppOptions = {}): Promise<TestApp> {
  const db = await createTestDb();
  // The app opens its own connection; the suite's DataSource stays available for assertions.
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: db.dataDir,
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
    ...env,
  });
  let app: NestExpressApplication;
  try {
    app = await createApp(config, opts);
    await app.init();
  } catch (e) {
    await db.close();
    throw e;
  }
  return {
    app,
    db,
    config,
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}
