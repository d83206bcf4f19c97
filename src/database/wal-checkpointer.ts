import { Logger } from '@nestjs/common';
import { Worker } from 'node:worker_threads';

/**
 * SQLite's WAL checkpoints on a thread of their own.
 *
 * In WAL mode every commit appends its pages to the -wal file, and by default the connection that commits past 1 000
 * pages copies them back into the database file and syncs it, inside that commit (wal_autocheckpoint). better-sqlite3
 * is synchronous, so that copy stops the whole process: measured on the engine, ~0.45 ms of every event's ~1.2 ms went
 * to checkpoints. Here a worker thread with a connection of its own runs a PASSIVE checkpoint every few milliseconds
 * (PASSIVE never waits for a lock and never blocks a writer or a reader), on the machine's other core, while the
 * process goes on committing.
 *
 * The process's own connection keeps a backstop: past WAL_BACKSTOP_PAGES it checkpoints itself as before (then it only
 * copies what the thread has not, and lets the next write start the WAL over). That bounds the -wal file if the thread
 * falls behind or fails, and journal_size_limit returns the space once the WAL restarts.
 */

/** A checkpoint every 25 ms: a passive checkpoint with nothing to copy costs microseconds. */
export const WAL_CHECKPOINT_INTERVAL_MS = 25;
/** The process's connection checkpoints itself only past 4 000 pages (16 MB with 4 KB pages), as a backstop. */
export const WAL_BACKSTOP_PAGES = 4000;
/** Once the WAL restarts, its file is truncated to 64 MB at most. */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export interface WalCheckpointerStats {
  /** Passive checkpoints run by the thread. */
  runs: number;
  /** Frames the thread copied into the database file (summed over its checkpoints). */
  framesCopied: number;
}

interface SqliteHandle {
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  close(): unknown;
}

/** Runs in the worker thread (eval'd CommonJS): it only opens the file and checkpoints on a timer. */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { fileMustExist: true, timeout: 0 });
} catch (e) {
  parentPort.postMessage({ error: String(e && e.message) });
  process.exit(0);
}
const stats = { runs: 0, framesCopied: 0 };
let backfilled = 0;
let failed = false;
const tick = () => {
  try {
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    stats.runs++;
    // log = frames in the WAL, checkpointed = frames copied so far; the WAL restarting sets both back to 0.
    if (r.checkpointed >= 0) {
      stats.framesCopied += r.checkpointed >= backfilled ? r.checkpointed - backfilled : r.checkpointed;
      backfilled = r.checkpointed;
    }
  } catch (e) {
    if (!failed) parentPort.postMessage({ error: String(e && e.message) });
    failed = true;
  }
};
setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stats') parentPort.postMessage({ stats });
  if (m === 'stop') { try { db.close(); } catch {} process.exit(0); }
});
`;

const running = new WeakMap<SqliteHandle, Worker>();

/**
 * Starts the checkpoint thread for the connection `db` of the file `file` (not for ':memory:'), and stops it when the
 * connection closes. Called from the data source's prepareDatabase, so the app, the CLIs, the tests and the benchmark
 * all run with it.
 */
export function startWalCheckpointer(db: SqliteHandle, file: string, intervalMs = WAL_CHECKPOINT_INTERVAL_MS): void {
  if (file === ':memory:' || running.has(db)) return;
  // WAL before the thread opens the file: switching modes needs the file to itself.
  db.pragma('journal_mode = WAL');
  db.pragma(`wal_autocheckpoint = ${WAL_BACKSTOP_PAGES}`);
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  const log = new Logger('SQLite');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, intervalMs, driver: require.resolve('better-sqlite3') },
  });
  worker.on('message', (m: { error?: string }) => {
    if (m.error) {
      log.warn(
        { err: m.error },
        'El hilo de puntos de control del WAL falló; la conexión principal hará los puntos de control (más lento).',
      );
    }
  });
  worker.on('error', (e) => log.warn({ err: e.message }, 'El hilo de puntos de control del WAL terminó con error.'));
  // The thread never keeps the process alive.
  worker.unref();
  running.set(db, worker);
  const close = db.close.bind(db);
  db.close = () => {
    stopWalCheckpointer(db);
    return close();
  };
}

/** Stops the thread of `db` (its connection closes; a checkpoint under way ends first). */
export function stopWalCheckpointer(db: SqliteHandle): void {
  const worker = running.get(db);
  if (!worker) return;
  running.delete(db);
  worker.postMessage('stop');
}

/** What the thread of `db` has done so far; undefined when it has none. */
export async function walCheckpointerStats(db: SqliteHandle): Promise<WalCheckpointerStats | undefined> {
  const worker = running.get(db);
  if (!worker) return undefined;
  return new Promise((resolve) => {
    const onMessage = (m: { stats?: WalCheckpointerStats }): void => {
      if (!m.stats) return;
      worker.off('message', onMessage);
      resolve(m.stats);
    };
    worker.on('message', onMessage);
    worker.postMessage('stats');
  });
}
