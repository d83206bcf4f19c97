import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager, In, IsNull } from 'typeorm';
import { DomainError } from '../../common/domain-error';
import { inTransaction } from '../../database/transaction';
import { Movement } from '../entities/movement.entity';
import { LogCertificate, LogNode, LogState, TreeHead } from '../entities/transparency.entity';
import {
  appendLeaves,
  consistencyRanges,
  type Frontier,
  frontierRoot,
  inclusionRanges,
  leafHash,
  type NodeRef,
  nodesFor,
  rangeHash,
} from './merkle';
import { HEAD_SIGNER, type HeadSigner, keyIdOf, signHead, type SignedTreeHead } from './tree-head';

/** Optional: where each new head is also written for another machine to collect (see HeadExport). */
export const HEAD_EXPORT = Symbol('HEAD_EXPORT');
export interface HeadExport {
  publish(head: SignedTreeHead): Promise<void>;
}

/** Leaves integrated per transaction: bounded so one integration never holds its lock for long. */
export const SEQUENCER_BATCH = 2000;
/** Rows per statement when writing node hashes and leaf positions. */
const CHUNK = 500;

const key = (r: NodeRef): string => `${r.level}:${r.index}`;
const toHead = (h: TreeHead): SignedTreeHead => ({
  treeSize: h.treeSize,
  rootHash: h.rootHash,
  timestamp: h.timestamp,
  signature: h.signature,
  keyId: h.keyId,
});

/**
 * The transparency log of the movements (RFC 9162 / Trillian's log): transitions only insert their movement; the
 * sequencer (`integrate`) gives the movements not yet in the log their leaf positions, in batches, adds them to the
 * Merkle tree (every complete node stored, for proofs) and signs a tree head. One sequencer at a time: the row lock of
 * `log_state`, taken with SKIP LOCKED on MySQL/MariaDB so a second one simply finds nothing to do.
 */
@Injectable()
export class TransparencyLog {
  private readonly log = new Logger('Bitácora');
  private certificateStored = false;

  constructor(
    private readonly ds: DataSource,
    @Inject(HEAD_SIGNER) private readonly signer: HeadSigner,
    @Inject(HEAD_EXPORT) private readonly exporter: HeadExport | null = null,
  ) {}

  /** Integrates every movement waiting, batch after batch; how many leaves were added. */
  async integrate(now: () => Date = () => new Date()): Promise<number> {
    let total = 0;
    for (;;) {
      const head = await this.integrateBatch(now());
      if (!head) return total;
      total += head.added;
      if (this.exporter) {
        try {
          await this.exporter.publish(head.head);
        } catch (e) {
          this.log.warn(
            { err: (e as Error).message, treeSize: head.head.treeSize },
            'No se pudo exportar la cabeza firmada de la bitácora; se exportará con la siguiente',
          );
        }
      }
      if (head.added < SEQUENCER_BATCH) return total;
    }
  }

  /** One batch in one transaction; null when another sequencer holds the lock or nothing is waiting. */
  private async integrateBatch(at: Date): Promise<{ added: number; head: SignedTreeHead } | null> {
    // Most passes find nothing to do: say so without opening a transaction (or taking a pooled connection for one).
    if (!(await this.ds.getRepository(Movement).existsBy({ leafIndex: IsNull() }))) return null;
    await this.storeCertificate();
    return inTransaction(this.ds, async (em) => {
      const state = await this.lockState(em);
      if (!state) return null;
      const waiting = await em
        .createQueryBuilder(Movement, 'm')
        .select(['m.seq', 'm.hash'])
        .where('m.leafIndex IS NULL')
        .orderBy('m.seq', 'ASC')
        .limit(SEQUENCER_BATCH)
        .getMany();
      if (waiting.length === 0) return null;
      const frontier: Frontier = { size: state.treeSize, hashes: JSON.parse(state.frontier) as string[] };
      const appended = appendLeaves(
        frontier,
        waiting.map((m) => leafHash(Buffer.from(m.hash, 'hex'))),
      );
      for (let i = 0; i < waiting.length; i += CHUNK) {
        const part = waiting.slice(i, i + CHUNK);
        const cases = part.map((m, k) => `WHEN ${Number(m.seq)} THEN ${state.treeSize + i + k}`).join(' ');
        await em
          .createQueryBuilder()
          .update(Movement)
          .set({ leafIndex: () => `CASE seq ${cases} END` })
          .where({ seq: In(part.map((m) => m.seq)) })
          .execute();
      }
      for (let i = 0; i < appended.completed.length; i += CHUNK) {
        await em.insert(
          LogNode,
          appended.completed
            .slice(i, i + CHUNK)
            .map((n) => ({ level: n.level, nodeIndex: n.index, hash: n.hash.toString('hex') })),
        );
      }
      const head = signHead(this.signer, appended.frontier.size, frontierRoot(appended.frontier).toString('hex'), at);
      await em.insert(TreeHead, head);
      await em.update(
        LogState,
        { id: 1 },
        { treeSize: appended.frontier.size, frontier: JSON.stringify(appended.frontier.hashes) },
      );
      return { added: waiting.length, head };
    });
  }

  /** The sequencer's lock; null when another sequencer holds it (MySQL/MariaDB) — SQLite runs one transaction at a time. */
  private async lockState(em: EntityManager): Promise<LogState | null> {
    if (this.ds.options.type === 'better-sqlite3') return em.findOneBy(LogState, { id: 1 });
    const rows = await em.query<{ tree_size: number; frontier: string }[]>(
      'SELECT tree_size, frontier FROM log_state WHERE id = 1 FOR UPDATE SKIP LOCKED',
    );
    return rows.length ? { id: 1, treeSize: Number(rows[0].tree_size), frontier: rows[0].frontier } : null;
  }

  /** The signing certificate, kept once, so heads stay verifiable after it is renewed. */
  private async storeCertificate(): Promise<void> {
    if (this.certificateStored) return;
    const keyId = keyIdOf(this.signer.certificateDer);
    const repo = this.ds.getRepository(LogCertificate);
    if (!(await repo.existsBy({ keyId }))) {
      await repo
        .createQueryBuilder()
        .insert()
        .values({ keyId, der: this.signer.certificateDer.toString('base64') })
        .orIgnore()
        .execute();
    }
    this.certificateStored = true;
  }

  async latestHead(): Promise<SignedTreeHead | null> {
    const [h] = await this.ds.getRepository(TreeHead).find({ order: { treeSize: 'DESC' }, take: 1 });
    return h ? toHead(h) : null;
  }

  async headAt(treeSize: number): Promise<SignedTreeHead | null> {
    const h = await this.ds.getRepository(TreeHead).findOneBy({ treeSize });
    return h ? toHead(h) : null;
  }

  /** The certificate (DER) that made heads with `keyId`, if this log ever used it. */
  async certificate(keyId: string): Promise<Buffer | null> {
    const c = await this.ds.getRepository(LogCertificate).findOneBy({ keyId });
    return c ? Buffer.from(c.der, 'base64') : null;
  }

  /** RFC 9162 consistency proof between two signed heads of this log (hex hashes). */
  async consistencyProof(first: number, second: number): Promise<string[]> {
    await this.requireHeads(first === 0 ? [second] : [first, second]);
    if (first > second)
      throw new DomainError(
        'PRUEBA_INVALIDA',
        `La primera cabeza (${first}) debe ser anterior o igual a la segunda (${second}).`,
        422,
      );
    return (await this.proofsOf([consistencyRanges(first, second)]))[0];
  }

  /**
   * What the verification page of a letter shows: the latest signed head and the RFC 9162 inclusion proof of every
   * movement of the case already in it (leaf index, leaf hash, audit path), all hashes in hex. Null before any head.
   */
  async caseInclusion(caseId: string): Promise<CaseInclusion | null> {
    const head = await this.latestHead();
    if (!head) return null;
    const moves = await this.ds.getRepository(Movement).find({
      select: { seq: true, caseSeq: true, hash: true, leafIndex: true, at: true, eventType: true },
      where: { caseId },
      order: { caseSeq: 'ASC' },
    });
    const included = moves.filter((m) => m.leafIndex !== null && m.leafIndex < head.treeSize);
    const proofs = await this.proofsOf(included.map((m) => inclusionRanges(m.leafIndex as number, head.treeSize)));
    return {
      head,
      movements: included.map((m, i) => ({
        caseSeq: m.caseSeq,
        at: m.at,
        eventType: m.eventType,
        movementHash: m.hash,
        leafIndex: m.leafIndex as number,
        leafHash: leafHash(Buffer.from(m.hash, 'hex')).toString('hex'),
        proof: proofs[i],
      })),
      pending: moves.length - included.length,
    };
  }

  private async requireHeads(sizes: number[]): Promise<void> {
    for (const size of sizes) {
      if (
        !Number.isSafeInteger(size) ||
        size < 1 ||
        !(await this.ds.getRepository(TreeHead).existsBy({ treeSize: size }))
      )
        throw new DomainError(
          'CABEZA_NO_EXISTE',
          `La bitácora no firmó ninguna cabeza de tamaño ${size}. Consulte las cabezas firmadas en GET /api/bitacora/cabeza.`,
          404,
        );
    }
  }

  /** The hashes of the ranges each proof is made of, from the stored nodes (one query per tree level for all). */
  private async proofsOf(proofs: Array<Array<[number, number]>>): Promise<string[][]> {
    const refs = nodesFor(proofs.flat());
    const byLevel = new Map<number, number[]>();
    for (const r of refs) byLevel.set(r.level, [...(byLevel.get(r.level) ?? []), r.index]);
    const stored = new Map<string, Buffer>();
    for (const [level, indexes] of byLevel) {
      const rows = await this.ds.getRepository(LogNode).findBy({ level, nodeIndex: In(indexes) });
      for (const n of rows) stored.set(key({ level: n.level, index: n.nodeIndex }), Buffer.from(n.hash, 'hex'));
    }
    const lookup = (r: NodeRef): Buffer => {
      const h = stored.get(key(r));
      if (!h) throw new Error(`Falta el nodo ${key(r)} del árbol de la bitácora: ejecute npm run audit:verify`);
      return h;
    };
    return proofs.map((ranges) => ranges.map(([start, end]) => rangeHash(start, end, lookup).toString('hex')));
  }
}

/** The inclusion of a case's movements in the log, as the verification page publishes it. */
export interface CaseInclusion {
  head: SignedTreeHead;
  movements: {
    caseSeq: number;
    at: string;
    eventType: string;
    movementHash: string;
    leafIndex: number;
    leafHash: string;
    proof: string[];
  }[];
  /** Movements of the case not in that head yet (the sequencer integrates them within seconds). */
  pending: number;
}
