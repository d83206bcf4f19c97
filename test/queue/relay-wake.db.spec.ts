import { Logger } from '@nestjs/common';
import { PROCEDURES } from '../../machines';
import type { AppConfig } from '../../src/config/config';
import { inTransaction } from '../../src/database/transaction';
import { CalendarService } from '../../src/engine/calendar.service';
import { type CommandProcessor, EffectProcessors } from '../../src/engine/effects/effect-processor';
import { JobRunner } from '../../src/engine/effects/job-runner.service';
import { OutboxRelay } from '../../src/engine/effects/outbox-relay.service';
import { EngineService } from '../../src/engine/engine.service';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { InProcessDriver } from '../../src/queue/in-process.driver';
import { setRelayWake } from '../../src/queue/outbox-wake';
import { QueueRuntime } from '../../src/queue/queue-runtime.service';
import { addCommand } from '../support/outbox';
import { addWorker, asWorker, confirmPersonalAlta, startPersonalAlta } from '../support/pipeline';
import { createTestDb, type TestDb } from '../support/test-db';

/** The timer never fires in these tests: whatever reaches the queue got there by a wake. */
const config = { workerConcurrency: 1, relayIntervalMs: 60_000, recoveryIntervalMs: 3_600_000 } as AppConfig;

const until = async (what: () => Promise<boolean>, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('no ocurrió a tiempo');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('outbox relay: woken on commit, one enqueue call and one UPDATE per batch (issue 11 §3)', () => {
  let db: TestDb;
  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDb();
  });
  afterAll(async () => db?.close());

  function build() {
    const ds = db.dataSource;
    const engine = new EngineService(ds, PROCEDURES, new CalendarService(ds));
    // Nobody consumes the queue: what the relay enqueued stays visible in it.
    const driver = new InProcessDriver();
    const noop: CommandProcessor = { type: 'provision', queue: 'provisioning', handle: async () => null };
    const runner = new JobRunner(ds, driver, new EffectProcessors([noop]), engine, {
      retryBaseMs: 1000,
      queueStalledMs: 30_000,
    });
    const relay = new OutboxRelay(ds, driver, engine, runner);
    const runtime = new QueueRuntime(driver, 'web', config);
    runtime.addRelay('la bandeja de salida', () => relay.relay());
    setRelayWake(ds, runtime);
    return { ds, engine, driver, relay, runtime };
  }

  it('queues the command of a committed transition without the timer; a rolled-back one is never queued', async () => {
    const { ds, engine, driver, runtime } = build();
    await engine.syncCatalog();
    await runtime.onApplicationBootstrap();
    try {
      const repo = ds.getRepository(OutboxCommand);
      const w = await addWorker(ds, { nombre: 'Amparo', primerApellido: 'Cisneros' });
      const c = await confirmPersonalAlta(engine, w);
      const cmd = await repo.findOneByOrFail({ caseId: c.caseId, type: 'provision' });
      await until(async () => (await repo.findOneByOrFail({ id: cmd.id })).status === 'encolado');
      expect(await driver.has('provisioning', `${cmd.id}:1`)).toBe(true);

      // The same transition, rolled back after its outbox row was written: no wake, no job, no row.
      const w2 = await addWorker(ds, { nombre: 'Berenice', primerApellido: 'Lara' });
      const c2 = await startPersonalAlta(engine, w2);
      const relayOnce = jest.spyOn(runtime, 'relayOnce');
      await expect(
        inTransaction(ds, async (em) => {
          await engine.send(c2.caseId, { type: 'CONFIRMAR' }, asWorker(w2.curp), { em });
          expect(await em.getRepository(OutboxCommand).countBy({ caseId: c2.caseId, type: 'provision' })).toBe(1);
          throw new Error('se deshace');
        }),
      ).rejects.toThrow('se deshace');
      await new Promise((r) => setTimeout(r, 100));
      expect(relayOnce).not.toHaveBeenCalled();
      expect(await repo.countBy({ caseId: c2.caseId, type: 'provision' })).toBe(0);
      relayOnce.mockRestore();
    } finally {
      await runtime.onApplicationShutdown();
      setRelayWake(ds, undefined);
    }
  });

  it('coalesces: many wakes run one pass, and wakes during a pass bring exactly one more after it', async () => {
    const driver = new InProcessDriver();
    const runtime = new QueueRuntime(driver, 'web', config);
    let passes = 0;
    let release: () => void = () => undefined;
    let entered: () => void = () => undefined;
    const inside = new Promise<void>((r) => (entered = r));
    runtime.addRelay('lenta', async () => {
      passes++;
      if (passes === 1) {
        entered();
        await new Promise<void>((r) => (release = r));
      }
      return 1;
    });
    runtime.wake(); // not started yet: nothing
    await new Promise((r) => setImmediate(r));
    expect(passes).toBe(0);
    await runtime.onApplicationBootstrap();
    for (let i = 0; i < 10; i++) runtime.wake();
    await inside;
    expect(passes).toBe(1);
    for (let i = 0; i < 10; i++) runtime.wake(); // during the pass
    const asked = runtime.relayOnce(); // shares the one pass that follows
    release();
    expect(await asked).toBe(1);
    await driver.idle();
    expect(passes).toBe(2);
    await new Promise((r) => setTimeout(r, 50));
    expect(passes).toBe(2);
    await runtime.onApplicationShutdown();
  });

  it('enqueues a batch in one call and marks it with one UPDATE … WHERE id IN (…) AND status = pendiente', async () => {
    const { ds, driver, relay } = build();
    setRelayWake(ds, undefined);
    const ids = await Promise.all(
      Array.from({ length: 5 }, () => addCommand(ds, { type: 'provision', idempotencyKey: `${Math.random()}` })),
    );
    const enqueueMany = jest.spyOn(driver, 'enqueueMany');
    // TypeORM keeps one repository per entity and manager: the relay's own.
    const update = jest.spyOn(ds.getRepository(OutboxCommand), 'update');
    expect(await relay.relay()).toBe(5);
    expect(enqueueMany).toHaveBeenCalledTimes(1);
    expect(enqueueMany.mock.calls[0][0].map((j) => j.jobId).sort()).toEqual(ids.map((id) => `${id}:1`).sort());
    expect(update).toHaveBeenCalledTimes(1);
    const [where, set] = update.mock.calls[0] as unknown as [
      { id: { type: string; value: string[] }; status: string },
      object,
    ];
    expect({ op: where.id.type, ids: [...where.id.value].sort(), status: where.status }).toEqual({
      op: 'in',
      ids: [...ids].sort(),
      status: 'pendiente',
    });
    expect(set).toMatchObject({ status: 'encolado' });
    update.mockRestore();
    for (const id of ids) expect(await driver.has('provisioning', `${id}:1`)).toBe(true);
    const rows = await ds.getRepository(OutboxCommand).findBy(ids.map((id) => ({ id })));
    expect(rows.map((r) => r.status)).toEqual(ids.map(() => 'encolado'));
    await driver.close();
  });

  it('a crash between enqueue and mark leaves the batch pending: the next pass adds the same job ids, run once', async () => {
    const { ds, driver, relay } = build();
    setRelayWake(ds, undefined);
    const ids = await Promise.all(
      Array.from({ length: 3 }, () => addCommand(ds, { type: 'provision', idempotencyKey: `${Math.random()}` })),
    );
    const repo = ds.getRepository(OutboxCommand);
    // The process dies right after the queue took the batch: the UPDATE never happens.
    const update = jest.spyOn(repo, 'update').mockRejectedValueOnce(new Error('proceso terminado'));
    await expect(relay.relay()).rejects.toThrow('proceso terminado');
    update.mockRestore();
    expect((await repo.findBy(ids.map((id) => ({ id })))).map((r) => r.status)).toEqual(ids.map(() => 'pendiente'));
    for (const id of ids) expect(await driver.has('provisioning', `${id}:1`)).toBe(true);

    // The next pass: the same ids again (the queue ignores them), then the mark.
    const enqueueMany = jest.spyOn(driver, 'enqueueMany');
    expect(await relay.relay()).toBe(3);
    expect(enqueueMany.mock.calls[0][0].map((j) => j.jobId).sort()).toEqual(ids.map((id) => `${id}:1`).sort());
    expect((await driver.counts()).provisioning.waiting).toBe(3);
    expect((await repo.findBy(ids.map((id) => ({ id })))).map((r) => r.status)).toEqual(ids.map(() => 'encolado'));

    // Run: each command once.
    const seen: string[] = [];
    driver.consume(async (_q, data) => void seen.push(data.outboxId), 2);
    await driver.idle();
    expect(seen.sort()).toEqual([...ids].sort());
    await driver.close();
  });
});
