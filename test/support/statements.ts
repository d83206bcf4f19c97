import type { DataSource } from 'typeorm';

/** One statement as it went to `ds.query`. */
export interface SentStatement {
  sql: string;
  params: unknown[];
}

/** The statements `run` sends through `ds.query` (each still runs), to read their plans afterwards. */
export async function statementsOf(ds: DataSource, run: () => Promise<unknown>): Promise<SentStatement[]> {
  const seen: SentStatement[] = [];
  const query = ds.query.bind(ds);
  const spy = jest.spyOn(ds, 'query').mockImplementation(((sql: string, params?: unknown[]) => {
    seen.push({ sql, params: params ?? [] });
    return query(sql, params);
  }) as typeof ds.query);
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return seen;
}
