import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_DIALECT } from '../support/test-db';
import { openSqlite } from './fixtures/sqlite-file';

/**
 * The checkpoint thread copies WAL frames into the database file while the process commits. A SIGKILL in the middle
 * of that copy must lose nothing that was committed and leave a file SQLite opens as sound: the WAL stays the truth
 * until a later checkpoint finishes, and the next connection replays it.
 */
const sqliteOnly = TEST_DIALECT === 'sqlite' ? describe : describe.skip;
const ROOT = join(__dirname, '..', '..');
const KILLS = 8;

interface Life {
  firstCommitted: number;
  lastCommitted: number;
  copied: number;
}

/** Runs the writer until it has committed a while past `after`, then SIGKILLs it. */
async function liveAndDie(file: string, after: number): Promise<Life> {
  const child = spawn(process.execPath, ['-r', './scripts/register.js', 'test/database/fixtures/wal-writer.ts', file], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const life: Life = { firstCommitted: 0, lastCommitted: 0, copied: 0 };
  let pending = '';
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (t: string) => (err += t));
  child.stdout.setEncoding('utf8');
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  const killAt = after + 300 + Math.floor(Math.random() * 700);
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (t: string) => {
      const lines = (pending + t).split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) {
        const [word, value] = l.split(' ');
        if (word === 'committed') {
          life.lastCommitted = Number(value);
          life.firstCommitted ||= life.lastCommitted;
        }
        if (word === 'copied') life.copied = Number(value);
      }
      // Past the kill point and the thread has copied frames in this life: kill in the middle of the traffic.
      if (life.lastCommitted >= killAt && life.copied > 0) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`el proceso que escribe terminó solo (${code ?? signal}): ${err}`));
    });
  });
  await closed;
  return life;
}

sqliteOnly('WAL checkpoint thread: SIGKILL during checkpoints (SQLite)', () => {
  jest.setTimeout(180_000);
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mci-wal-kill-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`loses no committed row and leaves a sound file across ${KILLS} kills`, async () => {
    const file = join(dir, 'kill.sqlite');
    let committed = 0;
    let copied = 0;
    for (let k = 0; k < KILLS; k++) {
      const life = await liveAndDie(file, committed);
      // A lost row would give its id out again: every life's first id is past every id an earlier life saw committed.
      expect(life.firstCommitted).toBeGreaterThan(committed);
      committed = life.lastCommitted;
      copied += life.copied;
    }
    expect(copied).toBeGreaterThan(0);
    const db = openSqlite(file);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const row = db.prepare('SELECT COUNT(*) AS n, MAX(id) AS max FROM wal_kill').get() as { n: number; max: number };
      // Nothing acknowledged is missing, and rows are contiguous (no commit half applied).
      expect(row.max).toBeGreaterThanOrEqual(committed);
      expect(row.n).toBe(row.max);
    } finally {
      db.close();
    }
  });
});
