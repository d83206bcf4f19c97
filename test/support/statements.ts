import type { DataSource } from 'typeorm';

/** One statement as it went to the database. */
export interface SentStatement {
  sql: string;
  params: unknown[];
}

/**
 * The statements sent on `ds` while `run` runs (each still runs): `ds.query` and the query builder's alike, as the
 * query runners report them to the logger. Anything else running on `ds` meanwhile is caught too; filter by text.
 */
export async function statementsOf(ds: DataSource, run: () => Promise<unknown>): Promise<SentStatement[]> {
  const seen: SentStatement[] = [];
  const spy = jest.spyOn(ds.logger, 'logQuery').mockImplementation((sql: string, params?: unknown) => {
    seen.push({ sql, params: Array.isArray(params) ? params : [] });
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return seen;
}

/**
 * The statements of one request: a multi-statement request (src/database/write-batch.ts: readAll, WriteBatch) split
 * into its statements, each with its share of the values (by its placeholders; the product's statements hold no `?`
 * in a literal). A single statement is itself.
 */
export function splitRequest(sql: string, params: readonly unknown[]): SentStatement[] {
  let at = 0;
  return sql.split(';\n').map((part) => ({
    sql: part,
    params: params.slice(at, (at += (part.match(/\?/g) ?? []).length)),
  }));
}

/** Every statement of `seen` on its own (splitRequest), with the index of the request it went in. */
export function eachStatement(seen: readonly SentStatement[]): (SentStatement & { request: number })[] {
  return seen.flatMap((s, request) => splitRequest(s.sql, s.params).map((one) => ({ ...one, request })));
}
