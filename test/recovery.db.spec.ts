import { Cuenta } from '../src/catalog/entities/cuenta.entity';
import type { Actor } from '../src/engine/actor';
import { ProcedureCase } from '../src/engine/entities/case.entity';
import { OutboxCommand } from '../src/engine/entities/outbox.entity';
import { addWorker, buildPipeline } from './support/pipeline';
import { createTestDb, type TestDb } from './support/test-db';

const asWorker = (curp: string): Actor => ({ id: `curp:${curp}`, role: 'trabajador', curp });

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

  const identify = (w: { curp: string; curt: string; nombre: string }) => ({
    startEvent: { curp: w.curp, curt: w.curt, found: true, active: true, hasAlternateEmail: true, nombre: w.nombre, cuentaId: null },
  });

  it('re-enqueues a command whose job vanished (Redis restarted empty, a process died) and the case finishes', async () => {
    const w = await addWorker(db.dataSource, { nombre: 'Teresa', primerApellido: 'Vázquez' });
    const c = await p.engine.start('personal-alta', asWorker(w.curp), {}, identify(w));
    await p.engine.send(c.caseId, { type: 'CONFIRMAR' }, asWorker(w.curp));
    const repo = db.dataSource.getRepository(OutboxCommand);
    // The relay marked it enqueued, but the queue lost it: simulate by marking without enqueuing.
    await repo.update({ caseId: c.caseId, type: 'provision' }, { status: 'encolado', enqueuedAt: new Date(Date.now() - 10 * 60_000) });
    expect(await p.relay.recover(new Date())).toMatchObject({ requeued: 1 });
    await p.drain();
    expect(await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: c.caseId })).toMatchObject({ outcome: 'creada' });
    expect(await db.dataSource.getRepository(Cuenta).countBy({ titularCurp: w.curp })).toBe(1);
  });

  it('runs the effect again when it finished but its result never reached the case (crash between the two)', async () => {
    const w = await addWorker(db.dataSource, { nombre: 'Óscar', primerApellido: 'Mesina' });
    const c = await p.engine.start('personal-alta', asWorker(w.curp), {}, identify(w));
    await p.engine.send(c.caseId, { type: 'CONFIRMAR' }, asWorker(w.curp));
    const repo = db.dataSource.getRepository(OutboxCommand);
    const cmd = await repo.findOneByOrFail({ caseId: c.caseId, type: 'provision' });
    // The processor ran (account created) and the row says done, but PROVISION_OK was never sent.
    const processor = p.processors.find((x) => x.type === 'provision')!;
    await processor.handle(cmd, JSON.parse(cmd.payload));
    await repo.update({ id: cmd.id }, { status: 'hecho', doneAt: new Date() });
    const later = new Date(Date.now() + 10 * 60_000);
    expect(await p.relay.recover(later)).toMatchObject({ cases: 1 });
    await p.relay.relay(later); // the relay's clock is the same "later"
    await p.driver.idle();
    await p.drain();
    expect(await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: c.caseId })).toMatchObject({ outcome: 'creada' });
    expect(await db.dataSource.getRepository(Cuenta).countBy({ titularCurp: w.curp })).toBe(1);
  });

  it('ends a self-service case left unconfirmed for an hour as "expirada", and leaves recent ones alone', async () => {
    const w = await addWorker(db.dataSource);
    const c = await p.engine.start('personal-alta', asWorker(w.curp), {}, identify(w));
    expect(await p.relay.expireAbandonedSelfService(new Date(Date.now() + 5 * 60_000))).toBe(0);
    expect(await p.relay.expireAbandonedSelfService(new Date(Date.now() + 2 * 3600_000))).toBeGreaterThanOrEqual(1);
    expect(await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: c.caseId })).toMatchObject({ status: 'concluido', outcome: 'expirada' });
  });
});
