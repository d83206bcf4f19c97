import { ACQUIRE_TIMEOUT_CODE } from './bounded-mysql';

/**
 * Codes that mean "the database did not answer", not "this request is wrong". Network faults (ECONNREFUSED, ETIMEDOUT
 * of a connect, ECONNRESET…) are not listed: mysql2 marks every one of them `fatal`, and the same codes from LDAP, SMTP
 * or Google must not read as a database outage.
 */
const UNAVAILABLE_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST', // the server went away mid-statement
  'PROTOCOL_SEQUENCE_TIMEOUT', // a statement outlived DB_QUERY_TIMEOUT_MS
  ACQUIRE_TIMEOUT_CODE, // no pooled connection within DB_ACQUIRE_TIMEOUT_MS
  'ER_CON_COUNT_ERROR', // the server has no connection left for us
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT', // a row lock stayed taken past innodb_lock_wait_timeout
]);

/** mysql2's messages for a connection that died earlier, or a pool closed at shutdown (they carry no code). */
const UNAVAILABLE_MESSAGES = [
  /can't add new command when connection is in closed state/i,
  /^pool is closed/i,
  /can't write in closed state/i,
];

/** SQLite: the file stayed locked by another process past busy_timeout (SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED…). */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED)/;

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  fatal?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

/**
 * Whether an error means the database is unavailable (answer 503, try again later) rather than a fault of the request
 * or of the code. Looks through TypeORM's QueryFailedError (`driverError`) and `cause` chains.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    const { code, message, fatal, driverError, cause } = e as ErrorLike;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || SQLITE_UNAVAILABLE.test(code))) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => m.test(message))) return true;
    // mysql2 marks an error fatal when the connection itself failed: refused, connect timeout, reset, handshake.
    if (fatal === true) return true;
    e = driverError ?? cause;
  }
  return false;
}
