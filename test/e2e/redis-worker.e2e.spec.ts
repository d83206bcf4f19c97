import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client, type Entry, EqualityFilter } from 'ldapts';
import request from 'supertest';
import { createApp } from '../../src/bootstrap';
import { Cuenta, CuentaHistorial } from '../../src/catalog/entities/cuenta.entity';
import { loadConfig } from '../../src/config/config';
import type { CaseView } from '../../src/engine/case-query.service';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { IssuedDocument } from '../../src/oficios/entities/document.entity';
import { BullDriver } from '../../src/queue/bull.driver';
import { QUEUE_DRIVER } from '../../src/queue/queue-driver';
import { addWorker } from '../support/pipeline';
import { type PrivateRedis, startPrivateRedis } from '../support/private-redis';
import { type Slapd, startSlapd } from '../support/slapd';
import { createStaff, login } from '../support/staff';
import { createTestDb, type TestDb } from '../support/test-db';
import { startWorker, type WorkerProcess } from '../support/worker-process';
import { type LdapHoldProxy, startLdapHoldProxy } from './ldap-hold-proxy';
import { activate, activationToken, OutboxReader, scannedOficio } from './support';

/**
 * Done-when of issue 4, scale-out: MariaDB + Redis + a separate `npm run worker` process + the ldap provider against a
 * real slapd. The web side runs here (with REDIS_URL it only relays the outbox; it never runs a job); every effect —
 * directory, mail, letters — happens in the worker. Then the worker is killed in the middle of a provisioning job,
 * twice: once hung in an LDAP call (slapd stopped with SIGSTOP), once after slapd created the entry but before the
 * worker heard so. A new worker finishes each case with exactly one account, in our table and in the directory.
 */

const STALLED_MS = 1500;
const SECRET_KEY = randomBytes(32).toString('hex');
const LOCKED_BY_ADMIN = '000001010000Z';

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
  let outbox: OutboxReader;
  const tok: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const http = () => request(app!.getHttpServer());
  const ds = () => db!.dataSource;

  /** Polls until `fn` gives a value; on timeout says what it waited for and what the worker printed. */
  const until = async <T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v !== undefined && v !== null && v !== false) return v;
      if (Date.now() > deadline) throw new Error(`No ocurrió en ${timeoutMs / 1000} s: ${what}.\nSalida del worker:\n${worker?.output().slice(-4000) ?? '(sin worker)'}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const view = async (caseId: string): Promise<CaseView> => (await http().get(`/api/tramites/${caseId}`).set('Authorization', `Bearer ${tok.sistemas}`).expect(200)).body as CaseView;

  const state = (caseId: string, estado: string, timeoutMs?: number): Promise<CaseView> =>
    until(
      `el trámite ${caseId} llega a «${estado}»`,
      async () => {
        const v = await view(caseId);
        if (v.situacion === 'incidente') throw new Error(`El trámite cayó en incidente en ${v.estado}: ${v.incidente ?? ''}\n${worker?.output().slice(-4000) ?? ''}`);
        return v.estado === estado ? v : undefined;
      },
      timeoutMs,
    );

  const act = async (who: string, caseId: string, tipo: string, datos?: Record<string, unknown>): Promise<string> => {
    const before = (await http().get(`/api/tramites/${caseId}`).set('Authorization', `Bearer ${tok[who]}`).expect(200)).body as CaseView;
    const res = await http().post(`/api/tramites/${caseId}/eventos`).set('Authorization', `Bearer ${tok[who]}`).send({ tipo, version: before.version, ...(datos ? { datos } : {}) });
    if (res.status !== 200) throw new Error(`${who} ${tipo} → ${res.status}: ${JSON.stringify(res.body)}`);
    return (res.body as { state: string }).state;
  };

  const ldapSearch = async (attribute: string, value: string): Promise<Entry[]> => {
    const c = new Client({ url: slapd!.url, timeout: 5000, connectTimeout: 2000 });
    try {
      await c.bind(slapd!.adminDN, slapd!.adminPassword);
      return (await c.search(slapd!.peopleDN, { scope: 'sub', filter: new EqualityFilter({ attribute, value }), attributes: ['*', '+'] })).searchEntries;
    } finally {
      await c.unbind().catch(() => undefined);
    }
  };

  /** The holder's own sign-in: a bind with their DN and password, on a connection of its own. */
  const canBind = async (dn: string, password: string): Promise<boolean> => {
    const c = new Client({ url: slapd!.url, timeout: 5000, connectTimeout: 2000 });
    try {
      await c.bind(dn, password);
      await c.search(dn, { scope: 'base', attributes: ['mail'] });
      return true;
    } catch (e) {
      if ((e as { code?: unknown }).code === 49) return false;
      throw e;
    } finally {
      await c.unbind().catch(() => undefined);
    }
  };

  /** 5.1.1 in self-service up to the worker's confirmation; returns the case id and the confirm call. */
  const selfServiceAlta = async (curp: string, curt: string): Promise<{ caseId: string; confirm: () => Promise<void> }> => {
    const start = await http().post('/api/autoservicio/alta').send({ curp, curt }).expect(200);
    expect(start.body.estado).toBe('confirmacion');
    const { tramite, token } = start.body as { tramite: string; token: string };
    return {
      caseId: tramite,
      confirm: async () => {
        await http().post(`/api/autoservicio/tramites/${tramite}/confirmar`).send({ token, confirma: true }).expect(200);
      },
    };
  };

  const provisionCommand = (caseId: string): Promise<OutboxCommand | null> => ds().getRepository(OutboxCommand).findOne({ where: { caseId, type: 'provision' } });

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
    };
    // The web talks to slapd directly (the activation page sets passwords); the worker goes through the relay.
    app = await createApp(loadConfig({ ...common, LDAP_URL: slapd.url, LOG_LEVEL: 'silent' }));
    await app.init();
    workerEnv = { ...common, LDAP_URL: proxy.url, LOG_LEVEL: 'warn' };
    worker = await startWorker(workerEnv);
    outbox = new OutboxReader(`${db.dataDir}/outbox`);
    ids.oficialia = (await createStaff(ds(), 'oficialia', 'subdireccion')).id;
    ids.sistemas = (await createStaff(ds(), 'sistemas', 'subjefatura')).id;
    ids.becas = (await createStaff(ds(), 'becas', 'responsable')).id;
    for (const u of Object.keys(ids)) tok[u] = await login(app, u);
  });

  afterAll(async () => {
    // Every process this suite started is stopped by its own pid, whatever failed before.
    const steps: [string, () => Promise<void> | undefined][] = [
      ['worker', () => worker?.stop(5000)],
      ['web', () => app?.close()],
      ['slapd SIGCONT', async () => void (slapdStopped && slapd && process.kill(slapd.pid, 'SIGCONT'))],
      ['proxy', () => proxy?.close()],
      ['slapd', () => slapd?.stop()],
      ['redis', () => redis?.stop()],
      ['db', () => db?.close()],
    ];
    const problems: string[] = [];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (e) {
        problems.push(`${name}: ${(e as Error).message}`);
      }
    }
    if (problems.length) throw new Error(`Limpieza incompleta: ${problems.join('; ')}`);
  });

  let personal: { direccion: string; dn: string; password: string; correoAlterno: string };

  it('5.1.1 personal-alta: the worker process creates the LDAP entry and mails the link; the password set through it binds', async () => {
    const w = await addWorker(ds(), { nombre: 'Dolores', primerApellido: 'Güemes', correoAlterno: 'dolores.guemes.r@correo-alterno.example' });
    const alta = await selfServiceAlta(w.curp, w.curt);
    await alta.confirm();
    const done = await state(alta.caseId, 'creada');
    expect({ situacion: done.situacion, resultado: done.resultado }).toEqual({ situacion: 'concluido', resultado: 'creada' });

    const cuenta = await ds().getRepository(Cuenta).findOneByOrFail({ titularCurp: w.curp });
    const entries = await ldapSearch('employeeNumber', w.curp);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ mail: cuenta.direccion, uid: cuenta.localPart, employeeType: 'personal' });
    expect(cuenta).toMatchObject({ proveedor: 'ldap', proveedorId: entries[0].entryUUID, estado: 'activa' });

    const mails = outbox.fresh();
    expect(mails.map((m) => `${m.to.join(',')} | ${m.subject}`)).toEqual([`${w.correoAlterno} | Su correo institucional ${cuenta.direccion} fue creado`]);
    const password = 'cometa-nopal-brisa-31';
    // The web process sets it at slapd; nobody knew a working password before.
    expect(await canBind(entries[0].dn, password)).toBe(false);
    await activate(app!, activationToken(mails[0]), password);
    expect(await canBind(entries[0].dn, password)).toBe(true);
    expect(await canBind(entries[0].dn, 'otra-cosa-distinta-99')).toBe(false);
    personal = { direccion: cuenta.direccion, dn: entries[0].dn, password, correoAlterno: w.correoAlterno! };
  });

  it('5.5 cuenta-bloquear: oficio, reply letter and block all done by the worker; afterwards the bind fails', async () => {
    const pdf = await scannedOficio('Solicitud de bloqueo de cuenta (prueba con worker separado).');
    const r = http().post('/api/oficios').set('Authorization', `Bearer ${tok.oficialia}`);
    const fields: Record<string, string> = {
      procedimiento: 'cuenta-bloquear',
      numeroOficio: 'DA/0900/2026',
      fechaOficio: '2026-11-20',
      remitenteNombre: 'Lic. Ana Sofía Cárdenas Muñoz',
      remitenteCargo: 'Directora Administrativa',
      area: 'Dirección Administrativa',
      responsableId: ids.becas,
      asunto: `Bloqueo de la cuenta ${personal.direccion}`,
      cuentas: personal.direccion,
    };
    for (const [k, v] of Object.entries(fields)) void r.field(k, v);
    const reg = await r.attach('archivo', pdf, { filename: 'oficio.pdf', contentType: 'application/pdf' }).expect(201);
    const caseId = reg.body.tramite as string;
    expect(await act('oficialia', caseId, 'TURNAR')).toBe('recepcionSubjefatura');
    expect(await act('sistemas', caseId, 'RECIBIR_TURNO')).toBe('busqueda');
    const found = await http().get('/api/catalogo/cuentas').query({ q: personal.direccion }).set('Authorization', `Bearer ${tok.sistemas}`).expect(200);
    expect(await act('sistemas', caseId, 'BLOQUEAR', { cuentaId: found.body[0].id })).toBe('confirmacion');
    expect(await act('sistemas', caseId, 'CONFIRMAR')).toBe('aprovisionamiento');
    await state(caseId, 'envioRespuesta'); // suspend at slapd, notice mailed, reply letter signed: all in the worker
    expect(await act('sistemas', caseId, 'ENVIAR_RESPUESTA')).toBe('recepcionRespuesta');
    expect(await act('oficialia', caseId, 'TURNAR_RESPUESTA')).toBe('acuseRespuesta');
    const reply = await http().get(`/api/oficios/${caseId}/respuesta`).set('Authorization', `Bearer ${tok.becas}`).expect(200);
    expect(reply.body.tramite.acuse.disponible).toBe(true);
    expect(await act('becas', caseId, 'ACUSAR_RECIBO')).toBe('bloqueada');
    expect((await view(caseId)).situacion).toBe('concluido');

    const [entry] = await ldapSearch('mail', personal.direccion);
    expect(entry.pwdAccountLockedTime).toBe(LOCKED_BY_ADMIN);
    expect(await canBind(personal.dn, personal.password)).toBe(false);
    expect(await ds().getRepository(Cuenta).findOneByOrFail({ direccion: personal.direccion })).toMatchObject({ estado: 'bloqueada' });
    const kinds = (await ds().getRepository(IssuedDocument).find({ where: { caseId } })).map((d) => d.kind).sort();
    expect(kinds).toEqual(['acuse', 'respuesta']);
    const mails = outbox.fresh();
    expect(mails.map((m) => `${m.to.join(',')} | ${m.subject}`)).toEqual([`${personal.correoAlterno},${personal.direccion} | La cuenta de correo institucional ${personal.direccion} fue bloqueada`]);
    expect(mails[0].raw).not.toContain(personal.password);
  });

  it('killed while hung in an LDAP call (slapd stopped): a new worker finishes the case with exactly one account', async () => {
    const w = await addWorker(ds(), { nombre: 'Ernesto', primerApellido: 'Villaseñor', correoAlterno: 'ernesto.v@correo-alterno.example' });
    const alta = await selfServiceAlta(w.curp, w.curt);
    process.kill(slapd!.pid, 'SIGSTOP');
    slapdStopped = true;
    const connectionsBefore = proxy!.accepted();
    await alta.confirm();
    // The worker took the job (attempt 1 recorded) and opened an LDAP connection that slapd will not answer.
    const cmd = await until('el worker toma el trabajo de aprovisionamiento', async () => {
      const c = await provisionCommand(alta.caseId);
      return c && c.attempts >= 1 && proxy!.accepted() > connectionsBefore ? c : undefined;
    });
    expect(await jobState(cmd)).toBe('active');
    const first = worker!;
    first.signal('SIGKILL');
    await first.exited();
    process.kill(slapd!.pid, 'SIGCONT');
    slapdStopped = false;

    // Nobody else runs jobs: the web only relays. The case waits, its job orphaned in Redis, until a worker comes.
    await new Promise((r) => setTimeout(r, 2 * STALLED_MS));
    expect((await view(alta.caseId)).estado).toBe('aprovisionamiento');
    expect(await ds().getRepository(Cuenta).countBy({ titularCurp: w.curp })).toBe(0);

    worker = await startWorker(workerEnv);
    const done = await state(alta.caseId, 'creada');
    expect(done.resultado).toBe('creada');
    const after = await ds().getRepository(OutboxCommand).findOneByOrFail({ id: cmd.id });
    expect({ status: after.status, attempts: after.attempts }).toEqual({ status: 'hecho', attempts: 2 });
    const cuentas = await ds().getRepository(Cuenta).findBy({ titularCurp: w.curp });
    expect(cuentas).toHaveLength(1);
    const entries = await ldapSearch('employeeNumber', w.curp);
    expect(entries.map((e) => e.mail)).toEqual([cuentas[0].direccion]);
    expect(cuentas[0].proveedorId).toBe(entries[0].entryUUID);
    expect(outbox.fresh().map((m) => m.to.join(','))).toEqual([w.correoAlterno]);
  });

  it('killed after slapd created the entry but before the worker heard: the replay adopts it, still one account', async () => {
    const w = await addWorker(ds(), { nombre: 'Marisol', primerApellido: 'Ochoa', correoAlterno: 'marisol.ochoa@correo-alterno.example' });
    const alta = await selfServiceAlta(w.curp, w.curt);
    const held = proxy!.holdNextAddResponse();
    await alta.confirm();
    await until('el worker envía el alta a slapd', () => held.then(() => true));
    const [entry] = await until('slapd tiene la entrada', async () => {
      const e = await ldapSearch('employeeNumber', w.curp);
      return e.length ? e : undefined;
    });
    const cmd = (await provisionCommand(alta.caseId))!;
    expect(await jobState(cmd)).toBe('active');
    // Our table already reserved the address; the directory's id is what the lost answer would have told us.
    expect(await ds().getRepository(Cuenta).findOneByOrFail({ titularCurp: w.curp })).toMatchObject({ direccion: entry.mail, proveedorId: null });
    const second = worker!;
    second.signal('SIGKILL');
    await second.exited();

    worker = await startWorker(workerEnv);
    await state(alta.caseId, 'creada');
    const after = await ds().getRepository(OutboxCommand).findOneByOrFail({ id: cmd.id });
    expect({ status: after.status, attempts: after.attempts }).toEqual({ status: 'hecho', attempts: 2 });
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
  });
});
