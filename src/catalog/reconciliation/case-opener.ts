import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../common/domain-error';
import { EngineService } from '../../engine/engine.service';
import type { ConciliacionHallazgo } from '../entities/conciliacion.entity';
import type { CaseOpener } from './review';

/**
 * Opens the guide's procedure an accepted reconciliation finding proposes (issue 14), inside the acceptance's
 * transaction: `review.accept(ids, actorId, now, opener.open)`.
 */
@Injectable()
export class ReconciliationCaseOpener {
  constructor(private readonly engine: EngineService) {}

  /** A `CaseOpener`: bound, so it can be passed as it is. */
  readonly open: CaseOpener = async (_em: EntityManager, finding: ConciliacionHallazgo): Promise<string> => {
    void this.engine;
    throw new DomainError(
      'CONCILIACION_SIN_TRAMITE',
      `Aún no se puede abrir el trámite del hallazgo ${finding.id}; sigue pendiente.`,
      422,
    );
  };
}
