import { In } from 'typeorm';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Movement } from '../../src/engine/entities/movement.entity';
import { TaskReminderSweep } from '../../src/engine/effects/task-reminder-sweep';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { Task } from '../../src/engine/entities/task.entity';
import { CalendarService } from '../../src/engine/calendar.service';
import { type Actor, SYSTEM_ACTOR } from '../../src/auth/actor';
import { EngineService } from '../../src/engine/engine.service';
import { verifyMovementLog } from '../../src/engine/audit';
import { createTestDb, type TestDb } from '../support/test-db';
import { testProcedure } from '../support/test-machine';

const sub: Actor = { id: 'u-sub', role: 'subdireccion' };
const sj: Actor = { id: 'u-sj', role: 'subjefatura' };
const nivel: Actor = { id: 'u-niv', role: 'nivel', nivelClave: 'PRIMARIA' };
const CURP = 'GOMC850315MCMRRR09';

describe('engine', () => {
  let db: TestDb;
  let engine: EngineService;
  beforeAll(async () => {
    db = await createTestDb();
    engine = new EngineService(db.dataSource, [testProcedure(1)], new CalendarService(db.dataSource));
    await engine.syncCatalog(new Date('2026-01-01T00:00:00Z'));
  });
  afterAll(async () => db?.close());

  const tasksOf = (caseId: string) =>
    db.dataSource.getRepository(Task).find({ where: { caseId }, order: { createdAt: 'ASC' } });

  it('runs a case end to end: tasks open and close, the effect goes to the outbox, the output closes the case', async () => {
    const s = await engine.start('prueba', sub, { folio: 'SSST-OF-2026-0001', nivelClave: 'PRIMARIA' });
    expect(s).toMatchObject({ state: 'recibido', version: 1, status: 'activo' });
    expect(s.commands.map((c) => c.type)).toEqual(['renderAcuse']);
    let tasks = await tasksOf(s.caseId);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      candidateRole: 'subdireccion',
      status: 'abierta',
      folio: 'SSST-OF-2026-0001',
      nivelClave: 'PRIMARIA',
    });

    const t1 = await engine.send(s.caseId, { type: 'TURNAR' }, sub, { expectedVersion: 1 });
    expect(t1).toMatchObject({ state: 'enSubjefatura', version: 2 });
    tasks = await tasksOf(s.caseId);
    expect(tasks.map((t) => [t.candidateRole, t.status, t.priority]).sort()).toEqual([
      ['subdireccion', 'cerrada', 2],
      ['subjefatura', 'abierta', 1],
    ]);

    const t2 = await engine.send(s.caseId, { type: 'CREAR', curp: CURP, password: 'NoDebeGuardarse123' }, sj);
    expect(t2.state).toBe('provisionando');
    expect(t2.commands.map((c) => c.type)).toEqual(['provision']);
    const cmd = await db.dataSource.getRepository(OutboxCommand).findOneByOrFail({ id: t2.commands[0].id });
    expect(JSON.parse(cmd.payload)).toEqual({ op: 'create', tipo: 'personal', curp: CURP });
    expect(cmd.status).toBe('pendiente');
    expect((await tasksOf(s.caseId)).every((t) => t.status === 'cerrada')).toBe(true);

    const t3 = await engine.send(s.caseId, { type: 'PROVISION_OK', cuentaId: 'c-1' }, SYSTEM_ACTOR);
    expect(t3).toMatchObject({ status: 'concluido', outcome: 'creada' });
    const row = await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: s.caseId });
    expect(row).toMatchObject({ status: 'concluido', cuentaId: 'c-1', curp: CURP, version: 4 });
    expect(row.closedAt).toBeInstanceOf(Date);

    const moves = await db.dataSource
      .getRepository(Movement)
      .find({ where: { caseId: s.caseId }, order: { seq: 'ASC' } });
    expect(moves.map((m) => [m.fromState, m.toState, m.eventType, m.actorRole])).toEqual([
      ['(inicio)', 'recibido', 'INICIAR', 'subdireccion'],
      ['recibido', 'enSubjefatura', 'TURNAR', 'subdireccion'],
      ['enSubjefatura', 'provisionando', 'CREAR', 'subjefatura'],
      ['provisionando', 'hecho', 'PROVISION_OK', 'sistema'],
    ]);
    expect(moves[1].pasos).toBe('9.9:2,3');
    // Passwords never reach a movement or the snapshot.
    expect(JSON.stringify(moves)).not.toContain('NoDebeGuardarse123');
    expect(row.snapshot).not.toContain('NoDebeGuardarse123');
  });

  it('refuses an event from a role that is not the step’s responsable (403), unknown in the state (422), guard failing (422)', async () => {
    const s = await engine.start('prueba', sub, { nivelClave: 'PRIMARIA' });
    await expect(engine.send(s.caseId, { type: 'TURNAR' }, sj)).rejects.toMatchObject({
      status: 403,
      code: 'ROL_NO_AUTORIZADO',
    });
    await expect(engine.send(s.caseId, { type: 'TURNAR' }, sj)).rejects.toThrow(
      /corresponde a: Subdirección de Sistemas/,
    );
    await expect(engine.send(s.caseId, { type: 'CREAR', curp: CURP }, sj)).rejects.toMatchObject({
      status: 422,
      code: 'ACCION_NO_DISPONIBLE',
    });
    await engine.send(s.caseId, { type: 'TURNAR' }, sub);
    // The case has left the step of TURNAR: a role that may never send it is still refused as such (403, whatever the
    // state), and only the Subdirección, who may send it elsewhere, hears that it is not available now (422).
    for (const who of [sj, nivel])
      await expect(engine.send(s.caseId, { type: 'TURNAR' }, who)).rejects.toMatchObject({
        status: 403,
        code: 'ROL_NO_AUTORIZADO',
      });
    await expect(engine.send(s.caseId, { type: 'TURNAR' }, sub)).rejects.toMatchObject({
      status: 422,
      code: 'ACCION_NO_DISPONIBLE',
    });
    await expect(engine.send(s.caseId, { type: 'NO_EXISTE' }, sj)).rejects.toMatchObject({
      status: 422,
      code: 'ACCION_NO_DISPONIBLE',
    });
    await expect(engine.send(s.caseId, { type: 'CREAR', curp: 'corta' }, sj)).rejects.toMatchObject({
      status: 422,
      code: 'CONDICION_NO_CUMPLIDA',
    });
    await expect(engine.start('prueba', nivel, {})).rejects.toMatchObject({ status: 403 });
    // Nothing was written by the refused events.
    const row = await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: s.caseId });
    expect(row.version).toBe(2);
    expect(await db.dataSource.getRepository(Movement).countBy({ caseId: s.caseId })).toBe(2);
  });

  it('answers 409 to an actor who read an older version', async () => {
    const s = await engine.start('prueba', sub, {});
    await engine.send(s.caseId, { type: 'TURNAR' }, sub, { expectedVersion: 1 });
    await expect(engine.send(s.caseId, { type: 'CANCELAR' }, sj, { expectedVersion: 1 })).rejects.toMatchObject({
      status: 409,
      code: 'VERSION_CAMBIO',
    });
  });

  it('lets exactly one of 20 concurrent events on one case win; the rest get 409 and nothing is lost', async () => {
    const s = await engine.start('prueba', sub, {});
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => engine.send(s.caseId, { type: 'TURNAR' }, sub, { expectedVersion: 1 })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    for (const r of lost) expect(r.reason).toMatchObject({ status: 409 });
    const moves = await db.dataSource.getRepository(Movement).countBy({ caseId: s.caseId });
    expect(moves).toBe(2);
    const open = await db.dataSource.getRepository(Task).countBy({ caseId: s.caseId, status: 'abierta' });
    expect(open).toBe(1);
  });

  it('keeps every case its own unbroken chain under concurrent events on different cases, numbered by its version', async () => {
    const cases = await Promise.all(Array.from({ length: 8 }, () => engine.start('prueba', sub, {})));
    await Promise.all(cases.map((c) => engine.send(c.caseId, { type: 'TURNAR' }, sub)));
    const audit = await verifyMovementLog(db.dataSource, { trusted: [] });
    expect(audit.problems).toEqual([]);
    expect(audit.checked).toBe(await db.dataSource.getRepository(Movement).count());
    const rows = await db.dataSource
      .getRepository(Movement)
      .find({ where: { caseId: cases[0].caseId }, order: { caseSeq: 'ASC' } });
    const row = await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: cases[0].caseId });
    expect(rows.map((m) => m.caseSeq)).toEqual([1, 2]);
    expect(rows[1].prevHash).toBe(rows[0].hash);
    expect([row.version, row.movementCount, row.lastMovementHash]).toEqual([2, 2, rows[1].hash]);
  });

  /** A case whose saved snapshot names a state the machine does not have. */
  const unrestorableCase = async (): Promise<{ caseId: string }> => {
    const s = await engine.start('prueba', sub, {});
    const repo = db.dataSource.getRepository(ProcedureCase);
    const row = await repo.findOneByOrFail({ id: s.caseId });
    await repo.update({ id: s.caseId }, { snapshot: row.snapshot.replace('"recibido"', '"estadoQueNoExiste"') });
    return s;
  };

  it('turns a snapshot the machine cannot restore into an incident with a task for the Subjefatura, not a crash', async () => {
    const s = await unrestorableCase();
    const repo = db.dataSource.getRepository(ProcedureCase);
    await expect(engine.send(s.caseId, { type: 'TURNAR' }, sub)).rejects.toMatchObject({
      status: 409,
      code: 'CASO_EN_INCIDENTE',
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(await repo.findOneByOrFail({ id: s.caseId })).toMatchObject({ status: 'incidente' });
    const tasks = await tasksOf(s.caseId);
    expect(
      tasks.some((t) => t.stateId === '(incidente)' && t.candidateRole === 'subjefatura' && t.status === 'abierta'),
    ).toBe(true);
  });

  it('records the incidents of many snapshots it cannot restore one at a time, a case once until recorded (the pool stays for the requests)', async () => {
    const repo = db.dataSource.getRepository(ProcedureCase);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await unrestorableCase()).caseId);
    const spied = engine as unknown as { markIncident: (caseId: string, message: string) => Promise<void> };
    const original = spied.markIncident.bind(engine);
    let running = 0;
    let most = 0;
    const marked: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const spy = jest.spyOn(spied, 'markIncident').mockImplementation(async (caseId, message) => {
      running++;
      most = Math.max(most, running);
      marked.push(caseId);
      try {
        // The first one is slow (a loaded database): every other case is met while it runs.
        if (marked.length === 1) await gate;
        await original(caseId, message);
      } finally {
        running--;
      }
    });
    try {
      // As the expiry sweep meets them: each send fails at once and the next follows; every case twice.
      for (const id of [...ids, ...ids])
        await expect(engine.send(id, { type: 'TURNAR' }, sub)).rejects.toMatchObject({ code: 'CASO_EN_INCIDENTE' });
      release();
      const deadline = Date.now() + 20_000;
      while ((await repo.countBy({ id: In(ids), status: 'incidente' })) < ids.length && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(await repo.countBy({ id: In(ids), status: 'incidente' })).toBe(ids.length);
      expect(most).toBe(1);
      // Each case once: the second meeting found its incident still waiting.
      expect(marked.sort()).toEqual([...ids].sort());
    } finally {
      spy.mockRestore();
    }
  });

  it('computes due dates in business days; the reminder sweep queues the escalation at that date', async () => {
    const friday = new Date('2026-11-13T16:00:00Z'); // Monday 16 Nov 2026 is a holiday
    await new CalendarService(db.dataSource).ensureOfficialHolidays(friday);
    const fresh = new EngineService(db.dataSource, [testProcedure(1)], new CalendarService(db.dataSource));
    const s = await fresh.start('prueba', sub, {}, { now: friday });
    const [task] = await tasksOf(s.caseId);
    expect(task.dueAt.toISOString()).toBe('2026-11-18T05:59:59.000Z'); // Tuesday 17 Nov, end of day in Colima
    expect(task.warnAt.getTime()).toBeGreaterThan(friday.getTime());
    expect(task.warnAt.getTime()).toBeLessThan(task.dueAt.getTime());
    const reminders = () =>
      db.dataSource.getRepository(OutboxCommand).find({ where: { caseId: s.caseId, type: 'taskReminder' } });
    const sweep = new TaskReminderSweep(db.dataSource);
    await sweep.sweep(new Date(task.dueAt.getTime() - 1000));
    expect((await reminders()).map((r) => JSON.parse(r.payload).kind)).toEqual(['recordatorio']);
    await sweep.sweep(task.dueAt);
    expect((await reminders()).map((r) => JSON.parse(r.payload).kind).sort()).toEqual(['recordatorio', 'vencimiento']);
  });
});
