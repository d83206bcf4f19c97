import { Logger } from '@nestjs/common';
import type { AppConfig } from '../../src/config/config';
import { InProcessDriver } from '../../src/queue/in-process.driver';
import { MaintenanceLease } from '../../src/queue/maintenance-lease';
import { QueueRuntime } from '../../src/queue/queue-runtime.service';
import { createTestDb, type TestDb } from '../support/test-db';

describe('periodic maintenance: one process at a time on one database', () => {
  let db: TestDb;
  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDb();
  });
  afterAll(async () => db?.close());

  it('a lease is held by one process, renewed by it, taken over once it expires or is released', async () => {
    let now = new Date('2026-12-04T18:00:00Z');
    const clock = (): Date => now;
    const a = new MaintenanceLease(db.dataSource, clock);
    const b = new MaintenanceLease(db.dataSource, clock);
    expect(a.holder).not.toBe(b.holder);
    expect(await a.take('prueba', 60_000)).toBe(true);
    expect(await b.take('prueba', 60_000)).toBe(false);
    now = new Date(now.getTime() + 50_000);
    expect(await a.take('prueba', 60_000)).toBe(true); // renewed until 18:01:50
    now = new Date(now.getTime() + 50_000);
    expect(await b.take('prueba', 60_000)).toBe(false); // 18:01:40: still A's
    now = new Date(now.getTime() + 20_001);
    expect(await b.take('prueba', 60_000)).toBe(true); // A stopped renewing: expired
    expect(await a.take('prueba', 60_000)).toBe(false);
    await a.release('prueba'); // not A's any more: nothing changes
    expect(await a.take('prueba', 60_000)).toBe(false);
    await b.release('prueba');
    expect(await a.take('prueba', 60_000)).toBe(true);
    // Another name is another lease.
    expect(await b.take('otra', 60_000)).toBe(true);
  });

  it('two processes: only the holder runs the passes; when it stops, the other runs the next one', async () => {
    const config = { workerConcurrency: 1, relayIntervalMs: 60_000, recoveryIntervalMs: 60_000 } as AppConfig;
    const ran: string[] = [];
    const process = (name: string): QueueRuntime => {
      const runtime = new QueueRuntime(new InProcessDriver(), 'off', config, new MaintenanceLease(db.dataSource));
      runtime.addMaintenance('contar', async () => void ran.push(name));
      return runtime;
    };
    const one = process('uno');
    const two = process('dos');
    for (let i = 0; i < 3; i++) {
      await one.periodic();
      await two.periodic();
    }
    expect(ran).toEqual(['uno', 'uno', 'uno']);
    await one.onApplicationShutdown();
    await two.periodic();
    await two.periodic();
    expect(ran).toEqual(['uno', 'uno', 'uno', 'dos', 'dos']);
    await two.onApplicationShutdown();
  });
});
