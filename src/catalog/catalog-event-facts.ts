import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CuentaRef } from '../../machines/parts/setup';
import type { EngineEvent } from '../engine/engine.service';
import type { EventFacts } from '../engine/event-facts';
import { requireActiveWorker, requireNotBlocked } from './account-rules';
import { Cuenta } from './entities/cuenta.entity';
import { Trabajador } from './entities/trabajador.entity';

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
        // Guía 5.3.1: a Servicio or Función account is for an active worker.
        if (event.tipo === 'servicio' || event.tipo === 'funcion')
          requireActiveWorker(await this.worker(em, event.curp), text(event.curp), 'crear');
        return event;
      case 'REASIGNAR':
        // Guía 5.4: the new holder must be an active worker too.
        requireActiveWorker(await this.worker(em, event.newCurp), text(event.newCurp), 'reasignar');
        return event;
      case 'RESTABLECER': {
        const cuenta = await em.findOne(Cuenta, { where: { id: text(event.cuentaId) } });
        if (cuenta) requireNotBlocked(cuenta);
        return event;
      }
      default:
        return event;
    }
  }

  private worker(em: EntityManager, curp: unknown): Promise<Trabajador | null> {
    return em.findOne(Trabajador, { where: { curp: text(curp) } });
  }
}
