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
  /** The pid of the running server (it changes with restart). */
  readonly pid: number;
  /** Kills the server (SIGKILL) and starts a new, empty one on the same port: what a restart without persistence does. */
  restart(): Promise<void>;
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
  let child: ChildProcess;
  let exited: Promise<void>;

  const launch = async (): Promise<void> => {
    // An empty argv element is how `--save ''` reaches redis-server: no snapshots; no AOF either.
    const c: ChildProcess = spawn(
      REDIS_SERVER,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--logfile',
        join(dir, 'redis.log'),
      ],
      // A server keeps the machine's clock, like the shared MariaDB: under `faketime` (the suites' moved-clock run) only
      // the product's processes move, and libfaketime's preload also breaks redis-server's allocator at start.
      { stdio: ['ignore', 'ignore', 'pipe'], env: withoutTestClock() },
    );
    child = c;
    let err = '';
    c.stderr?.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-2000)));
    exited = new Promise<void>((r) => c.once('exit', () => r()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (c.exitCode !== null) throw new Error(`redis-server terminó al iniciar (código ${c.exitCode}): ${err}`);
      if (await ping(port)) return;
      if (Date.now() > deadline) {
        c.kill('SIGKILL');
        throw new Error(`redis-server no respondió PING en 127.0.0.1:${port} en 10 s: ${err}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const running = (): boolean => child.exitCode === null && child.signalCode === null;

  try {
    await launch();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child.pid!;
    },
    restart: async () => {
      // SIGKILL: nothing written anywhere (no persistence); the new server on the same port starts empty.
      if (running()) child.kill('SIGKILL');
      await exited;
      // The port was ours a moment ago; the kernel may take a moment to let go of it.
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          await launch();
          return;
        } catch (e) {
          if (Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    stop: async () => {
      if (running()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => running() && child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
