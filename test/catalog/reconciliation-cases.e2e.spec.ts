/**
 * Issue 14, done when: a full import that retires 50 workers yields 50 findings, and the accepted ones become 5.5
 * cases that end blocked in the directory. Real slapd, the real provisioning and mail processors (test/support/
 * pipeline.ts), the reconciliation after the import, the review's bulk accept with the product's case opener.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource, FindOptionsWhere } from 'typeorm';
import { PROCEDURES } from '../../machines';
import type { Actor } from '../../src/auth/actor';
import { CatalogEventFacts } from '../../src/catalog/catalog-event-facts';
import { ConciliacionHallazgo } from '../../src/catalog/entities/conciliacion.entity';
import { Cuenta, CuentaHistorial } from '../../src/catalog/entities/cuenta.entity';
import { importCatalog } from '../../src/catalog/import/import.service';
import { ReconciliationReview } from '../../src/catalog/reconciliation';
import { ReconciliationCaseOpener } from '../../src/catalog/reconciliation/case-opener';
import { catalogTable, toCsv } from '../../src/catalog/seed/catalog-csv';
import { type DemoCatalog, generateDemoCatalog } from '../../src/catalog/seed/demo-data';
import { CalendarService } from '../../src/engine/calendar.service';
import { CaseRecords } from '../../src/engine/case-records';
import { EngineService } from '../../src/engine/engine.service';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Movement } from '../../src/engine/entities/movement.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { Task } from '../../src/engine/entities/task.entity';
import { LdapDirectoryProvider } from '../../src/provisioning/providers/ldap/ldap-directory.provider';
import { type ParsedMessage, parseMessage } from '../mail/support/mime';
import { buildPipeline } from '../support/pipeline';
import { provisionedAccount } from '../support/reconciliation-fixtures';
import { type Slapd, startSlapd } from '../support/slapd';
import { createTestDb, type TestDb } from '../support/test-db';

jest.setTimeout(180_000);

const T0 = new Date('2026-02-02T16:00:00.000Z');
const T1 = new Date('2026-03-02T16:00:00.000Z');
const T2 = new Date('2026-04-01T16:00:00.000Z');
const T3 = new Date('2026-04-02T16:00:00.000Z');
const T4 = new Date('2026-05-04T16:00:00.000Z');
const SUBJEFATURA = 'usr-subjefatura-1';

describe('accepted reconciliation findings open 5.5 cases that end blocked in the directory (issue 14, real slapd)', () => {
  let db: TestDb;
  let ds: DataSource;
  let slapd: Slapd;
  let provider: LdapDirectoryProvider;
  let pipeline: ReturnType<typeof buildPipeline>;
  let review: ReconciliationReview;
  let opener: ReconciliationCaseOpener;
  let demo: DemoCatalog;
  /** A 5.5 case of version 2, opened by oficio before version 3 was installed. */
  let v2CaseId: string;

  const workersCsv = (skip: ReadonlySet<string>): Buffer => {
    const t = catalogTable('trabajadores', {
      ...demo,
      trabajadores: demo.trabajadores.filter((w) => !skip.has(w.curp)),
    });
    return toCsv(t.header, t.rows);
  };
  /** An account the system created: its entry in slapd through the adapter, and its row. */
  const provisioned = (n: number, tipo: 'personal' | 'servicio', curp: string): Promise<Cuenta> =>
    provisionedAccount(ds, provider, `${tipo}${n}`, tipo, curp);
  const findings = (where: FindOptionsWhere<ConciliacionHallazgo> = {}) =>
    ds.getRepository(ConciliacionHallazgo).find({ where, order: { direccion: 'ASC' } });
  /** The mail the embedded transport wrote (.eml files in <dataDir>/outbox), by file name. */
  const mailFiles = (): string[] => {
    const dir = join(db.dataDir, 'outbox');
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml')) : [];
  };
  const mailsSince = (before: string[]): ParsedMessage[] =>
    mailFiles()
      .filter((f) => !before.includes(f))
      .map((f) => parseMessage(readFileSync(join(db.dataDir, 'outbox', f))));
  const suspendedThere = async (address: string): Promise<boolean> => (await provider.lookup(address))!.suspended;

  beforeAll(async () => {
    [db, slapd] = await Promise.all([createTestDb(), startSlapd()]);
    ds = db.dataSource;
    provider = new LdapDirectoryProvider({
      url: slapd.url,
      bindDN: slapd.adminDN,
      bindPassword: slapd.adminPassword,
      baseDN: slapd.peopleDN,
      timeoutMs: 5000,
      connectTimeoutMs: 2000,
    });
    // A server that ran version 2 of 5.5 and has an open case of it: version 3 is installed afterwards.
    const before = new EngineService(
      ds,
      PROCEDURES.filter((p) => !(p.id === 'cuenta-bloquear' && p.version === 3)),
      new CalendarService(ds),
      new CatalogEventFacts(),
    );
    await before.syncCatalog(T0);
    const subdireccion: Actor = { id: 'usr-oficialia', role: 'subdireccion' };
    v2CaseId = (
      await before.start(
        'cuenta-bloquear',
        subdireccion,
        { oficio: { folio: 'DEP/7/2026' } },
        { now: new Date(T0.getTime() + 60_000) },
      )
    ).caseId;
    pipeline = buildPipeline(db, { directory: provider });
    await pipeline.engine.syncCatalog(new Date(T0.getTime() + 120_000));
    review = new ReconciliationReview(ds);
    opener = new ReconciliationCaseOpener(pipeline.engine, new CaseRecords(ds, pipeline.engine));

    const generated = generateDemoCatalog({ seed: 14, centros: 20, trabajadores: 700 });
    demo = { ...generated, trabajadores: generated.trabajadores.filter((w) => w.activo).slice(0, 600) };
    // 600 workers: retiring 50 stays under the import's 10 % confirmation threshold.
    expect(demo.trabajadores).toHaveLength(600);
    const centros = catalogTable('centros', demo);
    await importCatalog(ds, { kind: 'centros', content: toCsv(centros.header, centros.rows), now: T1 });
    await importCatalog(ds, { kind: 'trabajadores', content: workersCsv(new Set()), now: T1 });
  });
  afterAll(async () => {
    await pipeline?.close();
    await Promise.all([db?.close(), slapd?.stop()]);
  });

  it('keeps the open version 2 case on version 2, which goes on, until cases:migrate moves it to version 3', async () => {
    const row = await ds.getRepository(ProcedureCase).findOneByOrFail({ id: v2CaseId });
    expect([row.procedureVersion, row.state]).toEqual([2, 'recepcion']);
    const moved = await pipeline.engine.send(
      v2CaseId,
      { type: 'RECIBIR_OFICIO', at: T1.toISOString() },
      { id: 'usr-oficialia', role: 'subdireccion' },
      { now: T1 },
    );
    expect(moved.state).toBe('turno');
    expect((await ds.getRepository(ProcedureCase).findOneByOrFail({ id: v2CaseId })).procedureVersion).toBe(2);
    // `cases:migrate` moves it to version 3 as it is (every v2 state is in v3), and it goes on there.
    const admin: Actor = { id: 'cli:cases-migrate', role: 'administrador' };
    await expect(pipeline.engine.migrateOpenCases('cuenta-bloquear', 2, admin, T1)).resolves.toEqual({
      target: 3,
      migrated: [v2CaseId],
      unmapped: [],
    });
    const turned = await pipeline.engine.send(
      v2CaseId,
      { type: 'TURNAR' },
      { id: 'usr-oficialia', role: 'subdireccion' },
      { now: T1 },
    );
    expect(turned.state).toBe('recepcionSubjefatura');
    expect((await ds.getRepository(ProcedureCase).findOneByOrFail({ id: v2CaseId })).procedureVersion).toBe(3);
    // Version 2 has no start by reconciliation.
    const sub: Actor = { id: SUBJEFATURA, role: 'subjefatura' };
    await expect(
      pipeline.engine.start('cuenta-bloquear', sub, {}, { startWith: 'SOLICITAR', now: T1 }),
    ).rejects.toMatchObject({ code: 'INICIO_NO_DISPONIBLE', status: 422 });
    // A start by reconciliation is the Subjefatura's: nobody else opens one, and nothing is written.
    await expect(
      pipeline.engine.start(
        'cuenta-bloquear',
        { id: 'usr-oficialia', role: 'subdireccion' },
        {},
        { startWith: 'CONCILIAR', startEvent: { cuentaId: 'x', hallazgoId: 'y', importacionAt: null }, now: T1 },
      ),
    ).rejects.toMatchObject({ code: 'ROL_NO_AUTORIZADO', status: 403 });
    expect(await ds.getRepository(ProcedureCase).count()).toBe(1);
  });

  it('a full import that retires 50 workers: 50 findings, accepted in bulk, 50 cases, 50 accounts blocked', async () => {
    const holders = demo.trabajadores.slice(0, 60);
    const accounts = new Map<string, Cuenta>();
    for (const [i, w] of holders.entries()) accounts.set(w.curp, await provisioned(i + 1, 'personal', w.curp));
    const retired = holders.slice(0, 50);
    const t0 = Date.now();
    const imported = await importCatalog(ds, {
      kind: 'trabajadores',
      content: workersCsv(new Set(retired.map((w) => w.curp))),
      now: T2,
    });
    expect(imported.conciliacion).toMatchObject({ nuevos: 50, porTipo: { personal_baja: 50 } });
    const pending = await findings({ estado: 'pendiente' });
    expect(pending).toHaveLength(50);

    // Nothing is blocked until a person accepts: the accounts are still active here and there.
    expect(await ds.getRepository(Cuenta).countBy({ estado: 'bloqueada' })).toBe(0);

    const accepted = await review.accept(
      pending.map((h) => h.id),
      SUBJEFATURA,
      T3,
      opener.open,
    );
    const acceptSeconds = (Date.now() - t0) / 1000;
    expect(accepted.failed).toEqual([]);
    expect(accepted.skipped).toEqual([]);
    expect(accepted.opened).toHaveLength(50);
    const caseIds = accepted.opened.map((o) => o.caseId);
    expect(new Set(caseIds).size).toBe(50);

    const cases = await ds.getRepository(ProcedureCase).find({ where: caseIds.map((id) => ({ id })) });
    expect(cases).toHaveLength(50);
    for (const c of cases) {
      expect(c).toMatchObject({
        procedureId: 'cuenta-bloquear',
        procedureVersion: 3,
        state: 'aprovisionamiento',
        startedBy: SUBJEFATURA,
        folio: null,
      });
    }
    // Each case says where it came from: the finding and the import are its basis.
    const byCase = new Map(accepted.opened.map((o) => [o.caseId, o.hallazgoId]));
    const movements = await ds
      .getRepository(Movement)
      .find({ where: caseIds.map((caseId) => ({ caseId })), order: { caseId: 'ASC', caseSeq: 'ASC' } });
    for (const caseId of caseIds) {
      const own = movements.filter((m) => m.caseId === caseId);
      const hallazgoId = byCase.get(caseId)!;
      const finding = pending.find((h) => h.id === hallazgoId)!;
      expect(own.slice(0, 2).map((m) => [m.eventType, m.actorId, m.actorRole, m.toState])).toEqual([
        ['INICIAR', SUBJEFATURA, 'subjefatura', 'solicitud'],
        ['CONCILIAR', SUBJEFATURA, 'subjefatura', 'aprovisionamiento'],
      ]);
      expect(JSON.parse(own[0].data)).toMatchObject({
        origen: 'Conciliación con los catálogos',
        hallazgoId,
        hallazgo: 'Cuenta personal de un trabajador dado de baja',
        direccion: finding.direccion,
        importacionAt: T2.toISOString(),
      });
      expect(JSON.parse(own[1].data)).toMatchObject({
        cuentaId: finding.cuentaId,
        hallazgoId,
        importacionAt: T2.toISOString(),
      });
    }
    // No oficio: no acuse, and no task in anybody's inbox while the Servicio blocks.
    const commands = await ds.getRepository(OutboxCommand).find({ where: caseIds.map((caseId) => ({ caseId })) });
    expect(commands.map((c) => c.type).sort()).toEqual(Array(50).fill('provision'));
    expect(await ds.getRepository(Task).countBy(caseIds.map((caseId) => ({ caseId, status: 'abierta' })))).toBe(0);
    for (const h of await findings({ estado: 'aceptado' })) {
      expect([h.decididoPor, h.decididoAt?.toISOString(), caseIds.includes(h.caseId!)]).toEqual([
        SUBJEFATURA,
        T3.toISOString(),
        true,
      ]);
    }

    const mailsBefore = mailFiles();
    const t1 = Date.now();
    await pipeline.drain();
    const drainSeconds = (Date.now() - t1) / 1000;
    const ended = await ds.getRepository(ProcedureCase).find({ where: caseIds.map((id) => ({ id })) });
    expect(ended.map((c) => [c.state, c.status, c.outcome])).toEqual(
      Array(50).fill(['bloqueada', 'concluido', 'bloqueada']),
    );
    for (const w of retired) {
      const cuenta = await ds.getRepository(Cuenta).findOneByOrFail({ id: accounts.get(w.curp)!.id });
      expect([cuenta.direccion, cuenta.estado, await suspendedThere(cuenta.direccion)]).toEqual([
        cuenta.direccion,
        'bloqueada',
        true,
      ]);
    }
    // The ten still employed keep their accounts, here and in the directory.
    for (const w of holders.slice(50)) {
      const cuenta = accounts.get(w.curp)!;
      expect([(await ds.getRepository(Cuenta).findOneByOrFail({ id: cuenta.id })).estado]).toEqual(['activa']);
      expect(await suspendedThere(cuenta.direccion)).toBe(false);
    }
    // Each holder was told, without citing an oficio there never was; nobody was sent a reply letter.
    const done = await ds.getRepository(OutboxCommand).find({ where: caseIds.map((caseId) => ({ caseId })) });
    expect(done.map((c) => [c.type, c.status]).sort()).toEqual([
      ...Array(50).fill(['notifyHolder', 'hecho']),
      ...Array(50).fill(['provision', 'hecho']),
    ]);
    const notices = mailsSince(mailsBefore);
    expect(notices).toHaveLength(retired.filter((w) => w.correoAlterno).length);
    expect(notices.length).toBeGreaterThan(30);
    for (const m of notices) {
      expect(m.header('subject')).toMatch(/^La cuenta de correo institucional \S+ fue bloqueada$/);
      expect(m.text).toContain('la Subjefatura de Sistemas bloqueó la cuenta');
      expect(`${m.text}${m.html}`).not.toMatch(/oficio/i);
    }
    const history = await ds.getRepository(CuentaHistorial).find({ where: caseIds.map((caseId) => ({ caseId })) });
    expect(history.filter((h) => h.evento === 'bloqueada')).toHaveLength(50);
    console.log(
      `reconciliation-cases: 50 findings accepted (import + accept ${acceptSeconds.toFixed(2)} s), outbox drained in ${drainSeconds.toFixed(2)} s`,
    );

    // A second press on the same findings opens nothing.
    const again = await review.accept(
      pending.map((h) => h.id),
      SUBJEFATURA,
      T4,
      opener.open,
    );
    expect(again).toEqual({ opened: [], skipped: pending.map((h) => h.id), failed: [] });
    expect(
      await ds
        .getRepository(ProcedureCase)
        .countBy({ procedureId: 'cuenta-bloquear', procedureVersion: 3, startedBy: SUBJEFATURA }),
    ).toBe(50);
  });

  it('opens nothing for a rejected finding; a Servicio account whose responsible left opens 5.4 in the Subjefatura’s step', async () => {
    const [stays, leaves] = demo.trabajadores.slice(60, 62);
    const kept = await provisioned(61, 'personal', stays.curp);
    const servicio = await provisioned(62, 'servicio', leaves.curp);
    const gone = new Set([...demo.trabajadores.slice(0, 50), stays, leaves].map((w) => w.curp));
    const imported = await importCatalog(ds, { kind: 'trabajadores', content: workersCsv(gone), now: T4 });
    expect(imported.conciliacion).toMatchObject({ nuevos: 2 });
    const [personal] = await findings({ cuentaId: kept.id });
    const [reasignar] = await findings({ cuentaId: servicio.id });
    expect([personal.accion, reasignar.accion, reasignar.tipo]).toEqual(['bloquear', 'reasignar', 'responsable_baja']);

    expect(await review.reject([personal.id], 'Sigue en funciones por convenio.', SUBJEFATURA, T4)).toBe(1);
    const cases = await ds.getRepository(ProcedureCase).count();
    const result = await review.accept([personal.id, reasignar.id], SUBJEFATURA, T4, opener.open);
    expect(result.skipped).toEqual([personal.id]);
    expect(result.failed).toEqual([]);
    expect(result.opened).toEqual([{ hallazgoId: reasignar.id, caseId: expect.any(String) }]);
    expect(await ds.getRepository(ProcedureCase).count()).toBe(cases + 1);
    const caseId = result.opened[0].caseId;
    // 5.4 opens in the Subjefatura's search, with its task: the finding does not say who keeps the account.
    const opened = await ds.getRepository(ProcedureCase).findOneByOrFail({ id: caseId });
    expect(opened).toMatchObject({ procedureId: 'cuenta-reasignar', procedureVersion: 3, state: 'busqueda' });
    expect(await ds.getRepository(Task).findBy({ caseId, status: 'abierta' })).toEqual([
      expect.objectContaining({ candidateRole: 'subjefatura', stateId: 'cuenta-reasignar.busqueda' }),
    ]);
    const [inicio] = await ds.getRepository(Movement).find({ where: { caseId }, order: { caseSeq: 'ASC' } });
    expect(JSON.parse(inicio.data)).toMatchObject({
      origen: 'Conciliación con los catálogos',
      hallazgoId: reasignar.id,
      hallazgo: 'Cuenta de Servicio o Función cuyo responsable ya no está activo',
      importacionAt: T4.toISOString(),
    });
    await pipeline.drain();
    // Nothing was blocked: the rejected finding's account and the Servicio one are active here and there.
    for (const c of [kept, servicio]) {
      expect((await ds.getRepository(Cuenta).findOneByOrFail({ id: c.id })).estado).toBe('activa');
      expect(await suspendedThere(c.direccion)).toBe(false);
    }

    // The Subjefatura names the worker who keeps it and confirms; the case ends reassigned, with no letter.
    const heir = demo.trabajadores.slice(100).find((w) => w.correoAlterno)!;
    const mailsBefore = mailFiles();
    const sub: Actor = { id: SUBJEFATURA, role: 'subjefatura' };
    await pipeline.engine.send(
      caseId,
      { type: 'REASIGNAR', cuentaId: servicio.id, newCurp: heir.curp, previousCurp: leaves.curp },
      sub,
      { now: T4 },
    );
    await pipeline.engine.send(caseId, { type: 'CONFIRMAR' }, sub, { now: T4 });
    await pipeline.drain();
    const ended = await ds.getRepository(ProcedureCase).findOneByOrFail({ id: caseId });
    expect([ended.state, ended.outcome, ended.incidentMessage]).toEqual(['reasignada', 'reasignada', null]);
    const after = await ds.getRepository(Cuenta).findOneByOrFail({ id: servicio.id });
    expect([after.estado, after.titularCurp]).toEqual(['activa', heir.curp]);
    const effects = (await ds.getRepository(OutboxCommand).findBy({ caseId })).map((c) => [c.type, c.status]).sort();
    expect(effects).toEqual([
      ['notifyHolder', 'hecho'],
      ['provision', 'hecho'],
      ['sendCredentials', 'hecho'],
    ]);
    // The new holder's access data (with the directory's forced change, a temporary password) and the previous
    // holder's notice, neither citing an oficio there never was.
    const mails = mailsSince(mailsBefore);
    expect(mails.map((m) => m.header('to')).sort()).toEqual([heir.correoAlterno, leaves.correoAlterno].sort());
    const notice = mails.find((m) => m.header('to') === leaves.correoAlterno)!;
    expect(notice.header('subject')).toBe(`Ya no tiene acceso a la cuenta ${servicio.direccion}`);
    expect(notice.text).toContain('la Subjefatura de Sistemas reasignó a otra persona la cuenta');
    for (const m of mails) expect(`${m.text}${m.html}`).not.toMatch(/oficio/i);
  });

  it('refuses, and leaves pending, a finding whose account was blocked meanwhile or has a block under way', async () => {
    const [w, x] = demo.trabajadores.slice(62, 64);
    const cuenta = await provisioned(63, 'personal', w.curp);
    const otra = await provisioned(64, 'personal', x.curp);
    const gone = new Set([...demo.trabajadores.slice(0, 50), ...demo.trabajadores.slice(60, 64)].map((t) => t.curp));
    await importCatalog(ds, {
      kind: 'trabajadores',
      content: workersCsv(gone),
      now: new Date(T4.getTime() + 3600_000),
    });
    const [h] = await findings({ cuentaId: cuenta.id });
    const [h2] = await findings({ cuentaId: otra.id });
    await ds.getRepository(Cuenta).update(cuenta.id, { estado: 'bloqueada' });
    // An oficio asked to block the other one, and the Subjefatura has chosen it: that case decides it.
    const oficialia: Actor = { id: 'usr-oficialia', role: 'subdireccion' };
    const sub: Actor = { id: SUBJEFATURA, role: 'subjefatura' };
    const porOficio = await pipeline.engine.start(
      'cuenta-bloquear',
      oficialia,
      { oficio: { folio: 'DEP/9/2026' } },
      { now: T4, folio: 'SSST-2026-000009' },
    );
    await pipeline.engine.send(porOficio.caseId, { type: 'RECIBIR_OFICIO', at: T4.toISOString() }, oficialia);
    await pipeline.engine.send(porOficio.caseId, { type: 'TURNAR' }, oficialia);
    await pipeline.engine.send(porOficio.caseId, { type: 'RECIBIR_TURNO' }, sub);
    await pipeline.engine.send(porOficio.caseId, { type: 'BLOQUEAR', cuentaId: otra.id }, sub);
    const cases = await ds.getRepository(ProcedureCase).count();

    const result = await review.accept([h.id, h2.id], SUBJEFATURA, T4, opener.open);
    expect(result.opened).toEqual([]);
    expect(result.failed).toEqual([
      { hallazgoId: h.id, mensaje: expect.stringContaining('ya no está activa') },
      { hallazgoId: h2.id, mensaje: expect.stringContaining('ya tiene un trámite de bloqueo o reasignación en curso') },
    ]);
    expect((await findings({ id: h.id }))[0].estado).toBe('pendiente');
    expect((await findings({ id: h2.id }))[0].estado).toBe('pendiente');
    expect(await ds.getRepository(ProcedureCase).count()).toBe(cases);
  });
});
