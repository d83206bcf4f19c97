import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROCEDURES } from '../../machines';
import { CalendarService } from '../../src/engine/calendar.service';
import { EngineService } from '../../src/engine/engine.service';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { BullDriver } from '../../src/queue/bull.driver';
import { JobRunner } from '../../src/engine/effects/job-runner.service';
import { type CommandProcessor, EffectProcessors } from '../../src/engine/effects/effect-processor';
import { addCommand } from '../support/outbox';
import { type PrivateRedis, startPrivateRedis } from '../support/private-redis';
import { createTestDb, type TestDb } from '../support/test-db';

/**
 * Bull takes a job for stalled when its lock was not renewed in time — the worker died, or only its event loop was
 * busy for longer than QUEUE_STALLED_MS — and hands it to another worker. Issue 9 saw both runs side by side. Here the
 * first worker is alive and still inside the effect when its job is declared stalled (its lock removed and Bull's own
 * stalled check run, the way a late renewal ends), and a second worker gets the job: the command runs once.
 */
describe('Bull: a job re-delivered after a stall while its first run goes on runs once', () => {
  let redis: PrivateRedis | undefined;
  let db: TestDb | undefined;
  const drivers: BullDriver[] = [];
  let release: () => void = () => undefined;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    db = await createTestDb('sqlite');
  });
  afterAll(async () => {
    release();
    await Promise.all(drivers.map((d) => d.close()));
    await db?.close();
    await redis?.stop();
  });

  it('the second worker waits on the lease and the job completes with one execution', async () => {
    const ds = db!.dataSource;
    const engine = new EngineService(ds, PROCEDURES, new CalendarService(ds));
    let runs = 0;
    const gate = new Promise<void>((r) => (release = r));
    const slow: CommandProcessor = {
      type: 'renderAcuse',
      queue: 'letters',
      handle: async () => {
        runs++;
        await gate;
        return null;
      },
    };
    const prefix = `mci-stall-${randomBytes(4).toString('hex')}`;
    // Bull's own stalled check stays out of the way (60 s); the test runs it when it wants. The lease is short (1 s):
    // only its renewal keeps it from looking dead by the time the job is delivered again.
    const workers = [0, 1].map(() => {
      const driver = new BullDriver(redis!.url, prefix, 60_000);
      drivers.push(driver);
      const runner = new JobRunner(ds, driver, new EffectProcessors([slow]), engine, {
        retryBaseMs: 1000,
        queueStalledMs: 1000,
      });
      driver.consume(runner.handle, 1);
      return driver;
    });
    const id = await addCommand(ds, { status: 'encolado', enqueuedAt: new Date() });
    const jobId = `${id}:1`;
    await workers[0].enqueue('letters', jobId, { outboxId: id }, 0);
    for (let i = 0; runs < 1; i++) {
      if (i > 500) throw new Error('ningún worker tomó el trabajo');
      await sleep(20);
    }

    // The first worker's lock is gone; two stalled checks (the first marks, the second moves) give the job back.
    const q = workers[1].queue('letters');
    await q.client.del(`${q.toKey(jobId)}:lock`);
    // Bull's own method (not in its typings): what its stalled-check timer runs.
    const stalledCheck = q as unknown as { moveUnlockedJobsToWait(): Promise<void> };
    for (let k = 0; k < 2; k++) {
      await q.client.del(q.toKey('stalled-check'));
      await stalledCheck.moveUnlockedJobsToWait();
    }
    // The other worker (the first is busy: one job at a time) now holds the job...
    for (
      let i = 0;
      (await (await q.getJob(jobId))!.getState()) !== 'active' || !(await q.client.exists(`${q.toKey(jobId)}:lock`));
      i++
    ) {
      if (i > 250) throw new Error('el trabajo no volvió a entregarse');
      await sleep(20);
    }
    // ...for longer than the lease, while the first run renews it: no second run.
    await sleep(2500);
    expect(runs).toBe(1);
    expect((await ds.getRepository(OutboxCommand).findOneByOrFail({ id })).status).toBe('en_curso');

    release();
    for (let i = 0; (await (await q.getJob(jobId))!.getState()) !== 'completed'; i++) {
      if (i > 250) throw new Error('el trabajo no terminó');
      await sleep(20);
    }
    expect(runs).toBe(1);
    expect(await ds.getRepository(OutboxCommand).findOneByOrFail({ id })).toMatchObject({
      status: 'hecho',
      attempts: 0,
    });
  });
});
