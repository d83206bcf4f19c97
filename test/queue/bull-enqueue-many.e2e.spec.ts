import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { BullDriver } from '../../src/queue/bull.driver';

/**
 * BullDriver.enqueueMany on the shared Redis (127.0.0.1:6379, a prefix of its own): one addBulk per queue, with the
 * id and delay rules of enqueue — an id waiting, delayed or running stays as it is, a finished one makes way.
 */
describe('BullDriver.enqueueMany on Redis', () => {
  const prefix = `mci-prueba-lote-${randomBytes(4).toString('hex')}`;
  let driver: BullDriver;

  beforeAll(() => {
    Logger.overrideLogger(false);
    driver = new BullDriver(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', prefix, 5_000);
  });
  afterAll(async () => {
    for (const name of ['provisioning', 'notifications', 'letters', 'reminders'] as const)
      await driver
        .queue(name)
        .obliterate({ force: true })
        .catch(() => undefined);
    await driver.close();
  });

  it('adds a batch in one addBulk per queue, with the same ids, data and delays as enqueue', async () => {
    const bulk = jest.spyOn(driver.queue('provisioning'), 'addBulk');
    const add = jest.spyOn(driver.queue('provisioning'), 'add');
    await driver.enqueueMany([
      { queue: 'provisioning', jobId: 'a:1', data: { outboxId: 'a' }, delayMs: 0 },
      { queue: 'provisioning', jobId: 'b:1', data: { outboxId: 'b' }, delayMs: 60_000 },
      { queue: 'notifications', jobId: 'c:1', data: { outboxId: 'c' }, delayMs: -5 },
    ]);
    expect(bulk).toHaveBeenCalledTimes(1);
    expect(add).not.toHaveBeenCalled();
    const a = await driver.queue('provisioning').getJob('a:1');
    const b = await driver.queue('provisioning').getJob('b:1');
    const c = await driver.queue('notifications').getJob('c:1');
    expect({ a: await a?.getState(), b: await b?.getState(), c: await c?.getState() }).toEqual({
      a: 'waiting',
      b: 'delayed',
      c: 'waiting',
    });
    expect(a?.data).toEqual({ outboxId: 'a' });
    expect(b?.opts).toMatchObject({
      jobId: 'b:1',
      delay: 60_000,
      attempts: 1,
      removeOnComplete: 1000,
      removeOnFail: 5000,
    });
    expect(await driver.has('notifications', 'c:1')).toBe(true);
    bulk.mockRestore();
    add.mockRestore();
  });

  it('leaves an id that is still waiting as it is, and replaces a finished one', async () => {
    const q = driver.queue('letters');
    await driver.enqueue('letters', 'd:1', { outboxId: 'd' }, 60_000);
    await driver.enqueue('letters', 'e:1', { outboxId: 'e' }, 0);
    // e:1 ran and failed (its record stays, under removeOnFail): a new add of that id must make way for it.
    void q.process(1, () => Promise.reject(new Error('falló')));
    for (let i = 0; i < 200 && (await (await q.getJob('e:1'))?.getState()) !== 'failed'; i++)
      await new Promise((r) => setTimeout(r, 25));
    await q.pause(true); // this process stops taking jobs: what is added next stays waiting
    expect(await (await q.getJob('e:1'))?.getState()).toBe('failed');
    await driver.enqueueMany([
      { queue: 'letters', jobId: 'd:1', data: { outboxId: 'd' }, delayMs: 0 },
      { queue: 'letters', jobId: 'e:1', data: { outboxId: 'e' }, delayMs: 0 },
    ]);
    expect(await (await q.getJob('d:1'))?.getState()).toBe('delayed'); // untouched: still its 60 s delay
    expect(await (await q.getJob('e:1'))?.getState()).toBe('waiting'); // back in the queue
    expect(await q.getJobCounts()).toMatchObject({ waiting: 1, delayed: 1, failed: 0 });
  });
});
