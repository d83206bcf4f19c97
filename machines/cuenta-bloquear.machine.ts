/**
 * Guía 5.5 — BLOQUEAR CUENTA (any account type).
 *
 * Input: `{ caseId, oficio: { folio, fecha?, asunto? } }` — the interesado's oficio.
 * Events: SOLICITAR { at } (responsable = interesado, or subdireccion for a paper oficio; catalog `startEvent`),
 * RECIBIR_OFICIO { at }, TURNAR, TURNAR_RESPUESTA (subdireccion); RECIBIR_TURNO, BLOQUEAR { cuentaId }, CONFIRMAR,
 * REGRESAR, ENVIAR_RESPUESTA, REINTENTAR, CANCELAR { motivo } (subjefatura); ACUSAR_RECIBO (responsable);
 * PROVISION_OK/ERROR, LETTER_READY/ERROR (sistema).
 * The Subdirección may also send CANCELAR { motivo } while the oficio is in its hands (recepcion, turno).
 * Commands: renderAcuse, provision { op: 'suspend', cuentaId }, notifyHolder { reason: 'block' } (without waiting),
 * renderReplyLetter { outcome: 'bloqueada' }. No credentials: a block has none (correction 5).
 *
 * Corrections 4 (paso 1 asks for a block, not a reassignment), 5 (the reply confirms the block) and 8 (one name for
 * the Responsable del programa, función o servicio).
 *
 * Version 2 (the catalog's current one): the Subjefatura's CANCELAR { motivo } is answered with the signed rejection
 * letter (renderReplyLetter { outcome: 'rechazada' }), delivered and acknowledged like the other replies, and the case
 * ends 'rechazada' (parts/delivery.ts, `Respuesta`). Version 1 ends it 'cancelada' with no letter.
 *
 * Version 3 (issue 14, reconciliation) adds a second way in, and changes nothing of the oficio's: a case may also be
 * opened by CONCILIAR { cuentaId, hallazgoId, importacionAt } (subjefatura; the engine's start `startWith`, never a
 * person's form), sent for the Subjefatura who accepts a reconciliation finding that proposes blocking the account (a
 * worker retired by a full import of Capital Humano, a school the catalog no longer has, an account suspended in the
 * directory and active here). There is no oficio: no reception, no acuse, no turn. Accepting the finding IS the
 * Subjefatura's confirmation (pasos 5-9 are done on the review page: the finding names the account and proposes the
 * block, the page shows what will be blocked and asks for the confirmation, and the Subjefatura confirms by accepting),
 * so the case goes straight to `aprovisionamiento` (paso 10): a second confirmation per case would put one more task
 * per account in the Subjefatura's inbox for a decision already taken, fifty for a retirement of fifty, and would add
 * nothing that "nothing is blocked without a person accepting it" asks for. The block and the holder's notice are
 * the oficio path's; then the case ends 'bloqueada' WITHOUT a reply letter (pasos 11-15: nobody sent an oficio). A
 * provisioning failure is an incident like any other; its CANCELAR ends the case 'cancelada', with no rejection letter
 * either. Every v2 state exists in v3 (migrateFrom version 2).
 */
import { accountActionStates } from './parts/account-action';
import { deliveryStates, type Respuesta, RESPUESTA_AL_RECHAZO, SIN_RESPUESTA_AL_RECHAZO } from './parts/delivery';
import { finalState, incidentState, provisioningStates } from './parts/provisioning';
import { receptionStates, withReconciliationStart } from './parts/reception';
import { initialContext, machineOutput, paso, procedureSetup, required, table } from './parts/setup';

const RESPONSABLE = 'Responsable del programa, función o servicio' as const;
const SUBDIRECCION = 'Subdirección de Sistemas y Servicios Telemáticos' as const;
const SUBJEFATURA = 'Subjefatura de Sistemas' as const;

export const PASOS_5_5 = [
  paso('1', 'Interesado', 'Solicita el bloqueo de cuenta mediante oficio.', { correccion: 4 }),
  paso('2', SUBDIRECCION, 'Recibe oficio.'),
  paso('3', SUBDIRECCION, 'Firma y sella de recibido y entrega oficio a la Subjefatura de Sistemas.'),
  paso('4', SUBJEFATURA, 'Recibe oficio.'),
  paso('5', SUBJEFATURA, 'Accede al sistema mi correo institucional. Del menú lateral selecciona editar una cuenta'),
  paso('6', SUBJEFATURA, 'Busca la cuenta'),
  paso('7', SUBJEFATURA, 'Selecciona bloquear cuenta'),
  paso('8', 'Sistema "Mi correo institucional"', 'Alerta sobre la acción y espera confirmación'),
  paso('9', SUBJEFATURA, 'Confirma la acción'),
  paso('10', 'Servicio', 'Bloquea la cuenta'),
  paso(
    '11',
    SUBJEFATURA,
    'Genera y envía oficio de respuesta que confirma el bloqueo de la cuenta a la Subdirección de Sistemas y ' +
      'Servicios Telemáticos.',
    { correccion: 5 },
  ),
  paso('12', SUBDIRECCION, 'Recibe oficio de respuesta.'),
  paso('13', SUBDIRECCION, 'Envía oficio al área correspondiente.'),
  paso('14', RESPONSABLE, 'Recibe el oficio de respuesta que confirma el bloqueo.', { correccion: [5, 8] }),
  paso('15', RESPONSABLE, 'Firma y sella de recibido.', { correccion: 8 }),
];
const t = table(PASOS_5_5);

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
    id: 'cuenta-bloquear',
    context: ({ input }) => initialContext(input),
    initial: 'solicitud',
    output: machineOutput,
    states: {
      ...reception,
      // Version 3: the start by reconciliation (see the header).
      ...(porConciliacion
        ? {
            solicitud: withReconciliationStart(reception.solicitud, {
              target: 'aprovisionamiento',
              label: 'Bloquear por conciliación',
              pasos: t('5', '6', '7', '9'),
            }),
          }
        : {}),
      ...accountActionStates({
        event: 'BLOQUEAR',
        busqueda: { pasos: t('5', '6', '7'), title: 'Buscar la cuenta a bloquear', label: 'Bloquear cuenta' },
        confirmacion: { pasos: t('8', '9'), title: 'Confirmar el bloqueo de la cuenta', label: 'Confirmar bloqueo' },
        next: 'aprovisionamiento',
        cancel: r.cancel,
      }),
      ...provisioningStates({
        pasos: t('10'),
        provision: (context) => ({ op: 'suspend', cuentaId: required(context.cuenta, 'cuenta').cuentaId }),
        notify: (context) => ({ cuentaId: required(context.cuenta, 'cuenta').cuentaId, reason: 'block' }),
        next: 'oficioRespuesta',
        ...(porConciliacion ? { porConciliacion: 'bloqueada' } : {}),
      }),
      ...deliveryStates({
        outcome: 'bloqueada',
        genera: t('11'),
        envia: [],
        subdireccion: t('12', '13'),
        area: { pasos: t('14', '15') },
        solicitante: 'nivel o área',
        next: 'bloqueada',
        ...(r.rechazo ? { rechazo: r.rechazo } : {}),
      }),
      bloqueada: finalState('bloqueada'),
      incidente: incidentState({
        retry: { provision: 'aprovisionamiento', renderReplyLetter: 'oficioRespuesta' },
        cancel: r.cancel,
        ...(porConciliacion ? { cancelPorConciliacion: 'cancelada' } : {}),
      }),
      cancelada: finalState('cancelada'),
      ...r.states,
    },
  });
};

export const cuentaBloquearV1 = build(SIN_RESPUESTA_AL_RECHAZO);
/** Version 2: an oficio the Subjefatura does not serve is answered with the signed rejection letter. */
export const cuentaBloquearV2 = build(RESPUESTA_AL_RECHAZO);
/** Version 3: the oficio path of v2, and a block opened by reconciliation (CONCILIAR), without a reply letter. */
export const cuentaBloquearV3 = build(RESPUESTA_AL_RECHAZO, true);
