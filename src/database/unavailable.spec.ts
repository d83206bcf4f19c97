import { QueryFailedError } from 'typeorm';
import { ACQUIRE_TIMEOUT_CODE } from './bounded-mysql';
import { isDatabaseUnavailable } from './unavailable';

const err = (message: string, props: Record<string, unknown> = {}): Error => Object.assign(new Error(message), props);
const failed = (driverError: Error): QueryFailedError => new QueryFailedError('SELECT 1', [], driverError);

describe('isDatabaseUnavailable', () => {
  it.each([
    [
      'a refused connect (mysql2, fatal)',
      err('connect ECONNREFUSED 127.0.0.1:3306', { code: 'ECONNREFUSED', errno: -111, fatal: true }),
    ],
    ['a connect timeout (mysql2, fatal)', err('connect ETIMEDOUT', { code: 'ETIMEDOUT', fatal: true })],
    [
      'the server gone mid-statement',
      failed(
        err('Connection lost: The server closed the connection.', { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }),
      ),
    ],
    [
      'a statement past DB_QUERY_TIMEOUT_MS',
      failed(err('Query inactivity timeout', { code: 'PROTOCOL_SEQUENCE_TIMEOUT' })),
    ],
    ['no pooled connection in time', err('No se obtuvo una conexión', { code: ACQUIRE_TIMEOUT_CODE })],
    [
      'a dead connection reused',
      failed(err("Can't add new command when connection is in closed state", { fatal: true })),
    ],
    ['the same without mysql2 marking it fatal', err("Can't add new command when connection is in closed state")],
    ['too many connections', failed(err('Too many connections', { code: 'ER_CON_COUNT_ERROR', errno: 1040 }))],
    [
      'a lock wait past innodb_lock_wait_timeout',
      failed(err('Lock wait timeout exceeded', { code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 })),
    ],
    ['SQLite locked by another process past busy_timeout', failed(err('database is locked', { code: 'SQLITE_BUSY' }))],
    [
      'an error that wraps one of these as its cause',
      new Error('no se pudo leer', { cause: err('x', { code: 'PROTOCOL_CONNECTION_LOST' }) }),
    ],
  ])('%s → yes', (_, e) => {
    expect(isDatabaseUnavailable(e)).toBe(true);
  });

  it.each([
    [
      'a duplicate key (the request, not the server)',
      failed(err('Duplicate entry', { code: 'ER_DUP_ENTRY', errno: 1062 })),
    ],
    [
      'a deadlock (retried by whoever caused it)',
      failed(err('Deadlock found', { code: 'ER_LOCK_DEADLOCK', errno: 1213 })),
    ],
    ['an SQLite constraint', failed(err('UNIQUE constraint failed', { code: 'SQLITE_CONSTRAINT_UNIQUE' }))],
    [
      'a network timeout of the directory or SMTP (not the database)',
      err('connect ETIMEDOUT 10.0.0.5:636', { code: 'ETIMEDOUT' }),
    ],
    ['a refused connection to Redis', err('connect ECONNREFUSED 127.0.0.1:6379', { code: 'ECONNREFUSED' })],
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error at all', 'texto'],
  ])('%s → no', (_, e) => {
    expect(isDatabaseUnavailable(e)).toBe(false);
  });
});
