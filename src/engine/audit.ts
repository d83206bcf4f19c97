import { type DataSource, In, IsNull, MoreThan, Not } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { ProcedureCase } from './entities/case.entity';
import { Movement } from './entities/movement.entity';
import { LogCertificate, LogState, TreeHead } from './entities/transparency.entity';
import { type ChainEnd, type ChainProblem, CaseChainVerifier } from './movement-chain';
import { appendLeaves, EMPTY_FRONTIER, type Frontier, frontierRoot, leafHash } from './transparency/merkle';
import { keyIdOf, type SignedTreeHead, verifyHeadSignature } from './transparency/tree-head';

export interface AuditOptions {
  /** Certificates (DER) whose heads are trusted: the configured signing certificate, and earlier ones given by hand. */
  trusted: Buffer[];
  /** Heads kept outside this database (an auditor's copy): the log must still contain exactly what they signed. */
  external?: SignedTreeHead[];
  onProgress?: (checked: number, phase: 'cadenas' | 'arbol') => void;
}

export interface AuditResult {
  /** Movements whose chain was checked. */
  checked: number;
  /** Leaves of the log, recomputed from the movements. */
  treeSize: number;
  /** Signed heads checked (stored and external). */
  heads: number;
  /** Movements not in the log yet (the sequencer integrates them within seconds): not a problem by themselves. */
  pending: number;
  problems: ChainProblem[];
}

const PAGE = 5000;

/**
 * Verifies the whole record without trusting any of it: every case's hash chain against its rows and the case row
 * (movement count and last hash), the Merkle tree recomputed from the movements against every stored signed head (root and
 * signature, by a trusted certificate) and against the heads an auditor kept outside (`external`): a rewritten,
 * truncated or emptied log cannot match a head signed before. Reads in pages: the log is never held in memory whole.
 */
export async function verifyMovementLog(ds: DataSource, opts: AuditOptions): Promise<AuditResult> {
  if (await ds.showMigrations()) {
    throw new DomainError(
      'BITACORA_SIN_ESQUEMA',
      'La base de datos no tiene las tablas del sistema al día (¿es la base correcta? revise DATA_DIR o DATABASE_URL); ' +
        'si lo es, aplique las migraciones con: npm run migration:run',
      409,
    );
  }
  const problems: ChainProblem[] = [];
  const checked = await verifyCaseChains(ds, problems, opts.onProgress);
  const tree = await verifyTree(ds, opts, problems);
  const pending = await ds.getRepository(Movement).countBy({ leafIndex: IsNull() });
  return { checked, treeSize: tree.size, heads: tree.heads, pending, problems };
}

/** Pass 1: each case's chain, in (caseId, caseSeq) order, and where it ends against the case row. */
async function verifyCaseChains(
  ds: DataSource,
  problems: ChainProblem[],
  onProgress: AuditOptions['onProgress'],
): Promise<number> {
  const verifier = new CaseChainVerifier();
  const repo = ds.getRepository(Movement);
  let after: { caseId: string; caseSeq: number } | null = null;
  for (;;) {
    const q = repo.createQueryBuilder('m').orderBy('m.caseId', 'ASC').addOrderBy('m.caseSeq', 'ASC').take(PAGE);
    if (after) q.where('(m.caseId > :c OR (m.caseId = :c AND m.caseSeq > :s))', { c: after.caseId, s: after.caseSeq });
    const page = await q.getMany();
    if (page.length === 0) break;
    const ends: ChainEnd[] = [];
    for (const m of page) {
      const ended = verifier.push(m);
      if (ended) ends.push(ended);
    }
    await compareWithCases(ds, ends, problems);
    const last = page[page.length - 1];
    after = { caseId: last.caseId, caseSeq: last.caseSeq };
    onProgress?.(verifier.checked, 'cadenas');
  }
  const last = verifier.finish();
  if (last) await compareWithCases(ds, [last], problems);
  problems.push(...verifier.problems);
  // A case whose every movement is gone.
  const bare = await ds
    .getRepository(ProcedureCase)
    .createQueryBuilder('c')
    .select(['c.id'])
    .where('NOT EXISTS (SELECT 1 FROM movement m WHERE m.case_id = c.id)')
    .getMany();
  for (const c of bare)
    problems.push({ seq: 0, problema: 'caso', detalle: `el trámite ${c.id} no tiene ningún movimiento registrado` });
  return verifier.checked;
}

async function compareWithCases(ds: DataSource, ends: ChainEnd[], problems: ChainProblem[]): Promise<void> {
  if (ends.length === 0) return;
  const rows = await ds.getRepository(ProcedureCase).find({
    select: { id: true, movementCount: true, lastMovementHash: true },
    where: { id: In(ends.map((e) => e.caseId)) },
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const e of ends) {
    const c = byId.get(e.caseId);
    if (!c)
      problems.push({ seq: 0, problema: 'caso', detalle: `hay movimientos del trámite ${e.caseId}, que ya no existe` });
    else if (c.movementCount !== e.caseSeq)
      problems.push({
        seq: 0,
        problema: 'caso',
        detalle: `el trámite ${e.caseId} dice tener ${c.movementCount} movimientos pero el último registrado es el ${e.caseSeq}`,
      });
    else if (c.lastMovementHash !== e.hash)
      problems.push({
        seq: 0,
        problema: 'caso',
        detalle: `la huella del último movimiento del trámite ${e.caseId} no es la que el trámite guardó`,
      });
  }
}

/**
 * Pass 2: the tree, leaf by leaf in leafIndex order, compared at each stored and external head's size; then the
 * sequencer's state. Heads are read in pages too.
 */
async function verifyTree(
  ds: DataSource,
  opts: AuditOptions,
  problems: ChainProblem[],
): Promise<{ size: number; heads: number }> {
  const trusted = new Map(opts.trusted.map((der) => [keyIdOf(der), der]));
  const known = new Map(
    (await ds.getRepository(LogCertificate).find()).map((c) => [c.keyId, Buffer.from(c.der, 'base64')]),
  );
  const external = [...(opts.external ?? [])].sort((a, b) => a.treeSize - b.treeSize);
  let externalAt = 0;
  let heads = 0;
  const checkSignature = (h: SignedTreeHead, where: string): void => {
    const der = trusted.get(h.keyId);
    if (!der) {
      problems.push({
        seq: h.treeSize,
        problema: 'firma',
        detalle: known.has(h.keyId)
          ? `la cabeza ${where} de tamaño ${h.treeSize} está firmada con un certificado que no es el configurado; si es uno anterior de la institución, páselo con --certificado ARCHIVO`
          : `la cabeza ${where} de tamaño ${h.treeSize} está firmada con un certificado desconocido`,
      });
    } else if (!verifyHeadSignature(h, der)) {
      problems.push({
        seq: h.treeSize,
        problema: 'firma',
        detalle: `la firma de la cabeza ${where} de tamaño ${h.treeSize} no es válida`,
      });
    }
  };
  // Size 0: every external head of an empty log (nothing to compare but its signature).
  const atSize = (frontier: Frontier, stored: TreeHead[]): void => {
    const root = frontierRoot(frontier).toString('hex');
    for (const h of stored.filter((s) => s.treeSize === frontier.size)) {
      heads++;
      checkSignature(h, 'guardada');
      if (h.rootHash !== root)
        problems.push({
          seq: h.treeSize,
          problema: 'cabeza',
          detalle: `los movimientos ya no dan la raíz que firmó la cabeza de tamaño ${h.treeSize} (${h.timestamp}): se alteró la bitácora`,
        });
    }
    while (externalAt < external.length && external[externalAt].treeSize === frontier.size) {
      const h = external[externalAt++];
      heads++;
      checkSignature(h, 'externa');
      if (h.rootHash !== root)
        problems.push({
          seq: h.treeSize,
          problema: 'externa',
          detalle: `la bitácora ya no es la que firmó la cabeza externa de tamaño ${h.treeSize} (${h.timestamp}): se reescribió su historia`,
        });
    }
  };

  const headRepo = ds.getRepository(TreeHead);
  const movements = ds.getRepository(Movement);
  let frontier: Frontier = EMPTY_FRONTIER;
  let headsAfter = -1;
  let headPage: TreeHead[] = [];
  const nextHeads = async (): Promise<void> => {
    headPage = await headRepo.find({
      where: { treeSize: MoreThan(headsAfter) },
      order: { treeSize: 'ASC' },
      take: PAGE,
    });
    if (headPage.length) headsAfter = headPage[headPage.length - 1].treeSize;
  };
  await nextHeads();
  atSize(frontier, headPage);
  let leafAfter = -1;
  let broken = false;
  for (;;) {
    const page = await movements.find({
      select: { seq: true, hash: true, leafIndex: true },
      where: { leafIndex: leafAfter < 0 ? Not(IsNull()) : MoreThan(leafAfter) },
      order: { leafIndex: 'ASC' },
      take: PAGE,
    });
    if (page.length === 0) break;
    for (const m of page) {
      const index = m.leafIndex as number;
      if (index !== frontier.size) {
        problems.push({
          seq: m.seq,
          problema: 'arbol',
          detalle: `falta la hoja ${frontier.size} del árbol (sigue la ${index}): se borró un movimiento ya integrado`,
        });
        broken = true;
        break;
      }
      frontier = appendLeaves(frontier, [leafHash(Buffer.from(m.hash, 'hex'))]).frontier;
      while (headPage.length && headPage[headPage.length - 1].treeSize < frontier.size) await nextHeads();
      atSize(frontier, headPage);
    }
    if (broken) break;
    leafAfter = page[page.length - 1].leafIndex as number;
    opts.onProgress?.(frontier.size, 'arbol');
  }
  // Heads and external heads beyond the recomputed tree: the log lost what they signed.
  const beyond = await headRepo.count({ where: { treeSize: MoreThan(frontier.size) } });
  if (beyond > 0 && !broken) {
    const [top] = await headRepo.find({ order: { treeSize: 'DESC' }, take: 1 });
    problems.push({
      seq: top.treeSize,
      problema: 'cabeza',
      detalle: `hay ${beyond} cabeza(s) firmadas de una bitácora más grande (hasta ${top.treeSize} movimientos) que la que hay (${frontier.size})`,
    });
  }
  for (; externalAt < external.length; externalAt++) {
    const h = external[externalAt];
    heads++;
    checkSignature(h, 'externa');
    problems.push({
      seq: h.treeSize,
      problema: 'externa',
      detalle: `la cabeza externa de ${h.timestamp} firmó una bitácora de ${h.treeSize} movimientos y hoy solo hay ${frontier.size} integrados: se borraron movimientos`,
    });
  }
  const state = await ds.getRepository(LogState).findOneBy({ id: 1 });
  if (!broken && state && (state.treeSize !== frontier.size || state.frontier !== JSON.stringify(frontier.hashes))) {
    problems.push({
      seq: state.treeSize,
      problema: 'arbol',
      detalle: `el estado del secuenciador (${state.treeSize} hojas) no es el árbol que dan los movimientos (${frontier.size})`,
    });
  }
  if (!state)
    problems.push({
      seq: 0,
      problema: 'arbol',
      detalle: 'falta el estado del secuenciador (tabla log_state, fila 1): restáurelo desde un respaldo',
    });
  return { size: frontier.size, heads };
}
