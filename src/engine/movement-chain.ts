import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields of a movement that the hash covers, in a fixed order. */
export interface ChainedFields {
  seq: number;
  caseId: string;
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

export function movementHash(prevHash: string, m: ChainedFields): string {
  const canonical = JSON.stringify([
    m.seq,
    m.caseId,
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

export interface ChainProblem {
  seq: number;
  problema: 'editado' | 'faltante' | 'reordenado' | 'cabeza';
  detalle: string;
}

/**
 * Walks movements in seq order and reports every break: a row whose content no longer matches its hash (edited), a
 * gap in the sequence (deleted), a row whose prevHash is not the previous row's hash (reordered or deleted), and a
 * head that does not point at the last row (the newest rows deleted). Rows are fed one at a time, so the log is never
 * held in memory whole.
 */
export class ChainVerifier {
  readonly problems: ChainProblem[] = [];
  checked = 0;
  private expectedSeq = 1;
  private prev = GENESIS_HASH;

  push(r: ChainedFields & { prevHash: string; hash: string }): void {
    this.checked++;
    if (r.seq !== this.expectedSeq) {
      this.problems.push({
        seq: r.seq,
        problema: 'faltante',
        detalle: `se esperaba el movimiento ${this.expectedSeq} y sigue el ${r.seq}`,
      });
    }
    if (r.prevHash !== this.prev)
      this.problems.push({ seq: r.seq, problema: 'reordenado', detalle: 'no enlaza con el movimiento anterior' });
    if (movementHash(r.prevHash, r) !== r.hash)
      this.problems.push({ seq: r.seq, problema: 'editado', detalle: 'su contenido no coincide con su huella' });
    this.prev = r.hash;
    this.expectedSeq = r.seq + 1;
  }

  finish(head: { lastSeq: number; lastHash: string }): { checked: number; problems: ChainProblem[] } {
    if (head.lastSeq !== this.expectedSeq - 1 || head.lastHash !== this.prev) {
      this.problems.push({
        seq: head.lastSeq,
        problema: 'cabeza',
        detalle: `la cabeza de la cadena apunta al movimiento ${head.lastSeq} pero el último registrado es ${this.expectedSeq - 1}`,
      });
    }
    return { checked: this.checked, problems: this.problems };
  }
}

export function verifyChain(
  rows: Iterable<ChainedFields & { prevHash: string; hash: string }>,
  head: { lastSeq: number; lastHash: string },
): { checked: number; problems: ChainProblem[] } {
  const v = new ChainVerifier();
  for (const r of rows) v.push(r);
  return v.finish(head);
}
