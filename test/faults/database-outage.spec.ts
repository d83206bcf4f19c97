import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/config';
import { ACQUIRE_TIMEOUT_CODE, withoutQueryTimeout } from '../../src/database/bounded-mysql';
import { dataSourceOptions } from '../../src/entities';
import { DB_POOL_SIZE } from '../../src/config/db-timeouts';
import { startPrivateMariadb, type PrivateMariadb } from '../support/private-mariadb';
import { createStaff, login } from '../support/staff';
import { reportFigures } from './report';

/**
 * The database freezes (SIGSTOP: the TCP connections stay open and nothing answers) or dies (SIGKILL), on a private
 * mariadbd: requests answer 503 in Spanish within a bounded time instead of hanging for the whole outage, and the same
 * process serves again by itself once the server is back, with every committed row in place.
 */
const UNAVAILABLE = 'La base de datos no está disponible; intente de nuevo en unos momentos.';
/** Generous on a loaded 2-core machine; without bounds a request hangs for the whole freeze. */
const ANSWER_BOUND_MS = 15_000;
/** The client gives up here: a request still waiting is a hang. */
const CLIENT_TIMEOUT_MS = 20_000;
const RECOVERY_BOUND_MS = 20_000;

interface Answer {
  /** 0: no answer within CLIENT_TIMEOUT_MS. */
  status: number;
  ms: number;
  body: unknown;
  text: string;
  headers: Record<string, string>;
}

async function timed(req: request.Test): Promise<Answer> {
  const t0 = performance.now();
  try {
    const res = await req.timeout(CLIENT_TIMEOUT_MS).ok(() => true);
    return {
      status: res.status,
      ms: Math.round(performance.now() - t0),
      body: res.body as unknown,
      text: res.text,
      headers: res.headers,
    };
  } catch {
    return { status: 0, ms: Math.round(performance.now() - t0), body: null, text: '', headers: {} };
  }
}

describe('the database freezes or dies (private MariaDB)', () => {
  let mdb: PrivateMariadb;
  let app: NestExpressApplication;
  let dataDir: string;
  let token: string;

  const api = (): request.Test =>
    request(app.getHttpServer()).get('/api/admin/usuarios').set('Authorization', `Bearer ${token}`);
  const page = (): request.Test =>
    request(app.getHttpServer()).get('/admin/usuarios').set('Cookie', `mci_sesion=${token}`).set('Accept', 'text/html');
  const health = (): request.Test => request(app.getHttpServer()).get('/health');

  /** Polls the API until it answers 200; returns how long that took. */
  async function untilServing(): Promise<number> {
    const t0 = performance.now();
    for (;;) {
      const r = await timed(api());
      if (r.status === 200) return Math.round(performance.now() - t0);
      if (performance.now() - t0 > RECOVERY_BOUND_MS + CLIENT_TIMEOUT_MS)
        throw new Error(`no volvió a atender: último estado ${r.status} ${r.text.slice(0, 300)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** What every request answers while the database is down: 503, Spanish, Retry-After, in bounded time. */
  async function expectUnavailable(what: string): Promise<void> {
    const json = await timed(api());
    const html = await timed(page());
    const h = await timed(health());
    reportFigures(what, {
      api: json.status,
      api_ms: json.ms,
      pagina: html.status,
      pagina_ms: html.ms,
      health: h.status,
      health_ms: h.ms,
    });
    expect({ status: json.status, bounded: json.ms < ANSWER_BOUND_MS }).toEqual({ status: 503, bounded: true });
    expect(json.body).toMatchObject({ error: 'BASE_DE_DATOS_NO_DISPONIBLE', mensaje: UNAVAILABLE });
    expect(Number(json.headers['retry-after'])).toBeGreaterThan(0);
    expect({ status: html.status, bounded: html.ms < ANSWER_BOUND_MS }).toEqual({ status: 503, bounded: true });
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.text).toContain('La base de datos no está disponible; intente de nuevo en unos momentos.');
    expect(Number(html.headers['retry-after'])).toBeGreaterThan(0);
    expect({ status: h.status, bounded: h.ms < ANSWER_BOUND_MS }).toEqual({ status: 503, bounded: true });
  }

  beforeAll(async () => {
    mdb = await startPrivateMariadb();
    dataDir = mkdtempSync(join(tmpdir(), 'mci-outage-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      DATABASE_URL: mdb.url('mci'),
    });
    app = await createApp(config);
    await app.init();
    await createStaff(app.get(DataSource), 'admin.caida', 'administrador');
    token = await login(app, 'admin.caida');
  });

  afterAll(async () => {
    mdb?.signal('SIGCONT');
    await app?.close();
    await mdb?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('each bound holds on a live server: a statement past its timeout, a wait for a full pool; migrations have no statement timeout', async () => {
    const ds = new DataSource(
      dataSourceOptions({
        databaseUrl: mdb.url('mci'),
        dataDir,
        dbTimeouts: { connectMs: 2000, acquireMs: 1000, queryMs: 2000 },
      }),
    );
    await ds.initialize();
    try {
      let t0 = performance.now();
      await expect(ds.query('SELECT SLEEP(6)')).rejects.toMatchObject({ code: 'PROTOCOL_SEQUENCE_TIMEOUT' });
      expect(performance.now() - t0).toBeLessThan(5000);
      expect(await withoutQueryTimeout(() => ds.query('SELECT SLEEP(3) AS s'))).toEqual([{ s: 0 }]);

      // Every pooled connection busy (with statements that end): the next caller waits acquireMs, not until one is free.
      const busy = Array.from({ length: DB_POOL_SIZE }, () => withoutQueryTimeout(() => ds.query('SELECT SLEEP(5)')));
      await new Promise((r) => setTimeout(r, 300));
      t0 = performance.now();
      await expect(ds.query('SELECT 1')).rejects.toMatchObject({ code: ACQUIRE_TIMEOUT_CODE });
      expect(performance.now() - t0).toBeLessThan(4000);
      await Promise.all(busy);
      expect(await ds.query('SELECT 1 AS uno')).toEqual([{ uno: 1 }]);
    } finally {
      await ds.destroy();
    }
  });

  it('frozen (SIGSTOP): 503 within the bound, /health 503; thawed (SIGCONT): serves again without a restart', async () => {
    expect((await timed(api())).status).toBe(200);
    mdb.signal('SIGSTOP');
    try {
      await expectUnavailable('base de datos congelada');
      // More requests at once than the pool has connections: the ones left waiting for a connection are bounded too.
      const burst = await Promise.all(Array.from({ length: 16 }, () => timed(api())));
      const slowest = Math.max(...burst.map((r) => r.ms));
      reportFigures('base de datos congelada', {
        solicitudes_a_la_vez: burst.length,
        respuestas_503: burst.filter((r) => r.status === 503).length,
        la_mas_lenta_ms: slowest,
      });
      expect(burst.map((r) => r.status)).toEqual(burst.map(() => 503));
      expect(slowest).toBeLessThan(ANSWER_BOUND_MS);
    } finally {
      mdb.signal('SIGCONT');
    }
    const recovery = await untilServing();
    reportFigures('base de datos congelada', { vuelve_a_atender_ms: recovery });
    expect(recovery).toBeLessThan(RECOVERY_BOUND_MS);
    for (let i = 0; i < 12; i++) expect((await timed(api())).status).toBe(200); // more than the pool's connections
    expect((await timed(health())).status).toBe(200);
  });

  it('killed (SIGKILL): 503; restarted on the same datadir and port: serves again, committed rows kept', async () => {
    const created = await timed(
      request(app.getHttpServer())
        .post('/api/admin/usuarios')
        .set('Authorization', `Bearer ${token}`)
        .send({ usuario: 'antes.de.la.caida', nombre: 'Registrada Antes', rol: 'subdireccion' }),
    );
    expect(created.status).toBe(201);
    mdb.signal('SIGKILL');
    await mdb.exited();
    await expectUnavailable('base de datos detenida');

    const t0 = performance.now();
    await mdb.restart();
    const ready = Math.round(performance.now() - t0);
    const recovery = await untilServing();
    reportFigures('base de datos detenida', { reinicio_listo_ms: ready, vuelve_a_atender_ms: recovery });
    expect(recovery).toBeLessThan(RECOVERY_BOUND_MS);

    const list = await timed(api());
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).toContain('antes.de.la.caida');
    const after = await timed(
      request(app.getHttpServer())
        .post('/api/admin/usuarios')
        .set('Authorization', `Bearer ${token}`)
        .send({ usuario: 'despues.de.la.caida', nombre: 'Registrada Después', rol: 'subdireccion' }),
    );
    expect(after.status).toBe(201);
    expect((await timed(health())).status).toBe(200);
  });
});
