import type { Measurement } from './stats';

/** What one part of the benchmark hands back to the runner. */
export interface SectionResult {
  measurements: Measurement[];
  /** Parts not run, with why (MariaDB unreachable...). */
  skipped: string[];
  /** Things the reader must see: full scans, sorts of whole result sets, mismatches. */
  warnings: string[];
  /** Free text blocks printed after the table (query plans). */
  blocks: { title: string; text: string }[];
  /** Anything else worth keeping in the JSON (sizes, statement counts, plans as data). */
  details: Record<string, unknown>;
}

export function emptySection(): SectionResult {
  return { measurements: [], skipped: [], warnings: [], blocks: [], details: {} };
}

export type Sizes = {
  quick: boolean;
  engineSqlite: number;
  engineMariadb: number;
  xstateIterations: number;
  inboxTasks: number;
  /** Cases of those tasks (undefined: one per 3 tasks); each has its oficio in the register. */
  inboxCases?: number;
  /** Measure the inbox, register and dashboard on SQLite too (off with --sin-sqlite, e.g. at the national scale). */
  inboxSqlite: boolean;
  inboxBudgetMs: number;
  letters: number;
  importRows: number;
  importRuns: number;
};

export const FULL_SIZES: Sizes = {
  quick: false,
  engineSqlite: 2000,
  engineMariadb: 1000,
  xstateIterations: 20000,
  inboxTasks: 1_000_000,
  inboxSqlite: true,
  inboxBudgetMs: 4000,
  letters: 100,
  importRows: 100_000,
  importRuns: 3,
};

export const QUICK_SIZES: Sizes = {
  quick: true,
  engineSqlite: 200,
  engineMariadb: 100,
  xstateIterations: 2000,
  inboxTasks: 50_000,
  inboxSqlite: true,
  inboxBudgetMs: 600,
  letters: 15,
  importRows: 10_000,
  importRuns: 2,
};
