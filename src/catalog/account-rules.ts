/**
 * What the guide requires of an account before the Servicio may act on it, checked twice: when the Subjefatura asks
 * (src/catalog/catalog-event-facts.ts, a Spanish 422 at that step) and again by the provisioning processor, so that
 * nothing that reached the outbox another way changes an account nobody may change.
 */
import { DomainError } from '../common/domain-error';
import type { Cuenta } from './entities/cuenta.entity';
import type { Trabajador } from './entities/trabajador.entity';

/** Who the Subdirección is, for the messages that send people to it. */
const SUBDIRECCION = 'Subdirección de Sistemas y Servicios Telemáticos';

/** Guía 5.3.1 and 5.4: a Servicio or Función account is held by an active worker of Capital Humano. */
export function requireActiveWorker(t: Trabajador | null, curp: string, para: 'crear' | 'reasignar'): Trabajador {
  if (!t)
    throw new DomainError(
      'TRABAJADOR_DESCONOCIDO',
      `No hay un trabajador con CURP ${curp} en el catálogo de Capital Humano.`,
      422,
    );
  if (!t.activo) {
    const accion = para === 'crear' ? 'Una cuenta de Servicio o Función solo se crea' : 'Una cuenta solo se reasigna';
    throw new DomainError(
      'TRABAJADOR_INACTIVO',
      `El trabajador con CURP ${curp} no está activo en Capital Humano. ${accion} para un trabajador activo: verifique la ` +
        'CURP o pida a Capital Humano que actualice su estatus.',
      422,
    );
  }
  return t;
}

/** A blocked account (5.5) keeps its password: a reset would mail a link that cannot work. */
export function requireNotBlocked(cuenta: Pick<Cuenta, 'direccion' | 'estado'>): void {
  if (cuenta.estado === 'bloqueada') {
    throw new DomainError(
      'CUENTA_BLOQUEADA',
      `La cuenta ${cuenta.direccion} está bloqueada: no se puede restablecer su contraseña. Su desbloqueo se solicita ` +
        `mediante oficio a la ${SUBDIRECCION}.`,
      422,
    );
  }
}
