import type { EntityManager } from 'typeorm';
import type { EngineEvent } from './engine.service';

export const EVENT_FACTS = Symbol('EVENT_FACTS');

/**
 * What the database knows that a person's event must carry before it reaches a machine (the machines are pure and
 * never look anything up): whether the school of a 5.2.1 CREAR_CUENTA already has its account, whether a worker is
 * active, whether an account is blocked. Runs inside the transition's transaction, on every path (REST API and pages),
 * so a sender can neither skip a check nor supply a fact: the facts replace whatever the sender wrote in their place.
 */
export interface EventFacts {
  /** The event as the machine must see it, or a DomainError (4xx, Spanish) when the action cannot be done. */
  complete(em: EntityManager, event: EngineEvent): Promise<EngineEvent>;
}
