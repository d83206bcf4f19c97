/**
 * Guía 5.2.2 — CENTRO DE TRABAJO: Solicitud de restablecimiento de la contraseña (the school asks, through the PII or
 * the portal) and 5.2.3 — CENTRO DE TRABAJO: Restablecimiento de la contraseña (the Subjefatura serves it).
 *
 * Input: `{ caseId, cct, canal: 'pii' | 'portal' }`. The password the school chose never enters the machine: the
 * engine stores it encrypted beside the case, the provisioning of `reset` applies it, and `wipeChosenPassword` is
 * declared as soon as it has been applied (PROVISION_OK) or the request ends without it (rechazada, cancelada).
 * 5.2.3 "¿Existe alguna solicitud?" is the Subjefatura's inbox itself: a case exists only when a request does.
 * Events: SOLICITAR { at } (centro_trabajo; catalog `startEvent`); RESTABLECER { cuentaId }, RECHAZAR { motivo },
 * CONFIRMAR, REGRESAR, REINTENTAR, CANCELAR { motivo } (subjefatura); PROVISION_OK/ERROR, CREDENTIALS_SENT/ERROR
 * (sistema).
 * Commands: provision { op: 'reset', cuentaId }, wipeChosenPassword, sendCredentials { cuentaId, to: 'director' }.
 *
 * Version 2 (the catalog's current one): RECHAZAR also declares notifySchool { outcome: 'rechazada' }, the school's
 * mail with the motivo; the PII reads where its request stands from GET /api/pii/centros/:cct/restablecer-contrasena.
 *
 * Correction 11: 5.2.3 paso 9 does not send "los datos de acceso": the school chose its password in 5.2.2, so the
 * director's mail confirms it was applied without repeating it.
 */
import { finalState, incidentState, provisioningStates } from './parts/provisioning';
import { initialContext, machineOutput, nos, paso, procedureSetup, required, table } from './parts/setup';

const CT = 'Centro de trabajo' as const;
const SUBJEFATURA = 'Subjefatura de Sistemas' as const;
const s522 = { seccion: '5.2.2' };
const s523 = { seccion: '5.2.3' };

export const PASOS_5_2_2 = [
  paso('1', CT, 'Ingresa a la Plataforma Integral de Información (PII).', s522),
  paso('2', CT, 'Accede a "Admon de Bienes" y selecciona la opción "CENTROS DE TRABAJO".', s522),
  paso('3', CT, 'Selecciona la opción "BIENES".', s522),
  paso('4', CT, 'Presiona en la opción "Catálogo de Centros de Trabajo"', s522),
  paso('5', CT, 'Presiona clic en "restablecer la contraseña del correo institucional".', s522),
  paso('6', 'PII', 'Habilita la caja de texto "contraseña".', s522),
  paso('7', CT, 'Introduce una contraseña de su confianza.', s522),
  paso('8', CT, 'Presiona "guardar" (se identifica con un ícono de memoria USB verde)', s522),
  paso('9', 'PII', 'Guarda la información en la base de datos.', s522),
  paso('10', 'PII', 'Informa el tiempo de respuesta para atender su solicitud.', s522),
  paso('11', CT, 'Lee el mensaje y cierra la aplicación.', s522),
];

export const PASOS_5_2_3 = [
  paso(
    '1',
    SUBJEFATURA,
    'Revisa la base de datos para verificar si existe alguna solicitud de restablecimiento de contraseña.',
    s523,
  ),
  paso('2', SUBJEFATURA, '¿Existe alguna solicitud de restablecimiento de contraseña?', s523),
  paso('3', SUBJEFATURA, 'No. Cierra la base de datos.', s523),
  paso('4', SUBJEFATURA, 'Si. Analiza la información para determinar el proceso a seguir.', s523),
  paso('5', SUBJEFATURA, 'Accede al sistema "Mi correo Institucional"', s523),
  paso(
    '6',
    SUBJEFATURA,
    'Selecciona la opción "editar una cuenta" del menú lateral. Busca la cuenta y presiona el botón restablecer ' +
      'contraseña.',
    s523,
  ),
  paso(
    '7',
    'Sistema "Mi correo institucional"',
    'Alerta sobre el restablecimiento de la contraseña y espera confirmación',
    s523,
  ),
  paso('8', SUBJEFATURA, 'Confirma la opción', s523),
  paso(
    '9',
    'Servicio',
    'Restablece la contraseña con la elegida por el centro de trabajo y envía al correo electrónico del director la ' +
      'confirmación del restablecimiento, sin repetir la contraseña',
    { ...s523, correccion: 11 },
  ),
];
const t = table([...PASOS_5_2_2, ...PASOS_5_2_3]);
const p522 = (...n: string[]) => t(...n.map((x) => `5.2.2#${x}`));
const p523 = (...n: string[]) => t(...n.map((x) => `5.2.3#${x}`));

const build = (avisaRechazo: boolean) =>
  procedureSetup.createMachine({
    id: 'centro-trabajo-restablecer',
    context: ({ input }) => initialContext(input),
    initial: 'solicitud',
    output: machineOutput,
    states: {
      // 5.2.2 happens at the PII (or the portal): the request that reaches us is its paso 8 ("guardar"), and the
      // answer the school reads (pasos 9-11) carries the response time from the Subjefatura task's service level.
      solicitud: {
        meta: { pasos: p522('1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11') },
        on: {
          SOLICITAR: {
            target: 'analisis',
            actions: 'registrarSolicitud',
            meta: { roles: ['centro_trabajo'], pasos: nos(p522('8', '9', '10')), label: 'Guardar solicitud' },
          },
        },
      },
      analisis: {
        meta: {
          pasos: p523('1', '2', '3', '4', '5', '6'),
          task: { role: 'subjefatura', title: 'Analizar la solicitud de restablecimiento de contraseña', slaDays: 2 },
        },
        on: {
          RESTABLECER: {
            target: 'confirmacion',
            actions: 'registrarCuentaSeleccionada',
            meta: { roles: ['subjefatura'], pasos: nos(p523('4', '5', '6')), label: 'Restablecer contraseña' },
          },
          RECHAZAR: {
            target: 'rechazada',
            actions: [
              'registrarMotivo',
              ...(avisaRechazo ? [{ type: 'notifySchool' as const, params: { outcome: 'rechazada' as const } }] : []),
            ],
            meta: { roles: ['subjefatura'], pasos: nos(p523('4')), label: 'Rechazar la solicitud' },
          },
        },
      },
      confirmacion: {
        meta: {
          pasos: p523('7', '8'),
          task: { role: 'subjefatura', title: 'Confirmar el restablecimiento de la contraseña', slaDays: 1 },
        },
        on: {
          CONFIRMAR: {
            target: 'aprovisionamiento',
            meta: { roles: ['subjefatura'], pasos: nos(p523('8')), label: 'Confirmar' },
          },
          REGRESAR: { target: 'analisis', meta: { roles: ['subjefatura'], label: 'Regresar' } },
        },
      },
      ...provisioningStates({
        pasos: p523('9'),
        provision: (context) => ({ op: 'reset', cuentaId: required(context.cuenta, 'cuenta').cuentaId }),
        wipeChosenPassword: true,
        credentials: { to: 'director', pasos: [] },
        next: 'restablecida',
      }),
      restablecida: finalState('restablecida'),
      rechazada: finalState('rechazada', [], 'wipeChosenPassword'),
      incidente: incidentState({
        retry: { provision: 'aprovisionamiento', sendCredentials: 'envioCredenciales' },
        cancel: 'cancelada',
      }),
      cancelada: finalState('cancelada', [], 'wipeChosenPassword'),
    },
  });

export const centroTrabajoRestablecerV1 = build(false);
/**
 * Version 2: a rejected request is reported to the school (notifySchool: a mail to its institutional address with the
 * Subjefatura's motivo); version 1 ended it silently.
 */
export const centroTrabajoRestablecerV2 = build(true);
