/**
 * Which form each action of a case needs. The machines say which events a user may send now (CaseView.acciones);
 * this says what a person must type or pick for each, so the page can ask for it.
 */
export type ActionKind =
  /** 5.2.1 paso 7: the school (CCT) and its director, searched in the catalog. */
  | 'crear-centro'
  /** 5.3.1 paso 5: Servicio or Función, the worker who holds it, the account name "sin dominio". */
  | 'crear-servicio'
  /** 5.2.3, 5.3.2, 5.5: find the account. */
  | 'cuenta'
  /** 5.4: the account and the worker who keeps it (the previous holder comes from the account). */
  | 'reasignar'
  /** 5.3.1 v2, CORREGIR_NOMBRE: another account name after the directory refused the first. */
  | 'nombre'
  /** RECHAZAR, CANCELAR: why. */
  | 'motivo'
  /** Everything else: one button. */
  | 'boton';

export function actionKind(procedure: string, event: string): ActionKind {
  switch (event) {
    case 'CREAR_CUENTA':
      return procedure === 'centro-trabajo-alta' ? 'crear-centro' : 'crear-servicio';
    case 'RESTABLECER':
    case 'BLOQUEAR':
      return 'cuenta';
    case 'REASIGNAR':
      return 'reasignar';
    case 'CORREGIR_NOMBRE':
      return 'nombre';
    case 'RECHAZAR':
    case 'CANCELAR':
      return 'motivo';
    default:
      return 'boton';
  }
}

/** The form fields of each kind (besides `evento` and `version`), and the search boxes it offers. */
export const ACTION_FIELDS: Record<ActionKind, readonly string[]> = {
  'crear-centro': ['cct', 'directorCurp', 'buscarCentro'],
  'crear-servicio': ['tipo', 'curp', 'localPart', 'buscarTrabajador'],
  cuenta: ['cuentaId', 'buscarCuenta'],
  reasignar: ['cuentaId', 'newCurp', 'buscarCuenta', 'buscarTrabajador'],
  nombre: ['localPart'],
  motivo: ['motivo'],
  boton: [],
};

/**
 * The labels of the action forms' fields (templates/pages/partials/tramite-formulario.hbs), for their error messages;
 * the account picked from the search results is asked for at its search box.
 */
export const ACTION_LABELS: Readonly<Record<string, string>> = {
  cct: 'CCT',
  directorCurp: 'CURP del director',
  curp: 'CURP del trabajador',
  localPart: 'Nombre de la cuenta (sin dominio)',
  buscarCuenta: 'Cuenta',
  newCurp: 'CURP del nuevo titular',
  motivo: 'Motivo',
};

/** The id prefix of an action's form and its fields ("a-crear_cuenta-curp"). */
export const actionPrefix = (evento: string): string => `a-${evento.toLowerCase()}`;

/** Which field a worker picked from the search fills. */
export const WORKER_FIELD: Partial<Record<ActionKind, string>> = { 'crear-servicio': 'curp', reasignar: 'newCurp' };

/** Actions that end or undo something: drawn apart, as secondary buttons. */
export const SECONDARY_EVENTS = new Set(['CANCELAR', 'RECHAZAR', 'REGRESAR']);
