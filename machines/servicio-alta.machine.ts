/**
 * Guía 5.3.1 — PROGRAMA, FUNCIÓN O SERVICIO: Solicitud de nuevo correo institucional.
 *
 * Input: `{ caseId, oficio: { folio, fecha?, asunto? } }` — the responsable's oficio.
 * Events: SOLICITAR { at } (responsable, or subdireccion for a paper oficio; catalog `startEvent`), RECIBIR_OFICIO
 * { at }, TURNAR, TURNAR_RESPUESTA (subdireccion); RECIBIR_TURNO, CREAR_CUENTA { tipo: 'servicio' | 'funcion', curp,
 * localPart } (the worker who will hold it and the account name "sin dominio"), ENVIAR_RESPUESTA, REINTENTAR, CANCELAR
 * { motivo } (subjefatura); ACUSAR_RECIBO (responsable); PROVISION_OK/ERROR, CREDENTIALS_SENT/ERROR,
 * LETTER_READY/ERROR (sistema).
 * The Subdirección may also send CANCELAR { motivo } while the oficio is in its hands (recepcion, turno).
 * Commands: renderAcuse, provision { op: 'create', tipo, curp, localPart }, sendCredentials { to: 'correo_alterno' },
 * renderReplyLetter { outcome: 'creada' }.
 *
 * Correction 7: paso 6 has two responsables; the Servicio's part is "6a" and runs first, since the reply letter
 * carries the access data of an account that must already exist (as correction 6 says for 5.2.1).
 * Correction 8: "Responsable del programa, fondo o servicio" is the Responsable del programa, función o servicio.
 * Correction 11: the worker's mail carries the address and a single-use link (6a); the reply letter carries the
 * address and where the link went (6, 9), never a password.
 *
 * Version 2 (the catalog's current one): the Subjefatura's CANCELAR { motivo } is answered with the signed rejection
 * letter (renderReplyLetter { outcome: 'rechazada' }), delivered and acknowledged like the other replies, and the case
 * ends 'rechazada' (parts/delivery.ts, `Respuesta`). Version 1 ends it 'cancelada' with no letter.
 */
import { deliveryStates, type Respuesta, RESPUESTA_AL_RECHAZO, SIN_RESPUESTA_AL_RECHAZO } from './parts/delivery';
import { cancelar, finalState, incidentState, provisioningStates } from './parts/provisioning';
import { receptionStates } from './parts/reception';
import { initialContext, machineOutput, nos, paso, procedureSetup, required, table } from './parts/setup';

const RESPONSABLE = 'Responsable del programa, función o servicio' as const;
const SUBDIRECCION = 'Subdirección de Sistemas y Servicios Telemáticos' as const;
const SUBJEFATURA = 'Subjefatura de Sistemas' as const;

export const PASOS_5_3_1 = [
  paso('1', RESPONSABLE, 'Solicita un nuevo correo mediante oficio.'),
  paso('2', SUBDIRECCION, 'Recibe oficio.'),
  paso('3', SUBDIRECCION, 'Firma y sella de recibido y entrega oficio a la Subjefatura de Sistemas.'),
  paso('4', SUBJEFATURA, 'Recibe oficio.'),
  paso(
    '5',
    SUBJEFATURA,
    'Accede al sistema mi correo institucional. Del menú lateral selecciona crear una cuenta.\n' +
      'De las opciones que se abren selecciona la que necesite "Servicio o función"\n' +
      'Busca al trabajador\n' +
      'Especifique "sin dominio" el nombre de la cuenta y presiona crear cuenta',
  ),
  paso(
    '6a',
    'Servicio',
    'Crea la cuenta y envía la dirección de la cuenta y un enlace de un solo uso (válido 24 horas) para establecer ' +
      'la contraseña al correo electrónico alterno del trabajador',
    { correccion: [7, 11] },
  ),
  paso(
    '6',
    SUBJEFATURA,
    'Genera y envía a la Subdirección de Sistemas y Servicios Telemáticos oficio de respuesta con la dirección de la ' +
      'cuenta y el correo electrónico al que se envió el enlace para establecer la contraseña.',
    { correccion: [7, 11] },
  ),
  paso('7', SUBDIRECCION, 'Recibe oficio de respuesta.'),
  paso('8', SUBDIRECCION, 'Envía oficio al área correspondiente.'),
  paso(
    '9',
    RESPONSABLE,
    'Recibe el oficio con la dirección de la cuenta y el correo electrónico al que se envió el enlace para establecer ' +
      'la contraseña.',
    { correccion: [8, 11] },
  ),
  paso('10', RESPONSABLE, 'Firma y sella de recibido.', { correccion: 8 }),
];
const t = table(PASOS_5_3_1);

const build = (r: Respuesta, corrigeNombre: boolean) =>
  procedureSetup.createMachine({
    id: 'servicio-alta',
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
        next: 'creacion',
        cancel: 'cancelada',
      }),
      creacion: {
        meta: {
          pasos: t('5'),
          task: { role: 'subjefatura', title: 'Crear la cuenta de servicio o función', slaDays: 2 },
        },
        on: {
          CREAR_CUENTA: {
            guard: { type: 'tipoDeCuenta', params: { tipos: ['servicio', 'funcion'] } },
            target: 'aprovisionamiento',
            actions: 'registrarAlta',
            meta: { roles: ['subjefatura'], pasos: nos(t('5')), label: 'Crear cuenta' },
          },
          ...cancelar(r.cancel),
        },
      },
      ...provisioningStates({
        pasos: t('6a'),
        provision: (context) => {
          const alta = required(context.alta, 'alta');
          if (alta.tipo === 'centro_trabajo') throw new Error('Machine bug: alta de centro de trabajo en 5.3.1');
          return { op: 'create', tipo: alta.tipo, curp: alta.curp, localPart: alta.localPart };
        },
        credentials: { to: 'correo_alterno', pasos: [] },
        next: 'oficioRespuesta',
      }),
      ...deliveryStates({
        outcome: 'creada',
        genera: t('6'),
        envia: [],
        subdireccion: t('7', '8'),
        area: { pasos: t('9', '10') },
        solicitante: 'nivel o área',
        next: 'creada',
        ...(r.rechazo ? { rechazo: r.rechazo } : {}),
      }),
      creada: finalState('creada'),
      incidente: incidentState({
        retry: {
          provision: 'aprovisionamiento',
          sendCredentials: 'envioCredenciales',
          renderReplyLetter: 'oficioRespuesta',
        },
        cancel: r.cancel,
        ...(corrigeNombre ? { correctName: 'aprovisionamiento' } : {}),
      }),
      cancelada: finalState('cancelada'),
      ...r.states,
    },
  });

export const servicioAltaV1 = build(SIN_RESPUESTA_AL_RECHAZO, false);
/**
 * Version 2: an oficio the Subjefatura does not serve is answered with the signed rejection letter, and an incident of
 * the Servicio (the name taken) takes CORREGIR_NOMBRE { localPart }: the corrected name is provisioned.
 */
export const servicioAltaV2 = build(RESPUESTA_AL_RECHAZO, true);
