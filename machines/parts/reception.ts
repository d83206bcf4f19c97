/**
 * Reception of an oficio (5.2.1, 5.3.1, 5.3.2, 5.4, 5.5): the requester sends it, the Subdirección de Sistemas y
 * Servicios Telemáticos receives it and stamps the acuse de recibo (`renderAcuse`), turns it to the Subjefatura de
 * Sistemas, which receives it. The procedures group these acts under different step numbers, so each passes its own.
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
}

/** States `solicitud` (initial) → `recepcion` → `turno` → `recepcionSubjefatura` → `next`. */
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
