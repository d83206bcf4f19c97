import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type DataSource, In, MoreThan } from 'typeorm';
import { type Actor } from '../../src/auth/actor';
import { verifyMovementLog } from '../../src/engine/audit';
import { CalendarService } from '../../src/engine/calendar.service';
import { EngineService } from '../../src/engine/engine.service';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Movement } from '../../src/engine/entities/movement.entity';
import { LogNode, LogState, TreeHead } from '../../src/engine/entities/transparency.entity';
import { movementHash } from '../../src/engine/movement-chain';
import { appendLeaves, EMPTY_FRONTIER, frontierRoot, leafHash } from '../../src/engine/transparency/merkle';
import { TransparencyLog } from '../../src/engine/transparency/transparency-log';
import { type HeadSigner, publishedHead, signHead, type SignedTreeHead } from '../../src/engine/transparency/tree-head';
import { loadOrCreateTestSigner } from '../../src/letters/signer';
import { createTestDb, type TestDb } from '../support/test-db';
import { testProcedure } from '../support/test-machine';

const run = promisify(execFile);
const sub: Actor = { id: 'u-sub', role: 'subdireccion' };

/** Runs `npm run audit:verify` as an operator would, against the suite's database. */
async function auditVerify(
  db: Pick<TestDb, 'dataDir' | 'databaseUrl'>,
  args: string[] = [],
): Promise<{ code: number; out: string }> {
  const env = {
    ...process.env,
    DATA_DIR: db.dataDir,
    LOG_LEVEL: 'silent',
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
  };
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['-r', './scripts/register.js', 'src/cli/audit-verify.ts', ...args],
      { cwd: join(__dirname, '..', '..'), env },
    );
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

/**
 * What someone with write access to the database (and, in the worst case, the signing key) does to make a changed log
 * pass: rebuild every node, head and the sequencer's state from the movements as they now are.
 */
async function rebuildTree(ds: DataSource, signer: HeadSigner | null): Promise<void> {
  const rows = await ds
    .getRepository(Movement)
    .find({ order: { leafIndex: 'ASC' }, where: { leafIndex: MoreThan(-1) } });
  const heads = await ds.getRepository(TreeHead).find({ order: { treeSize: 'ASC' } });
  const built = appendLeaves(
    EMPTY_FRONTIER,
    rows.map((m) => leafHash(Buffer.from(m.hash, 'hex'))),
  );
  await ds.getRepository(LogNode).clear();
  for (let i = 0; i < built.completed.length; i += 200)
    await ds
      .getRepository(LogNode)
      .insert(
        built.completed
          .slice(i, i + 200)
          .map((n) => ({ level: n.level, nodeIndex: n.index, hash: n.hash.toString('hex') })),
      );
  if (signer) {
    for (const h of heads) {
      let f = EMPTY_FRONTIER;
      f = appendLeaves(
        f,
        rows.slice(0, h.treeSize).map((m) => leafHash(Buffer.from(m.hash, 'hex'))),
      ).frontier;
      const forged = signHead(signer, h.treeSize, frontierRoot(f).toString('hex'), new Date(h.timestamp));
      await ds.getRepository(TreeHead).update({ treeSize: h.treeSize }, forged);
    }
  }
  await ds
    .getRepository(LogState)
    .update({ id: 1 }, { treeSize: built.frontier.size, frontier: JSON.stringify(built.frontier.hashes) });
}

/** Rewrites one case's chain from its `caseSeq`-th movement on, as a 15-line script would, and the case row with it. */
async function rehashCase(ds: DataSource, caseId: string, fromSeq: number, edit: Partial<Movement>): Promise<void> {
  const repo = ds.getRepository(Movement);
  const chain = await repo.find({ where: { caseId }, order: { caseSeq: 'ASC' } });
  let prev = chain[fromSeq - 2]?.hash ?? '0'.repeat(64);
  for (const m of chain.slice(fromSeq - 1)) {
    const changed = { ...m, ...(m.caseSeq === fromSeq ? edit : {}), prevHash: prev };
    changed.hash = movementHash(prev, changed);
    await repo.update({ seq: m.seq }, { ...(m.caseSeq === fromSeq ? edit : {}), prevHash: prev, hash: changed.hash });
    prev = changed.hash;
  }
  await ds.getRepository(ProcedureCase).update({ id: caseId }, { lastMovementHash: prev });
}

describe("npm run audit:verify: the movement log against its signed heads and an auditor's copy", () => {
  let db: TestDb;
  let engine: EngineService;
  let log: TransparencyLog;
  let signer: HeadSigner;
  let cases: string[];
  /** The head an auditor took "yesterday" (8 movements), kept outside the database. */
  let yesterday: SignedTreeHead;
  let headsFile: string;
  const ds = (): DataSource => db.dataSource;

  const openCase = async (i: number): Promise<string> => {
    const c = await engine.start('prueba', sub, { folio: `F-${i}` });
    await engine.send(c.caseId, { type: 'TURNAR' }, sub);
    return c.caseId;
  };

  beforeEach(async () => {
    db = await createTestDb();
    signer = loadOrCreateTestSigner(db.dataDir);
    engine = new EngineService(ds(), [testProcedure(1)], new CalendarService(ds()));
    log = new TransparencyLog(ds(), signer);
    await engine.syncCatalog(new Date('2026-01-01T00:00:00Z'));
    cases = [];
    for (let i = 0; i < 4; i++) cases.push(await openCase(i));
    expect(await log.integrate()).toBe(8);
    yesterday = (await log.latestHead())!;
    headsFile = join(db.dataDir, 'cabeza-de-ayer.json');
    writeFileSync(headsFile, JSON.stringify(publishedHead(yesterday)));
    // Today: two more cases, each integrated on its own (two more heads: 10 and 12).
    for (const i of [4, 5]) {
      cases.push(await openCase(i));
      expect(await log.integrate()).toBe(2);
    }
  });
  afterEach(async () => db?.close());

  const audit = (external: SignedTreeHead[] = []) =>
    verifyMovementLog(ds(), { trusted: [signer.certificateDer], external });

  it("passes an untouched log, with and without the auditor's head", async () => {
    expect(yesterday.treeSize).toBe(8);
    const total = await ds().getRepository(Movement).count();
    const r = await auditVerify(db, ['--desde', headsFile]);
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toMatch(
      new RegExp(`Bitácora íntegra: ${total} movimientos verificados, ninguno alterado; árbol de ${total} hojas`),
    );
    expect(r.out).toMatch(/1 de ellas externa/);
    expect((await audit()).problems).toEqual([]);
  });

  it('reports an edited row, its case and the signed heads it no longer matches', async () => {
    const [m] = await ds()
      .getRepository(Movement)
      .find({ where: { caseId: cases[1], caseSeq: 1 } });
    await ds().getRepository(Movement).update({ seq: m.seq }, { actorId: 'otra-persona' });
    const { problems } = await audit();
    expect(problems).toContainEqual(expect.objectContaining({ seq: m.seq, problema: 'editado' }));
  });

  it('reports a deleted row as a gap in its case and a missing leaf of the tree', async () => {
    const [m] = await ds()
      .getRepository(Movement)
      .find({ where: { caseId: cases[2], caseSeq: 1 } });
    await ds().getRepository(Movement).delete({ seq: m.seq });
    const kinds = (await audit()).problems.map((p) => p.problema);
    expect(kinds).toEqual(expect.arrayContaining(['faltante', 'arbol']));
  });

  it("catches a truncation (newest rows deleted, heads and sequencer state set back) only with the auditor's head", async () => {
    // Set the log back to before yesterday's head: the last three cases and every head signed after 6 leaves.
    const gone = cases.slice(3);
    await ds()
      .getRepository(Movement)
      .delete({ caseId: In(gone) });
    await ds()
      .getRepository(ProcedureCase)
      .delete({ id: In(gone) });
    await ds()
      .getRepository(TreeHead)
      .delete({ treeSize: MoreThan(6) });
    await rebuildTree(ds(), null);
    // Consistent in itself: nothing inside the database contradicts it (this is why heads must leave the system)...
    expect((await audit()).problems).toEqual([]);
    // ...but the auditor's head signed 8 movements.
    const r = await auditVerify(db, ['--desde', headsFile]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /cabeza 8: externa — la cabeza externa de .* firmó una bitácora de 8 movimientos y hoy solo hay 6/,
    );
    expect(r.out).toMatch(/Conserve una copia de la base de datos/);
  });

  it("catches a log emptied and reset to nothing with the auditor's head", async () => {
    for (const table of [Movement, LogNode, TreeHead, ProcedureCase]) await ds().getRepository(table).clear();
    await ds().getRepository(LogState).update({ id: 1 }, { treeSize: 0, frontier: '[]' });
    expect((await audit()).problems).toEqual([]);
    const { problems } = await audit([yesterday]);
    expect(problems).toEqual([
      expect.objectContaining({ seq: 8, problema: 'externa', detalle: expect.stringMatching(/hoy solo hay 0/) }),
    ]);
  });

  it("catches a re-hashed history: by the signed heads without the key, by the auditor's head even with the key", async () => {
    await rehashCase(ds(), cases[0], 1, { actorId: 'alguien-mas' });
    // Chains and case rows are consistent again; the leaves are not what the heads signed.
    await rebuildTree(ds(), null);
    const withoutKey = (await audit()).problems;
    expect(withoutKey.map((p) => p.problema)).not.toContain('editado');
    expect(withoutKey.map((p) => p.problema)).toContain('cabeza');
    // Whoever also holds the signing key re-signs every head: only a head kept outside still tells.
    await rebuildTree(ds(), signer);
    expect((await audit()).problems).toEqual([]);
    const r = await auditVerify(db, ['--desde', headsFile]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/cabeza 8: externa — la bitácora ya no es la que firmó la cabeza externa de tamaño 8/);
  });

  it("refuses heads signed by a key that is not the institution's", async () => {
    const other = loadOrCreateTestSigner(mkdtempSync(join(tmpdir(), 'otra-firma-')));
    const [h] = await ds()
      .getRepository(TreeHead)
      .find({ order: { treeSize: 'DESC' }, take: 1 });
    await ds()
      .getRepository(TreeHead)
      .update({ treeSize: h.treeSize }, signHead(other, h.treeSize, h.rootHash, new Date(h.timestamp)));
    const { problems } = await audit();
    expect(problems).toEqual([
      expect.objectContaining({
        seq: h.treeSize,
        problema: 'firma',
        detalle: expect.stringMatching(/certificado desconocido/),
      }),
    ]);
  });

  it('reports the sequencer state deleted, in Spanish, and says what to do', async () => {
    await ds().getRepository(LogState).delete({ id: 1 });
    const r = await auditVerify(db);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/falta el estado del secuenciador \(tabla log_state, fila 1\): restáurelo desde un respaldo/);
  });

  it('says in Spanish what is wrong with a file that is not a signed head', async () => {
    const bad = join(db.dataDir, 'no-es-cabeza.json');
    writeFileSync(bad, '{"treeSize": "ocho"}');
    const r = await auditVerify(db, ['--desde', bad]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/La cabeza 1 de .*no-es-cabeza.json no tiene la forma de una cabeza firmada/);
    const missing = await auditVerify(db, ['--desde', join(db.dataDir, 'no-existe.json')]);
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/No se pudo leer las cabezas/);
  });

  it('migrates a database without the schema first, as npm start does, and verifies its empty log', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'audit-empty-'));
    try {
      const r = await auditVerify({ dataDir: empty });
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Migraciones aplicadas en SQLite: .*TransparencyLog/);
      expect(r.out).toMatch(/Bitácora íntegra: 0 movimientos verificados/);
      expect(r.out).not.toMatch(/SQLITE_ERROR|no such table/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
