import { InProcessDriver } from './in-process.driver';

describe('InProcessDriver.counts', () => {
  it('counts each running job in its own queue (a letter being signed is not a provisioning job)', async () => {
    const driver = new InProcessDriver();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    driver.consume(() => gate, 2);
    await driver.enqueue('letters', 'a:1', { outboxId: 'a' }, 0);
    await driver.enqueue('notifications', 'b:1', { outboxId: 'b' }, 0);
    await driver.enqueue('notifications', 'c:1', { outboxId: 'c' }, 60_000);
    const counts = await driver.counts();
    expect(counts.letters).toEqual({ waiting: 0, delayed: 0, active: 1, failed: 0 });
    expect(counts.notifications).toEqual({ waiting: 0, delayed: 1, active: 1, failed: 0 });
    expect(counts.provisioning.active).toBe(0);
    release();
    await driver.close();
  });
});

describe('InProcessDriver.enqueueMany', () => {
  it('adds a batch with the rules of enqueue: ids already waiting or running are ignored, delays kept', async () => {
    const driver = new InProcessDriver();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const ran: string[] = [];
    driver.consume(async (_q, data) => {
      ran.push(data.outboxId);
      await gate;
    }, 1);
    await driver.enqueue('provisioning', 'a:1', { outboxId: 'a' }, 0); // running from now on
    await driver.enqueueMany([
      { queue: 'provisioning', jobId: 'a:1', data: { outboxId: 'a' }, delayMs: 0 },
      { queue: 'provisioning', jobId: 'b:1', data: { outboxId: 'b' }, delayMs: 0 },
      { queue: 'notifications', jobId: 'c:1', data: { outboxId: 'c' }, delayMs: 60_000 },
      { queue: 'provisioning', jobId: 'b:1', data: { outboxId: 'b' }, delayMs: 0 },
    ]);
    const counts = await driver.counts();
    expect(counts.provisioning).toEqual({ waiting: 1, delayed: 0, active: 1, failed: 0 });
    expect(counts.notifications).toEqual({ waiting: 0, delayed: 1, active: 0, failed: 0 });
    release();
    await driver.idle();
    expect(ran).toEqual(['a', 'b']);
    await driver.close();
  });

  it('is not idle while a relay pass that may add jobs still runs (holdIdle)', async () => {
    const driver = new InProcessDriver();
    driver.consume(async () => undefined, 1);
    let finish: () => void = () => undefined;
    const pass = new Promise<void>((r) => (finish = r));
    driver.holdIdle(pass);
    let idle = false;
    const waiting = driver.idle().then(() => (idle = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(idle).toBe(false);
    finish();
    await waiting;
    expect(idle).toBe(true);
    await driver.close();
  });
});
