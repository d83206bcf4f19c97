/**
 * Guía 5.3.2 — PROGRAMA, FUNCIÓN O SERVICIO: Restablecer contraseña.
 *
 * Input: `{ caseId, oficio: { folio, fecha?, asunto? } }` — the responsable's oficio.
 * Events: SOLICITAR { at } (responsable, or subdireccion for a paper oficio; catalog `startEvent`), RECIBIR_OFICIO
 * { at }, TURNAR, TURNAR_RESPUESTA (subdireccion); RECIBIR_TURNO, RESTABLECER { cuentaId }, CONFIRMAR, REGRESAR,
 * ENVIAR_RESPUESTA, REINTENTAR, CANCELAR { motivo } (subjefatura); ACUSAR_RECIBO (responsable); PROVISION_OK/ERROR,
 * CREDENTIALS_SENT/ERROR, LETTER_READY/ERROR (sistema).
 * The Subdirección may also send CANCELAR { motivo } while the oficio is in its hands (recepcion, turno).
 * Commands: renderAcuse, provision { op: 'reset', cuentaId }, sendCredentials { to: 'correo_alterno' },
 * renderReplyLetter { outcome: 'restablecida' }.
 *
 * Correction 10: paso 4 "Recibe oficio." sits in the guide's table under the Subdirección's cell, one row before the
 * Subjefatura's name: the sibling tables (5.3.1, 5.4, 5.5) and the flow (the Subdirección has just handed the oficio
 * over in paso 3) say the Subjefatura receives it, so it is the Subjefatura's step here.
 * Correction 11: the worker's mail carries the address and a single-use link (paso 10); the reply letter carries the
 * address and where the link went (pasos 11, 14), never a password.
 *
 * Version 2 (the catalog's current one): the Subjefatura's CANCELAR { motivo } is answered with the signed rejection
 * letter (renderReplyLetter { outcome: 'rechazada' }), delivered and acknowledged like the other replies, and the case
 * ends 'rechazada' (parts/delivery.ts, `Respuesta`). Version 1 ends it 'cancelada' with no letter.
 */
import { accountActionStates } from './parts/account-action';
import { deliveryStates, type Respuesta, RESPUESTA_AL_RECHAZO, SIN_RESPUESTA_AL_RECHAZO } from './parts/delivery';
import { finalState, incidentState, provisioningStates } from './parts/provisioning';
import { receptionStates } from './parts/reception';
import { initialContext, machineOutput, paso, procedureSetup, required, table } from './parts/setup';

const RESPONSABLE = 'Responsable del programa, función o servicio' as const;
const SUBDIRECCION = 'Subdirección de Sistemas y Servicios Telemáticos' as const;
const SUBJEFATURA = 'Subjefatura de Sistemas' as const;

export const PASOS_5_3_2 = [
  paso('1', RESPONSABLE, 'Solicita restablecimiento de contraseña mediante oficio.'),
  paso('2', SUBDIRECCION, 'Recibe oficio.'),
  paso('3', SUBDIRECCION, 'Firma y sella de recibido y entrega oficio a la Subjefatura de Sistemas.'),
  paso('4', SUBJEFATURA, 'Recibe oficio.', { correccion: 10 }),
  paso('5', SUBJEFATURA, 'Accede al sistema mi correo institucional. Del menú lateral selecciona editar una cuenta'),
  paso('6', SUBJEFATURA, 'Busca la cuenta'),
  paso('7', SUBJEFATURA, 'Selecciona restablecer contraseña'),
  paso(
    '8',
    'Sistema "Mi correo institucional"',
    'Alerta sobre el restablecimiento de la contraseña y espera confirmación',
  ),
  paso('9', SUBJEFATURA, 'Confirma la acción'),
  paso(
    '10',
    'Servicio',
    'Restablece la contraseña y envía la dirección de la cuenta y un enlace de un solo uso (válido 24 horas) para ' +
      'establecer una nueva contraseña al correo electrónico alterno del trabajador',
    { correccion: 11 },
  ),
  paso(
    '11',
    SUBJEFATURA,
    'Genera y envía a la Subdirección de Sistemas y Servicios Telemáticos oficio de respuesta con la dirección de la ' +
      'cuenta y el correo electrónico al que se envió el enlace para establecer la nueva contraseña.',
    { correccion: 11 },
  ),
  paso('12', SUBDIRECCION, 'Recibe oficio de respuesta.'),
  paso('13', SUBDIRECCION, 'Envía oficio al área correspondiente.'),
  paso(
    '14',
    RESPONSABLE,
    'Recibe el oficio con la dirección de la cuenta y el correo electrónico al que se envió el enlace para establecer ' +
      'la nueva contraseña.',
    { correccion: [8, 11] },
  ),
  paso('15', RESPONSABLE, 'Firma y sella de recibido.', { correccion: 8 }),
];
const t = table(PASOS_5_3_2);

const build = (r: Respuesta) =>
  procedureSetup.createMachine({
    id: 'servicio-restablecer',
    context: ({ input }) => initialContext(input),
    initial: 'solicitud',
    output: machineOutput,
    states: {
      ...receptionStates({
        solicitud: t('1'),
        solicitanteRoles: ['responsable', 'subdireccion'],
        recibe: t('2'),
        acuse: t('3')[0],
        turna: t('3'),
        subjefaturaRecibe: t('4'),
        next: 'busqueda',
        cancel: 'cancelada',
      }),
      ...accountActionStates({
        event: 'RESTABLECER',
        busqueda: {
          pasos: t('5', '6', '7'),
          title: 'Buscar la cuenta y restablecer su contraseña',
          label: 'Restablecer contraseña',
        },
        confirmacion: {
          pasos: t('8', '9'),
          title: 'Confirmar el restablecimiento de la contraseña',
          label: 'Confirmar',
        },
        next: 'aprovisionamiento',
        cancel: r.cancel,
      }),
      ...provisioningStates({
        pasos: t('10'),
        provision: (context) => ({ op: 'reset', cuentaId: required(context.cuenta, 'cuenta').cuentaId }),
        credentials: { to: 'correo_alterno', pasos: [] },
        next: 'oficioRespuesta',
      }),
      ...deliveryStates({
        outcome: 'restablecida',
        genera: t('11'),
        envia: [],
        subdireccion: t('12', '13'),
        area: { pasos: t('14', '15') },
        solicitante: 'nivel o área',
        next: 'restablecida',
        ...(r.rechazo ? { rechazo: r.rechazo } : {}),
      }),
      restablecida: finalState('restablecida'),
      incidente: incidentState({
        retry: {
          provision: 'aprovisionamiento',
          sendCredentials: 'envioCredenciales',
          renderReplyLetter: 'oficioRespuesta',
        },
        cancel: r.cancel,
      }),
      cancelada: finalState('cancelada'),
      ...r.states,
    },
  });

export const servicioRestablecerV1 = build(SIN_RESPUESTA_AL_RECHAZO);
/** Version 2: an oficio the Subjefatura does not serve is answered with the signed rejection letter. */
export const servicioRestablecerV2 = build(RESPUESTA_AL_RECHAZO);
