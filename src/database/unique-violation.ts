import { QueryFailedError } from 'typeorm';

/**
 * Whether a statement failed on a unique key (primary or secondary), on either dialect: SQLite's
 * `UNIQUE constraint failed` (SQLITE_CONSTRAINT_UNIQUE, or _PRIMARYKEY for a primary key) and MySQL/MariaDB's
 * ER_DUP_ENTRY (errno 1062, "Duplicate entry … for key …").
 */
export function isUniqueViolation(e: unknown): boolean {
  if (!(e instanceof QueryFailedError)) return false;
  const d = e.driverError as { code?: string; errno?: number } | undefined;
  return (
    d?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    d?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    d?.code === 'ER_DUP_ENTRY' ||
    d?.errno === 1062
  );
}
