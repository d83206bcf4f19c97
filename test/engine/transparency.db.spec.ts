import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor } from '../../src/auth/actor';
import { verifyMovementLog } from '../../src/engine/audit';
import { CalendarService } from '../../src/engine/calendar.service';
import { EngineService } from '../../src/engine/engine.service';
import { Movement } from '../../src/engine/entities/movement.entity';
import { LogNode, TreeHead } from '../../src/engine/entities/transparency.entity';
import { DirectoryHeadExport } from '../../src/engine/transparency/head-export';
import {
  appendLeaves,
  EMPTY_FRONTIER,
  frontierRoot,
  leafHash,
  verifyConsistency,
  verifyInclusion,
} from '../../src/engine/transparency/merkle';
import { TransparencyLog } from '../../src/engine/transparency/transparency-log';
import { parseHeads, verifyHeadSignature } from '../../src/engine/transparency/tree-head';
import { loadOrCreateTestSigner, type PdfSigner } from '../../src/letters/signer';
import { createTestDb, type TestDb } from '../support/test-db';
import { testProcedure } from '../support/test-machine';

const sub: Actor = { id: 'u-sub', role: 'subdireccion' };
const hex = (h: string): Buffer => Buffer.from(h, 'hex');

describe("the movement log's sequencer, heads and proofs", () => {
  let db: TestDb;
  let engine: EngineService;
  let signer: PdfSigner;
  beforeEach(async () => {
    db = await createTestDb();
    signer = loadOrCreateTestSigner(db.dataDir);
    engine = new EngineService(db.dataSource, [testProcedure(1)], new CalendarService(db.dataSource));
    await engine.syncCatalog(new Date('2026-01-01T00:00:00Z'));
  });
  afterEach(async () => db?.close());

  const addCases = async (n: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const c = await engine.start('prueba', sub, {});
      await engine.send(c.caseId, { type: 'TURNAR' }, sub);
      ids.push(c.caseId);
    }
    return ids;
  };

  it('integrates every movement exactly once while sequencers and transitions run at the same time', async () => {
    await addCases(5);
    const logs = [0, 1, 2].map(() => new TransparencyLog(db.dataSource, signer));
    // Three sequencers (three processes) racing each other and new transitions.
    const racing = Promise.all([
      ...logs.map(async (l) => {
        let n = 0;
        for (let i = 0; i < 6; i++) n += await l.integrate();
        return n;
      }),
      addCases(10).then(() => 0),
    ]);
    const added = (await racing).reduce((a, b) => a + b, 0);
    const last = await logs[0].integrate();
    const total = await db.dataSource.getRepository(Movement).count();
    expect(added + last).toBe(total);
    const leaves = await db.dataSource.getRepository(Movement).find({ order: { leafIndex: 'ASC' } });
    expect(leaves.map((m) => m.leafIndex)).toEqual(leaves.map((_, i) => i));
    // The stored head is the root of those leaves, signed by the institution's certificate.
    const head = (await logs[0].latestHead())!;
    const root = frontierRoot(
      appendLeaves(
        EMPTY_FRONTIER,
        leaves.map((m) => leafHash(hex(m.hash))),
      ).frontier,
    );
    expect(head.treeSize).toBe(total);
    expect(head.rootHash).toBe(root.toString('hex'));
    expect(verifyHeadSignature(head, signer.certificateDer)).toBe(true);
    expect((await verifyMovementLog(db.dataSource, { trusted: [signer.certificateDer] })).problems).toEqual([]);
  });

  it('proves that every head extends the ones before it, and that each movement of a case is in the newest', async () => {
    const log = new TransparencyLog(db.dataSource, signer);
    const cases: string[] = [];
    for (const n of [1, 3, 2, 5]) {
      cases.push(...(await addCases(n)));
      await log.integrate();
    }
    const heads = await db.dataSource.getRepository(TreeHead).find({ order: { treeSize: 'ASC' } });
    expect(heads.map((h) => h.treeSize)).toEqual([2, 8, 12, 22]);
    for (const a of heads)
      for (const b of heads.filter((h) => h.treeSize >= a.treeSize)) {
        const proof = (await log.consistencyProof(a.treeSize, b.treeSize)).map(hex);
        expect(verifyConsistency(a.treeSize, b.treeSize, hex(a.rootHash), hex(b.rootHash), proof)).toBe(true);
        if (a.treeSize < b.treeSize)
          expect(verifyConsistency(a.treeSize, b.treeSize, hex(b.rootHash), hex(b.rootHash), proof)).toBe(false);
      }
    const inclusion = (await log.caseInclusion(cases[4]))!;
    expect(inclusion.movements.map((m) => m.caseSeq)).toEqual([1, 2]);
    for (const m of inclusion.movements) {
      expect(m.leafHash).toBe(leafHash(hex(m.movementHash)).toString('hex'));
      const ok = verifyInclusion(
        hex(m.leafHash),
        m.leafIndex,
        inclusion.head.treeSize,
        m.proof.map(hex),
        hex(inclusion.head.rootHash),
      );
      expect(ok).toBe(true);
    }
    // A node changed in the database gives a proof that does not verify.
    const [m] = inclusion.movements;
    await db.dataSource
      .getRepository(LogNode)
      .update({ level: 0, nodeIndex: m.leafIndex ^ 1 }, { hash: 'f'.repeat(64) });
    const again = (await log.caseInclusion(cases[4]))!.movements[0];
    expect(
      verifyInclusion(
        hex(again.leafHash),
        again.leafIndex,
        inclusion.head.treeSize,
        again.proof.map(hex),
        hex(inclusion.head.rootHash),
      ),
    ).toBe(false);
    await expect(log.consistencyProof(3, 8)).rejects.toMatchObject({ status: 404, code: 'CABEZA_NO_EXISTE' });
  });

  it('writes each new head to the collected directory, which audit:verify then takes as an outside copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cabezas-'));
    const log = new TransparencyLog(db.dataSource, signer, new DirectoryHeadExport(dir));
    await addCases(2);
    await log.integrate();
    await addCases(1);
    await log.integrate();
    const day = readdirSync(dir).find((f) => f.endsWith('.jsonl'))!;
    const kept = parseHeads(readFileSync(join(dir, day), 'utf8'), day);
    expect(kept.map((h) => h.treeSize)).toEqual([4, 6]);
    expect(parseHeads(readFileSync(join(dir, 'cabeza.json'), 'utf8'), 'cabeza.json')[0].treeSize).toBe(6);
    const r = await verifyMovementLog(db.dataSource, { trusted: [signer.certificateDer], external: kept });
    expect(r).toMatchObject({ problems: [], heads: 4, treeSize: 6, pending: 0 });
  });
});
