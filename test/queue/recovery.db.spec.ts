import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { addWorker, asWorker, buildPipeline } from '../support/pipeline';
import { createTestDb, type TestDb } from '../support/test-db';

describe('recovery: lost jobs and abandoned self-service', () => {
  let db: TestDb;
  let p: ReturnType<typeof buildPipeline>;
  beforeAll(async () => {
    db = await createTestDb();
    p = buildPipeline(db);
    await p.engine.syncCatalog(new Date('2026-01-01T00:00:00Z'));
  });
  afterAll(async () => {
    await p?.close();
    await db?.close();
  });

  const identify = (w: { curp: string; nombre: string }) => ({
    startEvent: { curp: w.curp, found: true, active: true, hasAlternateEmail: true, nombre: w.nombre, cuentaId: null },
  });

  it('re-enqueues a command whose job vanished (Redis restarted empty, a process died) and the case finishes', async () => {
    const w = await addWorker(db.dataSource, { nombre: 'Teresa', primerApellido: 'Vázquez' });
    const c = await p.engine.start('personal-alta', asWorker(w.curp), {}, identify(w));
    await p.engine.send(c.caseId, { type: 'CONFIRMAR' }, asWorker(w.curp));
    const repo = db.dataSource.getRepository(OutboxCommand);
    // The relay marked it enqueued, but the queue lost it: simulate by marking without enqueuing.
    await repo.update(
      { caseId: c.caseId, type: 'provision' },
      { status: 'encolado', enqueuedAt: new Date(Date.now() - 10 * 60_000) },
    );
    expect(await p.relay.recover(new Date())).toMatchObject({ requeued: 1 });
    await p.drain();
    expect(await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: c.caseId })).toMatchObject({
      outcome: 'creada',
    });
    expect(await db.dataSource.getRepository(Cuenta).countBy({ titularCurp: w.curp })).toBe(1);
  });

  it('recognises a lost job within seconds, not minutes: a command enqueued 15 s ago with no job goes back and the case finishes', async () => {
    const w = await addWorker(db.dataSource, { nombre: 'Rebeca', primerApellido: 'Larios' });
    const c = await p.engine.start('personal-alta', asWorker(w.curp), {}, identify(w));
    await p.engine.send(c.caseId, { type: 'CONFIRMAR' }, asWorker(w.curp));
    const repo = db.dataSource.getRepository(OutboxCommand);
    // Redis restarted empty 15 s after the relay queued it: the row says enqueued, no queue has its job.
    await repo.update(
      { caseId: c.caseId, type: 'provision' },
      { status: 'encolado', enqueuedAt: new Date(Date.now() - 15_000) },
    );
    expect(await p.relay.recover(new Date())).toMatchObject({ requeued: 1 });
    await p.drain();
    expect(await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: c.caseId })).toMatchObject({
      outcome: 'creada',
    });
    expect(await db.dataSource.getRepository(Cuenta).countBy({ titularCurp: w.curp })).toBe(1);
  });

  it('never runs again a command marked done whose result never reached the case: the case goes to an incident with the reason', async () => {
    const w = await addWorker(db.dataSource, { nombre: 'Óscar', primerApellido: 'Mesina' });
    const c = await p.engine.start('personal-alta', asWorker(w.curp), {}, identify(w));
    await p.engine.send(c.caseId, { type: 'CONFIRMAR' }, asWorker(w.curp));
    const repo = db.dataSource.getRepository(OutboxCommand);
    const cmd = await repo.findOneByOrFail({ caseId: c.caseId, type: 'provision' });
    // What a crash between "done" and the result left behind before both were one transaction: the processor ran
    // (account created), the row says done, PROVISION_OK never reached the case. For sendCredentials a second run
    // is a second mail, so nothing decides to run it again but a person.
    const processor = p.processors.find((x) => x.type === 'provision')!;
    await processor.handle(cmd, JSON.parse(cmd.payload));
    await repo.update({ id: cmd.id }, { status: 'hecho', doneAt: new Date() });
    const runs = jest.spyOn(processor, 'handle');
    const later = new Date(Date.now() + 10 * 60_000);
    expect(await p.relay.recover(later)).toMatchObject({ cases: 1 });
    await p.relay.relay(later);
    await p.driver.idle();
    await p.drain();
    expect(runs).not.toHaveBeenCalled();
    const row = await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: c.caseId });
    expect(row).toMatchObject({ status: 'incidente', state: 'incidente' });
    expect(row.incidentMessage).toMatch(/no llegó al trámite/);
    expect(await repo.countBy({ caseId: c.caseId, type: 'provision' })).toBe(1);
    expect(await db.dataSource.getRepository(Cuenta).countBy({ titularCurp: w.curp })).toBe(1);
    runs.mockRestore();
  });

  it('ends a self-service case left unconfirmed for an hour as "expirada", and leaves recent ones alone', async () => {
    const w = await addWorker(db.dataSource);
    const c = await p.engine.start('personal-alta', asWorker(w.curp), {}, identify(w));
    expect(await p.idle.expire(new Date(Date.now() + 5 * 60_000))).toBe(0);
    expect(await p.idle.expire(new Date(Date.now() + 2 * 3600_000))).toBeGreaterThanOrEqual(1);
    expect(await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: c.caseId })).toMatchObject({
      status: 'concluido',
      outcome: 'expirada',
    });
  });
});
