import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { Trabajador } from '../../src/catalog/entities/trabajador.entity';
import { seedDemo } from '../../src/cli/seed/seed-demo';
import { dataSourceOptions } from '../../src/entities';
import { ensureMysqlDatabase } from '../../src/database/ensure-database';
import { runMigrations } from '../../src/database/migrate';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Task } from '../../src/engine/entities/task.entity';
import { OpenSelfServiceRequest } from '../../src/selfservice/entities/open-request.entity';
import { startWeb, type WebProcess } from '../oficios/web-process';
import { startPrivateMariadb, type PrivateMariadb } from '../support/private-mariadb';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis';
import { createStaff, STAFF_PASSWORD } from '../support/staff';
import { startWorker, type WorkerProcess } from '../support/worker-process';
import {
  type Baseline,
  call,
  type CannonRequest,
  load,
  type LoadSummary,
  mean,
  rssMb,
  sampleRss,
  startBaseline,
} from './load-process';
import { reportFigures, scaled } from './report';

/**
 * Load on loopback against the real web process (`node -r ./scripts/register.js src/main.ts`) on a private MariaDB and
 * Redis, with a real worker process running the effects: the worker's self-service (CURP + CURT) and the Subjefatura's
 * inbox at 50 connections, beside a bare node HTTP server measured in the same run with the same client settings.
 * Speeds are reported, not asserted; what is asserted is that nothing breaks under load: no 5xx, no connection
 * error or timeout, every answer the one a single request gets, and no worker with two open requests afterwards.
 * With FAULTS_SOAK_MIN=n, a soak of n minutes samples the web process's memory, which must stay flat.
 */
const CONNECTIONS = 50;
const SECONDS = scaled('load_s', 5, 30);
const WORKERS = 300;
const TASKS = 40;
const SOAK_MIN = Number(process.env.FAULTS_SOAK_MIN ?? 0);
const PII_KEY = 'clave-pii-de-la-prueba-de-carga-41b9';
/** The self-service limit (rateLimit(20, 60_000) on POST /api/autoservicio/alta) and its Spanish refusal. */
const SELF_SERVICE_LIMIT = 20;
const LIMIT_MESSAGE = 'Demasiados intentos desde su conexión. Espere un minuto e intente de nuevo.';
/** Self-service requests confirmed while the inbox is under load, and the bound for their effects to run. */
const CONFIRMED = 10;
const EFFECTS_BOUND_MS = 90_000;
const INBOX = '/api/bandeja?porPagina=50';
const ALTA = '/api/autoservicio/alta';

/** A fresh address per request (10.0.0.0/8), sent through X-Forwarded-For: the web trusts the loopback proxy. */
let addressSeq = 0;
const nextAddress = (): string => {
  const n = ++addressSeq;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

describe('load on the web process (MariaDB + Redis, autocannon on loopback)', () => {
  let mdb: PrivateMariadb;
  let redis: PrivateRedis;
  let ds: DataSource;
  let dataDir: string;
  let web: WebProcess;
  let worker: WorkerProcess;
  let token: string;
  let holders: { curp: string; curt: string }[];
  const startedAt = Date.now();

  beforeAll(async () => {
    [mdb, redis] = await Promise.all([startPrivateMariadb(), startPrivateRedis()]);
    dataDir = mkdtempSync(join(tmpdir(), 'mci-carga-'));
    const databaseUrl = mdb.url('mci_carga');
    await ensureMysqlDatabase(databaseUrl);
    ds = new DataSource(dataSourceOptions({ databaseUrl, dataDir }));
    await ds.initialize();
    await runMigrations(ds);

    // The demo catalog (valid CURPs, schools of Colima), the Subjefatura's clerk, and an account per school for its PII request.
    await seedDemo(ds, {
      seed: 909,
      centros: TASKS + 5,
      trabajadores: WORKERS + 60,
      hashPassword: async () => 'sin-acceso',
      generatePassword: () => randomUUID(),
    });
    // Active workers with an alternate address (the self-service sends the credentials there): a case waits for them.
    holders = (await ds.getRepository(Trabajador).find({ where: { activo: true }, order: { curp: 'ASC' } }))
      .filter((t) => t.correoAlterno)
      .slice(0, WORKERS)
      .map((t) => ({ curp: t.curp, curt: t.curt }));
    expect(holders.length).toBeGreaterThanOrEqual(WORKERS * 0.8);
    await createStaff(ds, 'carga.subjefatura', 'subjefatura');
    const centros = (await ds.getRepository(CentroTrabajo).find({ order: { cct: 'ASC' } })).slice(0, TASKS);
    expect(centros).toHaveLength(TASKS);
    for (const c of centros) {
      const local = c.cct.toLowerCase();
      await ds.getRepository(Cuenta).insert({
        id: randomUUID(),
        direccion: `${local}@colima.gob.mx`,
        localPart: local,
        dominio: 'colima.gob.mx',
        tipo: 'centro_trabajo',
        titularTipo: 'centro',
        titularCurp: null,
        titularCct: c.cct,
        estado: 'activa',
        proveedor: 'local',
        proveedorId: null,
      });
    }

    const env: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      DATA_DIR: dataDir,
      SECRET_KEY: randomBytes(32).toString('hex'),
      PII_API_KEY: PII_KEY,
      QUEUE_PREFIX: `mci-carga-${randomBytes(3).toString('hex')}`,
      PUBLIC_BASE_URL: 'https://correo.example.test',
    };
    [web, worker] = await Promise.all([
      startWeb(env, 120_000),
      startWorker({ ...env, LOG_LEVEL: 'warn' }, { readyTimeoutMs: 120_000 }),
    ]);

    const signIn = await call(`${web.url}/api/auth/login`, {
      method: 'POST',
      body: { usuario: 'carga.subjefatura', contrasena: STAFF_PASSWORD },
    });
    expect(signIn.status).toBe(200);
    token = signIn.body.token as string;

    // 40 PII requests (Guía 5.2.2), through the real route: 40 open tasks in the Subjefatura's inbox.
    for (const c of centros) {
      const r = await call(`${web.url}/api/pii/centros/${c.cct}/restablecer-contrasena`, {
        method: 'POST',
        headers: { 'X-Api-Key': PII_KEY },
        body: { contrasena: 'jacaranda-volcan-mirador-2026' },
      });
      if (r.status !== 202) throw new Error(`PII ${c.cct} → ${r.status}: ${JSON.stringify(r.body)}`);
    }
    const inbox = await call(`${web.url}${INBOX}`, { headers: { Authorization: `Bearer ${token}` } });
    expect({ status: inbox.status, total: inbox.body.total }).toEqual({ status: 200, total: TASKS });
    expect(await ds.getRepository(Task).count({ where: { status: 'abierta', candidateRole: 'subjefatura' } })).toBe(
      TASKS,
    );
  });

  afterAll(async () => {
    await worker?.stop();
    await web?.kill();
    if (ds?.isInitialized) await ds.destroy();
    await redis?.stop();
    await mdb?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    reportFigures('carga', { ...totals, duracion_total_s: Math.round((Date.now() - startedAt) / 1000) });
  });

  /** Nothing broke: no 5xx, no connection error or timeout, and every answer was `status`. */
  function expectClean(what: string, s: LoadSummary, status: number): void {
    const seen = {
      escenario: what,
      respuestas_5xx: s.s5xx,
      errores: s.errors,
      tiempos_agotados: s.timeouts,
      codigos: s.codes,
    };
    expect(seen).toEqual({
      escenario: what,
      respuestas_5xx: 0,
      errores: 0,
      tiempos_agotados: 0,
      codigos: { [status]: s.total },
    });
    expect(s.total).toBeGreaterThan(0);
  }

  /** The worker's request with CURP + CURT: a holder in turn, from an address of its own. */
  const selfService = (): CannonRequest => ({
    method: 'POST',
    path: ALTA,
    headers: { 'Content-Type': 'application/json' },
    setupRequest: (req) => {
      const h = holders[addressSeq % holders.length];
      return {
        ...req,
        headers: { ...req.headers, 'X-Forwarded-For': nextAddress() },
        body: JSON.stringify({ curp: h.curp, curt: h.curt }),
      };
    },
  });
  const inbox = (): CannonRequest => ({ method: 'GET', path: INBOX, headers: { Authorization: `Bearer ${token}` } });

  /** Connection errors and 5xx over every scenario, for the summary line. */
  const totals = { errores: 0, respuestas_5xx: 0, no_2xx: 0 };
  const figures = (prefix: string, s: LoadSummary): Record<string, number> => {
    totals.errores += s.errors;
    totals.respuestas_5xx += s.s5xx;
    totals.no_2xx += s.non2xx;
    return {
      [`${prefix}_rps`]: s.rps,
      [`${prefix}_p50_ms`]: s.p50,
      [`${prefix}_p99_ms`]: s.p99,
      [`${prefix}_solicitudes`]: s.total,
      [`${prefix}_errores`]: s.errors,
      [`${prefix}_no_2xx`]: s.non2xx,
      [`${prefix}_5xx`]: s.s5xx,
    };
  };

  it(`the self-service limit: past ${SELF_SERVICE_LIMIT} requests a minute from one address, 429 in Spanish with Retry-After`, async () => {
    const h = holders[0];
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < SELF_SERVICE_LIMIT + 3; i++) {
      const r = await call(`${web.url}${ALTA}`, {
        method: 'POST',
        headers: { 'X-Forwarded-For': '203.0.113.77' },
        body: { curp: h.curp, curt: h.curt },
      });
      statuses.push(r.status);
      if (r.status === 429) refused ??= r;
    }
    expect(statuses).toEqual([...Array<number>(SELF_SERVICE_LIMIT).fill(200), 429, 429, 429]);
    expect(refused!.body).toMatchObject({ error: 'DEMASIADAS_SOLICITUDES', mensaje: LIMIT_MESSAGE });
    expect(Number(refused!.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not held back by that one.
    const other = await call(`${web.url}${ALTA}`, {
      method: 'POST',
      headers: { 'X-Forwarded-For': '203.0.113.78' },
      body: { curp: h.curp, curt: h.curt },
    });
    expect(other.status).toBe(200);
    reportFigures('carga', { limite_autoservicio: SELF_SERVICE_LIMIT, limite_responde_429: true });
  });

  it(`self-service at ${CONNECTIONS} connections: every request 200, no 5xx, one open request per worker`, async () => {
    const s = await load(web.url, [selfService()], { connections: CONNECTIONS, seconds: SECONDS });
    reportFigures('carga', {
      conexiones: CONNECTIONS,
      segundos: SECONDS,
      titulares: holders.length,
      ...figures('autoservicio', s),
    });
    expectClean('autoservicio', s, 200);

    // Each worker asked many times at once from many addresses: one case each, and that case holds the worker's place.
    // Read in one snapshot: requests the server was still serving when the client stopped may commit meanwhile.
    const [cases, places] = await ds.transaction(
      'REPEATABLE READ',
      async (em) =>
        [
          await em
            .getRepository(ProcedureCase)
            .find({ select: { id: true, curp: true, status: true }, where: { procedureId: 'personal-alta' } }),
          await em.getRepository(OpenSelfServiceRequest).find({ where: { procedureId: 'personal-alta' } }),
        ] as const,
    );
    const curps = new Set(cases.map((c) => c.curp));
    reportFigures('carga', { autoservicio_tramites: cases.length });
    expect({ cases: cases.length, places: places.length }).toEqual({ cases: curps.size, places: curps.size });
    expect(new Set(places.map((p) => p.caseId))).toEqual(new Set(cases.map((c) => c.id)));
    expect(cases.filter((c) => c.status !== 'activo')).toEqual([]);
    const known = new Set(holders.map((h) => h.curp));
    expect([...curps].filter((c) => !c || !known.has(c))).toEqual([]);
    expect(curps.size).toBeGreaterThan(1);
  });

  it(`the Subjefatura's inbox at ${CONNECTIONS} connections: every request 200, no 5xx; meanwhile workers confirm and the worker process creates their accounts`, async () => {
    // Workers whose requests wait for their confirmation (opened by the self-service load): their tokens.
    const confirming: { tramite: string; token: string }[] = [];
    for (const h of holders.slice(1, 1 + CONFIRMED)) {
      const r = await call(`${web.url}${ALTA}`, {
        method: 'POST',
        headers: { 'X-Forwarded-For': nextAddress() },
        body: { curp: h.curp, curt: h.curt },
      });
      expect(r.status).toBe(200);
      confirming.push({ tramite: r.body.tramite as string, token: r.body.token as string });
    }
    const running = load(web.url, [inbox()], { connections: CONNECTIONS, seconds: SECONDS });
    await new Promise((r) => setTimeout(r, 500));
    const confirmed = await Promise.all(
      confirming.map((c) =>
        call(`${web.url}/api/autoservicio/tramites/${c.tramite}/confirmar`, {
          method: 'POST',
          body: { token: c.token, confirma: true },
        }),
      ),
    );
    const s = await running;
    reportFigures('carga', figures('bandeja', s));
    expectClean('bandeja', s, 200);
    expect(confirmed.map((r) => r.status)).toEqual(confirming.map(() => 200));

    // The effects (provisioning, the credentials mail) ran in the worker process: each request ends «creada».
    const t0 = Date.now();
    const ends = async (): Promise<string[]> =>
      Promise.all(
        confirming.map(
          async (c) =>
            (await call(`${web.url}/api/autoservicio/tramites/${c.tramite}?token=${encodeURIComponent(c.token)}`)).body
              .resultado as string,
        ),
      );
    let results = await ends();
    while (results.some((r) => r !== 'creada') && Date.now() - t0 < EFFECTS_BOUND_MS) {
      await new Promise((r) => setTimeout(r, 500));
      results = await ends();
    }
    reportFigures('carga', { altas_confirmadas_bajo_carga: confirming.length, altas_creadas_ms: Date.now() - t0 });
    expect(results).toEqual(confirming.map(() => 'creada'));
  });

  it(`a bare node HTTP server with the same client settings, in the same run (the baseline)`, async () => {
    let base: Baseline | undefined;
    try {
      base = await startBaseline();
      const s = await load(base.url, [{ method: 'GET', path: '/' }], { connections: CONNECTIONS, seconds: SECONDS });
      reportFigures('carga', { ...figures('base', s), rss_mb: rssMb(web.pid) });
      expectClean('base', s, 200);
    } finally {
      await base?.stop();
    }
    expect(worker.alive()).toBe(true);
  });

  if (SOAK_MIN > 0) {
    it(`soak: ${SOAK_MIN} min of inbox and self-service, the web process's memory stays flat`, async () => {
      const sampler = sampleRss(web.pid, 5_000);
      const s = await load(web.url, [inbox(), selfService()], { connections: CONNECTIONS, seconds: SOAK_MIN * 60 });
      const rss = sampler.stop();
      const third = Math.floor(rss.length / 3);
      const second = mean(rss.slice(third, 2 * third));
      const last = mean(rss.slice(2 * third));
      const round = (x: number): number => Math.round(x);
      reportFigures('carga', {
        soak_min: SOAK_MIN,
        ...figures('soak', s),
        rss_inicio_mb: round(rss[0]),
        rss_fin_mb: round(rss[rss.length - 1]),
        rss_max_mb: round(Math.max(...rss)),
        rss_media_segundo_tercio_mb: round(second),
        rss_media_ultimo_tercio_mb: round(last),
        rss_muestras: rss.length,
      });
      expectClean('soak', s, 200);
      expect(rss.length).toBeGreaterThanOrEqual(9);
      expect(last).toBeLessThanOrEqual(second * 1.2);
    });
  }
});
