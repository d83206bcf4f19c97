import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { metricsRegistry } from '../../common/metrics';

interface Panel {
  title: string;
  targets: { expr: string }[];
}

/** Every series the shipped Grafana dashboard queries is one this product exports: the dashboard cannot rot silently. */
describe('the Grafana dashboard (src/health/grafana)', () => {
  const dashboard = JSON.parse(readFileSync(join(__dirname, 'mi-correo-institucional.json'), 'utf8')) as {
    panels: Panel[];
  };

  it('queries only metrics the registry has (histograms by _bucket, _count or _sum)', async () => {
    const exported = new Set<string>();
    for (const m of await metricsRegistry.getMetricsAsJSON()) {
      exported.add(m.name);
      if (String(m.type) === 'histogram') for (const s of ['_bucket', '_count', '_sum']) exported.add(`${m.name}${s}`);
    }
    const used = dashboard.panels.flatMap((p) =>
      p.targets.flatMap((t) => [...t.expr.matchAll(/\bmci_[a-z_]+/g)].map((m) => ({ panel: p.title, name: m[0] }))),
    );
    expect(used.length).toBeGreaterThanOrEqual(dashboard.panels.length);
    expect(used.filter((u) => !exported.has(u.name))).toEqual([]);
  });

  it('draws the transitions, HTTP, outbox, queues, jobs, incidents and the database pool', () => {
    const all = dashboard.panels.map((p) => p.targets.map((t) => t.expr).join(' ')).join('\n');
    for (const name of [
      'mci_transitions_total',
      'mci_transition_seconds_bucket',
      'mci_http_request_seconds_bucket',
      'mci_outbox_commands',
      'mci_outbox_oldest_seconds',
      'mci_queue_jobs',
      'mci_job_seconds_bucket',
      'mci_job_queue_wait_seconds_bucket',
      'mci_cases_in_incident',
      'mci_db_pool_connections',
    ])
      expect(all).toContain(name);
  });
});
