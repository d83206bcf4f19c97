import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BulkEventsService } from '../engine/bulk-events';
import type { EngineEvent } from '../engine/engine.service';
import type { DefaultsCase, EventDefaults } from '../engine/event-defaults';
import { lineOfCase } from './oficio-batch';

/**
 * A 5.3.1 CREAR_CUENTA sent to many lines of an oficio at once (POST /api/tramites/eventos without `datos`): each
 * case takes what its line of the annex asked for, checked at registration (checkServicioLines): the worker who will
 * hold the account, its type and its name without domain. What the sender gives still wins, case by case. A case that
 * is no line is left as it came, for the machine's payload check to ask for the data.
 */
@Injectable()
export class OficioLineDefaults implements EventDefaults, OnModuleInit {
  constructor(private readonly bulk: BulkEventsService) {}

  onModuleInit(): void {
    this.bulk.addDefaults(this);
  }

  async fill(em: EntityManager, c: DefaultsCase, event: EngineEvent): Promise<EngineEvent> {
    if (event.type !== 'CREAR_CUENTA' || c.procedureId !== 'servicio-alta') return event;
    const line = await lineOfCase(em, c.id);
    if (!line?.curp) return event;
    return { tipo: line.tipoCuenta ?? 'servicio', curp: line.curp, localPart: line.nombreCuenta, ...event };
  }
}
