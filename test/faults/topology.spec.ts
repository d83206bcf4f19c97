import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { verifyMovementLog } from '../../src/engine/audit';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Movement } from '../../src/engine/entities/movement.entity';
import { dataSourceOptions } from '../../src/entities';
import { loadOrCreateTestSigner, TEST_SIGNER_FILE } from '../../src/letters/signer';
import { sha256 } from '../../src/letters/verification';
import { SESSION_COOKIE } from '../../src/auth/auth.guard';
import { IssuedDocument } from '../../src/oficios/entities/document.entity';
import { Oficio } from '../../src/oficios/entities/oficio.entity';
import { ProcessLease } from '../../src/queue/process-lease.entity';
import { eightProcedures, type ProcedureHarness } from '../machines/eight-procedures';
import { startWeb, type WebProcess } from '../oficios/web-process';
import { binary } from '../support/app-flows';
import { cleanUp } from '../support/cleanup';
import { unfinishedEffects } from '../support/outbox';
import { until as pollUntil } from '../support/until';
import { type Nginx, startNginx } from '../support/nginx';
import { type PrivateMariadb, startPrivateMariadb } from '../support/private-mariadb';
import { type PrivateRedis, startPrivateRedis } from '../support/private-redis';
import { type Slapd, startSlapd } from '../support/slapd';
import { slapdDirectoryView } from '../support/slapd-directory';
import { createStaff, login, STAFF_PASSWORD } from '../support/staff';
import { startWorker, type WorkerProcess } from '../support/worker-process';
import { reportFigures } from './report';

/**
 * Issue 13's deployment, without containers: Debian's nginx round-robin on loopback in front of two web processes
 * (`npm start`), two `npm run worker` processes, one private MariaDB and one private Redis, the ldap provider on a
 * private slapd. Every process has a DATA_DIR of its own (as on separate hosts): documents live in the database, mail
 * leaves from the workers. The eight procedures of the guide run through the proxy only, so consecutive requests of
 * one person land on different web processes; then the checks that the four processes behave as one system: both web
 * processes answered, a document stored by one process is served by either, a sign-in lock counts failures made on
 * both, a session opened on one is valid on the other, and the periodic work runs in one process at a time.
 */

const SECRET_KEY = randomBytes(32).toString('hex');
const PII_KEY = 'clave-pii-de-la-topologia-de-prueba';
const METRICS_TOKEN = 'metricas-de-la-topologia-0123456789';

describe('two web processes behind nginx, two workers, one MariaDB and one Redis', () => {
  let mdb: PrivateMariadb | undefined;
  let redis: PrivateRedis | undefined;
  let slapd: Slapd | undefined;
  let nginx: Nginx | undefined;
  let ds: DataSource | undefined;
  let root: string | undefined;
  const webs: WebProcess[] = [];
  const workers: WorkerProcess[] = [];
  const dirs: Record<string, string> = {};
  let harness: ProcedureHarness;
  let signerDir: string;

  /** What the processes printed last, for a failure message. */
  const outputs = (): string =>
    [
      ...webs.map((w, i) => `--- web${i + 1}\n${w.output().slice(-2000)}`),
      ...workers.map((w, i) => `--- worker${i + 1}\n${w.output().slice(-2000)}`),
    ].join('\n');

  const until = <T>(what: string, fn: () => Promise<T | undefined | null | false>): Promise<T> =>
    pollUntil(what, fn, { timeoutMs: 60_000, intervalMs: 150, context: outputs });

  /** A DATA_DIR of its own for one process, holding the installation's signing certificate (as each host would). */
  const dataDir = (name: string): string => {
    const dir = join(root!, name);
    mkdirSync(join(dir, 'firma'), { recursive: true, mode: 0o700 });
    copyFileSync(join(signerDir, 'firma', TEST_SIGNER_FILE), join(dir, 'firma', TEST_SIGNER_FILE));
    dirs[name] = dir;
    return dir;
  };

  beforeAll(async () => {
    [mdb, redis, slapd] = await Promise.all([startPrivateMariadb(), startPrivateRedis(), startSlapd()]);
    root = mkdtempSync(join(tmpdir(), 'mci-topologia-'));
    signerDir = join(root, 'instalacion');
    loadOrCreateTestSigner(signerDir);
    const common: Record<string, string> = {
      DATABASE_URL: mdb.url('mci'),
      REDIS_URL: redis.url,
      DIRECTORY_PROVIDER: 'ldap',
      LDAP_URL: slapd.url,
      LDAP_BIND_DN: slapd.adminDN,
      LDAP_BIND_PASSWORD: slapd.adminPassword,
      LDAP_BASE_DN: slapd.peopleDN,
      QUEUE_PREFIX: `mci-topo-${randomBytes(4).toString('hex')}`,
      RELAY_INTERVAL_MS: '250',
      RECOVERY_INTERVAL_MS: '1000',
      SECRET_KEY,
      PUBLIC_BASE_URL: 'https://correo.example.test',
      PII_API_KEY: PII_KEY,
      METRICS_TOKEN,
      LOG_LEVEL: 'warn',
    };
    // Both web processes start at once on the empty database, as a deployment starts them: one applies the
    // migrations, the other waits for it (src/database/migrate.ts).
    webs.push(
      ...(await Promise.all([
        startWeb({ ...common, DATA_DIR: dataDir('web1') }, 180_000),
        startWeb({ ...common, DATA_DIR: dataDir('web2') }, 180_000),
      ])),
    );
    workers.push(
      ...(await Promise.all([
        startWorker({ ...common, DATA_DIR: dataDir('worker1') }, { readyTimeoutMs: 120_000 }),
        startWorker({ ...common, DATA_DIR: dataDir('worker2') }, { readyTimeoutMs: 120_000 }),
      ])),
    );
    nginx = await startNginx(webs.map((w) => w.url.replace('http://', '')));
    ds = new DataSource(dataSourceOptions({ databaseUrl: mdb.url('mci'), dataDir: signerDir }));
    await ds.initialize();
    const db = ds;

    harness = {
      server: nginx.url,
      ds: db,
      dataDir: signerDir,
      outboxDirs: [join(dirs.worker1, 'outbox'), join(dirs.worker2, 'outbox')],
      piiKey: PII_KEY,
      served: async (caseId, estado) => {
        await until(`el trámite ${caseId} llega a «${estado}» sin trabajos pendientes`, async () => {
          const c = await db.getRepository(ProcedureCase).findOneByOrFail({ id: caseId });
          if (c.status === 'incidente')
            throw new Error(`El trámite ${caseId} cayó en incidente en ${c.state}: ${c.incidentMessage ?? ''}`);
          if (c.state !== estado) return false;
          return (await unfinishedEffects(db, caseId)) === 0;
        });
      },
      ...slapdDirectoryView(slapd),
      // The sweep is periodic work: whichever process holds the maintenance lease records paso 14 by itself.
      firstUseSwept: async (caseId) => {
        await until(`la tarea periódica registra el inicio de uso del trámite ${caseId}`, async () =>
          db.getRepository(Movement).existsBy({ caseId, eventType: 'INICIAR_USO' }),
        );
      },
      // The relays of the web processes sequence the movement log: every movement signed into it.
      integrated: async () => {
        const [cert] = [loadOrCreateTestSigner(signerDir).certificateDer];
        await until('la bitácora firmada integra todos los movimientos', async () => {
          const r = await verifyMovementLog(db, { trusted: [cert] });
          return r.pending === 0 && r.treeSize === (await db.getRepository(Movement).count());
        });
      },
    };
  }, 600_000);

  afterAll(async () => {
    await cleanUp([
      ['nginx', () => nginx?.stop()],
      ['workers', async () => void (await Promise.all(workers.map((w) => w.stop(5000))))],
      ['webs', async () => void (await Promise.all(webs.map((w) => w.kill())))],
      ['base', () => ds?.destroy()],
      ['slapd', () => slapd?.stop()],
      ['redis', () => redis?.stop()],
      ['mariadb', () => mdb?.stop()],
      ['datos', async () => void (root && rmSync(root, { recursive: true, force: true }))],
    ]);
  }, 120_000);

  eightProcedures(() => harness);

  describe('as one system', () => {
    it('spreads the requests over both web processes', () => {
      const lines = nginx!.accessLog();
      const by = new Map<string, number>();
      for (const l of lines) by.set(l.upstream, (by.get(l.upstream) ?? 0) + 1);
      const upstreams = webs.map((w) => w.url.replace('http://', ''));
      expect([...by.keys()].sort()).toEqual([...upstreams].sort());
      const counts = upstreams.map((u) => by.get(u) ?? 0);
      reportFigures('topología', { peticiones: lines.length, web1: counts[0], web2: counts[1] });
      expect(lines.length).toBeGreaterThan(100);
      // Round-robin: neither process took less than a third of the requests.
      for (const n of counts) expect(n).toBeGreaterThan(lines.length / 3);
      expect(lines.filter((l) => l.status >= 500)).toEqual([]);
    });

    it('serves every document, written by whichever process, from either web process with its recorded SHA-256', async () => {
      await createStaff(ds!, 'vigia', 'subjefatura');
      const token = await login(nginx!.url, 'vigia');
      const docs = await ds!.getRepository(IssuedDocument).find();
      const scans = await ds!.getRepository(Oficio).find();
      expect(docs.length).toBeGreaterThanOrEqual(10);
      expect(scans.length).toBeGreaterThanOrEqual(5);
      for (const web of webs) {
        for (const d of docs) {
          const res = await request(web.url)
            .get(`/api/documentos/${d.id}/pdf`)
            .set('Authorization', `Bearer ${token}`)
            .buffer(true)
            .parse(binary)
            .expect(200);
          expect({ doc: d.id, sha256: sha256(res.body as Buffer) }).toEqual({ doc: d.id, sha256: d.sha256 });
        }
        for (const o of scans) {
          const res = await request(web.url)
            .get(`/tramites/${o.caseId}/oficio`)
            .set('Cookie', `${SESSION_COOKIE}=${token}`)
            .buffer(true)
            .parse(binary)
            .expect(200);
          expect({ scan: o.id, sha256: sha256(res.body as Buffer) }).toEqual({ scan: o.id, sha256: o.archivoSha256 });
        }
      }
      // Nothing of them on any process's own disk: the database holds them (DOCUMENT_STORE=base on MariaDB).
      for (const [name, dir] of Object.entries(dirs)) {
        const files = existsSync(join(dir, 'documentos'))
          ? readdirSync(join(dir, 'documentos'), { recursive: true })
          : [];
        expect({ name, files }).toEqual({ name, files: [] });
      }
    });

    it('opens a session on one web process that the other honours, and ends it on both', async () => {
      await createStaff(ds!, 'sesion', 'subjefatura');
      const [a, b] = webs.map((w) => w.url);
      const token = await login(a, 'sesion');
      await request(b).get('/api/auth/yo').set('Authorization', `Bearer ${token}`).expect(200);
      await request(b)
        .post('/api/auth/logout')
        .set('Authorization', `Bearer ${token}`)
        .expect((r) => {
          if (r.status >= 300) throw new Error(`logout → ${r.status}`);
        });
      await request(a).get('/api/auth/yo').set('Authorization', `Bearer ${token}`).expect(401);
    });

    it('counts failed sign-ins made on both web processes against one limit', async () => {
      await createStaff(ds!, 'candado', 'subjefatura');
      const from = '203.0.113.77';
      const tries: string[] = [];
      // Five wrong passwords through the proxy: round-robin sends them to both processes.
      for (let i = 0; i < 5; i++) {
        const r = await request(nginx!.url)
          .post('/api/auth/login')
          .set('X-Forwarded-For', from)
          .send({ usuario: 'candado', contrasena: `no-es-la-clave-${i}` });
        tries.push(String(r.status));
      }
      expect(tries).toEqual(['401', '401', '401', '401', '401']);
      // Counted per process, each would have seen two or three: the right password would get in.
      for (const web of webs) {
        const r = await request(web.url)
          .post('/api/auth/login')
          .set('X-Forwarded-For', from)
          .send({ usuario: 'candado', contrasena: STAFF_PASSWORD });
        expect(r.status).toBe(429);
      }
      // Another address is not locked out of this user.
      await request(nginx!.url)
        .post('/api/auth/login')
        .set('X-Forwarded-For', '198.51.100.20')
        .send({ usuario: 'candado', contrasena: STAFF_PASSWORD })
        .expect(200);
    });

    it('runs the periodic work in one process at a time, and it ran', async () => {
      const leases = await ds!.getRepository(ProcessLease).find();
      expect(leases.map((l) => l.name).sort()).toEqual([...new Set(leases.map((l) => l.name))].sort());
      const pids = [...webs, ...workers].map((p) => String(p.pid));
      for (const l of leases) expect(pids).toContain(l.holder.split(':')[1]);
      expect(leases.length).toBeGreaterThan(0);
      // The first-use sweep of the school's case ran once (its movement appears once).
      const sweeps = await ds!.getRepository(Movement).countBy({ eventType: 'INICIAR_USO' });
      expect(sweeps).toBe(1);
    });

    it('answers a Prometheus scrape on each web process with its own transitions', async () => {
      let transitions = 0;
      for (const web of webs) {
        const res = await request(web.url).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
        const m = /^mci_transitions_total\{[^}]*\} (\d+)/gm;
        for (const x of res.text.matchAll(m)) transitions += Number(x[1]);
      }
      // Every movement of a staff or self-service request was a transition of one of the two web processes.
      expect(transitions).toBeGreaterThan(30);
    });
  });
});
