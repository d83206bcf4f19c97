import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client, EqualityFilter } from 'ldapts';
import request from 'supertest';
import { DataSource, In, Not } from 'typeorm';
import { createApp } from '../../src/bootstrap';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { loadConfig } from '../../src/config/config';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { LIVE_STATUSES } from '../../src/engine/effects/job-runner.service';
import { QUEUE_DRIVER, type QueueDriver } from '../../src/queue/queue-driver';
import { type SmtpSink, type SmtpSinkOptions, startSmtpSink } from '../mail/support/smtp-sink';
import { addWorker } from '../support/pipeline';
import { type PrivateMariadb, startPrivateMariadb } from '../support/private-mariadb';
import { type PrivateRedis, startPrivateRedis } from '../support/private-redis';
import { type Slapd, startSlapd } from '../support/slapd';
import { createStaff, login } from '../support/staff';
import { startWorker, type WorkerProcess } from '../support/worker-process';
import { reportFigures, scaled } from './report';
import { addressFor, privateServicesEnv } from './support';
import { cleanUp } from '../support/cleanup';

/**
 * Services going away while work is in flight, on MariaDB + Redis + a separate worker process (ldap provider against a
 * private slapd, mail to a private SMTP server). Redis restarted empty with jobs waiting, running and delayed; MariaDB
 * frozen and, separately, killed and restarted. Every case that was acknowledged finishes by itself — no restart of
 * the worker or the web — with one account per holder, one directory entry, no Message-ID twice, and no command ever
 * executed twice at once (the worker's 'Ejecución iniciada/terminada' lines, LOG_LEVEL=debug).
 */
const SUITE = 'servicios que se van';
const CONCURRENCY = 2;
const STALLED_MS = 3000;
const RETRY_BASE_MS = 3000;
/** Generous on a loaded 2-core machine; without bounds a request hangs for the whole outage. */
const ANSWER_BOUND_MS = 15_000;
const CLIENT_TIMEOUT_MS = 20_000;
/**
 * How long the cases may take to finish once the service is back. Recovery runs every RECOVERY_INTERVAL_MS (1 s here)
 * and takes an enqueued command with no job after 10 s; when it waited for a command to be two minutes stale, a restart
 * of Redis left the cases waiting that long.
 */
const RECOVERY_BOUND_MS = 60_000;
const SECRET_KEY = randomBytes(32).toString('hex');
const PII_KEY = 'clave-pii-servicios-que-se-van';

jest.setTimeout(300_000);

interface Holder {
  curp: string;
  correo: string;
  caseId: string;
}

interface Answer {
  /** 0: no answer within CLIENT_TIMEOUT_MS. */
  status: number;
  ms: number;
}

async function timed(req: request.Test): Promise<Answer> {
  const t0 = performance.now();
  try {
    const res = await req.timeout(CLIENT_TIMEOUT_MS).ok(() => true);
    return { status: res.status, ms: Math.round(performance.now() - t0) };
  } catch {
    return { status: 0, ms: Math.round(performance.now() - t0) };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('services going away while work is in flight (MariaDB + Redis + worker process)', () => {
  let mdb: PrivateMariadb | undefined;
  let redis: PrivateRedis | undefined;
  let slapd: Slapd | undefined;
  let sink: SmtpSink | undefined;
  const sinkOptions: SmtpSinkOptions = {};
  let dataDir: string | undefined;
  let app: NestExpressApplication | undefined;
  let worker: WorkerProcess | undefined;
  let slapdStopped = false;
  let token: string;
  let adminToken: string;
  let workerLog = '';
  let seq = 0;
  const holders: Holder[] = [];
  /** Across the tests so far (the runner keeps a suite's last value of each figure). */
  const totals = { perdidos: 0, duplicados: 0, solapes: 0 };
  /** This scenario's own figures, and the totals so far. */
  const tally = (prefix: string, perdidos: number, once: { duplicados: number; solapes: number }) => {
    totals.perdidos += perdidos;
    totals.duplicados += once.duplicados;
    totals.solapes += once.solapes;
    return {
      [`${prefix}_perdidos`]: perdidos,
      [`${prefix}_duplicados`]: once.duplicados,
      [`${prefix}_solapes`]: once.solapes,
      ...totals,
    };
  };
  const http = () => request(app!.getHttpServer());
  const ds = () => app!.get(DataSource);

  /** Polls until `fn` gives a value (errors count as "not yet": the database may still be coming back). */
  const until = async <T>(
    what: string,
    fn: () => Promise<T | undefined | null | false>,
    timeoutMs = 30_000,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      try {
        const v = await fn();
        if (v !== undefined && v !== null && v !== false) return v;
      } catch (e) {
        last = (e as Error).message;
        if (last.startsWith('INCIDENTE')) throw e;
      }
      if (Date.now() > deadline)
        throw new Error(
          `No ocurrió en ${timeoutMs / 1000} s: ${what}. ${last}\nSalida del worker:\n${worker?.output().slice(-4000) ?? ''}`,
        );
      await sleep(200);
    }
  };

  /** A worker of the catalog starts 5.1.1 in self-service and confirms it: acknowledged once confirm answers 200. */
  const confirmedAlta = async (): Promise<Holder> => {
    const n = ++seq;
    const w = await addWorker(ds(), { correoAlterno: `titular.${n}@correo-alterno.example` });
    const from = addressFor(n);
    const start = await http()
      .post('/api/autoservicio/alta')
      .set('X-Forwarded-For', from)
      .send({ curp: w.curp, curt: w.curt })
      .expect(200);
    const { tramite, token: t } = start.body as { tramite: string; token: string };
    await http()
      .post(`/api/autoservicio/tramites/${tramite}/confirmar`)
      .set('X-Forwarded-For', from)
      .send({ token: t, confirma: true })
      .expect(200);
    const h = { curp: w.curp, correo: w.correoAlterno!, caseId: tramite };
    holders.push(h);
    return h;
  };

  /** How many of these cases are done: account created, and nothing of theirs left to run. An incident fails at once. */
  const doneCount = async (batch: Holder[]): Promise<number> => {
    const ids = batch.map((h) => h.caseId);
    const cases = await ds()
      .getRepository(ProcedureCase)
      .findBy({ id: In(ids) });
    const bad = cases.find((c) => c.status === 'incidente');
    if (bad)
      throw new Error(
        `INCIDENTE en ${bad.id} (${bad.state}): ${bad.incidentMessage ?? ''}\n${worker?.output().slice(-4000) ?? ''}`,
      );
    const live = await ds()
      .getRepository(OutboxCommand)
      .findBy({ caseId: In(ids), status: In(LIVE_STATUSES), type: Not('taskReminder') });
    const busy = new Set(live.map((c) => c.caseId));
    return cases.filter((c) => c.outcome === 'creada' && !busy.has(c.id)).length;
  };

  /** Waits until every case of the batch is done; returns the milliseconds since `t0`. */
  const allDone = async (batch: Holder[], t0: number): Promise<number> => {
    await until(
      `los ${batch.length} trámites terminan`,
      async () => (await doneCount(batch)) === batch.length,
      RECOVERY_BOUND_MS,
    );
    return Math.round(performance.now() - t0);
  };

  const ldapEntries = async (curp: string): Promise<number> => {
    const c = new Client({ url: slapd!.url, timeout: 5000, connectTimeout: 2000 });
    try {
      await c.bind(slapd!.adminDN, slapd!.adminPassword);
      return (
        await c.search(slapd!.peopleDN, {
          scope: 'sub',
          filter: new EqualityFilter({ attribute: 'employeeNumber', value: curp }),
          attributes: ['dn'],
        })
      ).searchEntries.length;
    } finally {
      await c.unbind().catch(() => undefined);
    }
  };

  /** Command executions (the worker's debug lines) that overlap another execution of the same command. */
  const overlaps = (): { executions: number; overlapping: string[] } => {
    const runs = new Map<string, { outboxId: string; start?: number; end?: number }>();
    for (const line of workerLog.split('\n')) {
      if (!line.includes('Ejecución ')) continue;
      let rec: { msg?: string; outboxId?: string; execution?: string; time?: number | string };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        continue;
      }
      if (!rec.execution || !rec.outboxId) continue;
      const t = typeof rec.time === 'number' ? rec.time : Date.parse(String(rec.time));
      const run = runs.get(rec.execution) ?? { outboxId: rec.outboxId };
      if (rec.msg === 'Ejecución iniciada') run.start = t;
      if (rec.msg === 'Ejecución terminada') run.end = t;
      runs.set(rec.execution, run);
    }
    const byCommand = new Map<string, { start: number; end: number }[]>();
    for (const r of runs.values()) {
      // An execution still running has no end yet: it overlaps whatever starts after it.
      const list = byCommand.get(r.outboxId) ?? [];
      list.push({ start: r.start ?? -Infinity, end: r.end ?? Infinity });
      byCommand.set(r.outboxId, list);
    }
    const overlapping: string[] = [];
    for (const [id, list] of byCommand) {
      list.sort((a, b) => a.start - b.start);
      for (let i = 1; i < list.length; i++) if (list[i].start < list[i - 1].end) overlapping.push(id);
    }
    return { executions: runs.size, overlapping };
  };

  /** One account and one directory entry per holder, one mail each, no Message-ID twice, no overlapping executions. */
  const expectExactlyOnce = async (
    batch: Holder[],
  ): Promise<{ duplicados: number; solapes: number; ejecuciones: number }> => {
    const problems: string[] = [];
    for (const h of batch) {
      const cuentas = await ds().getRepository(Cuenta).countBy({ titularCurp: h.curp });
      const entries = await ldapEntries(h.curp);
      if (cuentas !== 1 || entries !== 1)
        problems.push(`${h.curp}: ${cuentas} cuenta(s), ${entries} entrada(s) en el directorio`);
    }
    const ids = sink!.received.map(
      (m) => /^Message-ID:\s*(\S+)/im.exec(m.raw.toString('utf8'))?.[1] ?? '(sin Message-ID)',
    );
    const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
    for (const h of batch) {
      const mails = sink!.received.filter((m) => m.rcptTo.includes(h.correo)).length;
      if (mails !== 1) problems.push(`${h.correo}: ${mails} correo(s)`);
    }
    const o = overlaps();
    expect({ problems, twice, overlapping: o.overlapping }).toEqual({ problems: [], twice: [], overlapping: [] });
    expect(o.executions).toBeGreaterThan(0);
    return { duplicados: problems.length + twice.length, solapes: o.overlapping.length, ejecuciones: o.executions };
  };

  const counts = () => app!.get<QueueDriver>(QUEUE_DRIVER).counts();

  /** What the worker went through since `mark` (a length of its log): transient failures it retried. */
  const disturbances = (mark: number): { fallas: number } => ({
    fallas: workerLog
      .slice(mark)
      .split('\n')
      .filter((l) => l.includes('Falla transitoria')).length,
  });

  beforeAll(async () => {
    // Every server is our own (free loopback port, temp dir); a missing one fails here with what to install.
    [mdb, redis, slapd, sink] = await Promise.all([
      startPrivateMariadb(),
      startPrivateRedis(),
      startSlapd(),
      startSmtpSink(sinkOptions),
    ]);
    dataDir = mkdtempSync(join(tmpdir(), 'mci-servicios-'));
    const common: Record<string, string> = {
      ...privateServicesEnv({ mdb, redis, slapd, smtpPort: sink.port }),
      QUEUE_PREFIX: `mci-faults-${randomBytes(4).toString('hex')}`,
      QUEUE_STALLED_MS: String(STALLED_MS),
      RETRY_BASE_MS: String(RETRY_BASE_MS),
      RELAY_INTERVAL_MS: '200',
      RECOVERY_INTERVAL_MS: '1000',
      WORKER_CONCURRENCY: String(CONCURRENCY),
      DB_CONNECT_TIMEOUT_MS: '3000',
      DB_ACQUIRE_TIMEOUT_MS: '3000',
      DB_QUERY_TIMEOUT_MS: '5000',
      DATA_DIR: dataDir,
      SECRET_KEY,
      PUBLIC_BASE_URL: 'https://correo.example.test',
      PII_API_KEY: PII_KEY,
    };
    app = await createApp(loadConfig({ ...common, LOG_LEVEL: 'silent' }));
    await app.init();
    worker = await startWorker({ ...common, LOG_LEVEL: 'debug' }, { onOutput: (t) => (workerLog += t) });
    await createStaff(ds(), 'vigia.servicios', 'subjefatura');
    token = await login(app, 'vigia.servicios');
    await createStaff(ds(), 'admin.servicios', 'administrador');
    adminToken = await login(app, 'admin.servicios');
  });

  afterAll(async () => {
    // Every process this suite started is stopped by its own pid, whatever failed before.
    await cleanUp([
      ['slapd SIGCONT', async () => void (slapdStopped && slapd && process.kill(slapd.pid, 'SIGCONT'))],
      ['mariadb SIGCONT', async () => mdb?.signal('SIGCONT')],
      ['worker', () => worker?.stop(5000)],
      ['web', () => app?.close()],
      ['smtp', () => sink?.close()],
      ['slapd', () => slapd?.stop()],
      ['redis', () => redis?.stop()],
      ['mariadb', () => mdb?.stop()],
      ['datadir', async () => void (dataDir && rmSync(dataDir, { recursive: true, force: true }))],
    ]);
  });

  it('Redis restarted empty with jobs waiting, running and delayed: every case finishes by itself, each effect once', async () => {
    const workerPid = worker!.pid;
    const mark = workerLog.length;
    // Delayed: the SMTP server answers 451, so each holder's mail is retried later (a delayed job in Redis).
    sinkOptions.dataReplyCode = 451;
    const delayedBatch: Holder[] = [];
    for (let i = 0; i < scaled('servicios_redis_diferidos', 3, 8); i++) delayedBatch.push(await confirmedAlta());
    await until(
      'cada correo de datos de acceso falló una vez y espera su reintento',
      async () => {
        const cmds = await ds()
          .getRepository(OutboxCommand)
          .findBy({ caseId: In(delayedBatch.map((h) => h.caseId)), type: 'sendCredentials' });
        return cmds.length === delayedBatch.length && cmds.every((c) => c.attempts >= 1 && c.status === 'encolado');
      },
      60_000,
    );
    // Running and waiting: slapd frozen, so the worker's directory calls hang (CONCURRENCY at once) and the rest wait.
    process.kill(slapd!.pid, 'SIGSTOP');
    slapdStopped = true;
    const hungBatch: Holder[] = [];
    let before: Awaited<ReturnType<typeof counts>>;
    let restartedAt: number;
    try {
      for (let i = 0; i < scaled('servicios_redis_colgados', CONCURRENCY + 3, 16); i++)
        hungBatch.push(await confirmedAlta());
      before = await until('trabajos activos, en espera y diferidos en Redis a la vez', async () => {
        const c = await counts();
        return c.provisioning.active >= 1 && c.provisioning.waiting >= 1 && c.notifications.delayed >= 1
          ? c
          : undefined;
      });
      restartedAt = performance.now();
      await redis!.restart();
    } finally {
      sinkOptions.dataReplyCode = undefined;
      process.kill(slapd!.pid, 'SIGCONT');
      slapdStopped = false;
    }
    const batch = [...delayedBatch, ...hungBatch];
    const recoveryMs = await allDone(batch, restartedAt);
    const once = await expectExactlyOnce(batch);
    expect({ alive: worker!.alive(), pid: worker!.pid }).toEqual({ alive: true, pid: workerPid });
    const hecho = await ds()
      .getRepository(OutboxCommand)
      .countBy({ caseId: In(batch.map((h) => h.caseId)), status: Not('hecho'), type: Not('taskReminder') });
    expect(hecho).toBe(0);
    reportFigures(SUITE, {
      redisReiniciado_casos: batch.length,
      redisReiniciado_activos: before.provisioning.active,
      redisReiniciado_en_espera: before.provisioning.waiting,
      redisReiniciado_diferidos: before.notifications.delayed,
      redisRecuperacion_s: Math.round(recoveryMs / 100) / 10,
      redisReiniciado_fallas_transitorias: disturbances(mark).fallas,
      ...tally('redisReiniciado', batch.length - (await doneCount(batch)), once),
    });
  });

  /** Requests while the database is away: each answers 503 within the bound (none 500, none hanging). */
  const requestsWhileAway = async (): Promise<{ answers: Answer[]; n503: number; slowest: number }> => {
    const someCase = holders[0].caseId;
    const tries: (() => request.Test)[] = [
      () => http().get(`/api/tramites/${someCase}`).set('Authorization', `Bearer ${token}`),
      () => http().get('/api/admin/usuarios').set('Authorization', `Bearer ${adminToken}`),
      () =>
        http()
          .post('/api/admin/usuarios')
          .set('Authorization', `Bearer ${adminToken}`)
          .send({ usuario: `durante.la.caida.${++seq}`, nombre: 'No Registrada', rol: 'subdireccion' }),
      () => http().get('/health'),
    ];
    const answers = await Promise.all(
      Array.from({ length: scaled('servicios_solicitudes', 8, 24) }, (_, i) => timed(tries[i % tries.length]())),
    );
    const slowest = Math.max(...answers.map((a) => a.ms));
    // Which request answered what, and when: a 200 here was served without the database.
    expect(answers.map((a, i) => ({ i, ...a })).filter((a) => a.status !== 503 || a.ms >= ANSWER_BOUND_MS)).toEqual([]);
    return { answers, n503: answers.filter((a) => a.status === 503).length, slowest };
  };

  /**
   * Cases confirmed with slapd frozen, so that the worker is hung in their directory calls (CONCURRENCY at once, the
   * rest waiting) when the database goes. While it is away slapd comes back: the effects happen in the directory and
   * the worker cannot record them; once the database is back the replays adopt those entries.
   *
   * The effects in flight are directory calls, not mail: a database outage in the middle of an SMTP conversation leaves
   * that Message-ID claimed in the record of sent mail for SEND_LEASE_MS (5 min, src/mail/mailer.ts), longer than this
   * suite can wait (see the report of this suite's commit).
   */
  const inFlight = async (): Promise<{ batch: Holder[]; running: number }> => {
    process.kill(slapd!.pid, 'SIGSTOP');
    slapdStopped = true;
    const batch: Holder[] = [];
    for (let i = 0; i < scaled('servicios_mariadb_casos', 6, 16); i++) batch.push(await confirmedAlta());
    const running = await until(
      'el worker ejecuta los efectos de los trámites (colgado en el directorio)',
      async () => {
        const n = await ds()
          .getRepository(OutboxCommand)
          .countBy({ caseId: In(batch.map((h) => h.caseId)), type: 'provision', status: 'en_curso' });
        return n >= Math.min(CONCURRENCY, batch.length) ? n : undefined;
      },
    );
    return { batch, running };
  };

  const thawSlapd = (): void => {
    if (!slapdStopped) return;
    process.kill(slapd!.pid, 'SIGCONT');
    slapdStopped = false;
  };

  it('MariaDB frozen (SIGSTOP) with effects running: 503 within the bound; thawed, every acknowledged case finishes by itself', async () => {
    const workerPid = worker!.pid;
    const mark = workerLog.length;
    let away: Awaited<ReturnType<typeof requestsWhileAway>>;
    let thawedAt: number;
    let inflight: Awaited<ReturnType<typeof inFlight>>;
    try {
      inflight = await inFlight();
      mdb!.signal('SIGSTOP');
      away = await requestsWhileAway();
      // The directory answers the hung calls now; the worker cannot record their results, nor renew its leases.
      thawSlapd();
      await sleep(STALLED_MS + 1000);
    } finally {
      thawSlapd();
      mdb!.signal('SIGCONT');
      thawedAt = performance.now();
    }
    const { batch, running } = inflight;
    const recoveryMs = await allDone(batch, thawedAt);
    const once = await expectExactlyOnce(holders);
    expect({ alive: worker!.alive(), pid: worker!.pid }).toEqual({ alive: true, pid: workerPid });
    reportFigures(SUITE, {
      mariadbCongelada_casos: batch.length,
      mariadbCongelada_en_curso: running,
      mariadbCongelada_solicitudes: away.answers.length,
      mariadbCongelada_503s: away.n503,
      mariadbCongelada_mas_lenta_ms: away.slowest,
      mariadbCongelada_recuperacion_s: Math.round(recoveryMs / 100) / 10,
      mariadbCongelada_fallas_transitorias: disturbances(mark).fallas,
      ...tally('mariadbCongelada', batch.length - (await doneCount(batch)), once),
    });
  });

  it('MariaDB killed (SIGKILL) with effects running and restarted: 503 meanwhile; every acknowledged case finishes by itself', async () => {
    const workerPid = worker!.pid;
    const mark = workerLog.length;
    let away: Awaited<ReturnType<typeof requestsWhileAway>>;
    let inflight: Awaited<ReturnType<typeof inFlight>>;
    try {
      inflight = await inFlight();
      mdb!.signal('SIGKILL');
      await mdb!.exited();
      away = await requestsWhileAway();
      thawSlapd();
      await sleep(STALLED_MS);
    } finally {
      thawSlapd();
    }
    await mdb!.restart();
    const restartedAt = performance.now();
    const { batch, running } = inflight;
    const recoveryMs = await allDone(batch, restartedAt);
    const once = await expectExactlyOnce(holders);
    expect({ alive: worker!.alive(), pid: worker!.pid }).toEqual({ alive: true, pid: workerPid });
    // The web serves again as before (no restart); nothing answered 503 was written (no user of the outage exists).
    const users = await http()
      .get('/api/admin/usuarios')
      .set('Authorization', `Bearer ${adminToken}`)
      .timeout(CLIENT_TIMEOUT_MS);
    expect(users.status).toBe(200);
    expect(users.text).toContain('admin.servicios');
    expect(users.text).not.toContain('durante.la.caida');
    expect((await timed(http().get('/health'))).status).toBe(200);
    reportFigures(SUITE, {
      mariadbMuerta_casos: batch.length,
      mariadbMuerta_en_curso: running,
      mariadbMuerta_503s: away.n503,
      mariadbMuerta_mas_lenta_ms: away.slowest,
      mariadbMuerta_recuperacion_s: Math.round(recoveryMs / 100) / 10,
      mariadbMuerta_fallas_transitorias: disturbances(mark).fallas,
      ...tally('mariadbMuerta', batch.length - (await doneCount(batch)), once),
      ejecuciones: once.ejecuciones,
    });
  });
});
