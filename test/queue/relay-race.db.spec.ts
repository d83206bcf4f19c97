import { PROCEDURES } from '../../machines';
import { CalendarService } from '../../src/engine/calendar.service';
import { EngineService } from '../../src/engine/engine.service';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { InProcessDriver } from '../../src/queue/in-process.driver';
import { JobRunner } from '../../src/engine/effects/job-runner.service';
import { OutboxRelay } from '../../src/engine/effects/outbox-relay.service';
import { type CommandProcessor, EffectProcessors } from '../../src/engine/effects/effect-processor';
import { addCommand } from '../support/outbox';
import { createTestDb, type TestDb } from '../support/test-db';

/**
 * With Redis every process relays the outbox (the web and each worker). Found by redis-worker.e2e.spec.ts: one relay
 * enqueued a command, a worker started it (attempt 1) before that relay marked it enqueued, and a second relay, reading
 * the row still as waiting with attempts = 1, enqueued it again as attempt 2: two concurrent runs of one provisioning
 * command ("Duplicate entry" on the account row) and an incident on a case that was fine. Replayed here step by step.
 */
describe('outbox relay and job runner: a command being run is not relayed again', () => {
  let db: TestDb;
  let release: () => void = () => undefined;
  let running: Promise<void> | undefined;

  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    // Let a run left waiting by a failed assertion finish before its database goes away.
    release();
    await running?.catch(() => undefined);
    await db?.close();
  });

  it('takes the command (its lease) as its run starts, so another relay pass enqueues nothing', async () => {
    const ds = db.dataSource;
    const engine = new EngineService(ds, PROCEDURES, new CalendarService(ds));
    let runs = 0;
    let entered: () => void = () => undefined;
    const inside = new Promise<void>((r) => (entered = r));
    const gate = new Promise<void>((r) => (release = r));
    // A processor that stays inside its effect until the test lets it go (a slow directory call).
    const slow: CommandProcessor = {
      type: 'renderAcuse',
      queue: 'letters',
      handle: async () => {
        runs++;
        entered();
        await gate;
        return null;
      },
    };
    const driver = new InProcessDriver(); // nobody consumes it: what the relay enqueues stays visible
    const runner = new JobRunner(ds, driver, new EffectProcessors([slow]), engine, {
      retryBaseMs: 1000,
      queueStalledMs: 30_000,
    });
    const otherRelay = new OutboxRelay(ds, driver, engine, runner);
    const id = await addCommand(ds);

    // Job <id>:1 starts (a worker took it from the queue) before the relay that enqueued it marked the row.
    running = runner.handle('letters', { outboxId: id });
    await inside;
    const during = await ds.getRepository(OutboxCommand).findOneByOrFail({ id });
    expect({ status: during.status, attempts: during.attempts, enqueued: during.enqueuedAt !== null }).toEqual({
      status: 'en_curso',
      attempts: 0,
      enqueued: true,
    });
    // Another process's relay pass now finds nothing waiting: no job <id>:2.
    expect(await otherRelay.relay()).toBe(0);
    expect(await driver.has('letters', `${id}:2`)).toBe(false);

    release();
    await running;
    expect(runs).toBe(1);
    expect((await ds.getRepository(OutboxCommand).findOneByOrFail({ id })).status).toBe('hecho');
    await driver.close();
  });
});
