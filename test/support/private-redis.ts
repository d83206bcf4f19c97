import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { withoutTestClock } from './clock-env';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway redis-server for one suite (recipes/services.md §2): a free loopback port, a temp dir, no persistence.
 * Never the shared server on 6379; stopped by its own pid.
 */
export interface PrivateRedis {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? 'redis-server';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** One PING over a raw socket: true on +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock: Socket = connect({ host: '127.0.0.1', port });
    let got = '';
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.on('data', (b: Buffer) => {
      got += b.toString();
      if (got.includes('\r\n')) done(got.startsWith('+PONG'));
    });
  });
}

/** Starts redis-server or fails with what to install; it never skips. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  if (spawnSync('sh', ['-c', `command -v ${REDIS_SERVER}`]).status !== 0) {
    throw new Error(
      `No se encontró redis-server (${REDIS_SERVER}), necesario para las pruebas con colas en Redis. ` +
        'Instálelo con: apt-get install -y --no-install-recommends redis-server (o defina REDIS_SERVER_PATH).',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'mci-redis-'));
  const port = await freePort();
  // An empty argv element is how `--save ''` reaches redis-server: no snapshots; no AOF either.
  const child: ChildProcess = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--logfile', join(dir, 'redis.log')],
    // A server keeps the machine's clock, like the shared MariaDB: under `faketime` (the suites' moved-clock run) only
    // the product's processes move, and libfaketime's preload also breaks redis-server's allocator at start.
    { stdio: ['ignore', 'ignore', 'pipe'], env: withoutTestClock() },
  );
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-2000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server terminó al iniciar (código ${child.exitCode}): ${err}`);
    }
    if (await ping(port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server no respondió PING en 127.0.0.1:${port} en 10 s: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const pid = child.pid!;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

