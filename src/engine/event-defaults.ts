import type { EntityManager } from 'typeorm';
import type { EngineEvent } from './engine.service';

export const EVENT_DEFAULTS = Symbol('EVENT_DEFAULTS');

/** What a case already says about itself, for filling the data an event needs (see EventDefaults). */
export interface DefaultsCase {
  id: string;
  procedureId: string;
  cct: string | null;
  curp: string | null;
}

/**
 * The data an event sent to many cases at once takes from each case when the sender gave none (POST
 * /api/tramites/eventos): the 5.2.1 CREAR_CUENTA of a line of an oficio for many schools takes the school of its case
 * and that school's director from the catalog, as the case page offers them. Unlike EventFacts these are a sender's
 * data: whatever the sender wrote wins, and the machine and payload checks see them as if typed. A DomainError (4xx,
 * Spanish) when the case does not hold them, so that case alone fails.
 */
export interface EventDefaults {
  fill(em: EntityManager, c: DefaultsCase, event: EngineEvent): Promise<EngineEvent>;
}
