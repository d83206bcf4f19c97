import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error';
import type { EngineEvent } from '../engine/engine.service';
import type { DefaultsCase, EventDefaults } from '../engine/event-defaults';
import { CatalogRecords } from './catalog-records';

const given = (v: unknown): boolean => typeof v === 'string' && v.trim() !== '';

/**
 * A 5.2.1 CREAR_CUENTA sent to many lines of an oficio at once (see EventDefaults): the school is the one its case was
 * opened for, the director the one the Catálogo de Centros de Trabajo names for it — what the case page offers the
 * Subjefatura to confirm one by one. Derived, not asked for per line, because the Subjefatura selecting 25 schools has
 * no other source for 25 CURPs than that same catalog; a school without a director in the catalog fails alone, with
 * a message that says to give the CURP in that case.
 */
@Injectable()
export class CatalogEventDefaults implements EventDefaults {
  constructor(private readonly records: CatalogRecords) {}

  async fill(em: EntityManager, c: DefaultsCase, event: EngineEvent): Promise<EngineEvent> {
    if (event.type !== 'CREAR_CUENTA' || c.procedureId !== 'centro-trabajo-alta') return event;
    const out: EngineEvent = { tipo: 'centro_trabajo', ...event };
    if (out.tipo !== 'centro_trabajo') return out;
    if (!given(out.cct)) {
      if (!c.cct)
        throw new DomainError(
          'SIN_CCT',
          'Este trámite no indica el centro de trabajo: créelo desde el trámite, indicando la CCT y al director.',
          422,
        );
      out.cct = c.cct;
    }
    if (!given(out.directorCurp)) {
      const centro = await this.records.centro(String(out.cct), em);
      if (!centro?.directorCurp)
        throw new DomainError(
          'SIN_DIRECTOR',
          `El centro de trabajo ${String(out.cct)} no tiene director en el Catálogo de Centros de Trabajo: indique la ` +
            'CURP del director en este trámite.',
          422,
        );
      out.directorCurp = centro.directorCurp;
    }
    return out;
  }
}
