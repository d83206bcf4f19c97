import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { LoggerModule } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { createApp } from '../../src/bootstrap';
import { loggerParams } from '../../src/common/logging';
import { type AppConfig, loadConfig } from '../../src/config/config';
import type { Dialect } from '../../src/database/data-source-options';
import { createTestDb, type TestDb } from '../support/test-db';

/** One row of the application's route table: what Express will dispatch, as it holds it once the app is built. */
export interface RouteRow {
  method: string;
  path: string;
}

export const routeKey = (r: RouteRow): string => `${r.method} ${r.path}`;

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: unknown[] };
  rawPath?: string;
  name?: string;
}

/**
 * Every route the running application answers, read from Express's router after Nest registered its controllers: a
 * new controller method appears here by itself. Middleware that matches every method and path (the request logger)
 * is not a route; a mounted sub-router (Bull Board, with Redis) is listed as `ALL <mount>/*`.
 */
export function routeTable(app: NestExpressApplication): RouteRow[] {
  const express = app.getHttpAdapter().getInstance() as {
    router?: { stack: ExpressLayer[] };
    _router?: { stack: ExpressLayer[] };
  };
  const stack = (express.router ?? express._router)?.stack ?? [];
  const out: RouteRow[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const methods = Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m]);
      if (layer.route.path.includes('{*path}') && methods.length > 10) continue; // middleware bound to every route
      for (const m of methods) if (m !== '_all') out.push({ method: m.toUpperCase(), path: layer.route.path });
    } else if (layer.name === 'router' && Array.isArray(layer.handle?.stack)) {
      out.push({ method: 'ALL', path: `${layer.rawPath ?? '?'}/*` });
    }
  }
  return out;
}

/** A line sink for the app's own pino logger (the same options as production, LOG_LEVEL=debug), for secret scans. */
export class LogCapture {
  readonly lines: string[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _enc, done) => {
      this.lines.push(chunk.toString());
      done();
    },
  });
  text(): string {
    return this.lines.join('');
  }
}

export interface FaultApp {
  app: NestExpressApplication;
  db: TestDb;
  config: AppConfig;
  close(): Promise<void>;
}

/**
 * The real web application (createApp: body parsers, validation, filters) on a fresh database of the given dialect.
 * With `logs`, every line the app's logger writes goes there instead of stdout (level `debug` unless env says).
 */
export async function faultApp(
  dialect: Dialect,
  env: Record<string, string> = {},
  logs?: LogCapture,
): Promise<FaultApp> {
  const db = await createTestDb(dialect);
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: logs ? 'debug' : 'silent',
    DATA_DIR: db.dataDir,
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
    ...env,
  });
  const forRoot = AppModule.forRoot.bind(AppModule);
  const spy = logs
    ? jest.spyOn(AppModule, 'forRoot').mockImplementation((cfg, ...rest) => {
        const mod = forRoot(cfg, ...rest);
        const params = loggerParams(cfg);
        const imports = (mod.imports ?? []).map((m) =>
          (m as DynamicModule).module === LoggerModule
            ? LoggerModule.forRoot({ ...params, pinoHttp: [params.pinoHttp as object, logs.stream] })
            : m,
        );
        return { ...mod, imports };
      })
    : undefined;
  let app: NestExpressApplication;
  try {
    app = await createApp(config);
    await app.init();
    // Nest buffers its own lines until the app listens (bufferLogs), as the real process does.
    await app.listen(0, '127.0.0.1');
  } catch (e) {
    await db.close();
    throw e;
  } finally {
    spy?.mockRestore();
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

/** Every table of the schema (entities), in a stable order. */
export function tablesOf(ds: DataSource): string[] {
  return [...new Set(ds.entityMetadatas.map((m) => m.tableName))].sort();
}

/**
 * What the database holds, table by table: the row count and a hash of every row (sorted), so an insert, a delete or
 * an update of any column of any table shows — but a session's end (`staff_session.expires_at`), which every request
 * of its holder moves forward, refused or not (the idle timeout). Small databases only (the fault suites' own).
 */
export async function dbState(ds: DataSource): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of tablesOf(ds)) {
    const rows = await ds.query<Record<string, unknown>[]>(`SELECT * FROM ${ds.driver.escape(t)}`);
    const lines = rows
      .map((r) =>
        JSON.stringify(
          Object.keys(r)
            .filter((k) => !(t === 'staff_session' && k === 'expires_at'))
            .sort()
            .map((k) => [k, r[k] instanceof Buffer ? (r[k] as Buffer).toString('hex') : r[k]]),
        ),
      )
      .sort();
    out[t] = `${rows.length}:${createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16)}`;
  }
  return out;
}

/** The tables whose state differs between two `dbState` snapshots. */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]);
}

/**
 * Whether a user-facing message reads as Spanish: not one of the framework's English defaults, and with the marks or
 * small words Spanish sentences have.
 */
export function readsSpanish(text: unknown): boolean {
  if (typeof text !== 'string' || text.trim().length < 4) return false;
  if (
    /\b(must|should|Cannot|Bad Request|Internal Server|Unexpected token|is not|Not Found|Forbidden|Unauthorized|Payload Too Large|Unsupported Media|Error:)\b/.test(
      text,
    )
  )
    return false;
  return /[áéíóúñ¿¡«»]|\b(el|la|los|las|de|del|no|su|sus|es|un|una|debe|que)\b/i.test(text);
}

/** A documentation address (RFC 5737) per request, so per-address limits never hide what a request would do. */
export function addressFor(n: number): string {
  return `198.51.${(n >> 8) & 255}.${n & 255}`;
}

/** The environment that points the product at a suite's private MariaDB, Redis, slapd (provider `ldap`) and SMTP sink. */
export function privateServicesEnv(s: {
  mdb: { url(db: string): string };
  redis: { url: string };
  slapd: { url: string; adminDN: string; adminPassword: string; peopleDN: string };
  smtpPort: number;
}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: s.mdb.url('mci'),
    REDIS_URL: s.redis.url,
    DIRECTORY_PROVIDER: 'ldap',
    LDAP_URL: s.slapd.url,
    LDAP_BIND_DN: s.slapd.adminDN,
    LDAP_BIND_PASSWORD: s.slapd.adminPassword,
    LDAP_BASE_DN: s.slapd.peopleDN,
    SMTP_URL: `smtp://127.0.0.1:${s.smtpPort}`,
  };
}
