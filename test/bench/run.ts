/**
 * npm run bench [-- --quick] [-- --solo motor|bandeja|oficios|importacion|oficio-lineas]
 *
 * Speed and memory of the product measured beside a raw baseline in the same run (the house rule: no timed assertions
 * in tests). Progress goes to stderr; the header (machine, load, versions, MariaDB's flush settings, commit, command)
 * and the table to stdout; everything also to data/bench/<timestamp>.json and to bench/results/<YYYY-MM-DD>.json
 * (Mexico City date; -2, -3… for later runs that day), with a chart of product / baseline ratios beside it (.svg).
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { BENCH_MYSQL_URL } from './bench-db';
import {
  type BenchHeader,
  collectHeader,
  formatHeader,
  memorySnapshot,
  renderChart,
  resultDate,
  writeResultFiles,
} from './chart';
import { benchConcurrency } from './concurrency-bench';
import { benchEngine } from './engine-bench';
import { benchImport } from './import-bench';
import { benchInbox } from './inbox-bench';
import { benchLetters } from './letters-bench';
import { benchNational } from './national-bench';
import { benchOficioLines } from './oficio-lines-bench';
import { benchPipeline } from './pipeline-bench';
import { FULL_SIZES, QUICK_SIZES, type SectionResult, type Sizes } from './section';
import { fmtMs, fmtOps, formatTable, type Measurement } from './stats';

type SectionName = 'engine' | 'concurrency' | 'inbox' | 'letters' | 'import' | 'national' | 'pipeline' | 'oficioLines';

/** Spanish and English names both work with --solo. */
const SECTION_ALIASES: Record<string, SectionName> = {
  engine: 'engine',
  motor: 'engine',
  concurrency: 'concurrency',
  concurrencia: 'concurrency',
  inbox: 'inbox',
  bandeja: 'inbox',
  letters: 'letters',
  oficios: 'letters',
  cartas: 'letters',
  import: 'import',
  importacion: 'import',
  importación: 'import',
  // Only with --solo: 2,000,000 workers and 250,000 schools (issue 13).
  national: 'national',
  nacional: 'national',
  pipeline: 'pipeline',
  tuberia: 'pipeline',
  // Only with --solo: one oficio of 500 lines to its reply letter, MariaDB + Redis, 2 workers (issue 14).
  'oficio-lines': 'oficioLines',
  'oficio-lineas': 'oficioLines',
  'oficio-líneas': 'oficioLines',
};

const RUNNERS: Record<SectionName, (s: Sizes) => Promise<SectionResult>> = {
  engine: benchEngine,
  concurrency: benchConcurrency,
  inbox: benchInbox,
  letters: benchLetters,
  import: benchImport,
  national: benchNational,
  pipeline: benchPipeline,
  oficioLines: benchOficioLines,
};

const SECTION_TITLE: Record<Measurement['section'], string> = {
  motor: 'motor / engine',
  bandeja: 'bandeja / inbox',
  oficios: 'oficios / letters',
  importacion: 'importación / import',
};

const USAGE =
  'Uso: npm run bench -- [--quick] [--solo engine|concurrency|inbox|letters|import|pipeline|national|oficio-lineas] [--tareas N] [--casos N] [--sin-sqlite] [--nacional] [--buffer-pool MiB]';

/** The national scale of issue 13: 10 M tasks of 2 M cases, on MariaDB (the production database) only. */
const NATIONAL = { tareas: 10_000_000, casos: 2_000_000 };

interface Args {
  quick: boolean;
  solo?: SectionName;
  /** The inbox section's scale: tasks, cases, and whether SQLite is measured too. */
  tareas?: number;
  casos?: number;
  sinSqlite: boolean;
  /**
   * MariaDB's innodb_buffer_pool_size for the run, in MiB: set on the bench's server (SET GLOBAL, as a DBA sizes a
   * production server for its base) before anything is loaded, and the old size put back at the end, also on failure.
   */
  bufferPoolMb?: number;
}

/** A mistake on the command line: the message and the usage are enough, no stack. */
class UsageError extends Error {}

/** A count on the command line: digits, with optional thousands separators (10_000_000, 10,000,000). */
function countArg(name: string, value: string | undefined): number {
  const n = Number((value ?? '').replace(/[_,]/g, ''));
  if (!/^[\d_,]+$/.test(value ?? '') || !Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`«${name}» espera un número entero positivo. ${USAGE}`);
  return n;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, sinSqlite: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string | undefined => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]);
    if (a === '--quick' || a === '--rapido' || a === '--rápido') args.quick = true;
    else if (a === '--tareas' || a.startsWith('--tareas=')) args.tareas = countArg('--tareas', value());
    else if (a === '--casos' || a.startsWith('--casos=')) args.casos = countArg('--casos', value());
    else if (a === '--sin-sqlite') args.sinSqlite = true;
    else if (a === '--buffer-pool' || a.startsWith('--buffer-pool='))
      args.bufferPoolMb = countArg('--buffer-pool', value());
    else if (a === '--nacional') Object.assign(args, { ...NATIONAL, sinSqlite: true });
    else if (a === '--solo' || a.startsWith('--solo=')) {
      const v = value();
      const name = SECTION_ALIASES[(v ?? '').toLowerCase()];
      if (!name) throw new UsageError(`«--solo ${v ?? ''}» no es una parte del benchmark. ${USAGE}`);
      args.solo = name;
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new UsageError(`Opción desconocida «${a}». ${USAGE}`);
  }
  if (args.casos && args.tareas && args.casos > args.tareas)
    throw new UsageError(`«--casos» no puede pasar de «--tareas» (cada caso tiene al menos una tarea). ${USAGE}`);
  return args;
}

function ratioCell(m: Measurement, byId: Map<string, Measurement>): string {
  if (m.kind === 'base') return 'base';
  return (m.compareWith ?? [])
    .map((id) => byId.get(id))
    .filter((b): b is Measurement => b !== undefined && b.summary.medianMs > 0)
    .map((b) => `${(m.summary.medianMs / b.summary.medianMs).toFixed(1)}× ${b.short ?? b.id}`)
    .join(' · ');
}

export function renderReport(results: SectionResult[], sizes: Sizes, benchHeader: BenchHeader): string {
  const all = results.flatMap((r) => r.measurements);
  const byId = new Map(all.map((m) => [m.id, m]));
  const header = [
    'sección / section',
    'medición / measurement',
    'tipo / kind',
    'n',
    'mediana / median ms',
    'p95 ms',
    'ops/s',
    'unidad / unit',
    'RSS pico Δ / peak RSS Δ MB',
    'heap Δ tras GC / after GC MB',
    'vs base (mediana / median)',
  ];
  const footnotes: string[] = [];
  const rows = all.map((m) => {
    const marks = (m.notes ?? []).map((n) => {
      footnotes.push(n);
      return `[${footnotes.length}]`;
    });
    return [
      SECTION_TITLE[m.section],
      `${m.label}${marks.length ? ` ${marks.join('')}` : ''}`,
      m.kind === 'producto' ? 'producto / product' : 'base / baseline',
      String(m.summary.n),
      fmtMs(m.summary.medianMs),
      fmtMs(m.summary.p95Ms),
      fmtOps(m.summary.opsPerSec),
      m.summary.unitsPerSample === 1
        ? m.summary.unit
        : `${m.summary.unit} (${m.summary.unitsPerSample.toLocaleString('es-MX')}/muestra)`,
      m.memory.rssPeakMb.toFixed(1),
      m.memory.heapRetainedMb.toFixed(1),
      ratioCell(m, byId),
    ];
  });
  const out: string[] = [];
  out.push(
    `Benchmark — ${sizes.quick ? 'rápido / quick' : 'completo / full'} — ${new Date().toISOString()}`,
    ...formatHeader(benchHeader),
    '',
    formatTable(header, rows, new Set([3, 4, 5, 6, 8, 9])),
  );
  if (footnotes.length) out.push('', ...footnotes.map((f, i) => `[${i + 1}] ${f}`));
  for (const r of results) for (const b of r.blocks) out.push('', `-- ${b.title}`, b.text);
  const warnings = results.flatMap((r) => r.warnings);
  if (warnings.length) out.push('', '!! Avisos / warnings:', ...warnings.map((w) => `!! ${w}`));
  const skipped = results.flatMap((r) => r.skipped);
  if (skipped.length) out.push('', 'Omitido / skipped:', ...skipped.map((s) => `- ${s}`));
  return out.join('\n');
}

/**
 * bench/results/ is in the repository and `npm run check` runs `prettier --check .` over it: the JSON is written as
 * Prettier (with the project's settings) would write it. Unformatted if Prettier cannot be loaded.
 */
async function prettierJson(text: string, root: string): Promise<string> {
  try {
    const prettier = await import('prettier');
    const file = join(root, 'bench', 'results', 'x.json');
    return await prettier.format(text, { ...(await prettier.resolveConfig(file)), filepath: file });
  } catch {
    return text;
  }
}

/** Sets innodb_buffer_pool_size to `mb` MiB on the bench's MariaDB; the size it had, in bytes. */
async function setBufferPool(mb: number): Promise<number> {
  const conn = await createConnection({ uri: BENCH_MYSQL_URL.replace(/^mariadb:/, 'mysql:') });
  try {
    const [[before]] = await conn.query<Array<{ size: number | string } & RowDataPacket>>(
      'SELECT @@innodb_buffer_pool_size AS size',
    );
    await conn.query('SET GLOBAL innodb_buffer_pool_size = ?', [mb * 1024 ** 2]);
    return Number(before.size);
  } finally {
    await conn.end();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.bufferPoolMb === undefined) return run(args);
  const before = await setBufferPool(args.bufferPoolMb);
  process.stderr.write(
    `innodb_buffer_pool_size: ${args.bufferPoolMb} MiB para esta corrida (antes ${Math.round(before / 1024 ** 2)} MiB; se restablece al terminar)\n`,
  );
  try {
    await run(args);
  } finally {
    await setBufferPool(Math.round(before / 1024 ** 2));
  }
}

async function run(args: Args): Promise<void> {
  const base = args.quick ? QUICK_SIZES : FULL_SIZES;
  const sizes: Sizes = {
    ...base,
    inboxTasks: args.tareas ?? base.inboxTasks,
    inboxCases: args.casos ?? base.inboxCases,
    inboxSqlite: !args.sinSqlite,
  };
  const startedAt = new Date();
  const root = resolve(__dirname, '..', '..');
  const header = await collectHeader({ root, mysqlUrl: BENCH_MYSQL_URL, args: process.argv.slice(2) });
  for (const line of formatHeader(header)) process.stderr.write(`${line}\n`);
  const order: SectionName[] = args.solo ? [args.solo] : ['engine', 'concurrency', 'inbox', 'letters', 'import'];
  const results: SectionResult[] = [];
  for (const name of order) results.push(await RUNNERS[name](sizes));
  header.load.atEnd = loadavg();
  header.memory.atEnd = memorySnapshot();
  const report = renderReport(results, sizes, header);
  process.stdout.write(`\n${report}\n`);

  const dir = join(root, 'data', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const json = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    args: process.argv.slice(2),
    sizes,
    machine: {
      node: process.version,
      platform: process.platform,
      cpus: header.machine.cores,
      cpuModel: header.machine.cpuModel,
      totalMemMb: header.machine.totalMemMb,
      loadAtStart: header.load.atStart,
      loadAtEnd: header.load.atEnd,
      memoryAtStart: header.memory.atStart,
      memoryAtEnd: header.memory.atEnd,
    },
    header,
    measurements: results.flatMap((r) => r.measurements),
    warnings: results.flatMap((r) => r.warnings),
    skipped: results.flatMap((r) => r.skipped),
    blocks: results.flatMap((r) => r.blocks),
    details: Object.assign({}, ...results.map((r) => r.details)) as Record<string, unknown>,
    report,
  };
  const text = `${JSON.stringify(json, null, 2)}\n`;
  writeFileSync(file, text);
  const chart = renderChart(json.measurements, {
    subtitle: `${resultDate(startedAt)} · ${sizes.quick ? 'rápido' : 'completo'} · ${'dirty' in header.git ? header.git.commit : 'sin commit'}${'dirty' in header.git && header.git.dirty ? ' (con cambios)' : ''} · Node ${header.node} · ${header.machine.cores} núcleos ${header.machine.cpuModel} · ${header.command}`,
  });
  const saved = writeResultFiles(
    join(root, 'bench', 'results'),
    resultDate(startedAt),
    await prettierJson(text, root),
    chart,
  );
  process.stderr.write(
    `\nResultados en ${file}\ny en ${relative(root, saved.json)} (gráfica: ${relative(root, saved.svg)})\n`,
  );
}

main().catch((e: unknown) => {
  if (e instanceof UsageError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`\nEl benchmark falló: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
