import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PROCEDURES } from '../../machines';
import { CatalogEventFacts } from '../../src/catalog/catalog-event-facts';
import { Trabajador } from '../../src/catalog/entities/trabajador.entity';
import { type AppConfig, loadConfig } from '../../src/config/config';
import { ensureMysqlDatabase } from '../../src/database/ensure-database';
import { runMigrations } from '../../src/database/migrate';
import { CalendarService } from '../../src/engine/calendar.service';
import { type CommandProcessor, EffectProcessors } from '../../src/engine/effects/effect-processor';
import { JobRunner } from '../../src/engine/effects/job-runner.service';
import { OutboxRelay } from '../../src/engine/effects/outbox-relay.service';
import { EngineService } from '../../src/engine/engine.service';
import { dataSourceOptions } from '../../src/entities';
import { BullDriver } from '../../src/queue/bull.driver';
import { setRelayWake } from '../../src/queue/outbox-wake';
import { QueueRuntime } from '../../src/queue/queue-runtime.service';
import { QUEUE_NAMES, type QueueName } from '../../src/queue/queue.types';
import { generateCurp } from '../../src/validation/curp-generate';
import { startPrivateMariadb } from '../support/private-mariadb';
import { startPrivateRedis } from '../support/private-redis';
import { confirmPersonalAlta } from '../support/pipeline';
import { startWorker, type WorkerProcess } from '../support/worker-process';
import { watchCompletedJobs } from './bull-jobs';
import { emptySection, type SectionResult, type Sizes } from './section';

/**
 * Issue 11 §3 — the pipeline: N «personal alta» cases (5.1.1 by self-service) end to end on MariaDB + Redis with 1 and
 * 2 real worker processes (`src/worker.ts`): the worker's registration and confirmation (here the web side runs in
 * this process: the engine, its own outbox relay and queue runtime, as the web process has them), then the worker's
 * jobs: provision (local directory), sendCredentials (mail to the .eml outbox), each reporting to the case.
 *
 * Each configuration runs twice: «antes» with OUTBOX_RELAY_LEGACY=1 (the relay before issue 11: timer only every
 * RELAY_INTERVAL_MS = 500 ms, one job and one UPDATE per command) and «después» (woken on commit, one addBulk and one
 * UPDATE per batch). Figures:
 * - cases/s: N over the time from the first registration to the last case concluded;
 * - queue latency «encolado → inicio»: Bull's own times of each job, added → processing started;
 * - «comando creado → hecho»: provision from the CONFIRMAR commit to its job completed; sendCredentials from the
 *   provision job's completion (whose transaction wrote it) to its own completion;
 * - registration (start + CONFIRMAR) latency, and case latency (CONFIRMAR committed → last job completed).
 * Sizes: `--quick` 200 cases; full 20 000 (PIPELINE_N overrides; PIPELINE_BEFORE_N sizes the «antes» runs, which are
 * far slower). Registrations run PIPELINE_CONCURRENCY (16) at a time while the workers drain.
 */

const CONCURRENCY = Number(process.env.PIPELINE_CONCURRENCY ?? 16);
const QUEUE_OF: Record<string, QueueName> = {
  provision: 'provisioning',
  wipeChosenPassword: 'provisioning',
  sendCredentials: 'notifications',
  notifyHolder: 'notifications',
  renderAcuse: 'letters',
  renderReplyLetter: 'letters',
  taskReminder: 'reminders',
};

const log = (msg: string): void => void process.stderr.write(`[tubería] ${msg}\n`);

function p95(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)];
}
function p50(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

interface RunFigures {
  mode: 'antes' | 'después';
  load: 'saturada' | 'pausada';
  workers: number;
  n: number;
  concluded: number;
  seconds: number;
  casesPerSec: number;
  registrationP50Ms: number;
  registrationP95Ms: number;
  enqueueToStartP50Ms: number;
  enqueueToStartP95Ms: number;
  createdToDoneP50Ms: number;
  createdToDoneP95Ms: number;
  caseP50Ms: number;
  caseP95Ms: number;
  jobsSeen: number;
  loadAtEnd: number[];
}

async function seedWorkers(ds: DataSource, n: number, tag: number): Promise<Trabajador[]> {
  const rows: Trabajador[] = [];
  const now = new Date();
  for (let i = 0; i < n; i++) {
    const curp = generateCurp({
      nombre: 'María José',
      primerApellido: 'Núñez',
      segundoApellido: 'Ochoa',
      fechaNacimiento: {
        year: 1950 + (i % 50),
        month: 1 + (Math.floor(i / 50) % 12),
        day: 1 + (Math.floor(i / 600) % 28),
      },
      sexo: 'M',
      estado: 'CM',
      diferenciador: String(Math.floor(i / 16800) % 10), // each run has a database of its own
    });
    rows.push({
      curp,
      curt: `CURT${tag}${String(i).padStart(6, '0')}`,
      nombre: 'María José',
      primerApellido: 'Núñez',
      segundoApellido: 'Ochoa',
      nombreBusqueda: 'nunez ochoa maria jose',
      correoAlterno: `trabajador${tag}.${i}@correo-alterno.example`,
      cct: null,
      nivelClave: 'PRIMARIA',
      activo: true,
      ultimaImportacion: null,
      createdAt: now,
      updatedAt: now,
    });
  }
  const unique = [...new Map(rows.map((r) => [r.curp, r])).values()];
  if (unique.length !== rows.length) throw new Error(`CURP repetidas al sembrar (${rows.length - unique.length})`);
  for (let i = 0; i < rows.length; i += 500) await ds.getRepository(Trabajador).insert(rows.slice(i, i + 500));
  return rows;
}

async function runOnce(opts: {
  mode: 'antes' | 'después';
  workers: number;
  n: number;
  mdbUrl: (db: string) => string;
  redisUrl: string;
  tag: number;
  /** Open loop: one registration every paceMs (none: PIPELINE_CONCURRENCY at a time, as fast as they go). */
  paceMs?: number;
}): Promise<RunFigures> {
  const legacy = opts.mode === 'antes';
  const dbName = `mci_tuberia_${opts.tag}`;
  const databaseUrl = opts.mdbUrl(dbName);
  const dataDir = mkdtempSync(join(tmpdir(), 'mci-tuberia-'));
  const prefix = `mci-tuberia-${randomBytes(3).toString('hex')}`;
  const previousLegacy = process.env.OUTBOX_RELAY_LEGACY;
  if (legacy) process.env.OUTBOX_RELAY_LEGACY = '1';
  else delete process.env.OUTBOX_RELAY_LEGACY;

  await ensureMysqlDatabase(databaseUrl);
  const ds = new DataSource(dataSourceOptions({ databaseUrl, dataDir }));
  await ds.initialize();
  await runMigrations(ds);
  const people = await seedWorkers(ds, opts.n, opts.tag);
  log(
    `${opts.mode}${opts.paceMs ? ` (1 cada ${opts.paceMs} ms)` : ''}, ${opts.workers} worker(s): ${opts.n} trabajadores sembrados`,
  );

  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: opts.redisUrl,
    DATA_DIR: dataDir,
    SECRET_KEY: randomBytes(32).toString('hex'),
    QUEUE_PREFIX: prefix,
    PUBLIC_BASE_URL: 'https://correo.example.test',
    LOG_LEVEL: 'warn',
    ...(legacy ? { OUTBOX_RELAY_LEGACY: '1' } : {}),
  };
  const config: AppConfig = loadConfig({ ...env, NODE_ENV: 'test', LOG_LEVEL: 'silent' });

  // The web side: engine, relay and queue runtime in this process, as the web process has them.
  const driver = new BullDriver(opts.redisUrl, prefix, config.queueStalledMs);
  const engine = new EngineService(ds, PROCEDURES, new CalendarService(ds), new CatalogEventFacts());
  const stubs: CommandProcessor[] = Object.entries(QUEUE_OF).map(([type, queue]) => ({
    type: type as CommandProcessor['type'],
    queue,
    handle: () => Promise.reject(new Error('este proceso no ejecuta trabajos')),
  }));
  const runner = new JobRunner(ds, driver, new EffectProcessors(stubs), engine, config);
  const relay = new OutboxRelay(ds, driver, engine, runner);
  const runtime = new QueueRuntime(driver, 'web', config);
  runtime.addRelay('la bandeja de salida', () => relay.relay());
  await runtime.onApplicationBootstrap();
  setRelayWake(ds, runtime);

  // Each job's own times (Bull's timestamp = added, processedOn = started, finishedOn = completed).
  const jobs = new Map<string, { added: number; started: number; finished: number }>();
  const jobsRead = await watchCompletedJobs(driver, (j) => jobs.set(j.id, j));

  const workers: WorkerProcess[] = [];
  try {
    for (let i = 0; i < opts.workers; i++) workers.push(await startWorker(env, { readyTimeoutMs: 120_000 }));
    log(
      `${opts.mode}${opts.paceMs ? ` (1 cada ${opts.paceMs} ms)` : ''}, ${opts.workers} worker(s): workers en marcha; registrando ${opts.n} trámites`,
    );

    const confirmedAt = new Map<string, number>();
    const registration: number[] = [];
    const started = Date.now();
    const register = async (i: number): Promise<void> => {
      const t0 = Date.now();
      const c = await confirmPersonalAlta(engine, people[i]);
      const t1 = Date.now();
      registration.push(t1 - t0);
      confirmedAt.set(c.caseId, t1);
    };
    if (opts.paceMs) {
      // Open loop: one case every paceMs, below what the workers can take, so latencies show waits, not a backlog.
      const pending: Promise<void>[] = [];
      for (let i = 0; i < opts.n; i++) {
        const wait = started + i * opts.paceMs - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        pending.push(register(i));
      }
      await Promise.all(pending);
    } else {
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(CONCURRENCY, opts.n) }, async () => {
          for (let i = next++; i < opts.n; i = next++) await register(i);
        }),
      );
    }
    log(
      `${opts.mode}${opts.paceMs ? ` (1 cada ${opts.paceMs} ms)` : ''}, ${opts.workers} worker(s): ${opts.n} registrados en ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    // Until every case concluded (or nothing moves for 2 minutes).
    let concluded = 0;
    let lastChange = Date.now();
    let lastReport = 0;
    for (;;) {
      const [row] = await ds.query<{ n: number | string }[]>(
        "SELECT COUNT(*) AS n FROM procedure_case WHERE procedure_id = 'personal-alta' AND status <> 'activo'",
      );
      const now = Number(row.n);
      if (now !== concluded) lastChange = Date.now();
      concluded = now;
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        log(
          `${opts.mode}${opts.paceMs ? ` (1 cada ${opts.paceMs} ms)` : ''}, ${opts.workers} worker(s): ${concluded}/${opts.n} concluidos`,
        );
      }
      if (concluded >= opts.n || Date.now() - lastChange > 120_000) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const finished = Date.now();
    const seconds = (finished - started) / 1000;

    // Jobs → commands → cases.
    const cmds = await ds.query<{ id: string; caseId: string; type: string; attempts: number }[]>(
      "SELECT id, case_id AS caseId, type, attempts FROM outbox WHERE type IN ('provision','sendCredentials')",
    );
    const enqueueToStart: number[] = [];
    const createdToDone: number[] = [];
    const caseLatency: number[] = [];
    await jobsRead();
    // And whatever completed job a missed event left out (Bull keeps the last 1000 per queue).
    for (const name of QUEUE_NAMES)
      for (const job of await driver.queue(name).getCompleted(0, -1))
        if (job.processedOn && job.finishedOn && !jobs.has(String(job.id)))
          jobs.set(String(job.id), { added: job.timestamp, started: job.processedOn, finished: job.finishedOn });
    const byCase = new Map<string, { provision?: number; sendCredentials?: number }>();
    for (const c of cmds) {
      // The try that ran last: `id:attempts+1` after a success (a retry is `id:failures+1`).
      const job = jobs.get(`${c.id}:${Number(c.attempts) + 1}`) ?? jobs.get(`${c.id}:${Number(c.attempts)}`);
      if (!job) continue;
      enqueueToStart.push(job.started - job.added);
      const e = byCase.get(c.caseId) ?? {};
      e[c.type as 'provision' | 'sendCredentials'] = job.finished;
      byCase.set(c.caseId, e);
    }
    for (const [caseId, e] of byCase) {
      const t0 = confirmedAt.get(caseId);
      if (t0 === undefined) continue;
      if (e.provision !== undefined) createdToDone.push(e.provision - t0);
      if (e.provision !== undefined && e.sendCredentials !== undefined)
        createdToDone.push(e.sendCredentials - e.provision);
      if (e.sendCredentials !== undefined) caseLatency.push(e.sendCredentials - t0);
    }
    const figures: RunFigures = {
      mode: opts.mode,
      load: opts.paceMs ? 'pausada' : 'saturada',
      workers: opts.workers,
      n: opts.n,
      concluded,
      seconds: Math.round(seconds * 10) / 10,
      casesPerSec: Math.round((concluded / seconds) * 100) / 100,
      registrationP50Ms: p50(registration),
      registrationP95Ms: p95(registration),
      enqueueToStartP50Ms: p50(enqueueToStart),
      enqueueToStartP95Ms: p95(enqueueToStart),
      createdToDoneP50Ms: p50(createdToDone),
      createdToDoneP95Ms: p95(createdToDone),
      caseP50Ms: p50(caseLatency),
      caseP95Ms: p95(caseLatency),
      jobsSeen: enqueueToStart.length,
      loadAtEnd: loadavg(),
    };
    log(
      `${opts.mode}${opts.paceMs ? ` (1 cada ${opts.paceMs} ms)` : ''}, ${opts.workers} worker(s): ${JSON.stringify(figures)}`,
    );
    return figures;
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await runtime.onApplicationShutdown();
    setRelayWake(ds, undefined);
    await ds.query(`DROP DATABASE \`${dbName}\``).catch(() => undefined);
    await ds.destroy();
    rmSync(dataDir, { recursive: true, force: true });
    if (previousLegacy === undefined) delete process.env.OUTBOX_RELAY_LEGACY;
    else process.env.OUTBOX_RELAY_LEGACY = previousLegacy;
  }
}

const fmt = (x: number): string => (Number.isFinite(x) ? x.toLocaleString('es-MX', { maximumFractionDigits: 1 }) : '—');

export async function benchPipeline(sizes: Sizes): Promise<SectionResult> {
  const out = emptySection();
  const n = Number(process.env.PIPELINE_N ?? (sizes.quick ? 200 : 20_000));
  const beforeN = Number(process.env.PIPELINE_BEFORE_N ?? (sizes.quick ? 200 : Math.min(n, 2_000)));
  const workerCounts = (process.env.PIPELINE_WORKERS ?? '1,2').split(',').map(Number);
  const pacedN = Number(process.env.PIPELINE_PACED_N ?? (sizes.quick ? 20 : 60));
  const paceMs = Number(process.env.PIPELINE_PACE_MS ?? 1000);
  const modes = (process.env.PIPELINE_MODES ?? 'antes,después').split(',') as ('antes' | 'después')[];
  Logger.overrideLogger(false);
  const loadAtStart = loadavg();
  log(`MariaDB y Redis privados; N = ${n} (antes: ${beforeN}), workers ${workerCounts.join(' y ')}`);
  const [mdb, redis] = await Promise.all([startPrivateMariadb(), startPrivateRedis()]);
  const runs: RunFigures[] = [];
  try {
    let tag = 1;
    for (const workers of workerCounts)
      for (const mode of modes)
        runs.push(
          await runOnce({
            mode,
            workers,
            n: mode === 'antes' ? beforeN : n,
            mdbUrl: (db) => mdb.url(db),
            redisUrl: redis.url,
            tag: tag++,
          }),
        );
    for (const workers of workerCounts)
      for (const mode of modes)
        if (pacedN > 0)
          runs.push(
            await runOnce({
              mode,
              workers,
              n: pacedN,
              mdbUrl: (db) => mdb.url(db),
              redisUrl: redis.url,
              tag: tag++,
              paceMs,
            }),
          );
  } finally {
    await redis.stop();
    await mdb.stop();
  }
  const header = [
    'carga',
    'modo',
    'workers',
    'N',
    'concluidos',
    's',
    'trámites/s',
    'registro p50/p95 ms',
    'encolado→inicio p50/p95 ms',
    'creado→hecho p50/p95 ms',
    'trámite p50/p95 ms',
  ];
  const rows = runs.map((r) => [
    r.load === 'pausada' ? `1 cada ${paceMs} ms` : `${CONCURRENCY} a la vez`,
    r.mode,
    String(r.workers),
    String(r.n),
    String(r.concluded),
    fmt(r.seconds),
    fmt(r.casesPerSec),
    `${fmt(r.registrationP50Ms)} / ${fmt(r.registrationP95Ms)}`,
    `${fmt(r.enqueueToStartP50Ms)} / ${fmt(r.enqueueToStartP95Ms)}`,
    `${fmt(r.createdToDoneP50Ms)} / ${fmt(r.createdToDoneP95Ms)}`,
    `${fmt(r.caseP50Ms)} / ${fmt(r.caseP95Ms)}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  out.blocks.push({
    title: `tubería / pipeline: «alta personal» de punta a punta (MariaDB + Redis privados, ${cpus().length} CPU, carga al empezar ${loadAtStart.map((l) => l.toFixed(2)).join(' ')})`,
    text: [line(header), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map(line)].join('\n'),
  });
  for (const r of runs)
    if (r.concluded < r.n)
      out.warnings.push(`tubería ${r.mode}, ${r.workers} worker(s): ${r.concluded}/${r.n} concluidos`);
  out.details.pipeline = {
    concurrency: CONCURRENCY,
    paceMs,
    workerConcurrency: 4,
    relayIntervalMs: 500,
    loadAtStart,
    runs,
  };
  return out;
}
