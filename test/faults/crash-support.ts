import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Client, type Entry } from 'ldapts';
import { slapdEntries } from '../support/slapd-directory';
import { testClockEnv } from '../support/clock-env';
import type { Slapd } from '../support/slapd';

/**
 * Helpers of the crash suites with worker processes: the executions of every command, rebuilt from the workers' own
 * debug lines ('Ejecución iniciada' / 'Ejecución terminada', JobRunner.handle), the Message-IDs an SMTP server
 * received, the directory's entries and the product's own `npm run audit:verify`.
 */

/** One execution of a command: from its 'Ejecución iniciada' line to its 'Ejecución terminada' line, or its worker's death. */
export interface Execution {
  outboxId: string;
  execution: string;
  type: string;
  /** Which worker process ran it (the suite's own name for it). */
  worker: string;
  start: number;
  /** Epoch ms; the kill time when its worker died before the end line. */
  end: number;
  /** Its worker was killed before it ended. */
  interrupted: boolean;
}

/** Two executions of one command that ran at the same time. */
export interface Overlap {
  outboxId: string;
  a: Execution;
  b: Execution;
}

interface OpenExecution {
  outboxId: string;
  type: string;
  worker: string;
  start: number;
}

const STARTED = 'Ejecución iniciada';
const ENDED = 'Ejecución terminada';

/**
 * Collects the JSON log lines of several worker processes (chunks may cut a line anywhere) and turns their execution
 * lines into intervals. A worker that is killed closes its open executions at the time of the kill.
 */
export class ExecutionLog {
  private readonly partial = new Map<string, string>();
  private readonly open = new Map<string, OpenExecution>();
  private readonly closed: Execution[] = [];
  private readonly deaths = new Map<string, number>();
  /** Lines that looked like an execution line but could not be read. */
  readonly unreadable: string[] = [];
  /** Takeovers of a command whose execution stopped renewing its lease ('Trabajo retomado'). */
  takeovers = 0;
  /** Commands the workers' recovery job queued again ('Recuperación: …', its `requeued`). */
  requeued = 0;
  /** Transient failures retried later ('Falla transitoria; reintento en …'), and the longest of their delays (ms). */
  retries = 0;
  longestRetryMs = 0;

  /** The onOutput of startWorker for the worker named `worker`. */
  feeder(worker: string): (text: string) => void {
    return (text) => this.feed(worker, text);
  }

  feed(worker: string, text: string): void {
    const lines = ((this.partial.get(worker) ?? '') + text).split('\n');
    this.partial.set(worker, lines.pop() ?? '');
    for (const line of lines) this.line(worker, line);
  }

  /** The worker was sent SIGKILL at `at` (epoch ms) and has exited: what it left open ends there. */
  killed(worker: string, at: number): void {
    const rest = this.partial.get(worker);
    if (rest) this.line(worker, rest);
    this.partial.delete(worker);
    this.deaths.set(worker, at);
    for (const [id, o] of this.open) {
      if (o.worker !== worker) continue;
      this.closed.push({
        outboxId: o.outboxId,
        execution: id,
        type: o.type,
        worker,
        start: o.start,
        end: Math.max(at, o.start),
        interrupted: true,
      });
      this.open.delete(id);
    }
  }

  /** Executions running now (started, not ended, their worker alive). */
  running(worker?: string): number {
    return [...this.open.values()].filter((o) => worker === undefined || o.worker === worker).length;
  }

  /** Every execution; one still open (its worker alive) ends at `now`. */
  executions(now = Date.now()): Execution[] {
    const open = [...this.open.entries()].map(([execution, o]) => ({ ...o, execution, end: now, interrupted: false }));
    return [...this.closed, ...open];
  }

  /** Executions started in a worker after it was killed: a kill that did not kill. */
  afterDeath(): Execution[] {
    return this.executions().filter((e) => this.deaths.has(e.worker) && e.start > this.deaths.get(e.worker)! + 1_000);
  }

  /** Pairs of executions of the same command whose intervals intersect. */
  overlaps(now = Date.now()): Overlap[] {
    const byCommand = new Map<string, Execution[]>();
    for (const e of this.executions(now)) byCommand.set(e.outboxId, [...(byCommand.get(e.outboxId) ?? []), e]);
    const out: Overlap[] = [];
    for (const [outboxId, list] of byCommand) {
      const sorted = [...list].sort((x, y) => x.start - y.start);
      for (let i = 0; i < sorted.length; i++) {
        for (let j = i + 1; j < sorted.length && sorted[j].start < sorted[i].end; j++)
          out.push({ outboxId, a: sorted[i], b: sorted[j] });
      }
    }
    return out;
  }

  private line(worker: string, line: string): void {
    if (line.includes('Trabajo retomado')) this.takeovers++;
    const recovered = /"requeued":(\d+)/.exec(line);
    if (recovered && line.includes('Recuperación')) this.requeued += Number(recovered[1]);
    if (line.includes('Falla transitoria')) {
      this.retries++;
      this.longestRetryMs = Math.max(this.longestRetryMs, Number(/"delay":(\d+)/.exec(line)?.[1] ?? 0));
    }
    if (!line.includes(STARTED) && !line.includes(ENDED)) return;
    let rec: { msg?: unknown; time?: unknown; outboxId?: unknown; execution?: unknown; type?: unknown };
    try {
      rec = JSON.parse(line.slice(line.indexOf('{'))) as typeof rec;
    } catch {
      this.unreadable.push(line);
      return;
    }
    const { msg, time, outboxId, execution, type } = rec;
    if (
      typeof time !== 'number' ||
      typeof outboxId !== 'string' ||
      typeof execution !== 'string' ||
      (msg !== STARTED && msg !== ENDED)
    ) {
      this.unreadable.push(line);
      return;
    }
    const death = this.deaths.get(worker);
    if (msg === STARTED) {
      // A line of a killed worker that arrived after its exit: it never ended, it stopped at the kill.
      if (death !== undefined)
        this.closed.push({
          outboxId,
          execution,
          type: String(type),
          worker,
          start: time,
          end: Math.max(death, time),
          interrupted: true,
        });
      else this.open.set(execution, { outboxId, type: String(type), worker, start: time });
      return;
    }
    const o = this.open.get(execution);
    if (!o) {
      const i = this.closed.findIndex((e) => e.execution === execution && e.interrupted);
      // Its end line came late (after the exit was seen): it did end, at its own time.
      if (i >= 0) this.closed[i] = { ...this.closed[i], end: time, interrupted: false };
      else this.unreadable.push(`(fin sin inicio) ${line}`);
      return;
    }
    this.open.delete(execution);
    this.closed.push({ outboxId, execution, type: o.type, worker, start: o.start, end: time, interrupted: false });
  }
}

/** The Message-ID header of a raw RFC 5322 message (folded headers unfolded), or null. */
export function messageIdOf(raw: Buffer | string): string | null {
  const text = raw.toString();
  const head = text.split(/\r?\n\r?\n/, 1)[0].replace(/\r?\n[ \t]+/g, ' ');
  const m = /^message-id:\s*(\S+)/im.exec(head);
  return m ? m[1] : null;
}

/** The values that occur more than once, with their counts. */
export function duplicates(values: string[]): Record<string, number> {
  const seen = new Map<string, number>();
  for (const v of values) seen.set(v, (seen.get(v) ?? 0) + 1);
  return Object.fromEntries([...seen].filter(([, n]) => n > 1));
}

/** Entries under slapd's people branch whose `attribute` equals `value`, read as the directory's administrator. */
export const ldapSearch = slapdEntries;

/** Every person entry slapd holds (objects with an employeeNumber), as the directory's administrator. */
export async function ldapPeople(slapd: Slapd): Promise<Entry[]> {
  const c = new Client({ url: slapd.url, timeout: 20_000, connectTimeout: 5_000 });
  try {
    await c.bind(slapd.adminDN, slapd.adminPassword);
    const { searchEntries } = await c.search(slapd.peopleDN, {
      scope: 'sub',
      filter: '(employeeNumber=*)',
      attributes: ['mail', 'employeeNumber', 'entryUUID'],
      sizeLimit: 0,
    });
    return searchEntries;
  } finally {
    await c.unbind().catch(() => undefined);
  }
}

/** The first value of an LDAP attribute, as text. */
export function one(v: Entry[string] | undefined): string | null {
  if (v === undefined) return null;
  return String(Array.isArray(v) ? v[0] : v);
}

const ROOT = join(__dirname, '..', '..');

/**
 * The product's `npm run audit:verify` (src/cli/audit-verify.ts) against the suite's database: its exit code and
 * what it printed. Started as node does it for npm, with only the given environment (and the test's clock).
 */
export function auditVerify(
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<{ code: number; output: string }> {
  const base: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'SWC_NODE_PROJECT'])
    if (process.env[k] !== undefined) base[k] = process.env[k];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', './scripts/register.js', 'src/cli/audit-verify.ts'],
      { cwd: ROOT, env: { ...base, ...testClockEnv(), ...env }, timeout: timeoutMs, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** A random integer in [min, max]. */
export function randomBetween(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}
