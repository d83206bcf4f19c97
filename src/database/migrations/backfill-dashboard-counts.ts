import type { Dialect } from '../data-source-options';
import { dateFromRaw } from '../raw-date';

/*
 * Used by the DashboardCounts migration (and by the benchmark after its bulk load, and by tests that write case and
 * task rows by hand): builds the dashboard's counters from the rows. What each kind counts is the definition the
 * engine keeps up to date on every write (src/engine/dashboard-counts.ts); test/engine/dashboard-counts.db.spec.ts
 * checks that the counters a day of work leaves are exactly the ones built here. Frozen as the migration wrote them.
 */

/** What it needs of a connection: a TypeORM QueryRunner, or a raw driver's (the benchmark's bulk load). */
export interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

const MX_OFFSET_MS = -6 * 3600_000;
const localDate = (at: Date): string => new Date(at.getTime() + MX_OFFSET_MS).toISOString().slice(0, 10);
const nextDay = (ymd: string): string =>
  new Date(new Date(`${ymd}T12:00:00Z`).getTime() + 86400_000).toISOString().slice(0, 10);

/** Whole business days after the local day of `from` up to that of `to`, weekends and `holidays` skipped. */
function businessDays(from: Date, to: Date, holidays: ReadonlySet<string>): number {
  let n = 0;
  const end = localDate(to);
  for (let d = nextDay(localDate(from)); d <= end; d = nextDay(d)) {
    const dow = new Date(`${d}T12:00:00Z`).getUTCDay();
    if (dow !== 0 && dow !== 6 && !holidays.has(d)) n++;
  }
  return n;
}

/** The local (UTC−6) calendar day (`YYYY-MM-DD`) or month (`YYYY-MM`) of a datetime column, as SQL of the dialect. */
function localDay(dialect: Dialect, column: string, month = false): string {
  return dialect === 'sqlite'
    ? `strftime('${month ? '%Y-%m' : '%Y-%m-%d'}', ${column}, '-6 hours')`
    : `DATE_FORMAT(DATE_SUB(${column}, INTERVAL 6 HOUR), '${month ? '%Y-%m' : '%Y-%m-%d'}')`;
}

/** Fills procedure_case.business_days of the concluded cases that lack it, 1,000 at a time. */
async function fillBusinessDays(runner: SqlRunner): Promise<void> {
  const holidays = new Set(
    ((await runner.query('SELECT fecha FROM dia_inhabil')) as { fecha: string }[]).map((r) => String(r.fecha)),
  );
  let after = '';
  for (;;) {
    const rows = (await runner.query(
      "SELECT id, created_at, closed_at FROM procedure_case WHERE status = 'concluido' AND closed_at IS NOT NULL " +
        'AND business_days IS NULL AND id > ? ORDER BY id LIMIT 1000',
      [after],
    )) as { id: string; created_at: string | Date; closed_at: string | Date }[];
    if (!rows.length) return;
    const byDays = new Map<number, string[]>();
    for (const r of rows) {
      const d = businessDays(dateFromRaw(r.created_at), dateFromRaw(r.closed_at), holidays);
      byDays.set(d, [...(byDays.get(d) ?? []), r.id]);
    }
    for (const [d, ids] of byDays)
      await runner.query(`UPDATE procedure_case SET business_days = ? WHERE id IN (${ids.map(() => '?').join(', ')})`, [
        d,
        ...ids,
      ]);
    after = rows[rows.length - 1].id;
  }
}

/** One kind of counter: its key columns (kind, dia, nivel, a, b, c) as SQL over `table`'s rows that `where` selects. */
interface Counted {
  table: string;
  key: [string, string, string, string, string, string];
  where: string;
}

/**
 * What the tables' rows add to each counter. A case counts under the day and the month it was received (and, once
 * concluded, those it concluded), each under its Nivel and under all of them (`*`).
 */
function countedRows(dialect: Dialect): Counted[] {
  const nivel = "COALESCE(nivel_clave, '')";
  const phase =
    "CASE WHEN escalated_at IS NOT NULL THEN 'vencida' WHEN reminded_at IS NOT NULL THEN 'falta_poco' ELSE 'a_tiempo' END";
  const periods = (column: string): [string, string][] =>
    [false, true].flatMap((month) =>
      [nivel, "'*'"].map((n): [string, string] => [localDay(dialect, column, month), n]),
    );
  return [
    {
      table: 'procedure_case',
      key: ["'caso'", "''", nivel, 'procedure_id', 'state', 'status'],
      where: "status IN ('activo', 'incidente')",
    },
    ...periods('created_at').map(([dia, n]): Counted => ({
      table: 'procedure_case',
      key: ["'recibido'", dia, n, "''", "''", 'status'],
      where: '1 = 1',
    })),
    ...periods('closed_at').map(([dia, n]): Counted => ({
      table: 'procedure_case',
      key: ["'resuelto'", dia, n, 'procedure_id', "''", 'CAST(business_days AS CHAR)'],
      where: "status = 'concluido' AND closed_at IS NOT NULL AND business_days IS NOT NULL",
    })),
    { table: 'task', key: ["'tarea'", "''", nivel, 'candidate_role', phase, "''"], where: "status = 'abierta'" },
  ];
}

/**
 * Replaces the counters with those of the rows as they are. Run it with nothing else writing cases or tasks (a
 * migration, a benchmark's fresh load, a test's fixtures): a transition meanwhile could be counted twice or not at all.
 */
export async function backfillDashboardCounts(runner: SqlRunner, dialect: Dialect): Promise<void> {
  await fillBusinessDays(runner);
  await runner.query('DELETE FROM dashboard_delta');
  await runner.query('DELETE FROM dashboard_count');
  for (const { table, key, where } of countedRows(dialect)) {
    const grouped = key.filter((k) => !k.startsWith("'"));
    await runner.query(
      `INSERT INTO dashboard_count (kind, dia, nivel, a, b, c, n) SELECT ${key.join(', ')}, COUNT(*) FROM ${table} ` +
        `WHERE ${where} GROUP BY ${grouped.join(', ')}`,
    );
  }
}
