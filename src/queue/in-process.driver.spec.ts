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
