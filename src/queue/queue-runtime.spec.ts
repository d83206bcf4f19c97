import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { InProcessDriver } from './in-process.driver';
import { type QueueRole, QueueRuntime } from './queue-runtime.service';

const config = { workerConcurrency: 1, relayIntervalMs: 60_000, recoveryIntervalMs: 60_000 } as AppConfig;

describe('QueueRuntime: runs what other modules register, knowing none of it', () => {
  beforeAll(() => Logger.overrideLogger(false));

  async function boot(role: QueueRole) {
    const driver = new InProcessDriver();
    const runtime = new QueueRuntime(driver, role, config);
    const handled: string[] = [];
    const calls: string[] = [];
    runtime.consumeWith({
      handle: async (_queue, data) => void handled.push(data.outboxId),
      check: () => void calls.push('check'),
      resume: async () => (calls.push('resume'), 2),
    });
    await runtime.onApplicationBootstrap();
    return { driver, runtime, handled, calls };
  }

  it('checks and resumes the consumer, then consumes, where this process runs the jobs', async () => {
    const { driver, runtime, handled, calls } = await boot('all-in-one');
    expect(calls).toEqual(['check', 'resume']);
    await driver.enqueue('letters', 'a:1', { outboxId: 'a' }, 0);
    await driver.idle();
    expect(handled).toEqual(['a']);
    await runtime.onApplicationShutdown();
  });

  it('only checks in a web process (a worker consumes), and does nothing when off', async () => {
    const web = await boot('web');
    expect(web.calls).toEqual(['check']);
    await web.driver.enqueue('letters', 'a:1', { outboxId: 'a' }, 0);
    expect(web.handled).toEqual([]);
    await web.runtime.onApplicationShutdown();
    const off = await boot('off');
    expect(off.calls).toEqual([]);
    await off.runtime.onApplicationShutdown();
  });

  it('refuses to consume with nobody to run the jobs, and takes a single consumer', async () => {
    const runtime = new QueueRuntime(new InProcessDriver(), 'worker', config);
    await expect(runtime.onApplicationBootstrap()).rejects.toThrow(/ningún módulo los atiende/);
    runtime.consumeWith({ handle: async () => undefined });
    expect(() => runtime.consumeWith({ handle: async () => undefined })).toThrow(/ya tienen quien/);
    await runtime.onApplicationShutdown();
  });

  it('adds up what the relays queued, and runs every maintenance task in order even when one fails', async () => {
    const runtime = new QueueRuntime(new InProcessDriver(), 'off', config);
    const ran: string[] = [];
    runtime.addRelay('uno', async () => 2);
    runtime.addRelay('falla', () => Promise.reject(new Error('sin base de datos')));
    runtime.addRelay('dos', async () => 3);
    runtime.addMaintenance('a', async () => void ran.push('a'));
    runtime.addMaintenance('b', () => Promise.reject(new Error('falla')));
    runtime.addMaintenance('c', async () => void ran.push('c'));
    expect(await runtime.relayOnce()).toBe(5);
    await runtime.periodic();
    expect(ran).toEqual(['a', 'c']);
    await runtime.onApplicationShutdown();
    expect(await runtime.relayOnce()).toBe(0); // stopped
  });

  it('relays when woken in a process whose queues are shared, not in the embedded default (all-in-one)', async () => {
    for (const [role, expected] of [
      ['web', 1],
      ['worker', 1],
      ['all-in-one', 0],
    ] as const) {
      const runtime = new QueueRuntime(new InProcessDriver(), role, config);
      runtime.consumeWith({ handle: async () => undefined });
      let passes = 0;
      runtime.addRelay('bandeja', async () => (passes++, 0));
      await runtime.onApplicationBootstrap();
      runtime.wake();
      await new Promise((r) => setTimeout(r, 10));
      expect({ role, passes }).toEqual({ role, passes: expected });
      await runtime.onApplicationShutdown();
    }
  });
});
