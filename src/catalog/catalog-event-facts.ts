import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CuentaRef } from '../../machines/parts/setup';
import type { EngineEvent } from '../engine/engine.service';
import type { EventFacts } from '../engine/event-facts';
import { Cuenta } from './entities/cuenta.entity';

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The facts of the Subjefatura's account events, from the accounts table and Capital Humano (see EventFacts). */
@Injectable()
export class CatalogEventFacts implements EventFacts {
  async complete(em: EntityManager, event: EngineEvent): Promise<EngineEvent> {
    switch (event.type) {
      case 'CREAR_CUENTA':
        if (event.tipo === 'centro_trabajo') {
          // Guía 5.2.1 (correction 14): a school has one account; the case learns it has one and answers with it.
          const cuenta = await em.findOne(Cuenta, { where: { tipo: 'centro_trabajo', titularCct: text(event.cct) } });
          const cuentaExistente: CuentaRef | null = cuenta ? { cuentaId: cuenta.id, address: cuenta.direccion } : null;
          return { ...event, cuentaExistente };
        }
        return event;
      default:
        return event;
    }
  }
}
