import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { verifyMovementLog } from '../../src/engine/audit';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Movement } from '../../src/engine/entities/movement.entity';
import { TransparencyLog } from '../../src/engine/transparency/transparency-log';
import { loadOrCreateTestSigner } from '../../src/letters/signer';
import { createTestDb, type TestDb } from '../support/test-db';

const GENESIS = '0'.repeat(64);

/** A movement log as the engine wrote it before the TransparencyLog migration: one chain over a global sequence. */
async function writeOldLog(ds: DataSource, rows: { caseId: string; actorId: string }[]): Promise<void> {
  const q = (id: string): string => (ds.options.type === 'better-sqlite3' ? `"${id}"` : `\`${id}\``);
  const versions = new Map<string, number>();
  let prev = GENESIS;
  for (const [i, r] of rows.entries()) {
    const seq = i + 1;
    const m = [
      seq,
      r.caseId,
      'prueba',
      1,
      r.actorId,
      'subdireccion',
      `2026-11-2${seq}T16:00:00.000Z`,
      'a',
      'b',
      'TURNAR',
      '{}',
      '9.9:1',
    ];
    const hash = createHash('sha256').update(prev).update('\n').update(JSON.stringify(m)).digest('hex');
    await ds.query(
      `INSERT INTO ${q('movement')} (${['seq', 'case_id', 'procedure_id', 'procedure_version', 'actor_id', 'actor_role', 'at', 'from_state', 'to_state', 'event_type', 'data', 'pasos', 'prev_hash', 'hash'].map(q).join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [...m, prev, hash],
    );
    prev = hash;
    versions.set(r.caseId, (versions.get(r.caseId) ?? 0) + 1);
  }
  await ds.query(`UPDATE ${q('movement_head')} SET ${q('last_seq')} = ?, ${q('last_hash')} = ? WHERE ${q('id')} = 1`, [
    rows.length,
    prev,
  ]);
  for (const [id, version] of versions)
    await ds.query(
      `INSERT INTO ${q('procedure_case')} (${['id', 'procedure_id', 'procedure_version', 'state', 'status', 'snapshot', 'version', 'started_by'].map(q).join(', ')}) VALUES (?, 'prueba', 1, 'b', 'activo', '{}', ?, 'u-sub')`,
      [id, version],
    );
}

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const OLD_LOG = [
  { caseId: A, actorId: 'u1' },
  { caseId: B, actorId: 'u2' },
  { caseId: A, actorId: 'u3' },
  { caseId: B, actorId: 'u4' },
  { caseId: A, actorId: 'u5' },
];

/** How many migrations came after TransparencyLog (they are undone first, newest first). */
function migrationsAfterIt(ds: DataSource): number {
  const stamps = ds.migrations.map((m) => Number(/(\d{13})/.exec(m.name ?? m.constructor.name)?.[1]));
  return stamps.filter((t) => t > TRANSPARENCY_LOG_STAMP).length;
}
const TRANSPARENCY_LOG_STAMP = 1796353041307;

async function undoLaterMigrations(ds: DataSource): Promise<void> {
  for (let i = migrationsAfterIt(ds); i > 0; i--) await ds.undoLastMigration({ transaction: 'each' });
}

describe('the TransparencyLog migration on a database that already has movements', () => {
  let db: TestDb;
  beforeEach(async () => {
    db = await createTestDb();
    // Back to the schema before it (a fresh database: its down step, and those of later migrations, are allowed).
    await undoLaterMigrations(db.dataSource);
    await db.dataSource.undoLastMigration({ transaction: 'each' });
  });
  afterEach(async () => db?.close());

  it('rechains each case in its old order, and the log then verifies and integrates in that order', async () => {
    await writeOldLog(db.dataSource, OLD_LOG);
    await db.dataSource.runMigrations({ transaction: 'each' });
    const moves = await db.dataSource.getRepository(Movement).find({ order: { seq: 'ASC' } });
    expect(moves.map((m) => [m.caseId, m.caseSeq, m.actorId])).toEqual([
      [A, 1, 'u1'],
      [B, 1, 'u2'],
      [A, 2, 'u3'],
      [B, 2, 'u4'],
      [A, 3, 'u5'],
    ]);
    const cases = await db.dataSource.getRepository(ProcedureCase).find({ order: { id: 'ASC' } });
    expect(cases.map((c) => [c.movementCount, c.lastMovementHash])).toEqual([
      [3, moves[4].hash],
      [2, moves[3].hash],
    ]);
    const signer = loadOrCreateTestSigner(db.dataDir);
    expect(await new TransparencyLog(db.dataSource, signer).integrate()).toBe(5);
    const after = await db.dataSource.getRepository(Movement).find({ order: { seq: 'ASC' } });
    expect(after.map((m) => m.leafIndex)).toEqual([0, 1, 2, 3, 4]);
    expect(await verifyMovementLog(db.dataSource, { trusted: [signer.certificateDer] })).toMatchObject({
      problems: [],
      checked: 5,
      treeSize: 5,
    });
    // Movements written afterwards take the next numbers.
    await db.dataSource.query(
      db.dialect === 'sqlite'
        ? `INSERT INTO "movement" ("case_id", "case_seq", "procedure_id", "procedure_version", "actor_id", "actor_role", "at", "from_state", "to_state", "event_type", "data", "pasos", "prev_hash", "hash") VALUES ('x', 1, 'p', 1, 'a', 'r', 't', 'f', 't', 'E', '{}', '', '', '')`
        : "INSERT INTO `movement` (`case_id`, `case_seq`, `procedure_id`, `procedure_version`, `actor_id`, `actor_role`, `at`, `from_state`, `to_state`, `event_type`, `data`, `pasos`, `prev_hash`, `hash`) VALUES ('x', 1, 'p', 1, 'a', 'r', 't', 'f', 't', 'E', '{}', '', '', '')",
    );
    expect((await db.dataSource.getRepository(Movement).findOneByOrFail({ caseId: 'x' })).seq).toBe(6);
  });

  it('refuses to convert a log that does not verify, says why in Spanish, and changes nothing', async () => {
    await writeOldLog(db.dataSource, OLD_LOG);
    const q = db.dialect === 'sqlite' ? '"' : '`';
    await db.dataSource.query(`UPDATE ${q}movement${q} SET ${q}actor_id${q} = 'otra-persona' WHERE ${q}seq${q} = 3`);
    await expect(db.dataSource.runMigrations({ transaction: 'each' })).rejects.toThrow(
      /La bitácora de movimientos no verifica \(movimiento 3\): no se convierte una bitácora alterada/,
    );
    const tables = await db.dataSource.query<{ n: string }[]>(
      db.dialect === 'sqlite'
        ? "SELECT name AS n FROM sqlite_master WHERE type = 'table' AND name IN ('movement_head', 'log_state')"
        : "SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('movement_head', 'log_state')",
    );
    expect(tables.map((t) => t.n)).toEqual(['movement_head']);
    expect(
      Number((await db.dataSource.query<{ c: number }[]>(`SELECT COUNT(*) AS c FROM ${q}movement${q}`))[0].c),
    ).toBe(5);
  });

  it('will not go back over movements: that is what a restore of the backup is for', async () => {
    await writeOldLog(db.dataSource, OLD_LOG);
    await db.dataSource.runMigrations({ transaction: 'each' });
    await undoLaterMigrations(db.dataSource);
    await expect(db.dataSource.undoLastMigration({ transaction: 'each' })).rejects.toThrow(
      /no se revierte sobre una base con movimientos.*restaure el respaldo/,
    );
  });
});
