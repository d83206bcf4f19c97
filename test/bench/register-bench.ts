import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import type { Actor } from '../../src/auth/actor';
import { localDate } from '../../src/engine/business-calendar';
import { type DashboardFilter, DashboardService } from '../../src/engine/dashboard.service';
import { OficioRegisterService, type RegisterPage } from '../../src/oficios/oficio-register.service';
import { OficiosService } from '../../src/oficios/oficios.service';
import { withoutQueryTimeout } from '../../src/database/bounded-mysql';
import { backfillOficioWords, backfillReceiptMonth } from '../../src/database/migrations/backfill-oficio-search';
import type { BenchDb, CapturedQuery } from './bench-db';
import { FLOOR_PATH, type HttpTarget, httpWarmups, measureGet, NIVEL, RESPONSABLE_1, SUBJEFATURA } from './bench-http';
import { explainMariaDb, explainSqlite, rawStatements } from './query-plans';
import type { SectionResult, Sizes } from './section';
import { measure, note, Progress, summarize, type Summary, textTable } from './stats';
import type { TaskGenerator } from './task-generator';

/**
 * The two other pages of issue 13 beside the inbox, on the same history: the oficios register (GET /oficios,
 * OficioRegisterService.page: every filter of its form, each role's scope, a deep keyset page) and the dashboard
 * (GET /tablero, DashboardService.data). As the inbox: the statements the service sends are captured, explained
 * (a read of the whole table is flagged) and replayed raw as the baseline, alternating call by call with the service;
 * then the page through the real application on a port. Goal: HTTP p95 < 10 ms.
 */

const HTTP_GOAL_MS = 10;

interface PageCase {
  page: 'registro' | 'tablero';
  id: string;
  label: string;
  actor: Actor;
  /** The service call the page makes; answers how many rows it shows (or counts). */
  service: () => Promise<string>;
  url: string;
}

const qs = (q: Record<string, string | number | undefined>): string => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
};

const addDays = (ymd: string, n: number): string =>
  new Date(new Date(`${ymd}T12:00:00Z`).getTime() + n * 86400_000).toISOString().slice(0, 10);

function shown(p: RegisterPage): string {
  return `${p.totalAcotado ? 'más de ' : ''}${p.total.toLocaleString('es-MX')}`;
}

/**
 * The bulk load writes the oficios' columns, not what the OficioSearch migration derives from them (the month of
 * receipt, the word index): built here from the rows as the migration builds them for a database with oficios.
 */
async function buildOficioSearch(db: BenchDb): Promise<void> {
  const [present] = await db.dataSource.query<{ n: number }[]>(
    'SELECT COUNT(*) AS n FROM (SELECT 1 FROM oficio_word LIMIT 1) w',
  );
  if (Number(present.n) > 0) return;
  const t0 = performance.now();
  note(`  ${db.name}: mes de recepción e índice de palabras de los oficios, como en la migración…`);
  // As the migration runs them: without the statement bound of the web's requests (one UPDATE of 2 M rows takes
  // longer than DB_QUERY_TIMEOUT_MS; it made the national run fail here).
  const words = await withoutQueryTimeout(async () => {
    await backfillReceiptMonth(db.dataSource, db.dialect);
    const [{ n }] = await db.dataSource.query<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM oficio');
    const progress = new Progress(`${db.name}: palabras de los oficios`, Number(n));
    const written = await backfillOficioWords(db.dataSource, db.dialect, (k) => progress.tick(k));
    progress.finish();
    if (db.dialect === 'mysql') await db.dataSource.query('ANALYZE TABLE oficio, oficio_word');
    return written;
  });
  const s = Math.round((performance.now() - t0) / 100) / 10;
  note(`  ${db.name}: ${words.toLocaleString('es-MX')} palabras de oficios escritas (${s} s)`);
}

async function registerCases(db: BenchDb, g: TaskGenerator, http: HttpTarget): Promise<PageCase[]> {
  await buildOficioSearch(db);
  const register = http.service(OficioRegisterService);
  const [probe] = await db.dataSource.query<{ numero: string }[]>(
    'SELECT numero_remitente AS numero FROM oficio WHERE folio = ?',
    [g.probe.folio],
  );
  // Page 200 of the whole register, reached as a person would: 199 «Siguiente».
  const walk = new Progress(`${db.name}: 199 páginas del registro de oficios por «Siguiente»`, 198);
  let page = await register.page(SUBJEFATURA, {});
  for (let i = 1; i < 199 && page.siguiente; i++) {
    page = await register.page(SUBJEFATURA, { despues: page.siguiente });
    walk.tick();
  }
  walk.finish();
  const mes = localDate(new Date(g.now.getTime() - 45 * 86400_000)).slice(0, 7);
  const filters: [string, string, Actor, Record<string, string | number | undefined>][] = [
    ['primera', 'todos los oficios, 1.ª página', SUBJEFATURA, {}],
    ['pagina-200', 'todos, página 200 (cursor «despues»)', SUBJEFATURA, { despues: page.siguiente ?? undefined }],
    ['folio', `por folio (${g.probe.folio})`, SUBJEFATURA, { folio: g.probe.folio }],
    ['numero', `por número del remitente (${probe?.numero})`, SUBJEFATURA, { numero: probe?.numero }],
    ['numero-inicio', 'por el comienzo del número («PRI/12»)', SUBJEFATURA, { numero: 'PRI/12' }],
    [
      'numero-anio',
      'el comienzo del número y el año de folio («PRI/12», 2026)',
      SUBJEFATURA,
      { numero: 'PRI/12', anio: 2026 },
    ],
    [
      'numero-mes',
      `el comienzo del número y el mes de recepción («PRI/12», ${mes})`,
      SUBJEFATURA,
      { numero: 'PRI/12', mes },
    ],
    [
      'numero-nivel-propios',
      '«Mis oficios» de un usuario Nivel por el comienzo del número («PRI/12»)',
      NIVEL,
      { numero: 'PRI/12' },
    ],
    ['remitente', 'remitente: una palabra frecuente («zuniga»)', SUBJEFATURA, { remitente: 'zuniga' }],
    ['remitente-raro', 'remitente: una palabra que no está («xochitl»)', SUBJEFATURA, { remitente: 'xochitl' }],
    ['asunto', 'asunto: una palabra («bloqueo»)', SUBJEFATURA, { asunto: 'bloqueo' }],
    [
      'asunto-cct',
      `asunto: una palabra de pocos oficios (la CCT ${g.probe.cct})`,
      SUBJEFATURA,
      { asunto: g.probe.cct },
    ],
    [
      'remitente-y-ausente',
      'remitente frecuente y asunto que no está («zuniga», «xochitl»)',
      SUBJEFATURA,
      { remitente: 'zuniga', asunto: 'xochitl' },
    ],
    ['nivel', 'por nivel (PRIMARIA)', SUBJEFATURA, { nivel: 'PRIMARIA' }],
    ['procedimiento', 'por procedimiento (cuenta-bloquear)', SUBJEFATURA, { procedimiento: 'cuenta-bloquear' }],
    ['cancelados', 'estado: cancelados', SUBJEFATURA, { estado: 'cancelado' }],
    ['anio', 'por año de folio (2026)', SUBJEFATURA, { anio: 2026 }],
    ['mes', `por mes de recepción (${mes})`, SUBJEFATURA, { mes }],
    ['nivel-propios', '«Mis oficios» de un usuario Nivel (Primaria)', NIVEL, {}],
    ['responsable-propios', `«Mis oficios» de un responsable (${RESPONSABLE_1.id})`, RESPONSABLE_1, {}],
  ];
  const oficios = http.service(OficiosService);
  // The API's search (GET /api/oficios): pages by number (up to the 10,000th oficio) with a total counted up to 1,000.
  const api: PageCase[] = [1, 200].map((pagina) => ({
    page: 'registro',
    id: `api-pagina-${pagina}`,
    label: `GET /api/oficios página ${pagina} (desplazamiento, total hasta 1 000)`,
    actor: SUBJEFATURA,
    service: async () => {
      const p = await oficios.list({ pagina });
      return `${p.totalAcotado ? 'más de ' : ''}${p.total.toLocaleString('es-MX')}`;
    },
    url: `/api/oficios?pagina=${pagina}`,
  }));
  return [
    ...filters.map(([id, label, actor, q]): PageCase => ({
      page: 'registro',
      id,
      label,
      actor,
      service: async () => shown(await register.page(actor, q)),
      url: `/oficios${qs(q)}`,
    })),
    ...api,
  ];
}

function dashboardCases(g: TaskGenerator, http: HttpTarget): PageCase[] {
  const dashboard = http.service(DashboardService);
  const hasta = localDate(g.now);
  const filters: [string, string, Record<string, string>, DashboardFilter][] = [
    ['30-dias', 'últimos 30 días (lo que abre la página)', {}, { desde: addDays(hasta, -29), hasta, nivel: null }],
    [
      '30-dias-primaria',
      'últimos 30 días, nivel Primaria',
      { nivel: 'PRIMARIA' },
      { desde: addDays(hasta, -29), hasta, nivel: 'PRIMARIA' },
    ],
    [
      'un-ano',
      'último año',
      { desde: addDays(hasta, -364), hasta },
      { desde: addDays(hasta, -364), hasta, nivel: null },
    ],
  ];
  return filters.map(([id, label, q, f]) => ({
    page: 'tablero',
    id,
    label,
    actor: SUBJEFATURA,
    service: async () => {
      const d = await dashboard.data(f, new Date());
      const open = d.abiertos.reduce((n, r) => n + r.enCurso + r.incidentes, 0);
      return `${open.toLocaleString('es-MX')} casos abiertos`;
    },
    url: `/tablero${qs(q)}`,
  }));
}

interface Figures {
  c: PageCase;
  matched: string;
  statements: number;
  fullScans: string[];
  service: Summary;
  raw: Summary;
  http: Summary;
  /** FLOOR_PATH, one request after each of the page's (measureGet). */
  floor: Summary;
}

export async function benchRegisterAndDashboard(
  db: BenchDb,
  g: TaskGenerator,
  sizes: Sizes,
  out: SectionResult,
  http: HttpTarget,
): Promise<void> {
  const tag = db.dialect === 'sqlite' ? 'sqlite' : 'mariadb';
  // The application's own pool reports its statements to the bench's capture (on only while capturing).
  (http.service(DataSource) as unknown as { logger: unknown }).logger = db.capture;
  const raw = rawStatements(db);
  const figures: Figures[] = [];
  const failed: { c: PageCase; error: string }[] = [];
  const planLines: string[] = [];
  try {
    const cases = [...(await registerCases(db, g, http)), ...dashboardCases(g, http)];
    const warmup = httpWarmups();
    for (const c of cases) {
      db.capture.start();
      const t0 = performance.now();
      let matched: string;
      try {
        matched = await c.service();
      } catch (e) {
        // The product's own bound on a query (DB_QUERY_TIMEOUT_MS) ends it: the page answers 503, never the rows.
        db.capture.stop();
        const why = (e as Error).message;
        failed.push({ c, error: why });
        out.warnings.push(`FALLA: ${c.page} «${c.label}» (${db.name}) no responde: ${why}`);
        planLines.push(`${c.page} — ${c.label}: FALLA (${why})`, '');
        process.exitCode = 1;
        continue;
      }
      const firstMs = performance.now() - t0;
      const statements = db.capture.stop().filter((q) => /^\s*SELECT/i.test(q.query));
      planLines.push(`${c.page} — ${c.label}: ${matched}, ${statements.length} consultas`);
      const fullScans = await explainAll(db, statements, planLines, raw);
      planLines.push('');

      try {
        const rawSamples: number[] = [];
        // A page that reads a whole table takes seconds at the national scale: then 3 samples (its p95 is its slowest);
        // otherwise at least 10, within the inbox's time budget.
        const slow = firstMs > 1000;
        const budget = slow
          ? { iterations: 3, minIterations: 3, budgetMs: 0, warmup: 0 }
          : { iterations: 3000, minIterations: 10, budgetMs: sizes.inboxBudgetMs, warmup: 3 };
        let p = new Progress(`${db.name}: ${c.page} servicio y SQL directo, alternados: ${c.label}`, budget.iterations);
        const product = await measure({ ...budget, unit: 'consulta', progress: p }, c.service, {
          after: async () => {
            const t0 = performance.now();
            await raw.run(statements);
            rawSamples.push(performance.now() - t0);
          },
        });
        const base = summarize(rawSamples.slice(budget.warmup), 'consulta');
        p.finish(`servicio p95 ${product.summary.p95Ms} ms; SQL p95 ${base.p95Ms} ms`);

        const first = await http.get(c.url, c.actor);
        if (first.status !== 200) throw new Error(`GET ${c.url} respondió ${first.status} (${db.name})`);
        p = new Progress(`${db.name}: GET ${c.url}`, 1500);
        // The web process answers only HTTP (its own process): untimed requests warm it up, as the inbox's do. After
        // each request, one of the floor's (FLOOR_PATH), timed apart.
        const { floor: floorSummary, ...page } = await measureGet(http, c.actor, c.url, {
          ...budget,
          iterations: 1500,
          warmup: slow ? 0 : warmup(c.url),
          unit: 'solicitud',
          progress: p,
        });
        figures.push({
          c,
          matched,
          statements: statements.length,
          fullScans,
          service: product.summary,
          raw: base,
          http: page.summary,
          floor: floorSummary,
        });
        const id = `${c.page}.${tag}.${c.id}`;
        out.measurements.push(
          {
            section: 'bandeja',
            id,
            label: `${c.page === 'registro' ? 'OficioRegisterService.page' : 'DashboardService.data'} ${c.label}, ${db.name} (${matched})`,
            kind: 'producto',
            compareWith: [`${id}.raw`],
            ...product,
          },
          {
            section: 'bandeja',
            id: `${id}.raw`,
            label: `  las mismas ${statements.length} consultas en SQL directo`,
            short: 'sql',
            kind: 'base',
            summary: base,
            memory: { rssPeakMb: 0, heapRetainedMb: 0 },
          },
          {
            section: 'bandeja',
            id: `${id}.page`,
            label: `  GET ${c.url.split('?')[0]} por HTTP (${c.url.startsWith('/api/') ? 'API' : 'página HTML'}, mismo filtro)`,
            kind: 'producto',
            ...page,
          },
        );
      } catch (e) {
        // A sample that outlived the product's query bound (the page answers 503): the page fails, the run goes on.
        const why = (e as Error).message;
        failed.push({ c, error: why });
        out.warnings.push(`FALLA: ${c.page} «${c.label}» (${db.name}): ${why}`);
        process.exitCode = 1;
      }
    }
  } finally {
    await raw.close();
  }
  out.blocks.push({
    title: `Registro de oficios y tablero / oficios register and dashboard — ${db.name}, ${g.total.toLocaleString('es-MX')} tareas, ${g.cases.toLocaleString('es-MX')} casos y oficios (meta: página HTTP p95 < ${HTTP_GOAL_MS} ms; piso: GET ${FLOOR_PATH}, una tras cada solicitud de la página)`,
    text: [
      goalsTable(figures, out, db.name),
      ...failed.map((f) => `FALLA ${f.c.page} «${f.c.label}» (GET ${f.c.url}): ${f.error}`),
    ].join('\n'),
  });
  out.blocks.push({
    title: `Planes de consulta del registro y del tablero / register and dashboard query plans — ${db.name}`,
    text: planLines.join('\n').trimEnd(),
  });
  out.details[`registro.${tag}.goals`] = figures.map((f) => ({
    page: f.c.page,
    case: f.c.id,
    url: f.c.url,
    matched: f.matched,
    statements: f.statements,
    fullScans: f.fullScans,
    serviceP95Ms: f.service.p95Ms,
    rawP95Ms: f.raw.p95Ms,
    httpMedianMs: f.http.medianMs,
    httpP95Ms: f.http.p95Ms,
    floorMedianMs: f.floor.medianMs,
    floorP95Ms: f.floor.p95Ms,
  }));
  out.details[`registro.${tag}.failed`] = failed.map((f) => ({
    page: f.c.page,
    case: f.c.id,
    url: f.c.url,
    error: f.error,
  }));
}

/** EXPLAIN of every statement; answers the tables read whole (no index: type ALL / SCAN table). */
async function explainAll(
  db: BenchDb,
  statements: CapturedQuery[],
  lines: string[],
  raw: ReturnType<typeof rawStatements>,
): Promise<string[]> {
  const fullScans: string[] = [];
  for (const s of statements) {
    const plan = db.sqlite ? await explainSqlite(db, s) : await explainMariaDb(db, s);
    const alone = await measure({ iterations: 3, unit: 'consulta' }, () => raw.run([s]));
    const flags = [
      plan.fullTableScan ? 'RECORRIDO COMPLETO DE LA TABLA' : '',
      plan.fullIndexScan ? 'recorre un índice completo' : '',
      plan.fullSort ? 'ordena todas las filas que coinciden' : '',
    ].filter(Boolean);
    lines.push(
      `  ${s.query.length > 400 ? `${s.query.slice(0, 400)}…` : s.query}`,
      plan.text,
      `  → índices: ${plan.indexes.join(', ') || 'NINGUNO'}${flags.length ? ` · ${flags.join(' · ')}` : ''} · sola: mediana ${alone.summary.medianMs} ms`,
    );
    if (plan.fullTableScan || plan.fullIndexScan) fullScans.push(/FROM [`"]?(\w+)/i.exec(s.query)?.[1] ?? '?');
  }
  return fullScans;
}

function goalsTable(figures: Figures[], out: SectionResult, dbName: string): string {
  const ms = (n: number): string => n.toFixed(n < 10 ? 2 : 1);
  const rows = figures.map((f) => {
    const ok = f.http.p95Ms < HTTP_GOAL_MS;
    if (!ok)
      out.warnings.push(
        `Meta no cumplida: ${f.c.page} «${f.c.label}» (${dbName}) GET ${f.c.url} p95 ${ms(f.http.p95Ms)} ms (piso p95 ${ms(f.floor.p95Ms)} ms, servicio p95 ${ms(f.service.p95Ms)} ms, SQL directo p95 ${ms(f.raw.p95Ms)} ms${f.fullScans.length ? `; recorre completos: ${f.fullScans.join(', ')}` : ''}).`,
      );
    return [
      f.c.page,
      f.c.label,
      f.matched,
      String(f.statements),
      ms(f.service.medianMs),
      ms(f.service.p95Ms),
      ms(f.raw.p95Ms),
      ms(f.http.medianMs),
      ms(f.http.p95Ms),
      ms(f.floor.p95Ms),
      ok ? 'sí' : 'NO',
    ];
  });
  const header = [
    'página',
    'filtro',
    'coinciden',
    'consultas',
    'servicio p50',
    'servicio p95',
    'SQL p95',
    'HTTP p50',
    'HTTP p95',
    'piso p95',
    'meta',
  ];
  return textTable(header, rows, 3);
}
