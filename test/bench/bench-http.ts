import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Actor } from '../../src/auth/actor';
import type { StaffRole } from '../../src/auth/staff-roles';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/config';
import { createStaff, STAFF_PASSWORD } from '../support/staff';
import { BENCH_MYSQL_URL, type BenchDb } from './bench-db';
import type { ServerReady } from './http-server';
import { measure, type MeasureOptions, type Summary, summarize } from './stats';

export const SUBJEFATURA: Actor = { id: 'u-subjefatura-1', role: 'subjefatura' };
export const NIVEL: Actor = { id: 'u-nivel-primaria', role: 'nivel', nivelClave: 'PRIMARIA' };
/** The responsable signed in for HTTP: the generator's responsable users are u-responsable-1 … 40. */
export const RESPONSABLE_1: Actor = { id: 'u-responsable-1', role: 'responsable' };

/** Untimed requests before a page's figures, after the first filter of its path. */
const WARMUP = 50;
/**
 * Untimed requests before the first filter of each path (/tablero, /oficios, /api/bandeja…): a fresh web process
 * answers its first thousands of requests of a page slower. Four rounds of 1,500 dashboard requests to a fresh process
 * took 8.8, 7.5, 6.7 and 5.9 ms at the median (100,000 cases), and with 50 the first filter of each page was the
 * slowest of its kind in the national runs.
 */
const FIRST_WARMUP = 3000;

/** How many untimed requests go before the figures of `url`: FIRST_WARMUP the first time its path is met, else WARMUP. */
export function httpWarmups(): (url: string) => number {
  const seen = new Set<string>();
  return (url) => {
    const path = url.split('?')[0];
    if (seen.has(path)) return WARMUP;
    seen.add(path);
    return FIRST_WARMUP;
  };
}

/**
 * The least a signed-in request costs: GET /api/auth/yo reads the session (the one statement every signed-in page
 * reads too), runs the guards and answers a small JSON. Requested after each timed request of a page (`after`), on
 * the same connection and web process, it meets the same moment of the machine: a page's p95 beside its floor's tells
 * what the page adds from what the machine's load adds to any request (a 2-core box shared by the web process, the
 * database and the bench's client, where the same code met the goal on 44 of 49 pages in one hour and 20 of 52 in
 * another).
 */
export const FLOOR_PATH = '/api/auth/yo';

/**
 * `GET url` timed as `opts` says (its status checked: anything but 200 ends the measure), each request followed by one
 * of the floor's, timed apart; the progress line finished with both. The floor's requests that followed the untimed
 * ones are left out, as those are.
 */
export async function measureGet(
  http: HttpTarget,
  actor: Actor,
  url: string,
  opts: MeasureOptions,
): Promise<Awaited<ReturnType<typeof measure>> & { floor: Summary }> {
  const get = async (path: string): Promise<void> => {
    const r = await http.get(path, actor);
    if (r.status !== 200) throw new Error(`GET ${path} respondió ${r.status}`);
  };
  const floorSamples: number[] = [];
  const measured = await measure(opts, () => get(url), {
    after: async () => {
      const t0 = performance.now();
      await get(FLOOR_PATH);
      floorSamples.push(performance.now() - t0);
    },
  });
  const floor = summarize(floorSamples.slice(opts.warmup ?? 0), opts.unit);
  opts.progress?.finish(
    `mediana ${measured.summary.medianMs} ms, p95 ${measured.summary.p95Ms} ms (piso ${FLOOR_PATH}: p95 ${floor.p95Ms} ms)`,
  );
  return { ...measured, floor };
}

/** The real application on the bench database, listening on a loopback port, with a signed-in user per actor. */
export interface HttpTarget {
  base: string;
  tokenOf(actor: Actor): string | undefined;
  get(path: string, actor: Actor): Promise<HttpAnswer>;
  post(path: string, actor: Actor, body: unknown): Promise<HttpAnswer>;
  /** A provider of the running application (its services, its DataSource). */
  service<T>(token: Type<T>): T;
  close(): Promise<void>;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

export interface HttpOptions {
  /**
   * The server the requests go to runs in a process of its own (test/bench/http-server.ts), as in production; the
   * in-process application still answers `service()`. Without it, the bench's client, its data and its garbage
   * collections share the server's process and thread, and a pause of either is counted in the server's latency.
   */
  ownProcess?: boolean;
}

/**
 * Starts the application on the benchmark's database (the same SQLite file, or the same MariaDB database) as a web
 * process that leaves the queues to others (`queueRole: 'off'`: effects the transitions declare wait in the outbox,
 * nothing runs them during the measurement), signs in `users`, and talks to it over keep-alive connections, at most
 * `sockets` at once (node:http: lighter than fetch in the process that also runs the server it measures).
 */
export async function startHttp(
  db: BenchDb,
  users: [Actor, string][],
  sockets = 1,
  opts: HttpOptions = {},
): Promise<HttpTarget> {
  const ownDir = db.sqlite ? undefined : mkdtempSync(join(tmpdir(), 'mci-bench-app-'));
  let env: Record<string, string>;
  if (db.sqlite) {
    const file = String((db.dataSource.options as { database?: unknown }).database);
    if (basename(file) !== 'mci.sqlite')
      throw new Error(`La base SQLite del benchmark no es la que abre la aplicación: ${file}`);
    env = { DATA_DIR: dirname(file) };
  } else {
    const name = String(db.dataSource.driver.database);
    env = { DATA_DIR: ownDir!, DATABASE_URL: `${BENCH_MYSQL_URL.replace(/^mysql:/, 'mariadb:')}/${name}` };
  }
  const appEnv = { NODE_ENV: 'test', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent', ...env };
  const app: NestExpressApplication = await createApp(loadConfig(appEnv), { queueRole: 'off' });
  let server: ChildProcess | undefined;
  let base: string;
  try {
    if (opts.ownProcess) {
      const started = await serverProcess(appEnv);
      server = started.child;
      base = started.base;
      await app.init();
    } else {
      await app.listen(0, '127.0.0.1');
      base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    }
  } catch (e) {
    // A server that did not start leaves nothing open behind it: the bench reports the error and goes on or ends.
    if (server) await stopServer(server);
    await app.close();
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    throw e;
  }
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const tokens = new Map<string, string>();
  for (const [actor, usuario] of users) {
    await createStaff(db.dataSource, usuario, actor.role as StaffRole, {
      id: actor.id,
      nivelClave: actor.nivelClave ?? null,
    });
    const res = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ usuario, contrasena: STAFF_PASSWORD }),
    });
    if (res.status !== 200) throw new Error(`No se pudo iniciar sesión como ${usuario}: HTTP ${res.status}`);
    tokens.set(actor.id, ((await res.json()) as { token: string }).token);
  }
  const tokenFor = (actor: Actor): string => {
    const t = tokens.get(actor.id);
    if (!t) throw new Error(`Sin sesión para ${actor.id}`);
    return t;
  };
  return {
    base,
    tokenOf: (actor) => tokens.get(actor.id),
    get: (path, actor) => sendJson(agent, `${base}${path}`, 'GET', tokenFor(actor)),
    post: (path, actor, body) => sendJson(agent, `${base}${path}`, 'POST', tokenFor(actor), JSON.stringify(body)),
    service: (token) => app.get(token),
    close: async () => {
      agent.destroy();
      if (server) await stopServer(server);
      await app.close();
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}

/** Forks test/bench/http-server.ts with the application's environment and waits (up to 2 min) for its address. */
function serverProcess(appEnv: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const child = fork(join(__dirname, 'http-server.ts'), [], {
    execArgv: ['-r', join(__dirname, '..', '..', 'scripts', 'register.js')],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TZ: process.env.TZ ?? 'UTC', ...appEnv },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('El servidor del benchmark no respondió en 2 min; revise su salida de error arriba.'));
    }, 120_000);
    child.once('message', (m: ServerReady) => {
      clearTimeout(timer);
      resolve({ child, base: m.ready });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`El servidor del benchmark terminó al arrancar (código ${code}); revise su salida de error.`));
    });
  });
}

/** Closes the IPC channel (the server closes itself on it), then waits for the exit; killed after 30 s. */
function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.disconnect();
  });
}

export function sendJson(
  agent: Agent,
  url: string,
  method: string,
  token: string,
  body?: string,
  retry = true,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const req = httpRequest(url, { agent, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // The server closes a keep-alive connection idle for 5 s (between two cases): a request that raced that close is
    // sent again once on a new connection (the pattern Node's documentation gives for reused sockets). Only a GET: a
    // POST that may have arrived is not sent twice.
    req.on('error', (e: NodeJS.ErrnoException) =>
      retry && method === 'GET' && req.reusedSocket && e.code === 'ECONNRESET'
        ? resolve(sendJson(agent, url, method, token, body, false))
        : reject(e),
    );
    req.end(body);
  });
}
