import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { SqlStatement } from '../database/row-sql';
import { inTransaction } from '../database/transaction';
import { localDate } from './business-calendar';
import type { ProcedureCase } from './entities/case.entity';
import type { Task } from './entities/task.entity';

/**
 * The dashboard's counters (tables dashboard_count and dashboard_delta; what each kind counts is told in
 * src/engine/entities/dashboard-count.entity.ts). The transaction that writes a case or a task appends what it changes
 * to dashboard_delta; the periodic maintenance folds the changes into dashboard_count; the dashboard reads both in one
 * statement. So the counts are exact at every moment, a view reads a few hundred rows whatever the number of cases,
 * and no two transactions ever write the same counter row (an upsert per transition would make every transition of a
 * step wait for the one before). The counters of the rows already there are built by the DashboardCounts migration
 * (src/database/migrations/backfill-dashboard-counts.ts), with the same definitions.
 */

export type CountKind = 'caso' | 'recibido' | 'resuelto' | 'tarea';
export type TaskPhase = 'a_tiempo' | 'falta_poco' | 'vencida';

export interface CountKey {
  kind: CountKind;
  dia: string;
  nivel: string;
  a: string;
  b: string;
  c: string;
}

export type CountDelta = CountKey & { n: number };

type CountedCase = Pick<
  ProcedureCase,
  'procedureId' | 'state' | 'status' | 'nivelClave' | 'createdAt' | 'closedAt' | 'businessDays'
>;

/** Where a Nivel's counters are summed for all of them (counters of days and months: a view of every Nivel reads one row). */
export const ALL_NIVELES = '*';

/**
 * A case of a day counts under the day and its month (a view of a year reads twelve months and the days at its edges),
 * each under its Nivel and under all of them.
 */
function perPeriod(base: Omit<CountKey, 'dia' | 'nivel'>, day: string, nivel: string): CountKey[] {
  const out: CountKey[] = [];
  for (const dia of [day, day.slice(0, 7)]) for (const n of [nivel, ALL_NIVELES]) out.push({ ...base, dia, nivel: n });
  return out;
}

/** The counters a case row adds one to. */
export function caseCounts(c: CountedCase): CountKey[] {
  const nivel = c.nivelClave ?? '';
  const out = perPeriod({ kind: 'recibido', a: '', b: '', c: c.status }, localDate(c.createdAt), nivel);
  if (c.status === 'activo' || c.status === 'incidente')
    out.push({ kind: 'caso', dia: '', nivel, a: c.procedureId, b: c.state, c: c.status });
  if (c.status === 'concluido' && c.closedAt && c.businessDays !== null)
    out.push(
      ...perPeriod(
        { kind: 'resuelto', a: c.procedureId, b: '', c: String(c.businessDays) },
        localDate(c.closedAt),
        nivel,
      ),
    );
  return out;
}

/**
 * The local days of [desde, hasta] as counter keys: the whole months in it as months, the rest as days (each range
 * within one month, so a month's own key, «YYYY-MM», which sorts before its days, never falls inside one).
 */
export function periodKeys(desde: string, hasta: string): { months: string[]; days: [string, string][] } {
  const months: string[] = [];
  const days: [string, string][] = [];
  let d = desde;
  while (d <= hasta) {
    const month = d.slice(0, 7);
    const last = lastDayOf(month);
    const end = last < hasta ? last : hasta;
    if (d === `${month}-01` && end === last) months.push(month);
    else days.push([d, end]);
    d = nextDayOf(end);
  }
  return { months, days };
}

function lastDayOf(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

function nextDayOf(ymd: string): string {
  return new Date(new Date(`${ymd}T12:00:00Z`).getTime() + 86400_000).toISOString().slice(0, 10);
}

/** The counter of a task just opened (no reminder yet). */
export function openTaskCount(t: Pick<Task, 'candidateRole' | 'nivelClave'>): CountKey {
  return { kind: 'tarea', dia: '', nivel: t.nivelClave ?? '', a: t.candidateRole, b: 'a_tiempo', c: '' };
}

const keyOf = (k: CountKey): string => [k.kind, k.dia, k.nivel, k.a, k.b, k.c].join('\u0000');

/** `rows` summed by `key`: one row per key (a copy of its first) with the sum of their n; the zeros left out. */
function netSums<T extends { n: number }>(rows: Iterable<T>, key: (r: T) => string): T[] {
  const net = new Map<string, T>();
  for (const r of rows) {
    const seen = net.get(key(r));
    if (seen) seen.n += r.n;
    else net.set(key(r), { ...r });
  }
  return [...net.values()].filter((d) => d.n !== 0);
}

/** One less for every key of `before`, one more for every key of `after`; the ones that cancel out are left out. */
export function countChanges(before: readonly CountKey[], after: readonly CountKey[]): CountDelta[] {
  return netSums([...before.map((k) => ({ ...k, n: -1 })), ...after.map((k) => ({ ...k, n: 1 }))], keyOf);
}

const COLUMNS = 'kind, dia, nivel, a, b, c, n';

/** The INSERT that appends `deltas` to dashboard_delta; null when there are none. */
export function deltaStatement(deltas: readonly CountDelta[]): SqlStatement | null {
  if (!deltas.length) return null;
  return {
    text: `INSERT INTO dashboard_delta (${COLUMNS}) VALUES ${deltas.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    params: deltas.flatMap((d) => [d.kind, d.dia, d.nivel, d.a, d.b, d.c, d.n]),
  };
}

/** A task's reminder state from its markers (the reminder sweep sets them when warn_at and due_at pass). */
function phaseSql(reminded: string, escalated: string): string {
  return `CASE WHEN ${escalated} IS NOT NULL THEN 'vencida' WHEN ${reminded} IS NOT NULL THEN 'falta_poco' ELSE 'a_tiempo' END`;
}

/**
 * `sign` for each task of `ids` as its row is now in this transaction, read by the database (a reminder marker may
 * have been set by the sweep since the caller read the task): run it after the statement that locked the rows (the
 * UPDATE that closes them or marks them). `nivel` counts them under that Nivel instead of theirs (the Nivel they had
 * before an UPDATE that changed it); `unmarked` counts them as if that marker were not set yet (before the UPDATE that
 * set it).
 */
export function taskCountStatement(
  ids: readonly string[],
  sign: 1 | -1,
  opts: { nivel?: string | null; unmarked?: 'reminded_at' | 'escalated_at' } = {},
): SqlStatement | null {
  if (!ids.length) return null;
  const marker = (m: 'reminded_at' | 'escalated_at'): string => (opts.unmarked === m ? 'NULL' : m);
  const nivel = opts.nivel === undefined ? "COALESCE(nivel_clave, '')" : '?';
  return {
    text:
      `INSERT INTO dashboard_delta (${COLUMNS}) SELECT 'tarea', '', ${nivel}, candidate_role, ` +
      `${phaseSql(marker('reminded_at'), marker('escalated_at'))}, '', ? FROM task WHERE id IN (${ids.map(() => '?').join(', ')})`,
    params: [...(opts.nivel === undefined ? [] : [opts.nivel ?? '']), sign, ...ids],
  };
}

/** Rows folded per transaction. */
const FOLD_BATCH = 5000;

export interface CountRow {
  nivel: string;
  a: string;
  b: string;
  c: string;
  n: number;
}

@Injectable()
export class DashboardCounts {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Moves the appended changes into dashboard_count and drops the counters that came back to zero; how many changes
   * it moved. The changes are read with a lock and deleted by id: a change committed while a batch is folded (an id
   * handed out earlier than the batch's last) is left for the next pass, never lost or counted twice.
   */
  async fold(): Promise<number> {
    let moved = 0;
    for (;;) {
      const n = await inTransaction(this.ds, (em) => this.foldBatch(em));
      moved += n;
      if (n < FOLD_BATCH) break;
    }
    if (moved) await this.ds.query('DELETE FROM dashboard_count WHERE n = 0');
    return moved;
  }

  private async foldBatch(em: EntityManager): Promise<number> {
    const lock = this.ds.options.type === 'better-sqlite3' ? '' : ' FOR UPDATE';
    const rows = await em.query<(CountDelta & { id: number | string })[]>(
      `SELECT id, ${COLUMNS} FROM dashboard_delta ORDER BY id LIMIT ${FOLD_BATCH}${lock}`,
    );
    if (!rows.length) return 0;
    const sums = netSums(
      rows.map((r): CountDelta => ({
        kind: r.kind,
        dia: r.dia,
        nivel: r.nivel,
        a: r.a,
        b: r.b,
        c: r.c,
        n: Number(r.n),
      })),
      keyOf,
    );
    for (let i = 0; i < sums.length; i += 500) {
      const part = sums.slice(i, i + 500);
      const values = part.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
      const upsert =
        this.ds.options.type === 'better-sqlite3'
          ? ' ON CONFLICT (kind, dia, nivel, a, b, c) DO UPDATE SET n = n + excluded.n'
          : ' ON DUPLICATE KEY UPDATE n = n + VALUES(n)';
      await em.query(
        `INSERT INTO dashboard_count (${COLUMNS}) VALUES ${values}${upsert}`,
        part.flatMap((d) => [d.kind, d.dia, d.nivel, d.a, d.b, d.c, d.n]),
      );
    }
    const ids = rows.map((r) => Number(r.id));
    for (let i = 0; i < ids.length; i += 1000) {
      const part = ids.slice(i, i + 1000);
      await em.query(`DELETE FROM dashboard_delta WHERE id IN (${part.map(() => '?').join(', ')})`, part);
    }
    return rows.length;
  }

  /** The counters of one query; see readAll. */
  async read(kind: CountKind, by: readonly (keyof CountKey)[], where: CountFilter = {}): Promise<CountRow[]> {
    return (await this.readAll([{ kind, by, where }]))[0];
  }

  /**
   * The counters of each query, folded and not yet folded, in ONE statement (a fold committing meanwhile is seen whole
   * or not at all, and a view costs one round trip): each query's counters of `kind` summed by the columns in `by`.
   * `where.nivel`: one Nivel's, or ALL_NIVELES for the sum of all (kinds by day); `where.eachNivel`: each Nivel's rows,
   * not their sum; neither: every row. `where.desde`/`hasta`: the local days (kinds by day).
   */
  async readAll(queries: readonly CountQuery[]): Promise<CountRow[][]> {
    const parts: string[] = [];
    const params: unknown[] = [];
    queries.forEach((q, i) => {
      const { sql, values } = filterOf(q);
      const cols = (['nivel', 'a', 'b', 'c'] as const).map((c) => (q.by.includes(c) ? c : `'' AS ${c}`)).join(', ');
      for (const table of ['dashboard_count', 'dashboard_delta']) {
        parts.push(`SELECT ${i} AS q, ${cols}, n FROM ${table} WHERE ${sql}`);
        params.push(...values);
      }
    });
    // Summed here, not by a GROUP BY over the UNION: the database would copy the rows to a temporary table and sort
    // them (2.5 ms against 1.4 ms for the same few hundred rows at a million tasks).
    const rows = await this.ds.query<Partial<Record<keyof CountRow | 'q', string | number | null>>[]>(
      parts.join(' UNION ALL '),
      params,
    );
    const text = (v: string | number | null | undefined): string => (v === null || v === undefined ? '' : String(v));
    const each: CountRow[][] = queries.map(() => []);
    for (const r of rows)
      each[Number(r.q)].push({ nivel: text(r.nivel), a: text(r.a), b: text(r.b), c: text(r.c), n: Number(r.n ?? 0) });
    return each.map((part) => netSums(part, (r) => [r.nivel, r.a, r.b, r.c].join('\u0000')));
  }
}

export interface CountFilter {
  nivel?: string;
  eachNivel?: boolean;
  desde?: string;
  hasta?: string;
}

export interface CountQuery {
  kind: CountKind;
  by: readonly (keyof CountKey)[];
  where?: CountFilter;
}

/** The WHERE of a query's counters. */
function filterOf(q: CountQuery): { sql: string; values: unknown[] } {
  const where = q.where ?? {};
  const conds = ['kind = ?'];
  const values: unknown[] = [q.kind];
  if (where.eachNivel) {
    conds.push('nivel <> ?');
    values.push(ALL_NIVELES);
  } else if (where.nivel !== undefined) {
    conds.push('nivel = ?');
    values.push(where.nivel);
  }
  if (where.desde !== undefined && where.hasta !== undefined) {
    const { months, days } = periodKeys(where.desde, where.hasta);
    const parts = [
      ...(months.length ? [`dia IN (${months.map(() => '?').join(', ')})`] : []),
      ...days.map(() => '(dia >= ? AND dia <= ?)'),
    ];
    conds.push(`(${parts.join(' OR ')})`);
    values.push(...months, ...days.flat());
  }
  return { sql: conds.join(' AND '), values };
}
