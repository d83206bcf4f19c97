import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields of a movement that the hash covers, in a fixed order. */
export interface ChainedFields {
  caseId: string;
  caseSeq: number;
  procedureId: string;
  procedureVersion: number;
  actorId: string;
  actorRole: string;
  at: string;
  fromState: string;
  toState: string;
  eventType: string;
  data: string;
  pasos: string;
}

/** sha256(prevHash + "\n" + canonical JSON of the covered fields): the link of a case's chain. */
export function movementHash(prevHash: string, m: ChainedFields): string {
  const canonical = JSON.stringify([
    'mci-movimiento-v2',
    m.caseId,
    m.caseSeq,
    m.procedureId,
    m.procedureVersion,
    m.actorId,
    m.actorRole,
    m.at,
    m.fromState,
    m.toState,
    m.eventType,
    m.data,
    m.pasos,
  ]);
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

export type ProblemKind =
  'editado' | 'faltante' | 'reordenado' | 'caso' | 'arbol' | 'cabeza' | 'firma' | 'externa' | 'sin_integrar';

export interface ChainProblem {
  /** The movement (its `seq`) or the tree size the problem is about; 0 when it is about the log as a whole. */
  seq: number;
  problema: ProblemKind;
  detalle: string;
}

export type StoredMovement = ChainedFields & { seq: number; prevHash: string; hash: string };

/** Where a case's chain ended, to compare with the case row (its version and last hash). */
export interface ChainEnd {
  caseId: string;
  caseSeq: number;
  hash: string;
}

/**
 * Walks movements ordered by (caseId, caseSeq) and reports every break of a case's chain: a row whose content no
 * longer matches its hash (edited), a gap in the case's numbering (deleted), a row whose prevHash is not the previous
 * row's hash (reordered or replaced). `push` returns the end of the previous case's chain when a new case starts;
 * `finish` the last one. Rows are fed one at a time, so the log is never held in memory whole.
 */
export class CaseChainVerifier {
  readonly problems: ChainProblem[] = [];
  checked = 0;
  private current: ChainEnd | null = null;

  push(r: StoredMovement): ChainEnd | null {
    this.checked++;
    let ended: ChainEnd | null = null;
    if (this.current?.caseId !== r.caseId) {
      ended = this.current;
      this.current = { caseId: r.caseId, caseSeq: 0, hash: GENESIS_HASH };
    }
    const expected = this.current.caseSeq + 1;
    if (r.caseSeq !== expected) {
      this.problems.push({
        seq: r.seq,
        problema: 'faltante',
        detalle: `el trámite ${r.caseId} salta del movimiento ${expected - 1} al ${r.caseSeq} de su cadena`,
      });
    } else if (r.prevHash !== this.current.hash) {
      this.problems.push({
        seq: r.seq,
        problema: 'reordenado',
        detalle: `no enlaza con el movimiento anterior del trámite ${r.caseId}`,
      });
    }
    if (movementHash(r.prevHash, r) !== r.hash)
      this.problems.push({ seq: r.seq, problema: 'editado', detalle: 'su contenido no coincide con su huella' });
    this.current = { caseId: r.caseId, caseSeq: r.caseSeq, hash: r.hash };
    return ended;
  }

  finish(): ChainEnd | null {
    const last = this.current;
    this.current = null;
    return last;
  }
}
