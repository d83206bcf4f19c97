import { Cuenta, CuentaHistorial } from '../../src/catalog/entities/cuenta.entity';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Movement } from '../../src/engine/entities/movement.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { InProcessDriver } from '../../src/queue/in-process.driver';
import {
  type CommandProcessor,
  EffectProcessors,
  Parked,
  TransientError,
  wakeParked,
} from '../../src/engine/effects/effect-processor';
import { inTransaction } from '../../src/database/transaction';
import { JobRunner } from '../../src/engine/effects/job-runner.service';
import { OutboxRelay } from '../../src/engine/effects/outbox-relay.service';
import { addWorker, buildPipeline, confirmPersonalAlta } from '../support/pipeline';
import { createTestDb, type TestDb } from '../support/test-db';

/**
 * Issue 9, "every effect exactly once under crashes": one outbox command has at most one execution at a time, whatever
 * delivers it (two deliveries at once, a queue's re-delivery after a stall, recovery, another worker), a finished
 * command is never run again, and crashes do not spend the retry budget. The provisioning processor here is the real
 * one (local directory), held at its start until the test lets it go: a slow directory call.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What each call of a scripted processor does: wait for the test and then run the real effect, wait and then fail as a
 * worker that died there would never report (`die`), fail transiently, or run the real effect at once.
 */
type Step = 'hold' | 'die' | 'transient' | 'dbdown' | 'run';

/** Wraps a processor: every call is counted and waits for its own release (or follows `script`, call by call). */
function held(inner: CommandProcessor, script: Step[] = []) {
  const gates: (() => void)[] = [];
  let calls = 0;
  const processor: CommandProcessor = {
    type: inner.type,
    queue: inner.queue,
    handle: async (cmd, payload) => {
      const step = script[calls] ?? 'hold';
      calls++;
      if (step === 'transient') throw new TransientError('El directorio no responde (prueba).', 1);
      // What TypeORM throws when the server went away mid-statement (mysql2's PROTOCOL_CONNECTION_LOST).
      if (step === 'dbdown')
        throw Object.assign(new Error('Query failed'), {
          driverError: { code: 'PROTOCOL_CONNECTION_LOST', fatal: true },
        });
      if (step === 'hold' || step === 'die') await new Promise<void>((r) => gates.push(r));
      if (step === 'die') throw new Error('el proceso ya no existe (prueba)');
      return inner.handle(cmd, payload);
    },
    failureEvent: inner.failureEvent?.bind(inner),
  };
  return {
    processor,
    calls: () => calls,
    /** Resolves once the processor has been entered `n` times in all. */
    entered: async (n: number) => {
      for (let i = 0; calls < n; i++) {
        if (i > 500) throw new Error(`el procesador no se llamó ${n} veces (van ${calls})`);
        await sleep(10);
      }
    },
    /** Lets the `i`-th held call (0-based, in call order) go on. */
    release: (i: number) => gates[i]?.(),
    releaseAll: () => gates.forEach((g) => g()),
  };
}

describe('exactly once: one execution of a command at a time, finished commands never run again', () => {
  let db: TestDb;
  let p: ReturnType<typeof buildPipeline>;
  const cleanups: (() => Promise<void> | void)[] = [];
  /** Every delivery a test starts: released and awaited after each test, whatever failed, before drivers close. */
  const pending: Promise<unknown>[] = [];
  const releasers: (() => void)[] = [];
  const track = <T>(run: Promise<T>): Promise<T> => {
    pending.push(run.catch(() => undefined));
    return run;
  };

  beforeAll(async () => {
    db = await createTestDb();
    p = buildPipeline(db);
    await p.engine.syncCatalog(new Date('2026-01-01T00:00:00Z'));
  });
  afterEach(async () => {
    for (const r of releasers.splice(0)) r();
    await Promise.all(pending.splice(0));
    jest.restoreAllMocks();
    for (const c of cleanups.splice(0)) await c();
  });
  afterAll(async () => {
    await p?.close();
    await db?.close();
  });

  /** The pipeline's real provisioning processor, held (see `held`); released after the test whatever happened. */
  function heldProvision(script?: Step[]) {
    const h = held(
      p.processors.find((x) => x.type === 'provision')!,
      script,
    );
    releasers.push(h.releaseAll);
    return h;
  }

  /** A 5.1.1 case confirmed by its worker: its provision command waits in the outbox. */
  async function confirmedCase(): Promise<{ caseId: string; curp: string; cmd: OutboxCommand }> {
    const w = await addWorker(db.dataSource);
    const c = await confirmPersonalAlta(p.engine, w);
    const cmd = await db.dataSource
      .getRepository(OutboxCommand)
      .findOneByOrFail({ caseId: c.caseId, type: 'provision' });
    return { caseId: c.caseId, curp: w.curp, cmd };
  }

  /**
   * A worker of its own: a runner with the held provisioning processor and the pipeline's other processors, its own
   * queue (consumed only when asked) and relay, and its own clock (a worker whose clock is ahead sees others' leases
   * expire: what a dead worker's lease looks like).
   */
  function worker(
    provision: CommandProcessor,
    opts: { clockAheadMs?: number; stalledMs?: number; consume?: boolean } = {},
  ) {
    const driver = new InProcessDriver();
    const processors = [provision, ...p.processors.filter((x) => x.type !== 'provision')];
    const ahead = opts.clockAheadMs ?? 0;
    const runner = new JobRunner(
      db.dataSource,
      driver,
      new EffectProcessors(processors),
      p.engine,
      { retryBaseMs: 10, queueStalledMs: opts.stalledMs ?? 30_000 },
      () => new Date(Date.now() + ahead),
    );
    const relay = new OutboxRelay(db.dataSource, driver, p.engine, runner);
    if (opts.consume) driver.consume(runner.handle, 2);
    cleanups.push(() => driver.close());
    return { runner, relay, driver };
  }

  async function provisionOutcome(caseId: string, curp: string) {
    const ds = db.dataSource;
    const cuentas = await ds.getRepository(Cuenta).findBy({ titularCurp: curp });
    const creada = cuentas.length
      ? await ds.getRepository(CuentaHistorial).countBy({ cuentaId: cuentas[0].id, evento: 'creada' })
      : 0;
    const provisionOk = await ds.getRepository(Movement).countBy({ caseId, eventType: 'PROVISION_OK' });
    return { cuentas: cuentas.length, creada, provisionOk };
  }

  it('two deliveries of the same command at once: one execution, one result', async () => {
    const { caseId, curp, cmd } = await confirmedCase();
    const h = heldProvision();
    const { runner } = worker(h.processor);
    const first = track(runner.handle('provisioning', { outboxId: cmd.id }));
    const second = track(runner.handle('provisioning', { outboxId: cmd.id }));
    await h.entered(1);
    await sleep(300);
    expect(h.calls()).toBe(1);
    h.releaseAll();
    await Promise.all([first, second]);
    expect(h.calls()).toBe(1);
    expect(await provisionOutcome(caseId, curp)).toEqual({ cuentas: 1, creada: 1, provisionOk: 1 });
    expect(await db.dataSource.getRepository(OutboxCommand).findOneByOrFail({ id: cmd.id })).toMatchObject({
      status: 'hecho',
      attempts: 0,
    });
  });

  it('a parked command waits with no ending: a stale delivery and recovery leave it alone; woken, it runs once and completes', async () => {
    const { caseId, curp, cmd } = await confirmedCase();
    const real = p.processors.find((x) => x.type === 'provision')!;
    let calls = 0;
    // Parks on its first run, as a line of an oficio for many schools parks its reply letter.
    const parking: CommandProcessor = {
      type: real.type,
      queue: real.queue,
      failureEvent: real.failureEvent?.bind(real),
      handle: async (c, payload, control) => {
        calls++;
        if (calls > 1) return real.handle(c, payload, control);
        await inTransaction(db.dataSource, async (em) => {
          expect(await control!.park(em, 'Espera a las demás líneas (prueba)')).toBe(true);
        });
        throw new Parked('Espera (prueba)');
      },
    };
    const { runner, relay } = worker(parking);
    const row = () => db.dataSource.getRepository(OutboxCommand).findOneByOrFail({ id: cmd.id });
    await runner.handle('provisioning', { outboxId: cmd.id });
    expect(await row()).toMatchObject({
      status: 'en_espera',
      leaseOwner: null,
      attempts: 0,
      result: null,
      lastError: 'Espera a las demás líneas (prueba)',
    });
    expect(await provisionOutcome(caseId, curp)).toEqual({ cuentas: 0, creada: 0, provisionOk: 0 });
    // A stale job of the command finds nothing to do; recovery, however late, neither requeues it nor makes the
    // waiting case an incident.
    await runner.handle('provisioning', { outboxId: cmd.id });
    expect(calls).toBe(1);
    expect(await relay.recover(new Date(Date.now() + 3_600_000), 0, 0)).toEqual({ requeued: 0, cases: 0 });
    expect((await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: caseId })).status).toBe('activo');
    // Woken: back to pending, delivered again, run once, completed with its result.
    await inTransaction(db.dataSource, (em) => wakeParked(em, [cmd.id], new Date()));
    expect((await row()).status).toBe('pendiente');
    await runner.handle('provisioning', { outboxId: cmd.id });
    expect(calls).toBe(2);
    expect(await provisionOutcome(caseId, curp)).toEqual({ cuentas: 1, creada: 1, provisionOk: 1 });
    expect((await row()).status).toBe('hecho');
  });

  it('a re-delivery after a stall, while the first run is still going, does not run it again (the lease is renewed)', async () => {
    const { caseId, curp, cmd } = await confirmedCase();
    const h = heldProvision();
    // A lease of 300 ms: without its heartbeat it would be long expired when the re-delivery comes.
    const a = worker(h.processor, { stalledMs: 300 });
    const b = worker(h.processor, { stalledMs: 300 });
    const first = track(a.runner.handle('provisioning', { outboxId: cmd.id }));
    await h.entered(1);
    await sleep(1200);
    const redelivered = track(b.runner.handle('provisioning', { outboxId: cmd.id }));
    await sleep(600);
    expect(h.calls()).toBe(1);
    h.releaseAll();
    await Promise.all([first, redelivered]);
    expect(h.calls()).toBe(1);
    expect(await provisionOutcome(caseId, curp)).toEqual({ cuentas: 1, creada: 1, provisionOk: 1 });
  });

  it('recover() leaves alone an enqueued command whose job still waits in a queue, however long ago it was queued', async () => {
    const { caseId, curp, cmd } = await confirmedCase();
    const h = heldProvision(['run']);
    const w = worker(h.processor);
    // Relayed into a queue nobody consumes yet: the job waits there; then made to look queued long ago.
    expect(await w.relay.relay(new Date())).toBeGreaterThanOrEqual(1);
    expect(await w.driver.has('provisioning', `${cmd.id}:1`)).toBe(true);
    await db.dataSource
      .getRepository(OutboxCommand)
      .update({ id: cmd.id }, { enqueuedAt: new Date(Date.now() - 30 * 60_000) });
    expect(await w.relay.recover(new Date())).toEqual({ requeued: 0, cases: 0 });
    expect(await db.dataSource.getRepository(OutboxCommand).findOneByOrFail({ id: cmd.id })).toMatchObject({
      status: 'encolado',
    });
    w.driver.consume(w.runner.handle, 2);
    await w.driver.idle();
    expect(h.calls()).toBe(1);
    expect(await provisionOutcome(caseId, curp)).toEqual({ cuentas: 1, creada: 1, provisionOk: 1 });
  });

  it('recover() while a command runs leaves it alone', async () => {
    const { caseId, curp, cmd } = await confirmedCase();
    const h = heldProvision();
    const w = worker(h.processor, { consume: true });
    const first = track(w.runner.handle('provisioning', { outboxId: cmd.id }));
    await h.entered(1);
    // Long enough ago for recovery to suspect both the job and the case.
    const past = new Date(Date.now() - 30 * 60_000);
    await db.dataSource.getRepository(OutboxCommand).update({ id: cmd.id }, { enqueuedAt: past });
    await db.dataSource.getRepository(ProcedureCase).update({ id: caseId }, { updatedAt: past });
    expect(await w.relay.recover(new Date())).toEqual({ requeued: 0, cases: 0 });
    await w.relay.relay(new Date());
    await sleep(300);
    expect(h.calls()).toBe(1);
    h.releaseAll();
    await first;
    await w.driver.idle();
    expect(h.calls()).toBe(1);
    expect(await provisionOutcome(caseId, curp)).toEqual({ cuentas: 1, creada: 1, provisionOk: 1 });
  });

  it('a process that starts while another runs the command (embedded queue, requeue at boot) does not start it again', async () => {
    const { caseId, curp, cmd } = await confirmedCase();
    const h = heldProvision();
    const running = worker(h.processor);
    const first = track(running.runner.handle('provisioning', { outboxId: cmd.id }));
    await h.entered(1);
    // What QueueRuntime does at the start of an in-process queue: its memory is empty, so it queues again what the
    // database says was queued; then its relay and its consumers run.
    const restarted = worker(h.processor, { consume: true });
    await restarted.relay.requeueAllEnqueued();
    await restarted.relay.relay(new Date());
    await sleep(300);
    expect(h.calls()).toBe(1);
    h.releaseAll();
    await first;
    await restarted.driver.idle();
    expect(h.calls()).toBe(1);
    expect(await provisionOutcome(caseId, curp)).toEqual({ cuentas: 1, creada: 1, provisionOk: 1 });
  });

  it("a dead worker's expired lease is taken over; the late first run, when it ends, neither completes nor reports", async () => {
    const { caseId, curp, cmd } = await confirmedCase();
    const h = heldProvision();
    const sends = jest.spyOn(p.engine, 'send');
    const dead = worker(h.processor);
    const next = worker(h.processor, { clockAheadMs: 10 * 60_000 });
    const first = track(dead.runner.handle('provisioning', { outboxId: cmd.id }));
    await h.entered(1);
    const second = track(next.runner.handle('provisioning', { outboxId: cmd.id }));
    await h.entered(2);
    h.release(1);
    await second;
    expect(await db.dataSource.getRepository(OutboxCommand).findOneByOrFail({ id: cmd.id })).toMatchObject({
      status: 'hecho',
    });
    h.release(0);
    await first;
    expect(sends.mock.calls.filter(([id, e]) => id === caseId && e.type === 'PROVISION_OK')).toHaveLength(1);
    expect(await provisionOutcome(caseId, curp)).toEqual({ cuentas: 1, creada: 1, provisionOk: 1 });
  });

  it('a command whose effect finished but whose result could not be committed is not run again', async () => {
    const { caseId, curp, cmd } = await confirmedCase();
    const h = heldProvision(['run', 'run', 'run']);
    const w = worker(h.processor, { consume: true });
    // The database refuses the transaction that reports the result (a lost connection), for as long as the test says.
    let failing = true;
    const send = p.engine.send.bind(p.engine);
    jest.spyOn(p.engine, 'send').mockImplementation(async (...args) => {
      if (failing && args[0] === caseId) throw new Error('Connection lost: The server closed the connection.');
      return send(...args);
    });
    await track(w.runner.handle('provisioning', { outboxId: cmd.id })).catch(() => undefined);
    expect(h.calls()).toBe(1);
    expect((await db.dataSource.getRepository(OutboxCommand).findOneByOrFail({ id: cmd.id })).status).not.toBe('hecho');
    failing = false;
    // Recovery, later: the command's result reaches the case; the effect does not run again.
    const later = new Date(Date.now() + 10 * 60_000);
    await w.relay.recover(later);
    await w.relay.relay(later);
    await w.driver.idle();
    expect(h.calls()).toBe(1);
    expect(await provisionOutcome(caseId, curp)).toEqual({ cuentas: 1, creada: 1, provisionOk: 1 });
    expect(await db.dataSource.getRepository(OutboxCommand).findOneByOrFail({ id: cmd.id })).toMatchObject({
      status: 'hecho',
      attempts: 0,
    });
  });

  it('crash re-deliveries do not spend the retry budget: only failures count', async () => {
    const { caseId, curp, cmd } = await confirmedCase();
    // Five runs whose worker died (they never end), then one transient failure, then success.
    const h = heldProvision(['die', 'die', 'die', 'die', 'die', 'transient', 'run']);
    for (let k = 1; k <= 7; k++) {
      // Each delivery comes from a worker whose clock is ten minutes past the one before: the previous lease expired.
      const { runner } = worker(h.processor, { clockAheadMs: k * 10 * 60_000 });
      const run = track(runner.handle('provisioning', { outboxId: cmd.id }));
      if (k <= 5) await h.entered(k);
      else await run;
    }
    expect(h.calls()).toBe(7);
    expect(await db.dataSource.getRepository(OutboxCommand).findOneByOrFail({ id: cmd.id })).toMatchObject({
      status: 'hecho',
      attempts: 1,
    });
    expect(await provisionOutcome(caseId, curp)).toEqual({ cuentas: 1, creada: 1, provisionOk: 1 });
    h.releaseAll();
    await Promise.all(pending);
    expect(await provisionOutcome(caseId, curp)).toEqual({ cuentas: 1, creada: 1, provisionOk: 1 });
  });

  it('a database that stops answering during the effect is a transient failure, retried, not a failed command', async () => {
    const { caseId, curp, cmd } = await confirmedCase();
    const h = heldProvision(['dbdown', 'run']);
    const { runner } = worker(h.processor);
    await runner.handle('provisioning', { outboxId: cmd.id });
    const after = await db.dataSource.getRepository(OutboxCommand).findOneByOrFail({ id: cmd.id });
    expect(after).toMatchObject({ status: 'encolado', attempts: 1 });
    expect(after.lastError).toMatch(/base de datos/);
    await runner.handle('provisioning', { outboxId: cmd.id });
    expect(await db.dataSource.getRepository(OutboxCommand).findOneByOrFail({ id: cmd.id })).toMatchObject({
      status: 'hecho',
      attempts: 1,
    });
    expect(await provisionOutcome(caseId, curp)).toEqual({ cuentas: 1, creada: 1, provisionOk: 1 });
  });
});
