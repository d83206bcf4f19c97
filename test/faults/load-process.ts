import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Helpers of the load suite: autocannon (no type declarations of its own) run to a summary, a bare node HTTP server as
 * the baseline of what loopback and the client manage on this machine, and the resident memory of a process.
 */

/** What autocannon hands to `setupRequest` and takes back: one request of one connection. */
export interface CannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: CannonRequest) => CannonRequest;
}

interface CannonHistogram {
  average: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  total: number;
}

/** The part of autocannon's aggregated result this suite reads. */
interface CannonResult {
  latency: CannonHistogram;
  requests: CannonHistogram;
  errors: number;
  timeouts: number;
  non2xx: number;
  resets: number;
  '1xx': number;
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
  statusCodeStats: Record<string, { count: number }>;
  duration: number;
}

interface CannonOptions {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
  requests: CannonRequest[];
}

type Cannon = (opts: CannonOptions, cb: (err: Error | null, result: CannonResult) => void) => { stop(): void };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Cannon;

/** One scenario's figures: requests per second, latency of the 2xx answers, and everything that was not a 2xx. */
export interface LoadSummary {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  total: number;
  /** Connection errors and timeouts (autocannon counts a timeout as an error too). */
  errors: number;
  timeouts: number;
  non2xx: number;
  s2xx: number;
  s4xx: number;
  s5xx: number;
  /** Count per status code, e.g. { "200": 5012 }. */
  codes: Record<string, number>;
}

/** Every request answered within this long, or it counts as a timeout (an error). */
export const REQUEST_TIMEOUT_S = 20;

/** Runs autocannon against `url` for `seconds` with `connections` keep-alive connections, cycling over `requests`. */
export function load(
  url: string,
  requests: CannonRequest[],
  opts: { connections: number; seconds: number },
): Promise<LoadSummary> {
  return new Promise((resolve, reject) => {
    autocannon(
      { url, connections: opts.connections, duration: opts.seconds, timeout: REQUEST_TIMEOUT_S, requests },
      (err, r) => {
        if (err) return reject(err);
        const codes: Record<string, number> = {};
        for (const [code, { count }] of Object.entries(r.statusCodeStats ?? {})) codes[code] = count;
        resolve({
          rps: Math.round(r.requests.average),
          p50: r.latency.p50,
          p99: r.latency.p99,
          max: r.latency.max,
          total: r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'],
          errors: r.errors,
          timeouts: r.timeouts,
          non2xx: r.non2xx,
          s2xx: r['2xx'],
          s4xx: r['4xx'],
          s5xx: r['5xx'],
          codes,
        });
      },
    );
  });
}

/** A bare node HTTP server answering a tiny JSON, in a process of its own (not sharing the client's event loop). */
export interface Baseline {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const BASELINE_SOURCE = `
const http = require('node:http');
const body = JSON.stringify({ ok: true, mensaje: 'hola' });
const srv = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
});
srv.keepAliveTimeout = 60000;
srv.listen(0, '127.0.0.1', () => console.log('escucha ' + srv.address().port));
`;

export async function startBaseline(): Promise<Baseline> {
  const child: ChildProcess = spawn(process.execPath, ['-e', BASELINE_SOURCE], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '' },
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`el servidor base no inició en 10 s: ${out}`)), 10_000);
    child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /escucha (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`el servidor base terminó al iniciar (${code}): ${out}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** VmRSS of a live process, in MB (from /proc/PID/status). */
export function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`sin VmRSS para el proceso ${pid}`);
  return Math.round((Number(m[1]) / 1024) * 10) / 10;
}

/** Samples `pid`'s RSS every `everyMs` until stopped; stop() returns the samples in order. */
export function sampleRss(pid: number, everyMs: number): { stop(): number[] } {
  const samples = [rssMb(pid)];
  const timer = setInterval(() => samples.push(rssMb(pid)), everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      samples.push(rssMb(pid));
      return samples;
    },
  };
}

export const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** A tiny JSON request/answer over fetch, for the setup (status, headers and parsed body). */
export async function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...init.headers },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { texto: text };
  }
  return { status: res.status, headers: Object.fromEntries(res.headers.entries()), body };
}
