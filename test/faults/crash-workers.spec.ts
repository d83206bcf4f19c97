import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource, In, Not } from 'typeorm';
import { createApp } from '../../src/bootstrap';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import type { Trabajador } from '../../src/catalog/entities/trabajador.entity';
import { loadConfig } from '../../src/config/config';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { type SmtpSink, startSmtpSink } from '../mail/support/smtp-sink';
import { addWorker } from '../support/pipeline';
import { type PrivateMariadb, startPrivateMariadb } from '../support/private-mariadb';
import { type PrivateRedis, startPrivateRedis } from '../support/private-redis';
import { type Slapd, startSlapd } from '../support/slapd';
import { startWorker, type WorkerProcess } from '../support/worker-process';
import { auditVerify, duplicates, ExecutionLog, ldapPeople, messageIdOf, one, randomBetween } from './crash-support';
import { reportFigures, scaled } from './report';
import { addressFor, privateServicesEnv } from './support';
import { cleanUp } from '../support/cleanup';

/**
 * Crashes of the worker processes (README, "Fault suite"): MariaDB, Redis, slapd (provider `ldap`) and an SMTP server
 * of our own; the web application here (it relays the outbox to Bull and runs no job) and two `npm run worker`
 * processes with the default stall time. Workers ask for their accounts in self-service (5.1.1), namesakes among them
 * (their address choices race), and some of them, once created, reset their passwords (5.1.2), while a killer SIGKILLs a random worker at a random moment, again and again, each one
 * replaced by a new process. In the end no case is lost (each one created, or in an incident that says why), each
 * holder has one account in our table and one entry in the directory, no command ever ran twice at the same time
 * (the workers' own 'Ejecución iniciada/terminada' lines), no Message-ID arrived twice and the movement log verifies.
 */
const CASES = scaled('cases', 40, 164);
const KILLS = scaled('kills', 10, 50);
/**
 * After the last kill: Bull notices a dead worker's job after one or two stall intervals (30 s by default) and the new
 * delivery waits for the command's lease (as long) to expire; a command whose job was lost is queued again by the
 * recovery job (every 60 s, for commands stale for 2 min); a mail whose worker died in the SMTP conversation is
 * claimed in the sent-mail record for SEND_LEASE_MS (5 min), and its retry waits for that claim rather than risk a
 * second copy. Generous on a loaded 2-core machine.
 */
const FINAL_WAIT_MS = 7 * 60_000;
const WORKER_READY_MS = 120_000;
const SECRET_KEY = randomBytes(32).toString('hex');
/** Every RESET_EVERY-th holder resets its password (5.1.2) once its account exists. */
const RESET_EVERY = 5;

/** First names and surnames of the holders; a namesake pair shares both (and the second surname addWorker gives). */
const NOMBRES = [
  'Dolores',
  'Héctor',
  'Itzel',
  'Ramón',
  'Guadalupe',
  'Ernesto',
  'Marisol',
  'Teodoro',
  'Araceli',
  'Joaquín',
  'Yolanda',
  'Saúl',
  'Citlali',
];
const APELLIDOS = [
  'Güemes',
  'Ramírez',
  'Cárdenas',
  'Villaseñor',
  'Ochoa',
  'Peña',
  'Larios',
  'Zamora',
  'Núñez',
  'Quintero',
  'Mendoza',
  'Ceballos',
  'Íñiguez',
];

interface Holder {
  index: number;
  worker: Trabajador;
  /** The index of its namesake, if it has one. */
  namesake: number | null;
  caseId?: string;
  /** Its 5.1.2 (password reset), asked for once its account was created, for some holders. */
  resetId?: string;
}

interface LiveWorker {
  name: string;
  proc: WorkerProcess;
}

describe('worker processes SIGKILLed at random while self-service cases run (MariaDB + Redis + slapd + SMTP)', () => {
  let mdb: PrivateMariadb | undefined;
  let redis: PrivateRedis | undefined;
  let slapd: Slapd | undefined;
  let sink: SmtpSink | undefined;
  let app: NestExpressApplication | undefined;
  let dataDir: string | undefined;
  let env: Record<string, string>;
  let ds: DataSource;
  const workers: LiveWorker[] = [];
  const log = new ExecutionLog();
  let started = 0;

  const newWorker = async (): Promise<LiveWorker> => {
    const name = `w${++started}`;
    const proc = await startWorker(
      { ...env, LOG_LEVEL: 'debug' },
      { onOutput: log.feeder(name), readyTimeoutMs: WORKER_READY_MS },
    );
    const w = { name, proc };
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    // Each server is our own (free loopback port, temp dir), never the shared ones.
    [mdb, redis, slapd, sink] = await Promise.all([
      startPrivateMariadb(),
      startPrivateRedis(),
      startSlapd(),
      startSmtpSink(),
    ]);
    dataDir = mkdtempSync(join(tmpdir(), 'mci-crash-workers-'));
    env = {
      ...privateServicesEnv({ mdb, redis, slapd, smtpPort: sink.port }),
      QUEUE_PREFIX: `mci-crash-${randomBytes(4).toString('hex')}`,
      RELAY_INTERVAL_MS: '200',
      DATA_DIR: dataDir,
      SECRET_KEY,
      PUBLIC_BASE_URL: 'https://correo.example.test',
      PII_API_KEY: 'clave-pii-de-la-suite-de-caidas',
    };
    // The web process migrates the database and relays; with REDIS_URL it never runs a job itself.
    app = await createApp(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
    await app.init();
    ds = app.get(DataSource);
    await Promise.all([newWorker(), newWorker()]);
  }, 300_000);

  afterAll(async () => {
    // Every process this suite started is stopped by its own pid, whatever failed before.
    await cleanUp([
      ['workers', async () => void (await Promise.all(workers.map((w) => w.proc.stop(5000))))],
      ['web', () => app?.close()],
      ['smtp', () => sink?.close()],
      ['slapd', () => slapd?.stop()],
      ['redis', () => redis?.stop()],
      ['mariadb', () => mdb?.stop()],
      ['datos', async () => void (dataDir && rmSync(dataDir, { recursive: true, force: true }))],
    ]);
  }, 120_000);

  it(
    'no case lost, one account and one directory entry per holder, no overlapping executions, no Message-ID twice, audit clean',
    async () => {
      const http = () => request(app!.getHttpServer());

      // The holders in the Capital Humano catalog; pairs (2k, 2k+1) of every other pair are namesakes.
      const holders: Holder[] = [];
      for (let i = 0; i < CASES; i++) {
        const paired = Math.floor(i / 2) % 2 === 0 && i + 1 - (i % 2) < CASES;
        const key = paired ? Math.floor(i / 2) : 1000 + i;
        const nombre = NOMBRES[key % NOMBRES.length];
        const primerApellido = APELLIDOS[Math.floor(key / NOMBRES.length) % APELLIDOS.length];
        const namesake = paired ? (i % 2 === 0 ? i + 1 : i - 1) : null;
        holders.push({ index: i, worker: await addWorker(ds, { nombre, primerApellido }), namesake });
      }

      /** Self-service (5.1.1 alta, 5.1.2 restablecer): the worker asks with CURP + CURT and confirms, from its own address. */
      const selfService = async (h: Holder, route: 'alta' | 'restablecer' = 'alta'): Promise<string> => {
        const ip = addressFor(h.index + 1);
        const start = await http()
          .post(`/api/autoservicio/${route}`)
          .set('X-Forwarded-For', ip)
          .send({ curp: h.worker.curp, curt: h.worker.curt });
        if (start.status !== 200 || start.body.estado !== 'confirmacion')
          throw new Error(`${route} de ${h.worker.curp} → ${start.status}: ${JSON.stringify(start.body)}`);
        const { tramite, token } = start.body as { tramite: string; token: string };
        if (route === 'alta') h.caseId = tramite;
        else h.resetId = tramite;
        const ok = await http()
          .post(`/api/autoservicio/tramites/${tramite}/confirmar`)
          .set('X-Forwarded-For', ip)
          .send({ token, confirma: true });
        if (ok.status !== 200) throw new Error(`confirmación de ${tramite} → ${ok.status}: ${JSON.stringify(ok.body)}`);
        return tramite;
      };
      /** The holders due for a reset whose alta has been created by now. */
      const dueForReset = async (): Promise<Holder[]> => {
        const due = holders.filter((h) => h.index % RESET_EVERY === RESET_EVERY - 1 && h.caseId && !h.resetId);
        if (!due.length) return [];
        const created = await ds
          .getRepository(ProcedureCase)
          .findBy({ id: In(due.map((h) => h.caseId!)), status: 'concluido' });
        const ids = new Set(created.map((c) => c.id));
        return due.filter((h) => ids.has(h.caseId!));
      };

      // The killer: a batch of cases goes in, then at a random moment a random worker dies (one that is running an
      // execution, half of the time, when there is one) and a new one takes its place before the next kill.
      const kills: { worker: string; at: number; running: number }[] = [];
      for (let k = 0; k < KILLS; k++) {
        const batch = holders.slice(Math.floor((k * CASES) / KILLS), Math.floor(((k + 1) * CASES) / KILLS));
        await Promise.all([
          ...batch.map((h) => selfService(h)),
          ...(await dueForReset()).map((h) => selfService(h, 'restablecer')),
        ]);
        const aimed = Math.random() < 0.5;
        const deadline = Date.now() + randomBetween(300, 4000);
        while (Date.now() < deadline && !(aimed && log.running() > 0)) await new Promise((r) => setTimeout(r, 25));
        const busy = workers.filter((w) => w.proc.alive() && log.running(w.name) > 0);
        const pool = aimed && busy.length ? busy : workers.filter((w) => w.proc.alive());
        const victim = pool[randomBetween(0, pool.length - 1)];
        const running = log.running(victim.name);
        victim.proc.signal('SIGKILL');
        await victim.proc.exited();
        // Its open executions end when its exit was seen (at or after the real death: never shorter than they were).
        const at = Date.now();
        log.killed(victim.name, at);
        kills.push({ worker: victim.name, at, running });
        workers.splice(workers.indexOf(victim), 1);
        await newWorker();
      }
      // Cases left over by the rounding, if any.
      await Promise.all(holders.filter((h) => !h.caseId).map((h) => selfService(h)));
      await Promise.all((await dueForReset()).map((h) => selfService(h, 'restablecer')));
      const caseIds = holders.flatMap((h) => (h.resetId ? [h.caseId!, h.resetId] : [h.caseId!]));

      // Every case reaches an end: created, or an incident with its reason; and no command is left to run.
      const waitStart = Date.now();
      let pending: ProcedureCase[] = [];
      let live = 0;
      for (;;) {
        const rows = await ds.getRepository(ProcedureCase).findBy({ id: In(caseIds) });
        pending = rows.filter(
          (c) => !(c.status === 'concluido' || (c.status === 'incidente' && (c.incidentMessage ?? '').trim() !== '')),
        );
        live = await ds
          .getRepository(OutboxCommand)
          .countBy({ status: In(['pendiente', 'encolado', 'en_curso']), type: Not('taskReminder') });
        if (
          (rows.length === caseIds.length && pending.length === 0 && live === 0) ||
          Date.now() - waitStart > FINAL_WAIT_MS
        )
          break;
        await new Promise((r) => setTimeout(r, 2000));
      }
      const waitedS = Math.round((Date.now() - waitStart) / 1000);

      const cases = await ds.getRepository(ProcedureCase).findBy({ id: In(caseIds) });
      const byId = new Map(cases.map((c) => [c.id, c]));
      const cuentas = await ds.getRepository(Cuenta).findBy({ titularCurp: In(holders.map((h) => h.worker.curp)) });
      const people = await ldapPeople(slapd!);
      const executions = log.executions();
      const overlaps = log.overlaps();
      const ids = sink!.received.map((m) => messageIdOf(m.raw) ?? '(sin Message-ID)');
      const dup = duplicates(ids);
      const incidents = cases.filter((c) => c.status === 'incidente');
      const survived = kills.filter((k, i) => {
        const next = kills[i + 1]?.at ?? Infinity;
        // The system carried on: some execution started after this kill ended normally (before the next kill or after).
        return executions.some((e) => e.start > k.at && !e.interrupted && e.start < next + 60_000);
      }).length;
      const audit = await auditVerify({
        NODE_ENV: 'test',
        DATABASE_URL: env.DATABASE_URL,
        DATA_DIR: dataDir!,
        SECRET_KEY,
        LOG_LEVEL: 'silent',
      });

      reportFigures('caídas de workers', {
        // 5.1.1 cases (one per holder), and the 5.1.2 cases some of them started besides.
        casos: holders.length,
        restablecimientos: holders.filter((h) => h.resetId).length,
        muertes: kills.length,
        sobrevividas: survived,
        ejecuciones: executions.length,
        interrumpidas: executions.filter((e) => e.interrupted).length,
        solapes: overlaps.length,
        mensajes: ids.length,
        duplicados: Object.values(dup).reduce((a, n) => a + n - 1, 0),
        incidentes: incidents.length,
        retomadas: log.takeovers,
        recuperadas: log.requeued,
        reintentos: log.retries,
        reintento_max_s: Math.round(log.longestRetryMs / 1000),
        espera_final_s: waitedS,
      });

      const tail = workers.map((w) => `--- ${w.name}\n${w.proc.output().slice(-3000)}`).join('\n');
      // No case lost: each one ended, created or in an incident that says why; no command left behind.
      expect({ cases: cases.length, pending: pending.map((c) => `${c.id} ${c.status} ${c.state}`), live }).toEqual({
        cases: caseIds.length,
        pending: [],
        live: 0,
      });
      const resets = new Set(holders.map((h) => h.resetId).filter(Boolean));
      for (const c of cases) {
        if (c.status === 'concluido')
          expect({ id: c.id, outcome: c.outcome }).toEqual({
            id: c.id,
            outcome: resets.has(c.id) ? 'restablecida' : 'creada',
          });
        else
          expect({ id: c.id, status: c.status, reason: (c.incidentMessage ?? '').length > 0 }).toEqual({
            id: c.id,
            status: 'incidente',
            reason: true,
          });
      }

      // One account and one directory entry per holder, the same address in both; namesakes got different addresses.
      const entriesOf = new Map<string, typeof people>();
      for (const p of people) {
        const curp = one(p.employeeNumber) ?? '';
        entriesOf.set(curp, [...(entriesOf.get(curp) ?? []), p]);
      }
      for (const h of holders) {
        const own = cuentas.filter((c) => c.titularCurp === h.worker.curp);
        const entries = entriesOf.get(h.worker.curp) ?? [];
        const created = byId.get(h.caseId!)?.status === 'concluido';
        const seen = {
          curp: h.worker.curp,
          cuentas: own.length,
          entradas: entries.length,
          direcciones: entries.map((e) => one(e.mail)),
        };
        if (created) {
          expect(seen).toEqual({ curp: h.worker.curp, cuentas: 1, entradas: 1, direcciones: [own[0].direccion] });
          expect(own[0].proveedorId).toBe(one(entries[0].entryUUID));
        } else {
          // An incident may come before or after the directory acted; still never two of anything.
          expect({ curp: h.worker.curp, atMostOne: own.length <= 1 && entries.length <= 1 }).toEqual({
            curp: h.worker.curp,
            atMostOne: true,
          });
        }
      }
      expect(new Set(cuentas.map((c) => c.direccion)).size).toBe(cuentas.length);
      expect(people.length).toBe(new Set(people.map((p) => one(p.mail))).size);
      const namesakes = holders.filter((h) => h.namesake !== null && h.index < h.namesake);
      expect(namesakes.length).toBeGreaterThan(0);

      // No command ever ran in two executions at once; every kill hit a live process (nothing ran in it afterwards).
      expect(executions.length).toBeGreaterThanOrEqual(cases.filter((c) => c.status === 'concluido').length);
      expect(log.unreadable).toEqual([]);
      expect(log.afterDeath()).toEqual([]);
      expect(
        overlaps.map((o) => ({
          outboxId: o.outboxId,
          a: `${o.a.worker} ${o.a.start}-${o.a.end}`,
          b: `${o.b.worker} ${o.b.start}-${o.b.end}`,
        })),
      ).toEqual([]);
      expect(kills).toHaveLength(KILLS);

      // Each created account's credentials, and each reset's link, went once to the holder's alternate address (the
      // reset's notice to the institutional mailbox once too); no Message-ID twice.
      expect(dup).toEqual({});
      const mailsTo = (address: string) =>
        sink!.received.filter((m) => m.rcptTo.map((r) => r.toLowerCase()).includes(address.toLowerCase())).length;
      for (const h of holders) {
        if (byId.get(h.caseId!)?.status !== 'concluido') continue;
        const reset = h.resetId ? byId.get(h.resetId)?.status : undefined;
        const direccion = cuentas.find((c) => c.titularCurp === h.worker.curp)!.direccion;
        const seen = {
          curp: h.worker.curp,
          alterno: mailsTo(h.worker.correoAlterno!),
          institucional: mailsTo(direccion),
        };
        if (reset === 'incidente') expect(seen.alterno <= 2 && seen.institucional <= 1).toBe(true);
        else expect(seen).toEqual({ curp: h.worker.curp, alterno: reset ? 2 : 1, institucional: reset ? 1 : 0 });
      }

      // The movement log, checked by the product's own `npm run audit:verify`.
      expect({ code: audit.code, output: audit.output }).toEqual({
        code: 0,
        output: expect.stringContaining('Bitácora íntegra'),
      });
      if (incidents.length)
        process.stderr.write(
          `Incidentes: ${incidents.map((c) => `${c.id} ${c.state}: ${c.incidentMessage}`).join('\n')}\n${tail}\n`,
        );
    },
    FINAL_WAIT_MS + KILLS * 60_000 + 240_000,
  );
});

// The instrument itself: the overlap check above is only worth something if it can see an overlap.
describe('the execution log built from worker output', () => {
  const lineOf = (msg: string, time: number, outboxId: string, execution: string): string =>
    `${JSON.stringify({ level: 20, time, pid: 1, context: 'Trabajos', outboxId, execution, type: 'provision', msg })}\n`;

  it('rebuilds executions from lines cut anywhere, ends a killed worker’s at the kill, and finds overlaps', () => {
    const log = new ExecutionLog();
    const a = lineOf('Ejecución iniciada', 1_000, 'cmd-1', 'e1');
    // Chunks split in the middle of a line, as a pipe may deliver them.
    log.feed('w1', a.slice(0, 17));
    log.feed('w1', a.slice(17) + lineOf('Ejecución iniciada', 1_100, 'cmd-2', 'e2').slice(0, 30));
    log.feed(
      'w1',
      lineOf('Ejecución iniciada', 1_100, 'cmd-2', 'e2').slice(30) +
        lineOf('Ejecución terminada', 1_500, 'cmd-2', 'e2'),
    );
    expect(log.running('w1')).toBe(1);
    log.killed('w1', 2_000);
    // Another worker takes cmd-1 over after the kill: one after the other, no overlap.
    log.feed(
      'w2',
      lineOf('Ejecución iniciada', 2_500, 'cmd-1', 'e3') + lineOf('Ejecución terminada', 3_000, 'cmd-1', 'e3'),
    );
    expect(log.executions(10_000).map((e) => [e.execution, e.start, e.end, e.interrupted])).toEqual([
      ['e2', 1_100, 1_500, false],
      ['e1', 1_000, 2_000, true],
      ['e3', 2_500, 3_000, false],
    ]);
    expect(log.overlaps(10_000)).toEqual([]);
    // A third worker runs cmd-1 while w2's execution is open: one overlap, named.
    log.feed('w2', lineOf('Ejecución iniciada', 4_000, 'cmd-1', 'e4'));
    log.feed(
      'w3',
      lineOf('Ejecución iniciada', 4_200, 'cmd-1', 'e5') + lineOf('Ejecución terminada', 4_300, 'cmd-1', 'e5'),
    );
    expect(log.overlaps(5_000).map((o) => [o.outboxId, o.a.execution, o.b.execution])).toEqual([['cmd-1', 'e4', 'e5']]);
    expect(log.unreadable).toEqual([]);
    expect(log.afterDeath()).toEqual([]);
  });
});
