import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Actor } from '../../src/auth/actor';
import { CalendarService } from '../../src/engine/calendar.service';
import { EngineService } from '../../src/engine/engine.service';
import { Movement, MovementHead } from '../../src/engine/entities/movement.entity';
import { createTestDb, type TestDb } from '../support/test-db';
import { testProcedure } from '../support/test-machine';

const run = promisify(execFile);
const sub: Actor = { id: 'u-sub', role: 'subdireccion' };

/** Runs `npm run audit:verify` as an operator would, against the suite's database. */
async function auditVerify(db: Pick<TestDb, 'dataDir' | 'databaseUrl'>): Promise<{ code: number; out: string }> {
  const env = {
    ...process.env,
    DATA_DIR: db.dataDir,
    LOG_LEVEL: 'silent',
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
  };
  try {
    const { stdout, stderr } = await run(process.execPath, ['-r', './scripts/register.js', 'src/cli/audit-verify.ts'], {
      cwd: join(__dirname, '..', '..'),
      env,
    });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

describe('npm run audit:verify', () => {
  let db: TestDb;
  let engine: EngineService;
  beforeEach(async () => {
    db = await createTestDb();
    engine = new EngineService(db.dataSource, [testProcedure(1)], new CalendarService(db.dataSource));
    await engine.syncCatalog(new Date('2026-01-01T00:00:00Z'));
    for (let i = 0; i < 3; i++) {
      const c = await engine.start('prueba', sub, { folio: `F-${i}` });
      await engine.send(c.caseId, { type: 'TURNAR' }, sub);
    }
  });
  afterEach(async () => db?.close());
  const repo = () => db.dataSource.getRepository(Movement);

  it('passes an untouched log', async () => {
    const r = await auditVerify(db);
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toMatch(/Bitácora íntegra: 6 movimientos verificados/);
  });

  it('reports an edited row', async () => {
    await repo().update({ seq: 3 }, { actorId: 'otra-persona' });
    const r = await auditVerify(db);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/movimiento 3: editado/);
  });

  it('reports a deleted row', async () => {
    await repo().delete({ seq: 2 });
    const r = await auditVerify(db);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/movimiento 3: faltante/);
  });

  it('reports reordered rows (contents swapped between two sequence numbers)', async () => {
    const [a, b] = await repo().find({ where: [{ seq: 4 }, { seq: 5 }], order: { seq: 'ASC' } });
    await repo().update({ seq: 4 }, { ...b, seq: 4 });
    await repo().update({ seq: 5 }, { ...a, seq: 5 });
    const r = await auditVerify(db);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/movimiento 4: (reordenado|editado)/);
  });

  it('reports the head row deleted, in Spanish, and says what to do', async () => {
    await db.dataSource.getRepository(MovementHead).delete({ id: 1 });
    const r = await auditVerify(db);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/movimiento 6: cabeza — falta la cabeza de la cadena/);
    expect(r.out).toMatch(/Conserve una copia de la base de datos/);
    expect(r.out).not.toMatch(/Could not find|EntityNotFound|matching/);
  });

  it('says in Spanish that a database without the schema must be migrated first', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'audit-empty-'));
    try {
      const r = await auditVerify({ dataDir: empty });
      expect(r.code).toBe(2);
      expect(r.out).toMatch(/no tiene las tablas del sistema.*npm run migration:run/);
      expect(r.out).not.toMatch(/SQLITE_ERROR|no such table/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('reports the newest row deleted (the head no longer matches)', async () => {
    await repo().delete({ seq: 6 });
    const r = await auditVerify(db);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/cabeza/);
  });
});
