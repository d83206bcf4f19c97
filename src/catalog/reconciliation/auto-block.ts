import type { DataSource } from 'typeorm';
import { ConciliacionCorrida, ConciliacionHallazgo } from '../entities/conciliacion.entity';
import { type CaseOpener, ReconciliationReview } from './review';

const DAY_MS = 86_400_000;

/** How every decision of the policy starts (`decididoPor`): no staff user id looks like it (uuids, «usr-…»). */
export const POLITICA_BLOQUEO = 'política de bloqueo automático';

/**
 * Who accepted a finding the policy accepted, as the finding records it (`decididoPor`) and the page shows it:
 * «política de bloqueo automático (30 días de baja)». Never a person.
 */
export const politicaBloqueo = (dias: number): string =>
  `${POLITICA_BLOQUEO} (${dias} día${dias === 1 ? '' : 's'} de baja)`;

/** Whether a finding was accepted by the policy rather than by a person. */
export const isPolicyDecision = (decididoPor: string | null | undefined): boolean =>
  !!decididoPor && decididoPor.startsWith(POLITICA_BLOQUEO);

/** RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS in force, and the opener a person's acceptance uses. */
export interface AutoBlockPolicy {
  /** Days of baja (≥ 1) after which a Personal account of a worker in baja is accepted for blocking. */
  dias: number;
  open: CaseOpener;
}

/** What the policy did in one run (the run's summary). */
export interface AutoBlockResult {
  dias: number;
  /** Findings accepted by the policy in this run: each opened its 5.5 case. */
  aceptados: number;
  /** Findings whose case could not open (e.g. a block already under way): left pending for a person. */
  fallidos: { hallazgoId: string; direccion: string; mensaje: string }[];
}

/**
 * The optional policy of issue 14 (RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS = N): after a catalog reconciliation run,
 * the pending findings of kind personal_baja whose baja has lasted at least N days are accepted, and their 5.5 case
 * opened, through ReconciliationReview.accept and the same opener a person's acceptance uses; `decididoPor` records the
 * policy («política de bloqueo automático (N días de baja)»), never a person. Idempotent: the acceptance claims each
 * finding pendiente → aceptado, so a second run finds nothing to accept, and the opener refuses a second block of an
 * account while one is under way. A finding a person rejected is never accepted (it is no longer pending).
 *
 * Only personal_baja: Capital Humano itself says the holder left (a worker row with activo = 0), which is what the
 * policy is about. personal_sin_catalogo (the worker is missing, which may be a bad or partial export), the school
 * kinds (a school's closure is not a person's baja), responsable_baja (5.4 reassigns, it needs a person to name the
 * new responsible) and the directory's kinds (drift between two systems: someone must look at which side is right)
 * always wait for a person.
 *
 * Days of baja: the catalog stores no date of baja (a worker row only has `activo` and the last import that saw it),
 * so the baja is counted from the first reconciliation that saw it: the finding's `detectado_at`, which a run keeps
 * while the fact holds (a finding is raised once per fact, and a worker who comes back closes it: a later baja starts
 * a new count). This counts from the first import that showed the baja, never earlier than the true date.
 */
export async function acceptByPolicy(
  ds: DataSource,
  corridaId: string,
  policy: AutoBlockPolicy,
  now: Date,
): Promise<AutoBlockResult> {
  if (!Number.isInteger(policy.dias) || policy.dias < 1)
    throw new Error(`Reconciliation bug: auto-block policy with ${policy.dias} days`);
  const cutoff = new Date(now.getTime() - policy.dias * DAY_MS);
  const due = await ds
    .getRepository(ConciliacionHallazgo)
    .createQueryBuilder('h')
    .select(['h.id', 'h.direccion'])
    .where('h.tipo = :tipo AND h.accion = :accion AND h.estado = :estado AND h.vigente = :v', {
      tipo: 'personal_baja',
      accion: 'bloquear',
      estado: 'pendiente',
      v: true,
    })
    .andWhere('h.detectadoAt <= :cutoff', { cutoff })
    .orderBy('h.detectadoAt', 'ASC')
    .addOrderBy('h.id', 'ASC')
    .getMany();
  const result: AutoBlockResult = { dias: policy.dias, aceptados: 0, fallidos: [] };
  if (due.length > 0) {
    const accepted = await new ReconciliationReview(ds).accept(
      due.map((h) => h.id),
      politicaBloqueo(policy.dias),
      now,
      policy.open,
    );
    const direccion = new Map(due.map((h) => [h.id, h.direccion]));
    result.aceptados = accepted.opened.length;
    result.fallidos = accepted.failed.map((f) => ({ ...f, direccion: direccion.get(f.hallazgoId) ?? f.hallazgoId }));
  }
  await ds.getRepository(ConciliacionCorrida).update(corridaId, { automaticos: result.aceptados });
  return result;
}
