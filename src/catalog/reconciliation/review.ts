import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../../common/domain-error';
import { inTransaction } from '../../database/transaction';
import { ConciliacionHallazgo, type EstadoHallazgo, type TipoHallazgo } from '../entities/conciliacion.entity';

export interface FindingFilter {
  estado?: EstadoHallazgo;
  tipo?: TipoHallazgo;
  /** Only the findings whose fact still holds (default true: a closed one needs nobody). */
  vigentes?: boolean;
  limit?: number;
  offset?: number;
}

/**
 * Opens the procedure a finding proposes (5.5 bloquear, 5.4 reasignar) inside the acceptance's transaction (the
 * engine's start takes the caller's EntityManager), so the finding is never «aceptado» without its case nor the
 * reverse. Returns the case id.
 */
export type CaseOpener = (em: EntityManager, finding: ConciliacionHallazgo) => Promise<string>;

export interface AcceptResult {
  /** Finding id → the case it opened. */
  opened: { hallazgoId: string; caseId: string }[];
  /** Ids that were no longer pending (already decided, pressed twice) or propose no procedure: nothing done. */
  skipped: string[];
  /** Ids whose case could not open: left pending (nothing of it was kept), with the reason in Spanish. */
  failed: { hallazgoId: string; mensaje: string }[];
}

const MOTIVO_MIN = 5;
const MOTIVO_MAX = 500;

/**
 * The Subjefatura's review of reconciliation findings (issue 14): nothing is blocked without a person accepting it.
 * Accepting claims each finding with a conditional UPDATE (pendiente → aceptado) and opens its case in the same
 * transaction: a second press finds nothing pending and opens nothing, and a failure undoes both. Rejecting needs a
 * reason and records who and when.
 */
export class ReconciliationReview {
  constructor(private readonly ds: DataSource) {}

  list(f: FindingFilter = {}): Promise<[ConciliacionHallazgo[], number]> {
    const qb = this.ds.getRepository(ConciliacionHallazgo).createQueryBuilder('h');
    if (f.vigentes !== false) qb.andWhere('h.vigente = :v', { v: true });
    if (f.estado) qb.andWhere('h.estado = :estado', { estado: f.estado });
    if (f.tipo) qb.andWhere('h.tipo = :tipo', { tipo: f.tipo });
    return qb
      .orderBy('h.detectadoAt', 'DESC')
      .addOrderBy('h.id', 'ASC')
      .take(Math.min(200, Math.max(1, f.limit ?? 50)))
      .skip(Math.max(0, f.offset ?? 0))
      .getManyAndCount();
  }

  async reject(ids: readonly string[], motivo: string, actor: string, now: Date): Promise<number> {
    const reason = motivo.trim();
    if (reason.length < MOTIVO_MIN || reason.length > MOTIVO_MAX) {
      throw new DomainError(
        'MOTIVO_REQUERIDO',
        `Escriba por qué se rechaza (entre ${MOTIVO_MIN} y ${MOTIVO_MAX} caracteres); queda registrado con su nombre.`,
        422,
        { campo: 'motivo' },
      );
    }
    if (ids.length === 0) return 0;
    const res = await this.ds
      .getRepository(ConciliacionHallazgo)
      .createQueryBuilder()
      .update()
      .set({ estado: 'rechazado', motivo: reason, decididoPor: actor, decididoAt: now })
      .where('id IN (:...ids) AND estado = :pendiente AND vigente = :v', { ids, pendiente: 'pendiente', v: true })
      .execute();
    return res.affected ?? 0;
  }

  async accept(ids: readonly string[], actor: string, now: Date, open: CaseOpener): Promise<AcceptResult> {
    const result: AcceptResult = { opened: [], skipped: [], failed: [] };
    for (const id of new Set(ids)) {
      let caseId: string | null;
      try {
        caseId = await this.acceptOne(id, actor, now, open);
      } catch (e) {
        // One finding's failure does not stop the others; its transaction undid the claim and the case.
        result.failed.push({
          hallazgoId: id,
          mensaje:
            e instanceof DomainError
              ? e.message
              : 'No se pudo abrir el caso; el hallazgo sigue pendiente. Intente de nuevo.',
        });
        continue;
      }
      if (caseId === null) result.skipped.push(id);
      else result.opened.push({ hallazgoId: id, caseId });
    }
    return result;
  }

  private acceptOne(id: string, actor: string, now: Date, open: CaseOpener): Promise<string | null> {
    return inTransaction(this.ds, async (em) => {
      const claimed = await em
        .createQueryBuilder()
        .update(ConciliacionHallazgo)
        .set({ estado: 'aceptado', decididoPor: actor, decididoAt: now })
        .where('id = :id AND estado = :pendiente AND vigente = :v AND accion IN (:...acciones)', {
          id,
          pendiente: 'pendiente',
          v: true,
          acciones: ['bloquear', 'reasignar'],
        })
        .execute();
      if (!claimed.affected) return null;
      const finding = await em.getRepository(ConciliacionHallazgo).findOneByOrFail({ id });
      const opened = await open(em, finding);
      await em.getRepository(ConciliacionHallazgo).update(id, { caseId: opened });
      return opened;
    });
  }
}
