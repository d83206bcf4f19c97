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
