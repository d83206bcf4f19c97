import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor } from '../../auth/actor';
import { DomainError } from '../../common/domain-error';
import { dateFromRaw } from '../../database/raw-date';
import { CaseRecords } from '../../engine/case-records';
import { EngineService } from '../../engine/engine.service';
import { type ConciliacionHallazgo, TIPOS_HALLAZGO_CATALOGO } from '../entities/conciliacion.entity';
import { Cuenta } from '../entities/cuenta.entity';
import { isPolicyDecision, POLITICA_BLOQUEO } from './auto-block';
import { TIPO_HALLAZGO_LABEL } from './catalog-reconciliation';
import type { CaseOpener } from './review';

/**
 * What the reconciliation start records as the case's input (the «(inicio)» movement, shown on the case page as the
 * data of «Inicio del trámite»): where the case comes from, in Spanish, with the finding's id and the import.
 */
export interface InicioPorConciliacion {
  origen: 'Conciliación con los catálogos' | 'Conciliación con el directorio';
  hallazgoId: string;
  /** The finding's kind as people read it (TIPO_HALLAZGO_LABEL). */
  hallazgo: string;
  direccion: string;
  /** The import the finding is based on (ISO, UTC); null for a finding of the directory or of a run on demand. */
  importacionAt: string | null;
  /**
   * Only when the automatic blocking policy accepted the finding (auto-block.ts): «política de bloqueo automático
   * (N días de baja)», and since when the baja counts (the finding's first detection, ISO, UTC).
   */
  aceptadoPor?: string;
  bajaDesde?: string;
}

/** The procedure each proposal opens: 5.5 bloquear, 5.4 reasignar. */
const PROCEDURE_OF: Partial<Record<ConciliacionHallazgo['accion'], 'cuenta-bloquear' | 'cuenta-reasignar'>> = {
  bloquear: 'cuenta-bloquear',
  reasignar: 'cuenta-reasignar',
};

/** The import a finding's evidence names (catalog findings), as ISO whatever dialect wrote it. */
const isCatalogFinding = (finding: ConciliacionHallazgo): boolean =>
  (TIPOS_HALLAZGO_CATALOGO as readonly string[]).includes(finding.tipo);

function importOf(finding: ConciliacionHallazgo): string | null {
  if (!isCatalogFinding(finding)) return null;
  let raw: unknown;
  try {
    raw = (JSON.parse(finding.evidencia) as { importacion?: unknown }).importacion;
  } catch {
    return null;
  }
  return typeof raw === 'string' && raw ? dateFromRaw(raw).toISOString() : null;
}

/**
 * Opens the guide's procedure an accepted reconciliation finding proposes (issue 14), inside the acceptance's
 * transaction: `review.accept(ids, actorId, now, opener.open)`. Nothing is blocked without a person accepting it: the
 * case's actor is the Subjefatura user who accepted the finding (`decididoPor`, set by the claim), and its first
 * movement says it was opened by reconciliation, with the finding and the import as its basis. The one exception is
 * the optional automatic blocking policy (auto-block.ts), which accepts through this same opener under its own name.
 *
 * - bloquear: 5.5 (cuenta-bloquear, version 3) opened with CONCILIAR { cuentaId, hallazgoId, importacionAt }: no
 *   oficio, straight to the Servicio's block (accepting is the confirmation), the holder notified, ended 'bloqueada'
 *   without a reply letter.
 * - reasignar (a Servicio or Función account whose responsible left): 5.4 (cuenta-reasignar, version 3) opened with
 *   the same CONCILIAR, in the Subjefatura's own step (`busqueda`, a task in its inbox): the finding does not know who
 *   keeps the account, so the Subjefatura names the worker, confirms, and the case goes on as the oficio path does,
 *   ending 'reasignada' without a reply letter.
 * Anything else (a finding that proposes only a look) is refused with a Spanish 422, and so is an account no longer
 * in the system or no longer active: the finding stays pending (review.ts).
 */
@Injectable()
export class ReconciliationCaseOpener {
  constructor(
    private readonly engine: EngineService,
    private readonly cases: CaseRecords,
  ) {}

  /** A `CaseOpener`: bound, so it can be passed as it is. Returns the case id. */
  readonly open: CaseOpener = async (em: EntityManager, finding: ConciliacionHallazgo): Promise<string> => {
    const procedure = PROCEDURE_OF[finding.accion];
    if (!procedure) {
      throw new DomainError(
        'HALLAZGO_SIN_TRAMITE',
        `El hallazgo de ${finding.direccion} no propone un trámite de la guía; revíselo y rechácelo con su motivo.`,
        422,
      );
    }
    if (!finding.decididoPor) throw new Error('Reconciliation bug: an accepted finding without who accepted it');
    const cuenta = finding.cuentaId ? await em.findOne(Cuenta, { where: { id: finding.cuentaId } }) : null;
    if (!cuenta) {
      throw new DomainError(
        'CUENTA_DESCONOCIDA',
        `La cuenta ${finding.direccion} ya no está en el sistema; el hallazgo sigue pendiente hasta la próxima conciliación.`,
        422,
      );
    }
    if (cuenta.estado !== 'activa') {
      throw new DomainError(
        'CUENTA_NO_ACTIVA',
        `La cuenta ${cuenta.direccion} ya no está activa (está ${cuenta.estado}); no se abre el trámite.`,
        422,
      );
    }
    // One block or reassignment of an account at a time: one already under way (an oficio's, or an earlier finding's
    // whose fact came back) decides it; a second case would block or reassign it twice.
    const enCurso = await this.cases.openForAccount(Object.values(PROCEDURE_OF), cuenta.id, em);
    if (enCurso) {
      throw new DomainError(
        'TRAMITE_EN_CURSO',
        `La cuenta ${cuenta.direccion} ya tiene un trámite de bloqueo o reasignación en curso; el hallazgo sigue ` +
          'pendiente hasta que ese trámite termine.',
        409,
        { caseId: enCurso },
      );
    }
    const importacionAt = importOf(finding);
    // The policy acts on the Subjefatura's behalf (CONCILIAR is the Subjefatura's start) under its own name, never a
    // person's: the case's actor is «política de bloqueo automático» (it fits the case's 36-character startedBy), and
    // its first movement says which policy (its days) and since when the baja counts.
    const porPolitica = isPolicyDecision(finding.decididoPor);
    const actor: Actor = porPolitica
      ? { id: POLITICA_BLOQUEO, role: 'subjefatura', nombre: finding.decididoPor }
      : { id: finding.decididoPor, role: 'subjefatura' };
    const input: InicioPorConciliacion = {
      origen: isCatalogFinding(finding) ? 'Conciliación con los catálogos' : 'Conciliación con el directorio',
      hallazgoId: finding.id,
      hallazgo: TIPO_HALLAZGO_LABEL[finding.tipo],
      direccion: cuenta.direccion,
      importacionAt,
      ...(porPolitica ? { aceptadoPor: finding.decididoPor, bajaDesde: finding.detectadoAt.toISOString() } : {}),
    };
    const started = await this.engine.start(
      procedure,
      actor,
      { ...input },
      {
        startWith: 'CONCILIAR',
        startEvent: { cuentaId: cuenta.id, hallazgoId: finding.id, importacionAt },
        ...(finding.decididoAt ? { now: finding.decididoAt } : {}),
        em,
      },
    );
    return started.caseId;
  };
}
