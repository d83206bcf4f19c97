import type { DataSource } from 'typeorm';
import { backfillDashboardCounts } from '../../src/database/migrations/backfill-dashboard-counts';
import type { Dialect } from '../../src/database/data-source-options';

/** Every dashboard counter that is not zero, folded and not yet folded together: "kind|dia|nivel|a|b|c" → n. */
export async function counters(ds: DataSource): Promise<Record<string, number>> {
  const rows = await ds.query<{ k: string; n: string | number }[]>(
    `SELECT kind, dia, nivel, a, b, c, SUM(n) AS n FROM (SELECT kind, dia, nivel, a, b, c, n FROM dashboard_count ` +
      `UNION ALL SELECT kind, dia, nivel, a, b, c, n FROM dashboard_delta) x GROUP BY kind, dia, nivel, a, b, c`,
  );
  const out: Record<string, number> = {};
  for (const r of rows as unknown as Record<string, string | number>[]) {
    const n = Number(r.n);
    if (n !== 0) out[[r.kind, r.dia, r.nivel, r.a, r.b, r.c].join('|')] = n;
  }
  return out;
}

/** The counters built from the rows as they are now (what the DashboardCounts migration does); replaces the live ones. */
export async function rebuiltCounters(ds: DataSource, dialect: Dialect): Promise<Record<string, number>> {
  const runner = ds.createQueryRunner();
  try {
    await backfillDashboardCounts(runner, dialect);
  } finally {
    await runner.release();
  }
  return counters(ds);
}
