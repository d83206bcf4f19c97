/**
 * The worker's self-service (5.1.1 and 5.1.2, pasos 1-14): CURP + CURT, validation, the worker's data, the
 * alternate e-mail check and the confirmation. The two procedures differ only in their texts and in which account
 * situation stops them (5.1.1: the worker already has an account; 5.1.2: the worker has none).
 *
 * The lookup is not the machine's job: the service asks Capital Humano and the directory, then sends IDENTIFICAR with
 * what it found. The decisions ("¿Los datos son correctos?", "¿Cuenta con un correo electrónico alterno?") are
 * eventless states, so each guide step keeps a state of its own; a snapshot never rests in them.
 */
import type { GuideStep } from '../types';
import { finalState } from './provisioning';
import { nos, procedureSetup } from './setup';

/** A CURP/CURT pair that fails this many times ends the case: it slows down guessing (the API also rate-limits). */
export const MAX_INTENTOS_IDENTIFICACION = 3;

export interface SelfServiceOptions {
  /** Steps 1-2 (option chosen, CURP and CURT typed). */
  captura: GuideStep[];
  /** Steps 3-4 (validation, decision). */
  validacion: GuideStep[];
  /** Steps 5-6 (inconsistency shown, back to step 2). */
  inconsistencia: GuideStep[];
  /** Steps 7-9 (worker's data shown, alternate e-mail evaluated, decision). */
  evaluacion: GuideStep[];
  /** Steps 10-11 (no alternate e-mail: instructions, close). */
  sinCorreoAlterno: GuideStep[];
  /** Steps 12-13 (confirmation prepared, worker confirms?). */
  confirmacion: GuideStep[];
  /** Step 14 (not confirmed: close). */
  noConfirmada: GuideStep[];
  /** Step 15: what CONFIRMAR starts. */
  consume: GuideStep[];
  /** 5.1.1 stops a worker who already has an account (`cuentaExistente`); 5.1.2 one who has none (`sinCuenta`). */
  cuenta: 'debe_no_existir' | 'debe_existir';
  /** The provisioning state (from provisioningStates). */
  next: string;
}

/** The engine schedules VENCIMIENTO for a self-service case nobody finishes, so it does not stay open forever. */
const vencimiento = {
  VENCIMIENTO: {
    target: 'expirada',
    meta: { roles: ['sistema' as const], label: 'Autoservicio abandonado' },
  },
};

const identificar = (pasos: GuideStep[]) => ({
  IDENTIFICAR: {
    target: 'validacion',
    actions: 'registrarIdentidad' as const,
    meta: { roles: ['trabajador' as const], pasos: nos(pasos), label: 'Continuar' },
  },
});

/**
 * States `identificacion` (initial) → `validacion` → (`inconsistencia` ↺ | `datosIncorrectos`) → `evaluacion` →
 * (`cuentaExistente` | `sinCuenta` | `cuentaBloqueada` | `sinCorreoAlterno` | `confirmacion`) → (`noConfirmada` |
 * `next`), plus `expirada`. `cuentaBloqueada` is 5.1.2's only.
 */
export function selfServiceStates(o: SelfServiceOptions) {
  const stop =
    o.cuenta === 'debe_no_existir'
      ? { state: 'cuentaExistente', existe: true, outcome: 'cuenta_existente' as const }
      : { state: 'sinCuenta', existe: false, outcome: 'sin_cuenta' as const };
  return {
    identificacion: procedureSetup.createStateConfig({
      meta: { pasos: o.captura },
      on: { ...identificar(o.captura), ...vencimiento },
    }),
    validacion: procedureSetup.createStateConfig({
      meta: { pasos: o.validacion },
      always: [
        { guard: 'identidadValida', target: 'evaluacion' },
        {
          guard: { type: 'ultimoIntento', params: { max: MAX_INTENTOS_IDENTIFICACION } },
          target: 'datosIncorrectos',
          actions: 'contarIdentificacionFallida',
        },
        { target: 'inconsistencia', actions: 'contarIdentificacionFallida' },
      ],
    }),
    // Paso 6 "Regresa a la actividad No. 2": the form is shown again with the warning, so IDENTIFICAR is accepted here.
    inconsistencia: procedureSetup.createStateConfig({
      meta: { pasos: o.inconsistencia },
      on: { ...identificar(o.captura), ...vencimiento },
    }),
    datosIncorrectos: finalState('datos_incorrectos'),
    evaluacion: procedureSetup.createStateConfig({
      meta: { pasos: o.evaluacion },
      always: [
        { guard: { type: 'cuentaPersonal', params: { existe: stop.existe } }, target: stop.state },
        // 5.1.2: a blocked account cannot be reset; the worker is told so and whom to ask, nothing is sent.
        ...(o.cuenta === 'debe_existir'
          ? [{ guard: 'cuentaPersonalBloqueada' as const, target: 'cuentaBloqueada' }]
          : []),
        { guard: 'tieneCorreoAlterno', target: 'confirmacion' },
        { target: 'sinCorreoAlterno' },
      ],
    }),
    [stop.state]: finalState(stop.outcome),
    ...(o.cuenta === 'debe_existir' ? { cuentaBloqueada: finalState('cuenta_bloqueada') } : {}),
    sinCorreoAlterno: finalState('sin_correo_alterno', o.sinCorreoAlterno),
    confirmacion: procedureSetup.createStateConfig({
      meta: { pasos: o.confirmacion },
      on: {
        CONFIRMAR: {
          target: o.next,
          meta: {
            roles: ['trabajador'],
            pasos: nos([...o.confirmacion.slice(-1), ...o.consume]),
            label: 'Confirmar',
          },
        },
        NO_CONFIRMAR: {
          target: 'noConfirmada',
          meta: {
            roles: ['trabajador'],
            pasos: nos([...o.confirmacion.slice(-1), ...o.noConfirmada]),
            label: 'No confirmar',
          },
        },
        ...vencimiento,
      },
    }),
    noConfirmada: finalState('no_confirmada', o.noConfirmada),
    expirada: finalState('expirada'),
  };
}
