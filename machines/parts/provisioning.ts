/**
 * The account work every procedure ends with: the Servicio creates / resets / reassigns / suspends the account
 * (`provision`), then the access data go out by e-mail (`sendCredentials`), and a failure of either becomes an
 * incident the Subjefatura resolves (REINTENTAR re-declares the command with the next attempt number, CANCELAR ends
 * the case). Written once, composed into the eight machines.
 */
import { and } from 'xstate';
import type { CommandParams, GuideStep } from '../types';
import { type AwaitedCommand, type CaseContext, type Outcome, bySistema, outputOf, procedureSetup } from './setup';

export interface ProvisioningOptions {
  /** Guide steps of the state that waits for the Servicio. */
  pasos: GuideStep[];
  /** What to ask the directory for, from the case. */
  provision: (context: CaseContext) => CommandParams['provision'];
  /** Send the access data once the account is ready; absent for a block (nothing to send). */
  credentials?: { to: CommandParams['sendCredentials']['to']; pasos: GuideStep[] };
  /** Tell the holder(s) what happened, without waiting (5.4 previous holder, 5.5 holder). */
  notify?: (context: CaseContext) => CommandParams['notifyHolder'];
  /** 5.2.2: the chosen password has been applied, so it is erased at once. */
  wipeChosenPassword?: boolean;
  /** Where the case goes when the account work is done. */
  next: string;
  /**
   * 5.4 and 5.5 version 3: where a case opened by reconciliation goes instead of `next` (guard
   * `iniciadoPorConciliacion`): nobody sent an oficio, so there is no reply letter to write. Absent: every case goes
   * to `next`.
   */
  porConciliacion?: string;
}

const cuentaIdOf = (context: CaseContext): string => {
  if (!context.cuenta) throw new Error('Machine bug: PROVISION_OK did not leave an account in the case context');
  return context.cuenta.cuentaId;
};

/** States `aprovisionamiento` and (with credentials) `envioCredenciales`. */
export function provisioningStates(o: ProvisioningOptions) {
  const { credentials, notify } = o;
  const afterProvision = credentials ? 'envioCredenciales' : o.next;
  const provisionOk = (target: string) => ({
    target,
    actions: [
      'registrarCuenta' as const,
      ...(notify
        ? [{ type: 'notifyHolder' as const, params: ({ context }: { context: CaseContext }) => notify(context) }]
        : []),
      ...(o.wipeChosenPassword ? [{ type: 'wipeChosenPassword' as const, params: {} }] : []),
    ],
    meta: bySistema('Cuenta lista', o.pasos),
  });
  return {
    aprovisionamiento: procedureSetup.createStateConfig({
      meta: { pasos: o.pasos, awaitsEffect: 'provision' },
      entry: [
        { type: 'contarIntento', params: { command: 'provision' } },
        { type: 'provision', params: ({ context }) => o.provision(context) },
      ],
      on: {
        PROVISION_OK:
          o.porConciliacion && !credentials
            ? [
                { guard: 'iniciadoPorConciliacion' as const, ...provisionOk(o.porConciliacion) },
                provisionOk(afterProvision),
              ]
            : provisionOk(afterProvision),
        PROVISION_ERROR: {
          target: 'incidente',
          actions: { type: 'registrarIncidente', params: { command: 'provision' } },
          meta: bySistema('Falló el servicio de cuentas'),
        },
      },
    }),
    ...(credentials
      ? {
          envioCredenciales: procedureSetup.createStateConfig({
            meta: { pasos: credentials.pasos, awaitsEffect: 'sendCredentials' },
            entry: [
              { type: 'contarIntento', params: { command: 'sendCredentials' } },
              {
                type: 'sendCredentials',
                params: ({ context }) => ({ cuentaId: cuentaIdOf(context), to: credentials.to }),
              },
            ],
            on: {
              CREDENTIALS_SENT: o.porConciliacion
                ? [
                    {
                      guard: 'iniciadoPorConciliacion' as const,
                      target: o.porConciliacion,
                      meta: bySistema('Datos de acceso enviados', credentials.pasos),
                    },
                    { target: o.next, meta: bySistema('Datos de acceso enviados', credentials.pasos) },
                  ]
                : { target: o.next, meta: bySistema('Datos de acceso enviados', credentials.pasos) },
              CREDENTIALS_ERROR: {
                target: 'incidente',
                actions: { type: 'registrarIncidente', params: { command: 'sendCredentials' } },
                meta: bySistema('No se pudieron enviar los datos de acceso'),
              },
            },
          }),
        }
      : {}),
  };
}

/**
 * State `incidente`: an effect failed for good (or the recovery job found it lost). REINTENTAR goes back to the state
 * that declared the failed command, which declares it again with the next attempt number.
 */
export function incidentState(o: {
  retry: Partial<Record<AwaitedCommand, string>>;
  cancel: string;
  /**
   * 5.3.1 version 2: the state that provisions the account again, for CORREGIR_NOMBRE { localPart } on an incident of
   * the Servicio (a taken name, guide 5.3.1 paso 5): the Subjefatura types another name and the case retries with it,
   * instead of a REINTENTAR that fails again or a cancellation.
   */
  correctName?: string;
  /**
   * 5.5 version 3: where the Subjefatura's CANCELAR takes a case opened by reconciliation (guard
   * `iniciadoPorConciliacion`) instead of `cancel`: with no oficio, there is nobody to send a rejection letter to.
   */
  cancelPorConciliacion?: string;
}) {
  const retries = (Object.entries(o.retry) as [AwaitedCommand, string][]).map(([command, target]) => ({
    guard: { type: 'incidenteDe' as const, params: { command } },
    target,
    actions: 'limpiarIncidente' as const,
    meta: { roles: ['subjefatura' as const], label: 'Reintentar' },
  }));
  return procedureSetup.createStateConfig({
    meta: {
      pasos: [],
      incident: true,
      task: { role: 'subjefatura', title: 'Atender incidente del servicio', slaDays: 1, priority: 'alta' },
    },
    on: {
      REINTENTAR: retries,
      ...(o.correctName
        ? {
            CORREGIR_NOMBRE: {
              guard: and([
                { type: 'incidenteDe' as const, params: { command: 'provision' as const } },
                'nombreDistinto' as const,
              ]),
              target: o.correctName,
              actions: ['corregirNombre', 'limpiarIncidente'],
              meta: { roles: ['subjefatura'], label: 'Corregir el nombre de la cuenta y reintentar' },
            },
          }
        : {}),
      ...cancelar(o.cancel, o.cancelPorConciliacion),
    },
  });
}

/** A final state with its outcome; `entry` for what must still be declared on the way out. */
export function finalState(outcome: Outcome, pasos: GuideStep[] = [], entry?: 'wipeChosenPassword') {
  return procedureSetup.createStateConfig({
    type: 'final',
    meta: { pasos },
    output: outputOf(outcome),
    ...(entry ? { entry: { type: entry, params: {} } } : {}),
  });
}

/**
 * CANCELAR from a Subjefatura work state: the oficio cannot be served (no such school, account, worker...).
 * `porConciliacion` (5.4 and 5.5 version 3): where a case opened by reconciliation goes instead (guard
 * `iniciadoPorConciliacion`): with no oficio, there is nobody to send a rejection letter to.
 */
export const cancelar = (target: string, porConciliacion?: string) => {
  const to = (t: string) => ({
    target: t,
    actions: 'registrarMotivo' as const,
    meta: { roles: ['subjefatura' as const], label: 'Cancelar el trámite' },
  });
  return {
    CANCELAR: porConciliacion
      ? [{ guard: 'iniciadoPorConciliacion' as const, ...to(porConciliacion) }, to(target)]
      : to(target),
  };
};
