import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { testClockEnv } from '../support/clock-env';
import { type OutputStream, ProcessOutput, waitForMarker } from '../support/process-output';

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

export interface StartWebOptions {
  /** What node runs: the TypeScript sources by default; a build's main.js to start the production build. */
  entry?: string[];
  /** Every chunk of its stdout and stderr as it comes (output() keeps only the tail), e.g. to parse LOG_LEVEL=debug lines. */
  onOutput?: (chunk: string, stream: OutputStream) => void;
}

/**
 * Starts the web process with only `env` (plus what node needs and the test's clock) and waits until it listens. `env`
 * wins over the defaults (LOG_LEVEL=debug for one that should log its jobs' executions).
 */
export async function startWeb(
  env: Record<string, string>,
  readyTimeoutMs = 90_000,
  opts: StartWebOptions = {},
): Promise<WebProcess> {
  const port = await freePort();
  const base: Record<string, string> = { NODE_ENV: 'test', LOG_LEVEL: 'error', HOST: '127.0.0.1', PORT: String(port) };
  for (const k of INHERITED) if (process.env[k] !== undefined) base[k] = process.env[k];
  const child: ChildProcess = spawn(process.execPath, opts.entry ?? ['-r', './scripts/register.js', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...base, ...testClockEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = ProcessOutput.of(child, [READY], opts.onOutput);
  // 'close', not 'exit': its output has been read to the end by then (the last lines a killed process wrote).
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  await waitForMarker(child, out, READY, readyTimeoutMs, exited, 'El proceso web');
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, output: () => out.text(), kill };
}
