import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { withoutTestClock } from './clock-env';
import { freePort } from './private-redis';

/**
 * A throwaway mariadbd for one suite (recipes/services.md §1): its own datadir in a temp folder, a free loopback port,
 * root without a password. Never the shared server on 3306; signalled and stopped by its own pid only. It can be
 * frozen (SIGSTOP), thawed (SIGCONT), killed (SIGKILL) and started again on the same datadir and port.
 */
export interface PrivateMariadb {
  port: number;
  dir: string;
  /** The pid of the running server (it changes with restart). */
  pid(): number;
  /** `mariadb://root@127.0.0.1:PORT/<database>`, for DATABASE_URL. */
  url(database: string): string;
  /** Sends a signal to this server only (SIGSTOP, SIGCONT, SIGKILL). */
  signal(sig: NodeJS.Signals): void;
  /** Resolves once the server process has ended. */
  exited(): Promise<void>;
  /** Starts the server again on the same datadir and port (after it ended); resolves when it accepts a login. */
  restart(): Promise<void>;
  /** Ends the server (thawed first if frozen) and removes its datadir. */
  stop(): Promise<void>;
}

const MARIADBD = process.env.MARIADBD_PATH ?? 'mariadbd';
const INSTALL_DB = process.env.MARIADB_INSTALL_DB_PATH ?? 'mariadb-install-db';
const READY_TIMEOUT_MS = 60_000;

const live = new Set<ChildProcess>();
// A test process that dies without its afterAll must not leave servers behind.
process.once('exit', () => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** `--no-defaults` first: otherwise mariadbd reads /etc/mysql and the shared server's pid file. As root it needs --user. */
const baseArgs = (dir: string): string[] => [
  '--no-defaults',
  ...(process.getuid?.() === 0 ? ['--user=root'] : []),
  `--datadir=${dir}`,
];

/** Whether root can log in and run a statement: `mariadb-admin ping` answers yes even to a refused login. */
async function acceptsLogin(port: number): Promise<boolean> {
  try {
    const conn = await createConnection({ host: '127.0.0.1', port, user: 'root', password: '', connectTimeout: 1000 });
    try {
      await conn.query('SELECT 1');
      return true;
    } finally {
      conn.destroy();
    }
  } catch {
    return false;
  }
}

/** Makes the datadir and starts mariadbd on it; fails with what to install, never skips. */
export async function startPrivateMariadb(): Promise<PrivateMariadb> {
  for (const bin of [MARIADBD, INSTALL_DB]) {
    if (
      spawnSync('sh', ['-c', `command -v ${bin}`], { env: { PATH: `${process.env.PATH ?? ''}:/usr/sbin` } }).status !==
      0
    ) {
      throw new Error(
        `No se encontró ${bin}, necesario para las pruebas de caída de la base de datos. ` +
          'Instálelo con: apt-get install -y mariadb-server (o defina MARIADBD_PATH / MARIADB_INSTALL_DB_PATH).',
      );
    }
  }
  // A short path: the Unix socket under it must stay below 108 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'mci-mdb-'));
  const env = { ...withoutTestClock(), PATH: `${process.env.PATH ?? ''}:/usr/sbin` };
  const install = spawnSync(
    INSTALL_DB,
    [...baseArgs(dir), '--auth-root-authentication-method=normal', '--skip-test-db', '--innodb-log-file-size=16M'],
    { env, encoding: 'utf8' },
  );
  if (install.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`mariadb-install-db falló (código ${install.status}): ${install.stderr || install.stdout}`);
  }
  const port = await freePort();
  let child: ChildProcess;
  let exited: Promise<void>;

  const launch = async (): Promise<void> => {
    // A server keeps the machine's clock, like the shared MariaDB: under `faketime` only the product's processes move.
    child = spawn(
      MARIADBD,
      [
        ...baseArgs(dir),
        `--socket=${join(dir, 'sock')}`,
        `--pid-file=${join(dir, 'pid')}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        '--skip-networking=0',
        `--log-error=${join(dir, 'err.log')}`,
        '--innodb-log-file-size=16M',
        '--innodb-buffer-pool-size=64M',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_unicode_ci',
      ],
      { stdio: 'ignore', env },
    );
    const c = child;
    // A suite that fails before its afterAll must still let jest exit: the 'exit' handler above kills the server then.
    c.unref();
    live.add(c);
    exited = new Promise<void>((r) =>
      c.once('exit', () => {
        live.delete(c);
        r();
      }),
    );
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await acceptsLogin(port))) {
      const log = (): string => {
        try {
          return readFileSync(join(dir, 'err.log'), 'utf8').slice(-2000);
        } catch {
          return '';
        }
      };
      if (c.exitCode !== null || c.signalCode !== null)
        throw new Error(`mariadbd terminó al iniciar (código ${c.exitCode ?? c.signalCode}): ${log()}`);
      if (Date.now() > deadline) {
        c.kill('SIGKILL');
        await exited;
        throw new Error(`mariadbd no aceptó conexiones en 127.0.0.1:${port} en ${READY_TIMEOUT_MS / 1000} s: ${log()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
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
    port,
    dir,
    pid: () => child.pid!,
    url: (database) => `mariadb://root@127.0.0.1:${port}/${database}`,
    signal: (sig) => {
      if (running()) child.kill(sig);
    },
    exited: () => exited,
    restart: async () => {
      if (running()) throw new Error('mariadbd sigue en marcha: deténgalo antes de reiniciarlo');
      await launch();
    },
    stop: async () => {
      if (running()) {
        child.kill('SIGCONT'); // a frozen server would never handle SIGTERM
        child.kill('SIGTERM');
        const c = child;
        const timer = setTimeout(() => c.exitCode === null && c.signalCode === null && c.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
