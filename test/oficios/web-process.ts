import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { testClockEnv } from '../support/clock-env';

/** A real web process (`npm start`: node -r ./scripts/register.js src/main.ts) on 127.0.0.1, killed by its own pid. */
export interface WebProcess {
  url: string;
  /** The process id (to read its memory from /proc, or to signal it). */
  pid: number;
  /** The last 20 000 characters of its stdout and stderr, for failure messages. */
  output(): string;
  /** SIGKILL, as a crash or the OOM killer ends it; resolves once it has exited. */
  kill(): Promise<void>;
}

const ROOT = join(__dirname, '..', '..');
const READY = 'Mi Correo Institucional escucha en';
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'SWC_NODE_PROJECT'];

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Starts the web process with only `env` (plus what node needs and the test's clock) and waits until it listens. */
export async function startWeb(env: Record<string, string>, readyTimeoutMs = 90_000): Promise<WebProcess> {
  const port = await freePort();
  const base: Record<string, string> = { NODE_ENV: 'test', LOG_LEVEL: 'error', HOST: '127.0.0.1', PORT: String(port) };
  for (const k of INHERITED) if (process.env[k] !== undefined) base[k] = process.env[k];
  const child: ChildProcess = spawn(process.execPath, ['-r', './scripts/register.js', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...base, ...testClockEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const append = (b: Buffer): void => {
    out = (out + b.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const kill = async (): Promise<void> => {
    if (alive()) child.kill('SIGKILL');
    await exited;
  };
  const deadline = Date.now() + readyTimeoutMs;
  while (!out.includes(READY)) {
    if (!alive()) throw new Error(`El proceso web terminó al iniciar (${child.exitCode ?? child.signalCode}). Salida:\n${out}`);
    if (Date.now() > deadline) {
      await kill();
      throw new Error(`El proceso web no terminó de iniciar en ${readyTimeoutMs / 1000} s. Salida:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, output: () => out, kill };
}
