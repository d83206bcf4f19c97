import type { BenchDb, CapturedQuery } from './bench-db';

/** EXPLAIN of a captured statement on either database, reduced to what the benches check. */
export interface PlanCheck {
  text: string;
  fullTableScan: boolean;
  fullIndexScan: boolean;
  tempSort: boolean;
  /** The sort covers the whole ORDER BY, so every matching row is read before the first page comes out. */
  fullSort: boolean;
  /** Index-only: no row of the table is read (SQLite COVERING INDEX, MariaDB «Using index»). */
  covering: boolean;
  indexes: string[];
}

const emptyPlan = (): PlanCheck => ({
  text: '',
  fullTableScan: false,
  fullIndexScan: false,
  tempSort: false,
  fullSort: false,
  covering: false,
  indexes: [],
});

export async function explainSqlite(db: BenchDb, q: CapturedQuery): Promise<PlanCheck> {
  const rows = db.sqlite!.prepare(`EXPLAIN QUERY PLAN ${q.query}`).all(...q.parameters) as {
    id: number;
    parent: number;
    detail: string;
  }[];
  const depth = new Map<number, number>([[0, 0]]);
  const lines: string[] = [];
  const check = emptyPlan();
  for (const r of rows) {
    const d = (depth.get(r.parent) ?? 0) + 1;
    depth.set(r.id, d);
    lines.push(`${'  '.repeat(d)}${r.detail}`);
    // `capped` is the capped count's own subquery (at most 1 001 rows), not the task table.
    if (/^SCAN \S+( AS \S+)?$/.test(r.detail) && r.detail !== 'SCAN capped') check.fullTableScan = true;
    if (/^SCAN .* USING (COVERING )?INDEX/.test(r.detail)) check.fullIndexScan = true;
    if (/TEMP B-TREE/.test(r.detail)) check.tempSort = true;
    // "FOR LAST n TERMS" / "RIGHT PART" sorts only ties of the index order, page by page; "FOR ORDER BY" sorts it all.
    if (/USE TEMP B-TREE FOR ORDER BY/.test(r.detail)) check.fullSort = true;
    if (/USING COVERING INDEX/.test(r.detail)) check.covering = true;
    const idx = /USING (?:COVERING )?INDEX (\S+)/.exec(r.detail);
    if (idx) check.indexes.push(idx[1]);
  }
  check.text = lines.join('\n');
  return check;
}

export async function explainMariaDb(db: BenchDb, q: CapturedQuery): Promise<PlanCheck> {
  const conn = await db.mysqlConnection!();
  try {
    const [rows] = await conn.query(`EXPLAIN ${q.query}`, q.parameters);
    const check = emptyPlan();
    const lines: string[] = [];
    for (const r of rows as Record<string, string | number | null>[]) {
      const s = (k: string): string => (r[k] === null || r[k] === undefined ? '-' : String(r[k]));
      lines.push(
        `  tabla=${s('table')} tipo=${s('type')} índice=${s('key')} posibles=${s('possible_keys')} filas≈${s('rows')} extra=${s('Extra')}`,
      );
      // <derivedN> is the capped count's own subquery (at most 1 001 rows), not the task table.
      const derived = String(r.table ?? '').startsWith('<derived');
      if (r.type === 'ALL' && !derived) check.fullTableScan = true;
      if (r.type === 'index') check.fullIndexScan = true;
      if (/filesort|temporary/i.test(s('Extra'))) check.tempSort = true;
      // MariaDB does not sort page by page along an index prefix: a filesort reads every matching row first.
      if (/filesort/i.test(s('Extra'))) check.fullSort = true;
      if (r.key && !derived && /Using index(?! condition)/.test(s('Extra'))) check.covering = true;
      if (r.key) check.indexes.push(String(r.key));
    }
    check.text = lines.join('\n');
    return check;
  } finally {
    await conn.end();
  }
}

/** Replays captured statements as they were sent, on a raw connection (better-sqlite3 / one mysql2 connection). */
export function rawStatements(db: BenchDb): {
  run: (qs: CapturedQuery[]) => Promise<unknown[][]>;
  close: () => Promise<void>;
} {
  if (db.sqlite) {
    const sqlite = db.sqlite;
    const cache = new Map<string, ReturnType<typeof sqlite.prepare>>();
    const prepared = (sql: string) => {
      let s = cache.get(sql);
      if (!s) cache.set(sql, (s = sqlite.prepare(sql)));
      return s;
    };
    return {
      run: async (qs) => qs.map((q) => prepared(q.query).all(...q.parameters)),
      close: async () => undefined,
    };
  }
  let conn: Awaited<ReturnType<NonNullable<BenchDb['mysqlConnection']>>> | undefined;
  return {
    run: async (qs) => {
      conn ??= await db.mysqlConnection!();
      const results: unknown[][] = [];
      for (const q of qs) results.push((await conn.query(q.query, q.parameters))[0] as unknown[]);
      return results;
    },
    close: async () => {
      await conn?.end();
    },
  };
}
