import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import type { Measurement } from './stats';

/**
 * What the benchmark writes about itself beside its figures (bench/results/<date>.json and .svg):
 * - the header: machine, load, versions, SQLite and MariaDB (with its flush settings), git commit, command line;
 * - the name of the results file (one per run, never overwritten);
 * - the chart: each product measurement's speed as a fraction of its raw baseline. Pure functions, no dependency.
 */

// ---------------------------------------------------------------------------------------------------------------
// Chart

/** One bar: a product measurement against one of its baselines. */
export interface RatioBar {
  section: Measurement['section'];
  id: string;
  label: string;
  /** The baseline's short word (sql, xstate, pdfkit) or id. */
  against: string;
  /** Baseline median / product median: the product's throughput as a fraction of raw (1.0 = as fast). */
  ratio: number;
  goal?: number;
}

export const SECTION_NAMES: Record<Measurement['section'], string> = {
  motor: 'Motor',
  bandeja: 'Bandeja',
  oficios: 'Oficios',
  importacion: 'Importación',
};

/** Baseline median / product median; undefined when either is not a positive number. */
export function ratioOf(product: Measurement, base: Measurement): number | undefined {
  const p = product.summary.medianMs;
  const b = base.summary.medianMs;
  if (!(p > 0) || !(b > 0) || !Number.isFinite(p) || !Number.isFinite(b)) return undefined;
  return b / p;
}

/** Every product measurement that names baselines: one bar per baseline found, in input order. */
export function ratioBars(measurements: readonly Measurement[]): RatioBar[] {
  const byId = new Map(measurements.map((m) => [m.id, m]));
  const bars: RatioBar[] = [];
  for (const m of measurements) {
    if (m.kind !== 'producto' || !m.compareWith?.length) continue;
    for (const [j, baseId] of m.compareWith.entries()) {
      const base = byId.get(baseId);
      const ratio = base ? ratioOf(m, base) : undefined;
      if (base === undefined || ratio === undefined) continue;
      bars.push({
        section: m.section,
        id: m.id,
        label: m.label.trim(),
        against: base.short ?? base.id,
        ratio,
        goal: j === 0 && typeof m.goal === 'number' && Number.isFinite(m.goal) && m.goal > 0 ? m.goal : undefined,
      });
    }
  }
  return bars;
}

/** Text for XML content and attribute values; characters XML 1.0 cannot carry are dropped. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const fmtRatio = (r: number): string => r.toFixed(2);
const px = (n: number): string => String(Math.round(n * 10) / 10);

/** Tick step and end of the ratio axis: at least 0–1, round numbers. */
function axis(max: number): { end: number; step: number } {
  const step = max <= 1.5 ? 0.25 : max <= 4 ? 0.5 : Math.ceil(max / 8);
  return { end: Math.max(1, Math.ceil(max / step - 1e-9) * step), step };
}

export interface ChartOptions {
  /** A second line under the title (date, commit, machine). */
  subtitle?: string;
}

const WIDTH = 1000;
const LABEL_X = 16;
const LABEL_CHARS = 74;
const BAR_X = 500;
const BAR_W = 380;
const ROW_H = 20;
const BAR_H = 13;
const SECTION_H = 28;
const TOP = 78;
const FONT = 'font-family="DejaVu Sans, Arial, Helvetica, sans-serif"';

/**
 * A self-contained SVG: for each section a group of horizontal bars (product throughput / raw baseline's), the value
 * printed after each bar, a dashed line at 1.0 (as fast as raw) and a red line on a bar whose measurement has a goal.
 */
export function renderChart(measurements: readonly Measurement[], options: ChartOptions = {}): string {
  const bars = ratioBars(measurements);
  const title = 'Benchmark: velocidad del producto frente a su base directa';
  const explain =
    'Proporción = mediana de la base / mediana del producto (1.00 = tan rápido como la base; 0.50 = la mitad).';
  const head = [
    `<text x="${LABEL_X}" y="26" font-size="17" font-weight="bold" fill="#111">${escapeXml(title)}</text>`,
    `<text x="${LABEL_X}" y="46" font-size="12" fill="#333">${escapeXml(explain)}</text>`,
  ];
  if (options.subtitle)
    head.push(`<text x="${LABEL_X}" y="63" font-size="11" fill="#555">${escapeXml(options.subtitle)}</text>`);

  if (bars.length === 0) {
    const height = TOP + 40;
    return svg(height, [
      ...head,
      `<text x="${LABEL_X}" y="${TOP + 16}" font-size="14" fill="#333">${escapeXml(
        'Gráfica: sin mediciones de producto comparadas con una base en esta corrida.',
      )}</text>`,
    ]);
  }

  const { end, step } = axis(Math.max(...bars.map((b) => Math.max(b.ratio, b.goal ?? 0))));
  const x = (r: number): number => BAR_X + (Math.min(r, end) / end) * BAR_W;
  const sections = [...new Set(bars.map((b) => b.section))];
  const body: string[] = [];
  let y = TOP;
  for (const section of sections) {
    y += SECTION_H;
    body.push(
      `<text x="${LABEL_X}" y="${y - 9}" font-size="14" font-weight="bold" fill="#111">${escapeXml(SECTION_NAMES[section] ?? section)}</text>`,
    );
    for (const b of bars.filter((bar) => bar.section === section)) {
      const top = y + (ROW_H - BAR_H) / 2;
      const met = b.goal === undefined ? undefined : b.ratio >= b.goal;
      const fill = met === undefined ? '#4a78b0' : met ? '#3f9a52' : '#e08a2c';
      const against = ` (vs ${b.against})`;
      const label = `${b.label}${against}`;
      const value = `${fmtRatio(b.ratio)}${b.goal === undefined ? '' : ` (meta ${fmtRatio(b.goal)})`}`;
      body.push(
        `<g><title>${escapeXml(`${label}: ${value} — ${b.id}`)}</title>`,
        `<text x="${LABEL_X + 10}" y="${px(y + 14)}" font-size="11.5" fill="#222">${escapeXml(clip(b.label, LABEL_CHARS - against.length) + against)}</text>`,
        `<rect x="${BAR_X}" y="${px(top)}" width="${px(Math.max(1, x(b.ratio) - BAR_X))}" height="${BAR_H}" fill="${fill}"/>`,
        `<text x="${px(x(b.ratio) + 5)}" y="${px(y + 14)}" font-size="11.5" fill="#111">${escapeXml(value)}</text>`,
      );
      if (b.goal !== undefined)
        body.push(
          `<line x1="${px(x(b.goal))}" y1="${px(y + 1)}" x2="${px(x(b.goal))}" y2="${px(y + ROW_H - 1)}" stroke="#c62828" stroke-width="2.5"/>`,
        );
      body.push('</g>');
      y += ROW_H;
    }
  }
  const bottom = y + 6;
  const grid: string[] = [];
  for (let t = 0; t <= end + 1e-9; t += step) {
    const tx = px(x(t));
    const isOne = Math.abs(t - 1) < 1e-9;
    grid.push(
      `<line x1="${tx}" y1="${TOP + 4}" x2="${tx}" y2="${bottom}" stroke="${isOne ? '#555' : '#ddd'}" stroke-width="1"${isOne ? ' stroke-dasharray="5 3"' : ''}/>`,
      `<text x="${tx}" y="${bottom + 15}" font-size="11" fill="#333" text-anchor="middle">${fmtRatio(t)}</text>`,
    );
  }
  grid.push(
    `<text x="${px(x(1))}" y="${TOP}" font-size="11" fill="#333" text-anchor="middle">${escapeXml('= base')}</text>`,
  );
  const legendY = bottom + 40;
  const legend = [
    `<rect x="${LABEL_X}" y="${legendY - 10}" width="12" height="12" fill="#3f9a52"/>`,
    `<text x="${LABEL_X + 18}" y="${legendY}" font-size="11" fill="#333">alcanza su meta</text>`,
    `<rect x="${LABEL_X + 130}" y="${legendY - 10}" width="12" height="12" fill="#e08a2c"/>`,
    `<text x="${LABEL_X + 148}" y="${legendY}" font-size="11" fill="#333">no alcanza su meta</text>`,
    `<rect x="${LABEL_X + 275}" y="${legendY - 10}" width="12" height="12" fill="#4a78b0"/>`,
    `<text x="${LABEL_X + 293}" y="${legendY}" font-size="11" fill="#333">sin meta</text>`,
    `<line x1="${LABEL_X + 370}" y1="${legendY - 11}" x2="${LABEL_X + 370}" y2="${legendY + 2}" stroke="#c62828" stroke-width="2.5"/>`,
    `<text x="${LABEL_X + 378}" y="${legendY}" font-size="11" fill="#333">meta de la medición</text>`,
    `<line x1="${LABEL_X + 520}" y1="${legendY - 11}" x2="${LABEL_X + 520}" y2="${legendY + 2}" stroke="#555" stroke-dasharray="5 3"/>`,
    `<text x="${LABEL_X + 528}" y="${legendY}" font-size="11" fill="#333">1.00: tan rápido como la base</text>`,
  ];
  return svg(legendY + 16, [...head, ...grid, ...body, ...legend]);
}

function svg(height: number, parts: string[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT} role="img" lang="es-MX">`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Results file name

/** YYYY-MM-DD of an instant in America/Mexico_City. */
export function resultDate(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'America/Mexico_City',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/** The first of `<date>`, `<date>-2`, `<date>-3`… that `taken` does not claim. */
export function chooseResultName(date: string, taken: (name: string) => boolean): string {
  if (!taken(date)) return date;
  for (let n = 2; ; n++) if (!taken(`${date}-${n}`)) return `${date}-${n}`;
}

/**
 * Writes `<dir>/<name>.json` and `<name>.svg`, name from chooseResultName: an earlier run's files (either one) are
 * never overwritten, and the JSON is created exclusively, so two runs finishing together get two names.
 */
export function writeResultFiles(
  dir: string,
  date: string,
  json: string,
  svgText: string,
): { json: string; svg: string } {
  mkdirSync(dir, { recursive: true });
  const used = new Set<string>();
  for (;;) {
    const name = chooseResultName(
      date,
      (n) => used.has(n) || existsSync(join(dir, `${n}.json`)) || existsSync(join(dir, `${n}.svg`)),
    );
    const jsonPath = join(dir, `${name}.json`);
    try {
      writeFileSync(jsonPath, json, { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        used.add(name);
        continue;
      }
      throw e;
    }
    const svgPath = join(dir, `${name}.svg`);
    writeFileSync(svgPath, svgText);
    return { json: jsonPath, svg: svgPath };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Header

/** The packages whose versions move the figures. */
export const HEADER_PACKAGES = ['typeorm', 'xstate', 'better-sqlite3', 'mysql2', 'bull', 'ioredis', '@nestjs/core'];

export type MariadbInfo =
  | {
      available: true;
      url: string;
      version: string;
      innodbFlushLogAtTrxCommit: string;
      syncBinlog: string;
      logBin: string;
      /** innodb_buffer_pool_size in MiB: with the OS page cache, what decides whether a large base's reads touch disk. */
      bufferPoolMb: number | null;
    }
  | { available: false; url: string; reason: string };

export interface MemorySnapshot {
  /** MemAvailable. */
  availableMb: number;
  /** Cached: the OS page cache (file pages, the database's files among them). */
  pageCacheMb: number;
}

/** MemAvailable and Cached of /proc/meminfo, in MiB; null where there is none (not Linux). */
export function memorySnapshot(meminfo = '/proc/meminfo'): MemorySnapshot | null {
  let text: string;
  try {
    text = readFileSync(meminfo, 'utf8');
  } catch {
    return null;
  }
  const kb = (name: string): number | null => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  const available = kb('MemAvailable');
  const cached = kb('Cached');
  return available === null || cached === null
    ? null
    : { availableMb: Math.round(available / 1024), pageCacheMb: Math.round(cached / 1024) };
}

export interface BenchHeader {
  machine: { cpuModel: string; cores: number; totalMemMb: number; platform: string; arch: string; kernel: string };
  /** Load average (1, 5, 15 min) when the run started and when it ended. */
  load: { atStart: number[]; atEnd?: number[] };
  /**
   * The machine's memory when the run started and when it ended (/proc/meminfo; null elsewhere): the OS page cache
   * decides how often a base larger than MariaDB's buffer pool reads from disk, and a day with little of it made every
   * raw statement of the national run 1.66 times slower.
   */
  memory: { atStart: MemorySnapshot | null; atEnd?: MemorySnapshot | null };
  node: string;
  /** Installed version of each package, as its package.json in node_modules says ("no instalado" otherwise). */
  packages: Record<string, string>;
  /** `select sqlite_version()` through better-sqlite3, or "no disponible (...)". */
  sqlite: string;
  mariadb: MariadbInfo;
  git: { commit: string; dirty: boolean; changedFiles: number } | { commit: 'no disponible'; reason: string };
  command: string;
  argv: string[];
}

export interface HeaderOptions {
  /** The repository root (node_modules, git). */
  root: string;
  /** mysql://user[:password]@host:port, as TEST_MYSQL_URL. */
  mysqlUrl: string;
  /** For the connection and for the whole MariaDB query; 1.5 s by default. */
  mysqlTimeoutMs?: number;
  /** The arguments after the script (process.argv.slice(2)). */
  args: string[];
}

const shortError = (e: unknown): string =>
  (e instanceof Error ? ((e as NodeJS.ErrnoException).code ?? e.message) : String(e)).split('\n')[0];

/** The URL without its password, for printing. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

function packageVersion(root: string, name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : 'sin versión';
  } catch {
    return 'no instalado';
  }
}

function sqliteVersion(): string {
  try {
    // better-sqlite3 ships no types; only these two calls are used.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Database = require('better-sqlite3') as new (file: string) => {
      prepare(sql: string): { get(): { v: string } };
      close(): void;
    };
    const db = new Database(':memory:');
    try {
      return db.prepare('select sqlite_version() as v').get().v;
    } finally {
      db.close();
    }
  } catch (e) {
    return `no disponible (${shortError(e)})`;
  }
}

async function mariadbInfo(url: string, timeoutMs: number): Promise<MariadbInfo> {
  const shown = safeUrl(url);
  let timer: NodeJS.Timeout | undefined;
  let conn: Awaited<ReturnType<typeof createConnection>> | undefined;
  try {
    const work = (async () => {
      conn = await createConnection({ uri: url.replace(/^mariadb:/, 'mysql:'), connectTimeout: timeoutMs });
      const [[row]] = await conn.query<Array<{ version: string } & RowDataPacket>>('SELECT VERSION() AS version');
      const [vars] = await conn.query<Array<{ Variable_name: string; Value: string } & RowDataPacket>>(
        "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('innodb_flush_log_at_trx_commit', 'sync_binlog', 'log_bin', 'innodb_buffer_pool_size')",
      );
      const v = new Map(vars.map((r) => [r.Variable_name, String(r.Value)]));
      return {
        available: true as const,
        url: shown,
        version: String(row.version),
        innodbFlushLogAtTrxCommit: v.get('innodb_flush_log_at_trx_commit') ?? '?',
        syncBinlog: v.get('sync_binlog') ?? '?',
        logBin: v.get('log_bin') ?? '?',
        bufferPoolMb: v.has('innodb_buffer_pool_size')
          ? Math.round(Number(v.get('innodb_buffer_pool_size')) / 1024 ** 2)
          : null,
      };
    })();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`sin respuesta en ${timeoutMs} ms`)), timeoutMs);
    });
    return await Promise.race([work, timeout]);
  } catch (e) {
    return { available: false, url: shown, reason: shortError(e) };
  } finally {
    clearTimeout(timer);
    (conn as { destroy(): void } | undefined)?.destroy();
  }
}

function gitInfo(root: string): BenchHeader['git'] {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 });
    const commit = git('rev-parse', '--short', 'HEAD').trim();
    const changed = git('status', '--porcelain', '--untracked-files=no').split('\n').filter(Boolean).length;
    return { commit, dirty: changed > 0, changedFiles: changed };
  } catch (e) {
    return { commit: 'no disponible', reason: shortError(e) };
  }
}

const quoteArg = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

/** How the run was started: `npm run bench -- …` under npm, the node command line otherwise. */
export function commandLine(args: string[], root: string): string {
  if (process.env.npm_lifecycle_event === 'bench')
    return ['npm run bench', ...(args.length ? ['--', ...args.map(quoteArg)] : [])].join(' ');
  const script = process.argv[1] ? relative(root, process.argv[1]) || process.argv[1] : '?';
  return ['node', ...process.execArgv, script, ...args].map(quoteArg).join(' ');
}

/** Everything the header says, read at the start of a run; MariaDB unreachable gives a "no disponible" entry. */
export async function collectHeader(options: HeaderOptions): Promise<BenchHeader> {
  const cpuList = cpus();
  return {
    machine: {
      cpuModel: cpuList[0]?.model.trim() ?? '?',
      cores: cpuList.length,
      totalMemMb: Math.round(totalmem() / 1024 ** 2),
      platform: platform(),
      arch: arch(),
      kernel: release(),
    },
    load: { atStart: loadavg() },
    memory: { atStart: memorySnapshot() },
    node: process.version,
    packages: Object.fromEntries(HEADER_PACKAGES.map((name) => [name, packageVersion(options.root, name)])),
    sqlite: sqliteVersion(),
    mariadb: await mariadbInfo(options.mysqlUrl, options.mysqlTimeoutMs ?? 1500),
    git: gitInfo(options.root),
    command: commandLine(options.args, options.root),
    argv: [...options.args],
  };
}

const fmtLoad = (l: readonly number[]): string => l.map((x) => x.toFixed(2)).join(' ');
const fmtMemory = (m: MemorySnapshot | null | undefined): string =>
  m
    ? `${m.pageCacheMb.toLocaleString('es-MX')} MB de caché de páginas, ${m.availableMb.toLocaleString('es-MX')} MB disponibles`
    : '—';

/** The header as report lines (Spanish). */
export function formatHeader(h: BenchHeader): string[] {
  const m = h.machine;
  const db = h.mariadb;
  return [
    `Máquina / machine: ${m.cpuModel}, ${m.cores} núcleos, ${(m.totalMemMb / 1024).toFixed(1)} GB de memoria (${m.platform} ${m.arch} ${m.kernel})`,
    `Carga / load average (1, 5, 15 min): al empezar ${fmtLoad(h.load.atStart)}, al terminar ${h.load.atEnd ? fmtLoad(h.load.atEnd) : '—'}`,
    `Memoria / memory: al empezar ${fmtMemory(h.memory.atStart)}; al terminar ${fmtMemory(h.memory.atEnd)}`,
    `Versiones / versions: Node ${h.node} · ${Object.entries(h.packages)
      .map(([name, v]) => `${name} ${v}`)
      .join(' · ')}`,
    `SQLite: ${h.sqlite} (better-sqlite3)`,
    db.available
      ? `MariaDB (${db.url}): ${db.version}; innodb_flush_log_at_trx_commit=${db.innodbFlushLogAtTrxCommit}, sync_binlog=${db.syncBinlog}, log_bin=${db.logBin}, innodb_buffer_pool_size=${db.bufferPoolMb === null ? '?' : `${db.bufferPoolMb} MiB`}`
      : `MariaDB (${db.url}): no disponible (${db.reason})`,
    'dirty' in h.git
      ? `Git: ${h.git.commit} (${h.git.dirty ? `con cambios sin confirmar en ${h.git.changedFiles} archivo(s)` : 'árbol limpio'})`
      : `Git: no disponible (${h.git.reason})`,
    `Orden / command: ${h.command}`,
  ];
}
