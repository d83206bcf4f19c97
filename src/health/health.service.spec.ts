import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import type { QueueDriver } from '../queue/queue-driver';
import { HEALTH_PROBE_TIMEOUT_MS, HealthService } from './health.service';

describe('HealthService while the database does not answer', () => {
  it('answers "down" within the probe timeout and keeps one probe in flight, however often it is asked', async () => {
    // A frozen server: the statement never answers (until the statement timeout, which is longer than the probe's).
    const query = jest.fn(() => new Promise<never>(() => undefined));
    const health = new HealthService(
      { query } as unknown as DataSource,
      { databaseUrl: 'mysql://x@127.0.0.1/mci' } as AppConfig,
    );
    const t0 = performance.now();
    const reports = await Promise.all([health.check(), health.check(), health.check()]);
    const again = await health.check();
    const ms = performance.now() - t0;
    for (const r of [...reports, again]) {
      expect(r.baseDeDatos).toMatchObject({ ok: false, dialecto: 'mysql' });
      expect(r.estado).toBe('degradado');
    }
    expect(ms).toBeLessThan(HEALTH_PROBE_TIMEOUT_MS * 3);
    // Each probe would otherwise hold a pooled connection for the whole statement timeout: a load balancer polling
    // /health every second would take the pool from the requests.
    expect(query).toHaveBeenCalledTimes(1);
  });
});

describe('HealthService readiness while Redis does not answer', () => {
  it('answers "no_disponible" within the probe timeout, pings on the queues\' connection, one PING in flight', async () => {
    const query = jest.fn(() => Promise.resolve([{ 1: 1 }]));
    const ping = jest.fn(() => new Promise<void>(() => undefined));
    const health = new HealthService(
      { query } as unknown as DataSource,
      { databaseUrl: 'mysql://x@127.0.0.1/mci', redisUrl: 'redis://127.0.0.1:6379' } as AppConfig,
      { name: 'bull', ping } as unknown as QueueDriver,
    );
    const reports = await Promise.all([health.ready(), health.ready()]);
    const again = await health.ready();
    for (const r of [...reports, again]) {
      expect(r).toEqual({
        estado: 'no_disponible',
        baseDeDatos: { ok: true, ms: expect.any(Number) },
        redis: { ok: false, ms: expect.any(Number) },
      });
    }
    expect(ping).toHaveBeenCalledTimes(1);
  });
});
