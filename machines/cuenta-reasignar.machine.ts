/**
 * Guía 5.4 — REASIGNAR CUENTA (any account type).
 *
 * Input: `{ caseId, oficio: { folio, fecha?, asunto? } }` — the interesado's oficio.
 * Events: SOLICITAR { at } (responsable = interesado, or subdireccion for a paper oficio; catalog `startEvent`),
 * RECIBIR_OFICIO { at }, TURNAR, TURNAR_RESPUESTA (subdireccion); RECIBIR_TURNO, REASIGNAR { cuentaId, newCurp,
 * previousCurp } (the account found, the worker who keeps it and the holder it had), CONFIRMAR, REGRESAR,
 * ENVIAR_RESPUESTA, REINTENTAR, CANCELAR { motivo } (subjefatura); ACUSAR_RECIBO (responsable); PROVISION_OK/ERROR,
 * CREDENTIALS_SENT/ERROR, LETTER_READY/ERROR (sistema).
 * The Subdirección may also send CANCELAR { motivo } while the oficio is in its hands (recepcion, turno).
 * Commands: renderAcuse, provision { op: 'reassign', cuentaId, newCurp }, notifyHolder { reason: 'reassign',
 * previousCurp } (the previous holder, without waiting), sendCredentials { to: 'correo_alterno' } (the new holder),
 * renderReplyLetter { outcome: 'reasignada' }.
 *
 * Correction 9: the reassignment revokes the previous holder's access (the provider sets a new password) and both
 * holders are in the movement log (REASIGNAR carries both CURPs).
 * Correction 11: the new holder's mail carries the address and a single-use link (paso 11); the reply letter carries
 * the address and where the link went (pasos 12, 15), never a password.
 *
 * Version 2 (the catalog's current one): the Subjefatura's CANCELAR { motivo } is answered with the signed rejection
 * letter (renderReplyLetter { outcome: 'rechazada' }), delivered and acknowledged like the other replies, and the case
 * ends 'rechazada' (parts/delivery.ts, `Respuesta`). Version 1 ends it 'cancelada' with no letter.
 *
 * Version 3 (issue 14, reconciliation) adds a second way in, and changes nothing of the oficio's: a case may also be
 * opened by CONCILIAR { cuentaId, hallazgoId, importacionAt } (subjefatura; the engine's start `startWith`), sent for
 * the Subjefatura who accepts a reconciliation finding that proposes reassigning a Servicio or Función account whose
 * responsible worker is no longer active. There is no oficio: no reception, acuse or turn. Unlike a block, accepting
 * the finding cannot be the whole decision: the finding does not know who keeps the account. So the case opens in
 * the Subjefatura's own step, `busqueda` (pasos 5-8: the account, and the worker who keeps it), with its task in the
 * inbox, and goes on as the oficio path does (the system's confirmation, the Subjefatura confirms, the Servicio
 * reassigns and e-mails the new holder, the previous one is told), then ends 'reasignada' WITHOUT a reply letter
 * (pasos 12-16: nobody sent an oficio). A CANCELAR (from the search or an incident) ends it 'cancelada', with no
 * rejection letter either. Every v2 state exists in v3 (migrateFrom version 2).
 */
import { accountActionStates } from './parts/account-action';
import { deliveryStates, type Respuesta, RESPUESTA_AL_RECHAZO, SIN_RESPUESTA_AL_RECHAZO } from './parts/delivery';
import { finalState, incidentState, provisioningStates } from './parts/provisioning';
import { receptionStates, withReconciliationStart } from './parts/reception';
import { initialContext, machineOutput, paso, procedureSetup, required, table } from './parts/setup';

const SUBDIRECCION = 'Subdirección de Sistemas y Servicios Telemáticos' as const;
const SUBJEFATURA = 'Subjefatura de Sistemas' as const;

export const PASOS_5_4 = [
  paso('1', 'Interesado', 'Solicita de reasignación de cuenta mediante oficio.'),
  paso('2', SUBDIRECCION, 'Recibe oficio.'),
  paso('3', SUBDIRECCION, 'Firma y sella de recibido y entrega oficio a la Subjefatura de Sistemas.'),
  paso('4', SUBJEFATURA, 'Recibe oficio.'),
  paso('5', SUBJEFATURA, 'Accede al sistema mi correo institucional. Del menú lateral selecciona editar una cuenta'),
  paso('6', SUBJEFATURA, 'Busca la cuenta'),
  paso('7', SUBJEFATURA, 'Selecciona reasignar cuenta'),
  paso('8', SUBJEFATURA, 'Busca a trabajador que se quedará con esta cuenta'),
  paso('9', 'Sistema "Mi correo institucional"', 'Despliega botón de "Confirmar reasignación"'),
  paso('10', SUBJEFATURA, 'Confirma la acción'),
  paso(
    '11',
    'Servicio',
    'Reasigna la cuenta, revoca el acceso del titular anterior con una nueva contraseña y envía la dirección de la ' +
      'cuenta y un enlace de un solo uso (válido 24 horas) para establecer la contraseña al correo electrónico ' +
      'alterno del trabajador',
    { correccion: [9, 11] },
  ),
  paso(
    '12',
    SUBJEFATURA,
    'Genera y envía a la Subdirección de Sistemas y Servicios Telemáticos oficio de respuesta con la dirección de la ' +
      'cuenta y el correo electrónico al que se envió el enlace para establecer la contraseña.',
    { correccion: 11 },
  ),
  paso('13', SUBDIRECCION, 'Recibe oficio de respuesta.'),
  paso('14', SUBDIRECCION, 'Envía oficio al área correspondiente.'),
  paso(
    '15',
    'Interesado',
    'Recibe el oficio con la dirección de la cuenta y el correo electrónico al que se envió el enlace para establecer ' +
      'la contraseña.',
    { correccion: 11 },
  ),
  paso('16', 'Interesado', 'Firma y sella de recibido.'),
];
const t = table(PASOS_5_4);

const build = (r: Respuesta, porConciliacion = false) => {
  const reception = receptionStates({
    solicitud: t('1'),
    solicitanteRoles: ['responsable', 'subdireccion'],
    recibe: t('2'),
    acuse: t('3')[0],
    turna: t('3'),
    subjefaturaRecibe: t('4'),
    next: 'busqueda',
    cancel: 'cancelada',
  });
  return procedureSetup.createMachine({
    id: 'cuenta-reasignar',
    context: ({ input }) => initialContext(input),
    initial: 'solicitud',
    output: machineOutput,
    states: {
      ...reception,
      // Version 3: the start by reconciliation (see the header).
      ...(porConciliacion
        ? {
            solicitud: withReconciliationStart(reception.solicitud, {
              target: 'busqueda',
              label: 'Reasignar por conciliación',
            }),
          }
        : {}),
      ...accountActionStates({
        event: 'REASIGNAR',
        busqueda: {
          pasos: t('5', '6', '7', '8'),
          title: 'Buscar la cuenta y al trabajador que se quedará con ella',
          label: 'Reasignar cuenta',
        },
        confirmacion: { pasos: t('9', '10'), title: 'Confirmar la reasignación', label: 'Confirmar reasignación' },
        next: 'aprovisionamiento',
        cancel: r.cancel,
        ...(porConciliacion ? { cancelPorConciliacion: 'cancelada' } : {}),
      }),
      ...provisioningStates({
        pasos: t('11'),
        provision: (context) => ({
          op: 'reassign',
          cuentaId: required(context.cuenta, 'cuenta').cuentaId,
          newCurp: required(context.reasignacion, 'reasignacion').newCurp,
        }),
        notify: (context) => ({
          cuentaId: required(context.cuenta, 'cuenta').cuentaId,
          reason: 'reassign',
          ...(context.reasignacion?.previousCurp ? { previousCurp: context.reasignacion.previousCurp } : {}),
        }),
        credentials: { to: 'correo_alterno', pasos: [] },
        next: 'oficioRespuesta',
        ...(porConciliacion ? { porConciliacion: 'reasignada' } : {}),
      }),
      ...deliveryStates({
        outcome: 'reasignada',
        genera: t('12'),
        envia: [],
        subdireccion: t('13', '14'),
        area: { pasos: t('15', '16') },
        solicitante: 'nivel o área',
        next: 'reasignada',
        ...(r.rechazo ? { rechazo: r.rechazo } : {}),
      }),
      reasignada: finalState('reasignada'),
      incidente: incidentState({
        retry: {
          provision: 'aprovisionamiento',
          sendCredentials: 'envioCredenciales',
          renderReplyLetter: 'oficioRespuesta',
        },
        cancel: r.cancel,
        ...(porConciliacion ? { cancelPorConciliacion: 'cancelada' } : {}),
      }),
      cancelada: finalState('cancelada'),
      ...r.states,
    },
  });
};

export const cuentaReasignarV1 = build(SIN_RESPUESTA_AL_RECHAZO);
/** Version 2: an oficio the Subjefatura does not serve is answered with the signed rejection letter. */
export const cuentaReasignarV2 = build(RESPUESTA_AL_RECHAZO);
/** Version 3: the oficio path of v2, and a reassignment opened by reconciliation (CONCILIAR), without a reply letter. */
export const cuentaReasignarV3 = build(RESPUESTA_AL_RECHAZO, true);
