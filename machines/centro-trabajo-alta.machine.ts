/**
 * Guía 5.2.1 — CENTRO DE TRABAJO: Solicitud y obtención de un nuevo correo electrónico institucional.
 *
 * Input: `{ caseId, oficio: { folio, fecha?, asunto? }, nivel, cct? }` — the Nivel's oficio; `nivel` scopes the
 * Nivel's tasks, `cct` (when the oficio names the school) scopes the school's last task.
 * Events: SOLICITAR { at } (nivel, or subdireccion for a paper oficio; catalog `startEvent`), RECIBIR_OFICIO { at },
 * TURNAR, TURNAR_RESPUESTA (subdireccion); RECIBIR_TURNO, CREAR_CUENTA { tipo: 'centro_trabajo', cct, directorCurp },
 * ENVIAR_RESPUESTA, REINTENTAR, CANCELAR { motivo } (subjefatura); ACUSAR_RECIBO, ENTREGAR_CREDENCIALES (nivel);
 * INICIAR_USO (centro_trabajo); PROVISION_OK/ERROR, CREDENTIALS_SENT/ERROR, LETTER_READY/ERROR (sistema).
 * The Subdirección may also send CANCELAR { motivo } while the oficio is in its hands (recepcion, turno).
 * Commands: renderAcuse, provision { op: 'create', tipo: 'centro_trabajo', cct, curp }, sendCredentials
 * { to: 'director' }, renderReplyLetter { outcome: 'creada' | 'cuenta_existente' }.
 *
 * Correction 6: the Servicio creates the account (paso 10) before the reply letter that carries its access data is
 * generated and sent (pasos 8-9); the step keeps its number.
 * Correction 11: no password travels: the director's mail carries the address and a single-use link (paso 10), the
 * reply letter the address and where the link went (paso 8), and that is what the Nivel tells the school (paso 13).
 * Correction 14: a school has one account. When the engine finds that the school of CREAR_CUENTA already has it
 * (`cuentaExistente`, looked up in the accounts table, never taken from the sender), nothing is created or reset: the
 * reply letter says the account exists and gives its address (outcome 'cuenta_existente'), and the case ends when the
 * Nivel has told the school (paso 13), since the school already uses it. A new password is 5.2.2 / 5.2.3.
 *
 * Version 2 (the catalog's current one): the Subjefatura's CANCELAR { motivo } is answered with the signed rejection
 * letter (renderReplyLetter { outcome: 'rechazada' }), delivered and acknowledged like the other replies, and the case
 * ends 'rechazada' (parts/delivery.ts, `Respuesta`). Version 1 ends it 'cancelada' with no letter.
 */
import { and } from 'xstate';
import { deliveryStates, type Respuesta, RESPUESTA_AL_RECHAZO, SIN_RESPUESTA_AL_RECHAZO } from './parts/delivery';
import { cancelar, finalState, incidentState, provisioningStates } from './parts/provisioning';
import { receptionStates } from './parts/reception';
import { initialContext, machineOutput, nos, paso, procedureSetup, required, table } from './parts/setup';

const SUBDIRECCION = 'Subdirección de Sistemas y Servicios Telemáticos' as const;
const SUBJEFATURA = 'Subjefatura de Sistemas' as const;

export const PASOS_5_2_1 = [
  paso('1', 'Centro de trabajo', 'Solicita al nivel la creación de una cuenta de correo electrónico institucional.'),
  paso(
    '2',
    'Nivel',
    'Elabora oficio correspondiente para solicitar la creación de la cuenta de correo electrónico institucional ' +
      'para el centro de trabajo.',
  ),
  paso('3', SUBDIRECCION, 'Recibe oficio, firma y sella de recibido.'),
  paso('4', SUBDIRECCION, 'Canaliza el oficio a la Subjefatura de Sistemas.'),
  paso('5', SUBJEFATURA, 'Recibe oficio, firma de recibido.'),
  paso('6', SUBJEFATURA, 'Accede al sistema "Mi Correo Institucional"'),
  paso(
    '7',
    SUBJEFATURA,
    'Selecciona la opción "crear una cuenta" del menú lateral, de las opciones que aparecen seleccionar, centro de ' +
      'trabajo. Posteriormente buscar el centro de trabajo y director y crear la cuenta. Si el centro de trabajo ' +
      'ya tiene cuenta, el sistema muestra su dirección y no crea otra ni cambia su contraseña: el oficio de ' +
      'respuesta informa la dirección de la cuenta existente.',
    { correccion: 14 },
  ),
  paso(
    '10',
    'Servicio',
    'Crea la cuenta y envía la dirección de la cuenta y un enlace de un solo uso (válido 24 horas) para establecer ' +
      'la contraseña al correo electrónico del director.',
    { correccion: [6, 11] },
  ),
  paso(
    '8',
    SUBJEFATURA,
    'Genera un oficio de respuesta con la dirección del correo electrónico institucional recién creado y el correo ' +
      'electrónico al que se envió el enlace para establecer la contraseña.',
    { correccion: 11 },
  ),
  paso('9', SUBJEFATURA, 'Envía el oficio a la Subdirección de Sistemas y Servicios Telemáticos.'),
  paso('11', SUBDIRECCION, 'Canaliza el oficio al nivel correspondiente.'),
  paso('12', 'Nivel', 'Recibe oficio, firma y sella de recibido.'),
  paso(
    '13',
    'Nivel',
    'Renvía el oficio o se comunica con la escuela para informarle la dirección de su cuenta y que el enlace para ' +
      'establecer la contraseña se envió al correo electrónico del director.',
    { correccion: 11 },
  ),
  paso('14', 'Centro de trabajo', 'Recibe la información e inicia el uso de su cuenta.'),
];
const t = table(PASOS_5_2_1);
const crear = { roles: ['subjefatura' as const], pasos: nos(t('6', '7')), label: 'Crear cuenta' };
const esCentro = { type: 'tipoDeCuenta' as const, params: { tipos: ['centro_trabajo' as const] } };

const build = (r: Respuesta) =>
  procedureSetup.createMachine({
    id: 'centro-trabajo-alta',
    context: ({ input }) => initialContext(input),
    initial: 'solicitud',
    output: machineOutput,
    states: {
      ...receptionStates({
        solicitud: t('1', '2'),
        solicitanteRoles: ['nivel', 'subdireccion'],
        recibe: t('3'),
        acuse: t('3')[0],
        turna: t('4'),
        subjefaturaRecibe: t('5'),
        next: 'creacion',
        cancel: 'cancelada',
      }),
      creacion: {
        meta: {
          pasos: t('6', '7'),
          task: { role: 'subjefatura', title: 'Crear la cuenta del centro de trabajo', slaDays: 2 },
        },
        on: {
          CREAR_CUENTA: [
            // Correction 14: the school already has its account: straight to the reply that says so.
            {
              guard: and([esCentro, 'cuentaYaExiste']),
              target: 'oficioRespuesta',
              actions: ['registrarAlta', 'registrarCuentaExistente'],
              meta: crear,
            },
            { guard: esCentro, target: 'aprovisionamiento', actions: 'registrarAlta', meta: crear },
          ],
          ...cancelar(r.cancel),
        },
      },
      ...provisioningStates({
        pasos: t('10'),
        provision: (context) => {
          const alta = required(context.alta, 'alta');
          if (alta.tipo !== 'centro_trabajo') throw new Error(`Machine bug: alta de tipo ${alta.tipo} en 5.2.1`);
          return { op: 'create', tipo: 'centro_trabajo', cct: alta.cct, curp: alta.directorCurp };
        },
        credentials: { to: 'director', pasos: [] },
        next: 'oficioRespuesta',
      }),
      ...deliveryStates({
        outcome: (context) => (context.cuentaPrevia ? 'cuenta_existente' : 'creada'),
        genera: t('8'),
        envia: t('9'),
        subdireccion: t('11'),
        area: { pasos: t('12') },
        solicitante: 'nivel',
        escuela: { entrega: t('13'), uso: t('14'), cuentaPrevia: 'cuentaExistente' },
        next: 'creada',
        ...(r.rechazo ? { rechazo: r.rechazo } : {}),
      }),
      creada: finalState('creada'),
      cuentaExistente: finalState('cuenta_existente'),
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

export const centroTrabajoAltaV1 = build(SIN_RESPUESTA_AL_RECHAZO);
/** Version 2: an oficio the Subjefatura does not serve is answered with the signed rejection letter. */
export const centroTrabajoAltaV2 = build(RESPUESTA_AL_RECHAZO);
