import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { testClockEnv } from './clock-env';
import { ProcessOutput, waitForMarker } from './process-output';

/**
 * A real `npm run worker` process (node -r ./scripts/register.js src/worker.ts) for the end-to-end suites: started
 * with an explicit environment, watched until it says it runs, stopped or killed by its own pid.
 */
export interface WorkerProcess {
  pid: number;
  /** The last 20 000 characters of its stdout and stderr, for failure messages. */
  output(): string;
  /** Whether it is still running. */
  alive(): boolean;
  /** Sends a signal to this process only. */
  signal(sig: NodeJS.Signals): void;
  /** Resolves when it has exited (at once if it already has). */
  exited(): Promise<void>;
  /** SIGTERM (graceful), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const ROOT = join(__dirname, '..', '..');
const READY = 'Worker de Mi Correo Institucional en marcha';
/** Only what node needs from the test's own environment: nothing of its database or queue settings leaks in. */
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'SWC_NODE_PROJECT'];

const live = new Set<ChildProcess>();
// A test process that dies without its afterAll must not leave workers behind.
process.once('exit', () => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

export async function startWorker(
  env: Record<string, string>,
  opts: {
    readyTimeoutMs?: number;
    /** Every chunk of its stdout and stderr (output() keeps the last 20 000 characters). */ onOutput?: (
      text: string,
    ) => void;
  } = {},
): Promise<WorkerProcess> {
  const base: Record<string, string> = { NODE_ENV: 'test' };
  for (const k of INHERITED) if (process.env[k] !== undefined) base[k] = process.env[k];
  Object.assign(base, testClockEnv());
  const child = spawn(process.execPath, ['-r', './scripts/register.js', 'src/worker.ts'], {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const out = ProcessOutput.of(child, [READY], opts.onOutput);
  const exited = new Promise<void>((r) =>
    child.once('exit', () => {
      live.delete(child);
      r();
    }),
  );
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const pid = child.pid;
  if (pid === undefined) throw new Error(`No se pudo iniciar el worker: ${out.text()}`);
  await waitForMarker(child, out, READY, opts.readyTimeoutMs ?? 60_000, exited, 'El worker');

  return {
    pid,
    output: () => out.text(),
    alive,
    signal: (sig) => {
      if (alive()) child.kill(sig);
    },
    exited: () => exited,
    stop: async (graceMs = 10_000) => {
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => alive() && child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
