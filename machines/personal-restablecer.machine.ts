/**
 * Guía 5.1.2 — PERSONAL: Solicitud de restablecimiento de la contraseña del correo electrónico institucional
 * (autoservicio). Same shape as 5.1.1; the worker must already have a personal account.
 *
 * Input: `{ caseId }`; the engine opens the case with the worker's first IDENTIFICAR (catalog `startEvent`), whose
 * `cuentaId` is the worker's personal account found by the lookup.
 * Events: IDENTIFICAR, CONFIRMAR, NO_CONFIRMAR (trabajador); PROVISION_OK/ERROR, CREDENTIALS_SENT/ERROR, VENCIMIENTO
 * (sistema); REINTENTAR, CANCELAR (subjefatura, on an incident).
 * Commands: provision { op: 'reset', cuentaId }, then sendCredentials { cuentaId, to: 'correo_alterno' }.
 *
 * Correction 11: paso 16 sends the account's address and a single-use link to set a new password, never a password.
 */
import { finalState, incidentState, provisioningStates } from './parts/provisioning';
import { selfServiceStates } from './parts/self-service';
import { initialContext, machineOutput, paso, procedureSetup, required, table } from './parts/setup';

const SISTEMA = 'Sistema "Mi correo institucional"' as const;

export const PASOS_5_1_2 = [
  paso(
    '1',
    'Trabajador',
    'Seleccionar la opción "Restablecer mi contraseña" del menú Correo institucional ubicado en la parte superior ' +
      'derecha del menú principal del portal Web de la Coordinación de los Servicios Educativo del Estado de Colima.' +
      '\nSeleccionar la opción "Restablecer mi contraseña" de la franja horizontal color verde ubicada por encima de ' +
      'la sección de noticias y redes sociales del portal Web de la Coordinación de los Servicios Educativo del ' +
      'Estado de Colima.',
  ),
  paso('2', 'Trabajador', 'Introduce su CURP Y CURT.'),
  paso('3', SISTEMA, 'Valida CURP y CURT.'),
  paso('4', SISTEMA, '¿Los datos son correctos?'),
  paso('5', SISTEMA, 'No. Despliega información avisando de la inconsistencia.'),
  paso('6', SISTEMA, 'Regresa a la actividad No. 2.'),
  paso('7', SISTEMA, 'Si. Despliega la información del trabajador.'),
  paso('8', SISTEMA, 'Evalúa si el usuario cuenta con un correo electrónico alterno.'),
  paso('9', SISTEMA, '¿Cuenta con un correo electrónico alterno?'),
  paso('10', SISTEMA, 'No: Despliega el aviso y las indicaciones a seguir.'),
  paso('11', SISTEMA, 'Cierra la aplicación.'),
  paso('12', SISTEMA, 'Si: Prepara su interfaz para la confirmación del usuario.'),
  paso('13', 'Trabajador', '¿Confirma el restablecimiento de la contraseña de la cuenta?'),
  paso('14', SISTEMA, 'No: Cierra la aplicación.'),
  paso('15', SISTEMA, 'Si: Consume el servicio de restablecimiento de cuentas.'),
  paso(
    '16',
    'Servicio',
    'Restablece la contraseña y envía un correo electrónico con la dirección de la cuenta y un enlace de un solo uso ' +
      '(válido 24 horas) para establecer una nueva contraseña al correo electrónico alternativo del trabajador.',
    { correccion: 11 },
  ),
  paso('17', SISTEMA, 'Guarda en base de datos la información del movimiento.'),
  paso(
    '18',
    SISTEMA,
    'Despliega la información indicando que su contraseña fue restablecida y que debe consultar su correo ' +
      'electrónico alternativo.',
  ),
  paso('19', 'Trabajador', 'Lee la información y cierra la aplicación.'),
];
const t = table(PASOS_5_1_2);

export const personalRestablecerV1 = procedureSetup.createMachine({
  id: 'personal-restablecer',
  context: ({ input }) => initialContext(input),
  initial: 'identificacion',
  output: machineOutput,
  states: {
    ...selfServiceStates({
      captura: t('1', '2'),
      validacion: t('3', '4'),
      inconsistencia: t('5', '6'),
      evaluacion: t('7', '8', '9'),
      sinCorreoAlterno: t('10', '11'),
      confirmacion: t('12', '13'),
      noConfirmada: t('14'),
      consume: t('15'),
      cuenta: 'debe_existir',
      next: 'aprovisionamiento',
    }),
    ...provisioningStates({
      pasos: t('15'),
      provision: (context) => ({
        op: 'reset',
        cuentaId: required(context.identidad?.cuentaId, 'identidad.cuentaId'),
      }),
      credentials: { to: 'correo_alterno', pasos: t('16') },
      next: 'restablecida',
    }),
    restablecida: finalState('restablecida', t('17', '18', '19')),
    incidente: incidentState({
      retry: { provision: 'aprovisionamiento', sendCredentials: 'envioCredenciales' },
      cancel: 'cancelada',
    }),
    cancelada: finalState('cancelada'),
  },
});
