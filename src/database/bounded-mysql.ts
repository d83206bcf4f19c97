import { AsyncLocalStorage } from 'node:async_hooks';
import * as mysql2 from 'mysql2';
import type { DbTimeouts } from '../config/db-timeouts';

/** What a failed wait for a pooled connection says: the pool was full for that long, or connecting took it. */
export const ACQUIRE_TIMEOUT_CODE = 'DB_ACQUIRE_TIMEOUT';

/** mysql2's code for a statement that outlived its `timeout`. */
const QUERY_TIMEOUT_CODE = 'PROTOCOL_SEQUENCE_TIMEOUT';

const unbounded = new AsyncLocalStorage<true>();

/**
 * Runs `fn` with no statement timeout: for migrations, whose ALTER TABLE on a big table may take minutes and must not
 * be cut half-way. The connect and acquire bounds still apply.
 */
export function withoutQueryTimeout<T>(fn: () => Promise<T>): Promise<T> {
  return unbounded.run(true, fn);
}

type Callback = (err: (Error & { code?: string }) | null, ...rest: unknown[]) => void;
interface RawConnection {
  query(sql: unknown, values?: unknown, cb?: unknown): unknown;
  destroy(): void;
  release(): void;
  stream?: { destroy?: () => void };
  promise?(impl?: unknown): unknown;
}
interface RawPool {
  getConnection(cb: (err: Error | null, conn?: RawConnection) => void): void;
  on(event: 'connection', listener: (conn: RawConnection) => void): unknown;
}

/**
 * Gives every statement of a pooled connection the statement timeout, and throws the connection away when one runs
 * out. mysql2 only rejects the timed-out statement: the connection keeps waiting for its answer, and the next statement
 * queued behind it (its own timer starts only when it is sent) would wait for as long as the server stays frozen.
 */
function boundStatements(conn: RawConnection, queryMs: number): void {
  const query = conn.query.bind(conn);
  conn.query = (sql: unknown, values?: unknown, cb?: unknown): unknown => {
    // TypeORM passes the SQL as a string or as options; a Query command (mysql2's own pool.query) is left as it is.
    const plain =
      typeof sql === 'string' ||
      (typeof sql === 'object' && sql !== null && typeof (sql as { on?: unknown }).on !== 'function');
    if (queryMs <= 0 || unbounded.getStore() || !plain) return query(sql, values, cb);
    const bounded = typeof sql === 'string' ? { sql, timeout: queryMs } : { timeout: queryMs, ...sql };
    const [args, callback] =
      typeof values === 'function' ? [undefined, values as Callback] : [values, cb as Callback | undefined];
    const discardOnTimeout = (err: { code?: string } | null | undefined): void => {
      if (err?.code !== QUERY_TIMEOUT_CODE) return;
      conn.destroy(); // out of the pool: its next user would queue behind the unanswered statement
      conn.stream?.destroy?.(); // and no socket left half-open towards a frozen server
    };
    if (!callback) {
      // A streamed query reports its error as an event.
      const cmd = query(bounded, args) as { once?(e: 'error', l: (err: Error & { code?: string }) => void): void };
      cmd.once?.('error', discardOnTimeout);
      return cmd;
    }
    let answered = false;
    return query(bounded, args, (err: (Error & { code?: string }) | null, ...rest: unknown[]) => {
      if (answered) return; // destroying the connection reports the lost connection to the timed-out statement again
      answered = true;
      discardOnTimeout(err);
      callback(err, ...rest);
    });
  };
}

/**
 * TypeORM calls `connection.promise()` for every statement, and mysql2's pooled connection answers with a `require` and
 * a new wrapper each time (3 % of the engine's CPU per event, profiled). The wrapper holds nothing but the connection:
 * one per connection serves every statement.
 */
function reusePromiseWrapper(conn: RawConnection): void {
  const make = conn.promise?.bind(conn);
  if (!make) return;
  let wrapper: unknown;
  conn.promise = (impl?: unknown): unknown => (impl ? make(impl) : (wrapper ??= make()));
}

/** A connection that arrives after its caller gave up goes straight back to the pool. */
function boundAcquire(pool: RawPool, acquireMs: number): void {
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = (cb) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      const err = Object.assign(new Error(`No se obtuvo una conexión a la base de datos en ${acquireMs} ms`), {
        code: ACQUIRE_TIMEOUT_CODE,
      });
      cb(err);
    }, acquireMs);
    getConnection((err, conn) => {
      if (settled) {
        if (!err) conn?.release();
        return;
      }
      settled = true;
      clearTimeout(timer);
      cb(err, conn);
    });
  };
}

/**
 * mysql2 for TypeORM's `driver` option, with the bounds mysql2 lacks: a pool whose wait for a connection ends after
 * `acquireMs`, and connections whose statements end after `queryMs`. Everything else is mysql2 itself.
 */
export function boundedMysql2(timeouts: DbTimeouts): typeof mysql2 {
  const createPool = (options: mysql2.PoolOptions): mysql2.Pool => {
    // trace: false — mysql2 otherwise captures a stack trace for every statement (5 % of the engine's CPU per event,
    // profiled); TypeORM's QueryFailedError carries the caller's stack anyway. (TypeORM passes `trace: undefined`.)
    const pool = mysql2.createPool({ ...options, trace: false });
    const raw = pool as unknown as RawPool;
    boundAcquire(raw, timeouts.acquireMs);
    raw.on('connection', (conn) => {
      boundStatements(conn, timeouts.queryMs);
      reusePromiseWrapper(conn);
    });
    return pool;
  };
  // Defined, not assigned: in the tsc build `import * as mysql2` is an object of getters, and an assignment to an
  // inherited getter-only property throws («Cannot set property createPool … which has only a getter»).
  return Object.create(mysql2, { createPool: { value: createPool, enumerable: true } }) as typeof mysql2;
}
