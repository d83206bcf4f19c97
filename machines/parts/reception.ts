/**
 * Reception of an oficio (5.2.1, 5.3.1, 5.3.2, 5.4, 5.5): the requester sends it, the Subdirección de Sistemas y
 * Servicios Telemáticos receives it and stamps the acuse de recibo (`renderAcuse`), turns it to the Subjefatura de
 * Sistemas, which receives it. The procedures group these acts under different step numbers, so each passes its own.
 *
 * While the oficio is still the Subdirección's (`recepcion`, `turno`), the Subdirección may cancel it (a registration
 * made in error, an oficio for another office): CANCELAR { motivo } ends the case in the `cancel` final state. Once it
 * is turned, the oficio is the Subjefatura's: it receives it and cancels from its own work states (creacion,
 * busqueda, incidente), where it can judge whether the oficio can be served. No guide step: the guide has no
 * cancellation.
 */
import type { ActorRole, GuideStep } from '../types';
import { nos, procedureSetup } from './setup';

export interface ReceptionOptions {
  /** Steps done before the oficio reaches the Subdirección (the request, the oficio itself). */
  solicitud: GuideStep[];
  /** Who may send the oficio through the system (the Subdirección may register a paper one). */
  solicitanteRoles: ActorRole[];
  /** Subdirección: receives the oficio. */
  recibe: GuideStep[];
  /** Subdirección: turns it to the Subjefatura. */
  turna: GuideStep[];
  /** The step whose text says "firma y sella de recibido": the acuse is issued when the oficio is registered. */
  acuse: GuideStep;
  /** Subjefatura: receives it. */
  subjefaturaRecibe: GuideStep[];
  /** The Subjefatura's first working state. */
  next: string;
  /** The final state a cancelled oficio ends in (outcome 'cancelada'). */
  cancel: string;
}

/** CANCELAR by the Subdirección, while the oficio has not left its hands. */
const cancelarPorSubdireccion = (target: string) => ({
  CANCELAR: {
    target,
    actions: 'registrarMotivo' as const,
    meta: { roles: ['subdireccion' as const], label: 'Cancelar el oficio' },
  },
});

/** States `solicitud` (initial) → `recepcion` → `turno` → `recepcionSubjefatura` → `next`; `recepcion`, `turno` ↦ `cancel`. */
export function receptionStates(o: ReceptionOptions) {
  return {
    solicitud: procedureSetup.createStateConfig({
      meta: { pasos: o.solicitud },
      on: {
        SOLICITAR: {
          target: 'recepcion',
          actions: 'registrarSolicitud',
          meta: { roles: o.solicitanteRoles, pasos: nos(o.solicitud), label: 'Enviar oficio' },
        },
      },
    }),
    recepcion: procedureSetup.createStateConfig({
      meta: {
        pasos: o.recibe,
        task: { role: 'subdireccion', title: 'Recibir oficio y emitir acuse de recibo', slaDays: 1 },
      },
      on: {
        RECIBIR_OFICIO: {
          target: 'turno',
          actions: ['registrarRecepcion', { type: 'renderAcuse', params: {} }],
          meta: {
            roles: ['subdireccion'],
            pasos: [...new Set([...nos(o.recibe), o.acuse.no])],
            label: 'Registrar recepción y emitir acuse',
          },
        },
        ...cancelarPorSubdireccion(o.cancel),
      },
    }),
    turno: procedureSetup.createStateConfig({
      meta: {
        pasos: o.turna,
        task: { role: 'subdireccion', title: 'Turnar oficio a la Subjefatura de Sistemas', slaDays: 1 },
      },
      on: {
        TURNAR: {
          target: 'recepcionSubjefatura',
          meta: { roles: ['subdireccion'], pasos: nos(o.turna), label: 'Turnar a la Subjefatura de Sistemas' },
        },
        ...cancelarPorSubdireccion(o.cancel),
      },
    }),
    recepcionSubjefatura: procedureSetup.createStateConfig({
      meta: {
        pasos: o.subjefaturaRecibe,
        task: { role: 'subjefatura', title: 'Recibir oficio turnado', slaDays: 1 },
      },
      on: {
        RECIBIR_TURNO: {
          target: o.next,
          meta: { roles: ['subjefatura'], pasos: nos(o.subjefaturaRecibe), label: 'Recibir oficio' },
        },
      },
    }),
  };
}

/**
 * 5.4 and 5.5 version 3 (issue 14): `solicitud` with a second way in besides the oficio, CONCILIAR { cuentaId,
 * hallazgoId, importacionAt }, sent for the Subjefatura who accepts a reconciliation finding (the engine's start
 * `startWith`). It skips the reception (there is no oficio) and goes to `target`, the Subjefatura's first step.
 */
export function withReconciliationStart(
  solicitud: ReturnType<typeof receptionStates>['solicitud'],
  o: { target: string; label: string; pasos?: GuideStep[] },
) {
  return {
    ...solicitud,
    on: {
      ...solicitud.on,
      CONCILIAR: {
        target: o.target,
        actions: 'registrarConciliacion' as const,
        meta: {
          roles: ['subjefatura' as const],
          label: o.label,
          ...(o.pasos?.length ? { pasos: nos(o.pasos) } : {}),
        },
      },
    },
  };
}
