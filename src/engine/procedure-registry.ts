import type { AnyStateMachine } from 'xstate';
import type { EventPayload } from '../../machines/parts/payloads';
import type { SearchFields } from '../../machines/parts/search-fields';
import type { ActorRole } from '../../machines/types';
import { DomainError } from '../common/domain-error';

/** What the engine needs of a procedure definition (machines/index.ts provides them). */
export interface EngineProcedure {
  id: string;
  version: number;
  title: string;
  guideSection: string;
  guideVersion: string;
  machine: AnyStateMachine;
  /** Roles that may open a case of this procedure. */
  startRoles: readonly ActorRole[];
  /** The first act, sent right after the initial state when a case opens (e.g. IDENTIFICAR, SOLICITAR). */
  startEvent?: string;
  /** Other first acts a caller may name (`EngineService.start`'s `startWith`), each with the roles that may do it. */
  otherStarts?: Readonly<Partial<Record<string, readonly ActorRole[]>>>;
  /** A case nobody touched for this long gets VENCIMIENTO from the system (IdleCaseExpiry); absent: never. */
  idleExpiryMs?: number;
  /** Where the searchable case columns (CURP, CCT, nivel...) are in the machine's context. */
  searchFields: SearchFields;
  /** What each event carries, by event type; the engine refuses an event without a declaration or that does not fit. */
  eventPayloads: Readonly<Record<string, EventPayload>>;
  /** Declared mapping from the states of an older version, for `npm run cases:migrate`. */
  migrateFrom?: { version: number; stateMap: Record<string, string> };
}

export const PROCEDURE_DEFINITIONS = Symbol('PROCEDURE_DEFINITIONS');

/** All versions of all procedures known to this build, keyed by id and version. */
export class ProcedureRegistry {
  private readonly byKey = new Map<string, EngineProcedure>();

  constructor(readonly definitions: readonly EngineProcedure[]) {
    for (const d of definitions) {
      const key = `${d.id}@${d.version}`;
      if (this.byKey.has(key)) throw new Error(`Procedimiento duplicado en el catálogo: ${key}`);
      this.byKey.set(key, d);
    }
  }

  get(id: string, version: number): EngineProcedure {
    const d = this.byKey.get(`${id}@${version}`);
    if (!d) {
      throw new DomainError(
        'VERSION_DESCONOCIDA',
        `El procedimiento ${id} versión ${version} no está instalado en este servidor.`,
        422,
      );
    }
    return d;
  }

  versions(id: string): EngineProcedure[] {
    return this.definitions.filter((d) => d.id === id).sort((a, b) => a.version - b.version);
  }

  ids(): string[] {
    return [...new Set(this.definitions.map((d) => d.id))];
  }
}
