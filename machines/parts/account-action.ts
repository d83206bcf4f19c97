/**
 * The Subjefatura's work on an existing account (5.3.2, 5.4, 5.5): edit an account, find it, choose the action
 * (and, to reassign, the worker who keeps it), the system asks for confirmation, the Subjefatura confirms.
 */
import type { GuideStep } from '../types';
import { cancelar } from './provisioning';
import { nos, procedureSetup } from './setup';

export interface AccountActionOptions {
  /** The event that carries the account found (and, for REASIGNAR, the new holder). */
  event: 'RESTABLECER' | 'REASIGNAR' | 'BLOQUEAR';
  busqueda: { pasos: GuideStep[]; title: string; label: string };
  /** The system's alert and the Subjefatura's confirmation. */
  confirmacion: { pasos: GuideStep[]; title: string; label: string };
  /** The provisioning state. */
  next: string;
  cancel: string;
  /** 5.4 version 3: where the CANCELAR of a case opened by reconciliation goes (see `cancelar`). */
  cancelPorConciliacion?: string;
}

/** States `busqueda` → `confirmacion` (↩ `busqueda`) → `next`. */
export function accountActionStates(o: AccountActionOptions) {
  const confirma = o.confirmacion.pasos.filter((p) => p.responsable === 'Subjefatura de Sistemas');
  return {
    busqueda: procedureSetup.createStateConfig({
      meta: { pasos: o.busqueda.pasos, task: { role: 'subjefatura', title: o.busqueda.title, slaDays: 2 } },
      on: {
        [o.event]: {
          target: 'confirmacion',
          actions: 'registrarCuentaSeleccionada' as const,
          meta: { roles: ['subjefatura' as const], pasos: nos(o.busqueda.pasos), label: o.busqueda.label },
        },
        ...cancelar(o.cancel, o.cancelPorConciliacion),
      },
    }),
    confirmacion: procedureSetup.createStateConfig({
      meta: {
        pasos: o.confirmacion.pasos,
        task: { role: 'subjefatura', title: o.confirmacion.title, slaDays: 1 },
      },
      on: {
        CONFIRMAR: {
          target: o.next,
          meta: { roles: ['subjefatura'], pasos: nos(confirma), label: o.confirmacion.label },
        },
        REGRESAR: { target: 'busqueda', meta: { roles: ['subjefatura'], label: 'Regresar' } },
      },
    }),
  };
}
