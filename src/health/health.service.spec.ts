import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
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
