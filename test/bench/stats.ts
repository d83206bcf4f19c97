import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Timing and memory for the benchmark. Every product figure is printed next to its raw baseline measured in the same
 * process and run, so a slow machine or a busy neighbour moves both and the ratio stays meaningful.
 */

setFlagsFromString('--expose-gc');
// A fresh context sees the flag just set; the main one was created before it.
const gc = runInNewContext('gc') as () => void;

const MB = 1024 * 1024;

export interface Summary {
  n: number;
  medianMs: number;
  p95Ms: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
  /** Units of work per second over the timed samples (events, queries, documents, rows). */
  opsPerSec: number;
  /** What one unit is (evento, consulta, documento, fila) and how many one sample does. */
  unit: string;
  unitsPerSample: number;
}

export interface MemoryDelta {
  /** Highest RSS seen during the samples minus RSS before them (after a GC): working memory, native included. */
  rssPeakMb: number;
  /** heapUsed after a GC at the end minus heapUsed after a GC at the start: what the measurement kept. */
  heapRetainedMb: number;
}

export interface Measurement {
  section: 'motor' | 'bandeja' | 'oficios' | 'importacion';
  /** Stable id for the JSON (e.g. engine.sqlite.send). */
  id: string;
  label: string;
  /** A word for the ratio column of the rows compared with this one (xstate, sql...). */
  short?: string;
  /** producto: what the product does; base: the raw baseline beside it. */
  kind: 'producto' | 'base';
  /** Ids of the baselines a product row is compared with (ratio of medians). */
  compareWith?: string[];
  /**
   * What a product row aims for, as the ratio its chart bar shows (median of the baseline / median of the product:
   * 1.0 = as fast as raw, 0.6 = 60 % of raw's throughput), against the first of `compareWith`. Drawn as a line on
   * that bar in bench/results/*.svg.
   */
  goal?: number;
  summary: Summary;
  memory: MemoryDelta;
  notes?: string[];
}

const round = (n: number, digits = 3): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

export function summarize(samples: number[], unit: string, unitsPerSample = 1): Summary {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const s = [...samples].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  // Nearest-rank p95: with few samples it is the slowest one, never an interpolation below it.
  const p95 = s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)];
  const total = s.reduce((a, b) => a + b, 0);
  return {
    n: s.length,
    medianMs: round(median),
    p95Ms: round(p95),
    meanMs: round(total / s.length),
    minMs: round(s[0]),
    maxMs: round(s[s.length - 1]),
    opsPerSec: round((unitsPerSample * s.length) / (total / 1000), 1),
    unit,
    unitsPerSample,
  };
}

export interface MeasureOptions {
  /** Most samples to take. */
  iterations: number;
  /** Stop early once this much time was spent, if at least minIterations samples were taken. */
  budgetMs?: number;
  minIterations?: number;
  /** Untimed runs first (JIT, statement caches, page cache). */
  warmup?: number;
  unit: string;
  unitsPerSample?: number;
  progress?: Progress;
}

/**
 * Runs `fn` warm-up + up to `iterations` times, one at a time, and times each call. `fn` gets a running call number
 * (warm-up calls included), so a caller can hand each call its own case or document.
 */
export async function measure(
  opts: MeasureOptions,
  fn: (call: number) => unknown,
  /** Untimed work around each call (a fresh database before, a check and clean-up after). */
  hooks: { before?: (call: number) => unknown; after?: (call: number) => unknown } = {},
): Promise<{ summary: Summary; memory: MemoryDelta }> {
  let call = 0;
  const once = async (): Promise<number> => {
    const k = call++;
    await hooks.before?.(k);
    const t0 = performance.now();
    await fn(k);
    const ms = performance.now() - t0;
    await hooks.after?.(k);
    return ms;
  };
  for (let i = 0; i < (opts.warmup ?? 0); i++) await once();
  gc();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  const samples: number[] = [];
  const started = performance.now();
  const budget = opts.budgetMs ?? Infinity;
  const min = opts.minIterations ?? opts.iterations;
  for (let i = 0; i < opts.iterations; i++) {
    samples.push(await once());
    if ((i & 15) === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
    opts.progress?.tick();
    if (i + 1 >= min && performance.now() - started > budget) break;
  }
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  gc();
  const after = process.memoryUsage();
  return {
    summary: summarize(samples, opts.unit, opts.unitsPerSample ?? 1),
    memory: {
      rssPeakMb: round((peakRss - before.rss) / MB, 1),
      heapRetainedMb: round((after.heapUsed - before.heapUsed) / MB, 1),
    },
  };
}

/** Progress on stderr: an updating line on a terminal, a line every few seconds otherwise (CI, a log file). */
export class Progress {
  private done = 0;
  private lastPrint = 0;
  private readonly started = performance.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {
    this.print(true);
  }

  tick(n = 1): void {
    this.done += n;
    this.print(false);
  }

  finish(extra = ''): void {
    this.done = Math.max(this.done, this.total);
    const secs = ((performance.now() - this.started) / 1000).toFixed(1);
    const line = `  ${this.label}: listo en ${secs} s${extra ? ` — ${extra}` : ''}`;
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}\n`);
    else process.stderr.write(`${line}\n`);
  }

  private print(force: boolean): void {
    const now = performance.now();
    const tty = process.stderr.isTTY;
    if (!force && now - this.lastPrint < (tty ? 200 : 5000)) return;
    this.lastPrint = now;
    const pct = this.total > 0 ? Math.min(100, Math.floor((100 * this.done) / this.total)) : 0;
    const line = `  ${this.label}: ${this.done.toLocaleString('es-MX')}/${this.total.toLocaleString('es-MX')} (${pct} %)`;
    if (tty) process.stderr.write(`\r\x1b[2K${line}`);
    else process.stderr.write(`${line}\n`);
  }
}

export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function heading(message: string): void {
  process.stderr.write(`\n== ${message}\n`);
}

/** A plain text table: columns padded to their widest cell; numbers right-aligned. */
export function formatTable(header: string[], rows: string[][], rightAligned: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export function fmtMs(ms: number): string {
  if (ms >= 1000) return ms.toFixed(0);
  if (ms >= 100) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

export function fmtOps(ops: number): string {
  return ops >= 100 ? Math.round(ops).toLocaleString('en-US') : ops.toFixed(1);
}

/** A plain-text table: the first `leftColumns` columns left-aligned (names), the others right-aligned (figures). */
export function textTable(header: string[], rows: string[][], leftColumns: number): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string =>
    r.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}
