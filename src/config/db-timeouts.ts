/**
 * How long the process waits for its database before it gives up and answers 503 (src/database/unavailable.ts).
 * A frozen server (stopped, or a network that drops packets) keeps its TCP connections open and answers nothing, so only
 * the client's own clocks bound it: TCP keepalive and the kernel take many minutes to notice.
 */
export interface DbTimeouts {
  /** TCP connect + handshake of a new MySQL/MariaDB connection (mysql2 `connectTimeout`). */
  connectMs: number;
  /** Waiting for a pooled connection, a new one's connect included (mysql2's pool has no limit of its own). */
  acquireMs: number;
  /** One statement, from sending it to its last row (mysql2's per-query `timeout`); 0: none. */
  queryMs: number;
}

/** DB_CONNECT_TIMEOUT_MS: a server on the same network answers a connect in milliseconds. */
export const DB_CONNECT_TIMEOUT_MS = 5_000;
/** DB_ACQUIRE_TIMEOUT_MS: all 10 pooled connections busy for this long means overload or a stuck server. */
export const DB_ACQUIRE_TIMEOUT_MS = 5_000;
/** DB_QUERY_TIMEOUT_MS: the web's statements take milliseconds; an import batch well under a second. */
export const DB_QUERY_TIMEOUT_MS = 10_000;
/** Connections in the MySQL/MariaDB pool of each process. */
export const DB_POOL_SIZE = 10;

export const DEFAULT_DB_TIMEOUTS: DbTimeouts = {
  connectMs: DB_CONNECT_TIMEOUT_MS,
  acquireMs: DB_ACQUIRE_TIMEOUT_MS,
  queryMs: DB_QUERY_TIMEOUT_MS,
};

/**
 * SQLite: how long a statement waits for a write lock another process (an import, a CLI) holds before SQLITE_BUSY.
 * better-sqlite3 is synchronous: the process waits that long without serving anything else, so keep it short.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;
