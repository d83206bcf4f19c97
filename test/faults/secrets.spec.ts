/**
 * Secrets: the eight procedures of the guide run end to end on MariaDB + Redis + a separate worker process, plus what
 * a person types around them (a wrong password, a password change, a user created and reset, a password the policy
 * refuses); every log line of the web process and of the worker is kept. Afterwards no password typed, no token
 * (staff session, self-service case, activation link), no CURT, no PII key and no SECRET_KEY may appear in a log line,
 * in any column of any table (the argon2 hashes, the sealed chosen password and the catalog's own CURT column aside),
 * in the Redis keys of the suite's prefix (Bull's job data included), in a movement, or in a mail — an activation
 * token only in the one mail that carries its link.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import request from 'supertest';
import { In, Not } from 'typeorm';
import { AuthService } from '../../src/auth/auth.service';
import { Trabajador } from '../../src/catalog/entities/trabajador.entity';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Movement } from '../../src/engine/entities/movement.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { DirectorioLocal } from '../../src/provisioning/providers/local/directorio-local.entity';
import { LocalDirectoryProvider } from '../../src/provisioning/providers/local/local-directory.provider';
import { SelfServiceService } from '../../src/selfservice/selfservice.service';
import { eightProcedures, inProcessPeriodicWork, PW, type ProcedureHarness } from '../machines/eight-procedures';
import { OutboxReader } from '../support/app-flows';
import { type PrivateRedis, startPrivateRedis } from '../support/private-redis';
import { createStaff, login, STAFF_PASSWORD } from '../support/staff';
import { startWorker, type WorkerProcess } from '../support/worker-process';
import { type FaultApp, faultApp, LogCapture, tablesOf } from './support';
import { reportFigures } from './report';

const SECRET_KEY = randomBytes(32).toString('hex');
const PII_KEY = `pii-${randomBytes(12).toString('hex')}`;
const PREFIX = `mci-secretos-${randomBytes(4).toString('hex')}`;
/** Typed by people around the procedures; each must leave no trace but its hash. */
const TYPED = {
  equivocada: 'contrasena-equivocada-tlaxcala-93',
  nuevaPersonal: 'colibri-mezcal-arena-2027',
  rechazadaPorPolitica: 'corta-9',
};
/** Columns that hold a secret by design: its argon2 hash, the sealed chosen password, the catalog's CURT. */
const SEALED = new Set([
  'staff_user.password_hash',
  'directorio_local.password_hash',
  'chosen_password.sealed',
  'trabajador.curt',
]);

jest.setTimeout(60_000);

describe('secrets: none in logs, columns, Redis job data, movements or mails after the procedures (MariaDB + Redis + worker)', () => {
  let redis: PrivateRedis | undefined;
  let t: FaultApp | undefined;
  let worker: WorkerProcess | undefined;
  let harness: ProcedureHarness;
  const logs = new LogCapture();
  let workerLog = '';
  const sessions: string[] = [];
  const selfServiceTokens = new Set<string>();
  const initialPasswords: string[] = [];
  const http = () => request(t!.app.getHttpServer());

  const until = async (what: string, fn: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await fn())) {
      if (Date.now() > deadline)
        throw new Error(
          `No ocurrió en ${timeoutMs / 1000} s: ${what}.\nSalida del worker:\n${worker?.output().slice(-3000) ?? ''}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    // Every session token and self-service token the web process hands out, whoever asked for it.
    const login_ = AuthService.prototype.login;
    jest.spyOn(AuthService.prototype, 'login').mockImplementation(async function (
      this: AuthService,
      ...args: Parameters<AuthService['login']>
    ) {
      const out = await login_.apply(this, args);
      sessions.push(out.token);
      return out;
    });
    const tokenFor = SelfServiceService.prototype.tokenFor;
    jest.spyOn(SelfServiceService.prototype, 'tokenFor').mockImplementation(function (
      this: SelfServiceService,
      caseId: string,
    ) {
      const token = tokenFor.call(this, caseId);
      selfServiceTokens.add(token);
      return token;
    });
    redis = await startPrivateRedis();
    const common = {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: PREFIX,
      SECRET_KEY,
      PII_API_KEY: PII_KEY,
      PUBLIC_BASE_URL: 'https://correo.example.test',
      QUEUE_STALLED_MS: '1500',
    };
    t = await faultApp('mysql', { ...common, RELAY_INTERVAL_MS: '200' }, logs);
    worker = await startWorker(
      { ...common, NODE_ENV: 'test', DATABASE_URL: t.db.databaseUrl!, DATA_DIR: t.db.dataDir, LOG_LEVEL: 'debug' },
      { onOutput: (s) => (workerLog += s) },
    );
    const ds = t.db.dataSource;
    const local = new LocalDirectoryProvider(ds);
    harness = {
      server: t.app,
      ...inProcessPeriodicWork(t.app),
      ds,
      dataDir: t.db.dataDir,
      piiKey: PII_KEY,
      served: async (caseId, estado) => {
        await until(
          `el trámite ${caseId} llega a «${estado}»`,
          async () => (await ds.getRepository(ProcedureCase).findOneByOrFail({ id: caseId })).state === estado,
        );
        await until(
          `los trabajos del trámite ${caseId} terminan`,
          async () =>
            (await ds
              .getRepository(OutboxCommand)
              .countBy({ caseId, status: In(['pendiente', 'encolado']), type: Not('taskReminder') })) === 0,
        );
      },
      signIn: async (address, password) => {
        const r = await local.verifyPassword(address, password);
        if (r === 'must_change') throw new Error(`${address}: pide cambio de contraseña`);
        return r;
      },
      directory: async (address) => {
        const row = await ds.getRepository(DirectorioLocal).findOneBy({ address });
        return row && { holderCurp: row.holderCurp, holderCct: row.holderCct, suspended: row.suspended };
      },
    };
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    const problems: string[] = [];
    for (const [name, step] of [
      ['worker', () => worker?.stop(5000)],
      ['web', () => t?.close()],
      ['redis', () => redis?.stop()],
    ] as const) {
      try {
        await step();
      } catch (e) {
        problems.push(`${name}: ${(e as Error).message}`);
      }
    }
    if (problems.length) throw new Error(`Limpieza incompleta: ${problems.join('; ')}`);
  });

  describe('the eight procedures, every effect in the worker', () => {
    eightProcedures(() => harness);
  });

  it('around them: a wrong password, a password change, a user created and reset, a password the policy refuses', async () => {
    const ds = t!.db.dataSource;
    await createStaff(ds, 'vigia', 'administrador');
    await createStaff(ds, 'capturista', 'subjefatura');
    await http().post('/api/auth/login').send({ usuario: 'capturista', contrasena: TYPED.equivocada }).expect(401);
    await http()
      .post('/personal/entrar')
      .type('form')
      .send({ usuario: 'capturista', contrasena: TYPED.equivocada })
      .expect(403);
    const token = await login(t!.app, 'capturista');
    await http()
      .post('/api/auth/contrasena')
      .set('Authorization', `Bearer ${token}`)
      .send({ actual: STAFF_PASSWORD, nueva: TYPED.nuevaPersonal })
      .expect(204);
    const admin = await login(t!.app, 'vigia');
    const created = await http()
      .post('/api/admin/usuarios')
      .set('Authorization', `Bearer ${admin}`)
      .send({ usuario: 'nueva.persona', nombre: 'Itzel Cárdenas Ochoa', rol: 'nivel', nivel: 'PRIMARIA' })
      .expect(201);
    initialPasswords.push(created.body.contrasenaInicial as string);
    const reset = await http()
      .post(`/api/admin/usuarios/${created.body.id as string}/restablecer`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    initialPasswords.push(reset.body.contrasenaInicial as string);
    expect(initialPasswords.every((p) => typeof p === 'string' && p.length >= 12)).toBe(true);
    // A link already used: the policy-refused password is typed on it all the same.
    const mail = new OutboxReader(`${t!.db.dataDir}/outbox`).all().find((m) => /\/activar\//.test(m.body))!;
    const link = /\/activar\/([A-Za-z0-9_-]{43})/.exec(mail.body)![1];
    const refused = await http()
      .post(`/activar/${link}`)
      .type('form')
      .send({ contrasena: TYPED.rechazadaPorPolitica, confirmacion: TYPED.rechazadaPorPolitica });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    // Let the worker finish what these left (mails to nobody, reminders) before looking.
    await until(
      'la cola se vacía',
      async () =>
        (await ds
          .getRepository(OutboxCommand)
          .countBy({ status: In(['pendiente', 'encolado']), type: Not('taskReminder') })) === 0,
    );
  });

  it('leaves no secret in the logs, the database, Redis, the movements or the mails', async () => {
    const ds = t!.db.dataSource;
    const mails = new OutboxReader(`${t!.db.dataDir}/outbox`).all();
    const activation = new Map<string, string>(); // token → the mail that carries it
    for (const m of mails)
      for (const [, tok] of m.body.matchAll(/\/activar\/([A-Za-z0-9_-]{43})/g)) activation.set(tok, m.file);
    const curts = (await ds.getRepository(Trabajador).find()).map((w) => w.curt);
    const secrets: [string, string][] = [
      ...Object.entries(PW).map(([k, v]): [string, string] => [`contraseña ${k}`, v]),
      ...Object.entries(TYPED).map(([k, v]): [string, string] => [`contraseña ${k}`, v]),
      ['contraseña del personal', STAFF_PASSWORD],
      ...initialPasswords.map((p, i): [string, string] => [`contraseña inicial ${i + 1}`, p]),
      ...sessions.map((s, i): [string, string] => [`sesión ${i + 1}`, s]),
      ...[...selfServiceTokens].map((s, i): [string, string] => [`token de autoservicio ${i + 1}`, s]),
      ...[...activation.keys()].map((s, i): [string, string] => [`enlace de activación ${i + 1}`, s]),
      ...curts.map((c): [string, string] => [`CURT ${c}`, c]),
      ['PII_API_KEY', PII_KEY],
      ['SECRET_KEY', SECRET_KEY],
    ];
    // The suite did what it says: sessions, self-service, links and mails are there to look for.
    expect({
      sesiones: sessions.length > 5,
      autoservicio: selfServiceTokens.size >= 2,
      enlaces: activation.size >= 6,
      curts: curts.length >= 4,
    }).toEqual({ sesiones: true, autoservicio: true, enlaces: true, curts: true });

    const found: string[] = [];
    const look = (where: string, text: string, allowed?: (secret: string) => boolean): void => {
      for (const [name, s] of secrets) if (text.includes(s) && !allowed?.(s)) found.push(`${name} en ${where}`);
    };

    // Logs: the web process (its own logger, debug level) and the worker's stdout and stderr.
    const webLog = logs.text();
    look('el log del web', webLog);
    look('el log del worker', workerLog);

    // Every column of every table.
    let rows = 0;
    let cells = 0;
    for (const table of tablesOf(ds)) {
      for (const row of await ds.query<Record<string, unknown>[]>(`SELECT * FROM ${ds.driver.escape(table)}`)) {
        rows++;
        for (const [col, v] of Object.entries(row)) {
          if (v === null || SEALED.has(`${table}.${col}`)) continue;
          cells++;
          const text =
            v instanceof Date
              ? v.toISOString()
              : Buffer.isBuffer(v)
                ? v.toString('latin1')
                : typeof v === 'string'
                  ? v
                  : JSON.stringify(v);
          look(`${table}.${col}`, text);
        }
      }
    }
    const movements = await ds.getRepository(Movement).count();

    // Redis: every key of the suite's prefix, whatever its type (Bull's job hashes, lists, sets; the rate limits).
    const client = new Redis(redis!.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    let keys = 0;
    let jobs = 0;
    try {
      let cursor = '0';
      do {
        const [next, batch] = await client.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 500);
        cursor = next;
        for (const key of batch) {
          keys++;
          const type = await client.type(key);
          const hash = type === 'hash' ? await client.hgetall(key) : {};
          if (typeof hash.data === 'string') jobs++; // a Bull job: its data is the command's payload
          const value =
            type === 'hash'
              ? JSON.stringify(hash)
              : type === 'list'
                ? (await client.lrange(key, 0, -1)).join('\n')
                : type === 'set'
                  ? (await client.smembers(key)).join('\n')
                  : type === 'zset'
                    ? (await client.zrange(key, 0, -1)).join('\n')
                    : type === 'string'
                      ? ((await client.get(key)) ?? '')
                      : '';
          look(`Redis ${key}`, `${key}\n${value}`);
        }
      } while (cursor !== '0');
    } finally {
      client.disconnect();
    }

    // Mails: an activation token only in the mail that carries its link; nothing else in any mail.
    for (const m of mails)
      look(`el correo «${m.subject}» (${m.file})`, m.raw + m.body, (s) => activation.get(s) === m.file);

    reportFigures('secretos', {
      valores_buscados: secrets.length,
      lineas_de_log: logs.lines.length + workerLog.split('\n').length,
      celdas: cells,
      filas: rows,
      movimientos: movements,
      claves_redis: keys,
      trabajos_bull: jobs,
      correos: mails.length,
      hallazgos: found.length,
    });
    expect(logs.lines.length).toBeGreaterThan(50);
    expect(keys).toBeGreaterThan(10);
    expect(jobs).toBeGreaterThan(0);
    expect(found).toEqual([]);
  });
});
