import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Entry } from 'ldapts';
import request from 'supertest';
import { createApp } from '../../src/bootstrap';
import { Cuenta, CuentaHistorial } from '../../src/catalog/entities/cuenta.entity';
import { loadConfig } from '../../src/config/config';
import type { CaseView } from '../../src/engine/case-query.service';
import { Movement } from '../../src/engine/entities/movement.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { BullDriver } from '../../src/queue/bull.driver';
import { QUEUE_DRIVER } from '../../src/queue/queue-driver';
import { addWorker } from '../support/pipeline';
import { type PrivateRedis, startPrivateRedis } from '../support/private-redis';
import { type Slapd, startSlapd } from '../support/slapd';
import { createStaff, login } from '../support/staff';
import { createTestDb, type TestDb } from '../support/test-db';
import { startWorker, type WorkerProcess } from '../support/worker-process';
import { type LdapHoldProxy, startLdapHoldProxy } from '../support/ldap-hold-proxy';
import { eightProcedures, inProcessPeriodicWork, type ProcedureHarness } from '../machines/eight-procedures';
import { OutboxReader } from '../support/app-flows';
import { cleanUp } from '../support/cleanup';
import { unfinishedEffects } from '../support/outbox';
import { until as pollUntil } from '../support/until';
import { slapdDirectoryView, slapdEntries } from '../support/slapd-directory';

/**
 * Done-when of issue 4, scale-out: MariaDB + Redis + a separate `npm run worker` process + the ldap provider against a
 * real slapd. The web side runs here (with REDIS_URL it only relays the outbox; it never runs a job); every effect —
 * directory, mail, letters — happens in the worker. The eight procedures run as on the embedded default
 * (eight-procedures.ts), with sign-ins checked by binds at slapd. Then the worker is killed in the middle of a
 * provisioning job, twice: once hung in an LDAP call (slapd stopped with SIGSTOP), once after slapd created the entry
 * but before the worker heard so. A new worker finishes each case with exactly one account, in our table and in the
 * directory.
 */

/** Pino's error and fatal levels in the worker's JSON log. */
const LOGGED_ERROR = /"level":(50|60)/;
const STALLED_MS = 1500;
const SECRET_KEY = randomBytes(32).toString('hex');
const PII_KEY = 'clave-de-prueba-pii-worker';
const METRICS_TOKEN = 'metricas-del-worker-0123456789abcdef';

/** A port nobody listens on right now (the worker binds it a moment later). */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

jest.setTimeout(60_000);

describe('MariaDB + Redis + separate worker process + ldap provider (slapd)', () => {
  let slapd: Slapd | undefined;
  let redis: PrivateRedis | undefined;
  let db: TestDb | undefined;
  let proxy: LdapHoldProxy | undefined;
  let app: NestExpressApplication | undefined;
  let worker: WorkerProcess | undefined;
  let slapdStopped = false;
  let workerEnv: Record<string, string>;
  let metricsPort: number;
  let outbox: OutboxReader;
  const tok: Record<string, string> = {};
  let harness: ProcedureHarness;
  const http = () => request(app!.getHttpServer());
  const ds = () => db!.dataSource;

  /** Polls until `fn` gives a value; on timeout says what it waited for and what the worker printed. */
  const until = <T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> =>
    pollUntil(what, fn, {
      timeoutMs,
      context: () => `Salida del worker:\n${worker?.output().slice(-4000) ?? '(sin worker)'}`,
    });

  const view = async (caseId: string): Promise<CaseView> =>
    (await http().get(`/api/tramites/${caseId}`).set('Authorization', `Bearer ${tok.vigia}`).expect(200))
      .body as CaseView;

  const state = (caseId: string, estado: string, timeoutMs?: number): Promise<CaseView> =>
    until(
      `el trámite ${caseId} llega a «${estado}»`,
      async () => {
        const v = await view(caseId);
        if (v.situacion === 'incidente')
          throw new Error(
            `El trámite cayó en incidente en ${v.estado}: ${v.incidente ?? ''}\n${worker?.output().slice(-4000) ?? ''}`,
          );
        return v.estado === estado ? v : undefined;
      },
      timeoutMs,
    );

  const ldapSearch = (attribute: string, value: string): Promise<Entry[]> => slapdEntries(slapd!, attribute, value);

  /** 5.1.1 in self-service up to the worker's confirmation; returns the case id and the confirm call. */
  const selfServiceAlta = async (
    curp: string,
    curt: string,
  ): Promise<{ caseId: string; confirm: () => Promise<void> }> => {
    const start = await http().post('/api/autoservicio/alta').send({ curp, curt }).expect(200);
    expect(start.body.estado).toBe('confirmacion');
    const { tramite, token } = start.body as { tramite: string; token: string };
    return {
      caseId: tramite,
      confirm: async () => {
        await http()
          .post(`/api/autoservicio/tramites/${tramite}/confirmar`)
          .send({ token, confirma: true })
          .expect(200);
      },
    };
  };

  const provisionCommand = (caseId: string): Promise<OutboxCommand | null> =>
    ds()
      .getRepository(OutboxCommand)
      .findOne({ where: { caseId, type: 'provision' } });

  /** The Bull job of a command's first attempt, as Redis holds it. */
  const jobState = async (cmd: OutboxCommand): Promise<string> => {
    const job = await app!.get<BullDriver>(QUEUE_DRIVER).queue('provisioning').getJob(`${cmd.id}:1`);
    return job ? job.getState() : 'ausente';
  };

  beforeAll(async () => {
    // Each server is our own (free loopback port, temp dir); a missing one fails here with what to install or start.
    slapd = await startSlapd();
    redis = await startPrivateRedis();
    db = await createTestDb('mysql');
    proxy = await startLdapHoldProxy(slapd.port);
    const common: Record<string, string> = {
      NODE_ENV: 'test',
      DATABASE_URL: db.databaseUrl!,
      REDIS_URL: redis.url,
      DIRECTORY_PROVIDER: 'ldap',
      LDAP_BIND_DN: slapd.adminDN,
      LDAP_BIND_PASSWORD: slapd.adminPassword,
      LDAP_BASE_DN: slapd.peopleDN,
      QUEUE_PREFIX: `mci-e2e-${randomBytes(4).toString('hex')}`,
      QUEUE_STALLED_MS: String(STALLED_MS),
      RELAY_INTERVAL_MS: '200',
      DATA_DIR: db.dataDir,
      SECRET_KEY,
      PUBLIC_BASE_URL: 'https://correo.example.test',
      PII_API_KEY: PII_KEY,
    };
    // The web talks to slapd directly (the activation page sets passwords); the worker goes through the relay.
    app = await createApp(loadConfig({ ...common, LDAP_URL: slapd.url, LOG_LEVEL: 'silent' }));
    await app.init();
    metricsPort = await freePort();
    workerEnv = {
      ...common,
      LDAP_URL: proxy.url,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      METRICS_PORT: String(metricsPort),
      METRICS_TOKEN,
    };
    worker = await startWorker(workerEnv);
    outbox = new OutboxReader(`${db.dataDir}/outbox`);
    await createStaff(ds(), 'vigia', 'subjefatura');
    tok.vigia = await login(app, 'vigia');
    harness = {
      server: app,
      ...inProcessPeriodicWork(app),
      ds: ds(),
      dataDir: db.dataDir,
      piiKey: PII_KEY,
      served: async (caseId, estado) => {
        await state(caseId, estado);
        // Fire-and-forget effects (acuse, notices) too: nothing of the case left in the queue.
        await until(`los trabajos del trámite ${caseId} terminan`, async () => {
          return (await unfinishedEffects(ds(), caseId)) === 0;
        });
      },
      ...slapdDirectoryView(slapd),
    };
  });

  afterAll(async () => {
    // Every process this suite started is stopped by its own pid, whatever failed before.
    await cleanUp([
      ['worker', () => worker?.stop(5000)],
      ['web', () => app?.close()],
      ['slapd SIGCONT', async () => void (slapdStopped && slapd && process.kill(slapd.pid, 'SIGCONT'))],
      ['proxy', () => proxy?.close()],
      ['slapd', () => slapd?.stop()],
      ['redis', () => redis?.stop()],
      ['db', () => db?.close()],
    ]);
  });

  // The eight procedures, driven as on the embedded default; here every effect is the worker's and the directory is slapd.
  describe('the eight procedures, every effect in the worker process', () => {
    eightProcedures(() => harness);
  });

  it("serves the worker's own metrics on METRICS_PORT: its jobs by type and outcome, their wait in the queue", async () => {
    const url = `http://127.0.0.1:${metricsPort}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/otra`)).status).toBe(404);
    const res = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    const count = (re: RegExp): number => Number(re.exec(text)?.[1] ?? 0);
    // The eight procedures provisioned accounts in this process: each execution timed, with how it ended.
    expect(count(/^mci_job_seconds_count\{type="provision",outcome="hecho"\} (\d+)$/m)).toBeGreaterThan(0);
    expect(count(/^mci_job_queue_wait_seconds_count\{type="provision"\} (\d+)$/m)).toBeGreaterThan(0);
    expect(text).toMatch(/^mci_queue_jobs\{queue="provisioning",state="waiting"\} \d+$/m);
    expect(text).toMatch(/^mci_db_pool_connections\{state="total"\} [1-9]\d*$/m);
  });

  it('killed while hung in an LDAP call (slapd stopped): a new worker finishes the case with exactly one account', async () => {
    if (!worker?.alive()) worker = await startWorker(workerEnv);
    outbox.fresh();
    const w = await addWorker(ds(), {
      nombre: 'Ernesto',
      primerApellido: 'Villaseñor',
      correoAlterno: 'ernesto.v@correo-alterno.example',
    });
    const alta = await selfServiceAlta(w.curp, w.curt);
    const first = worker;
    let cmd: OutboxCommand;
    let jobAtKill: string;
    process.kill(slapd!.pid, 'SIGSTOP');
    slapdStopped = true;
    try {
      const connectionsBefore = proxy!.accepted();
      await alta.confirm();
      // The worker took the job (the command's lease is its) and opened an LDAP connection that slapd will not answer.
      cmd = await until('el worker toma el trabajo de aprovisionamiento', async () => {
        const c = await provisionCommand(alta.caseId);
        return c && c.status === 'en_curso' && proxy!.accepted() > connectionsBefore ? c : undefined;
      });
      jobAtKill = await jobState(cmd);
    } finally {
      // Whatever failed above, the hung worker goes and slapd runs again: the next tests must not wait behind them.
      first.signal('SIGKILL');
      await first.exited();
      process.kill(slapd!.pid, 'SIGCONT');
      slapdStopped = false;
    }
    expect(jobAtKill).toBe('active');
    expect(first.output()).not.toMatch(LOGGED_ERROR);

    // Nobody else runs jobs: the web only relays. The case waits, its job orphaned in Redis, until a worker comes.
    await new Promise((r) => setTimeout(r, 2 * STALLED_MS));
    expect((await view(alta.caseId)).estado).toBe('aprovisionamiento');
    expect(await ds().getRepository(Cuenta).countBy({ titularCurp: w.curp })).toBe(0);

    worker = await startWorker(workerEnv);
    const done = await state(alta.caseId, 'creada');
    expect(done.resultado).toBe('creada');
    // The new worker took over the dead one's lease (Bull re-delivered the stalled job); a crash is not a failure.
    const after = await ds().getRepository(OutboxCommand).findOneByOrFail({ id: cmd.id });
    expect({ status: after.status, attempts: after.attempts }).toEqual({ status: 'hecho', attempts: 0 });
    const cuentas = await ds().getRepository(Cuenta).findBy({ titularCurp: w.curp });
    expect(cuentas).toHaveLength(1);
    // One execution recorded: one creation in the account's history, one result on the case.
    const history = await ds().getRepository(CuentaHistorial).findBy({ cuentaId: cuentas[0].id });
    expect(history.map((h) => h.evento).sort()).toEqual(['creada', 'solicitada']);
    expect(await ds().getRepository(Movement).countBy({ caseId: alta.caseId, eventType: 'PROVISION_OK' })).toBe(1);
    const entries = await ldapSearch('employeeNumber', w.curp);
    expect(entries.map((e) => e.mail)).toEqual([cuentas[0].direccion]);
    expect(cuentas[0].proveedorId).toBe(entries[0].entryUUID);
    expect(outbox.fresh().map((m) => m.to.join(','))).toEqual([w.correoAlterno]);
  });

  it('killed after slapd created the entry but before the worker heard: the replay adopts it, still one account', async () => {
    if (!worker?.alive()) worker = await startWorker(workerEnv);
    outbox.fresh();
    const w = await addWorker(ds(), {
      nombre: 'Marisol',
      primerApellido: 'Ochoa',
      correoAlterno: 'marisol.ochoa@correo-alterno.example',
    });
    const alta = await selfServiceAlta(w.curp, w.curt);
    const held = proxy!.holdNextAddResponse();
    await alta.confirm();
    await until('el worker envía el alta a slapd', () =>
      Promise.race([held.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 200))]),
    );
    const [entry] = await until('slapd tiene la entrada', async () => {
      const e = await ldapSearch('employeeNumber', w.curp);
      return e.length ? e : undefined;
    });
    const cmd = (await provisionCommand(alta.caseId))!;
    expect(await jobState(cmd)).toBe('active');
    // Our table already reserved the address; the directory's id is what the lost answer would have told us.
    expect(await ds().getRepository(Cuenta).findOneByOrFail({ titularCurp: w.curp })).toMatchObject({
      direccion: entry.mail,
      proveedorId: null,
    });
    const second = worker;
    expect(second.output()).not.toMatch(LOGGED_ERROR);
    second.signal('SIGKILL');
    await second.exited();

    worker = await startWorker(workerEnv);
    await state(alta.caseId, 'creada');
    const after = await ds().getRepository(OutboxCommand).findOneByOrFail({ id: cmd.id });
    expect({ status: after.status, attempts: after.attempts }).toEqual({ status: 'hecho', attempts: 0 });
    expect(await ds().getRepository(Movement).countBy({ caseId: alta.caseId, eventType: 'PROVISION_OK' })).toBe(1);
    const cuentas = await ds().getRepository(Cuenta).findBy({ titularCurp: w.curp });
    expect(cuentas).toHaveLength(1);
    const entries = await ldapSearch('employeeNumber', w.curp);
    expect(entries).toHaveLength(1);
    expect(entries[0].entryUUID).toBe(entry.entryUUID);
    expect(cuentas[0]).toMatchObject({ direccion: entry.mail, proveedorId: entry.entryUUID });
    const history = await ds().getRepository(CuentaHistorial).findBy({ cuentaId: cuentas[0].id });
    expect(history.map((h) => h.evento).sort()).toEqual(['creada', 'solicitada']);
    expect(outbox.fresh().map((m) => m.to.join(','))).toEqual([w.correoAlterno]);
    expect(proxy!.errors()).toEqual([]);
    expect(worker.output()).not.toMatch(LOGGED_ERROR);
  });
});
