/**
 * The contract between the pure procedure machines (this folder) and the engine (src/engine).
 *
 * - Every state that is part of the guide carries `meta: StepMeta`; every transition a person or the system
 *   triggers carries `meta: TransitionMeta`. The engine reads them to decide who may send an event (403 otherwise),
 *   which task to open, and `npm run guia` regenerates the guide's tables from them.
 * - Side effects are declared, never performed: a machine action named after a `CommandType` with params of
 *   `CommandParams[type]`. The engine turns each into an outbox command (idempotency key = case + command + attempt).
 *   Their results come back as ordinary events (`PROVISION_OK`, `PROVISION_ERROR`, ...) sent by role `sistema`.
 * - Time never comes from a clock: an event that needs it carries `at` (ISO string). No `after`, no invoke.
 */

/** Who acts, as the guide names them, mapped to the roles of the product. */
export const ACTOR_ROLES = [
  'trabajador', // self-service with CURP + CURT
  'centro_trabajo', // a school (director), through the portal or the PII
  'nivel', // the level user (scoped to its nivel)
  'subdireccion', // Subdirección de Sistemas y Servicios Telemáticos (oficialía)
  'subjefatura', // Subjefatura de Sistemas
  'responsable', // Responsable del programa, función o servicio / Interesado
  'administrador',
  'sistema', // the system itself: results of queue effects, reminders
] as const;
export type ActorRole = (typeof ACTOR_ROLES)[number];

/** The guide's own names for the responsables, used in the generated guide. */
export const RESPONSABLES = [
  'Trabajador',
  'Centro de trabajo',
  'Nivel',
  'Subdirección de Sistemas y Servicios Telemáticos',
  'Subjefatura de Sistemas',
  'Responsable del programa, función o servicio',
  'Interesado',
  'Sistema "Mi correo institucional"',
  'Servicio',
  'PII',
] as const;
export type Responsable = (typeof RESPONSABLES)[number];

/** Where a waiting step's task goes: a role, scoped by the case where the role is scoped (nivel, CCT). */
export const TASK_ROLES = ['subdireccion', 'subjefatura', 'nivel', 'centro_trabajo', 'responsable'] as const;
export type TaskRole = (typeof TASK_ROLES)[number];
export const isTaskRole = (role: string): role is TaskRole => (TASK_ROLES as readonly string[]).includes(role);

/**
 * Whoever sent the oficio: a step of the delivery of the reply (receive it, "firma y sella de recibido") belongs to
 * the oficio's sender, and an oficio of 5.3, 5.4 or 5.5 may come from a Nivel or from an area. The machine names the
 * sender; the engine resolves it for each case: the Nivel the oficio came from, else the responsable user it names,
 * else the Subdirección (an area without a user acknowledges on paper, and the Subdirección records it).
 */
export const SOLICITANTE = 'solicitante';
export const SOLICITANTE_ROLES = ['nivel', 'responsable', 'subdireccion'] as const satisfies readonly TaskRole[];
/** Who a step or transition belongs to: a role, or the oficio's sender. */
export type StepRole = ActorRole | typeof SOLICITANTE;

export interface GuideStep {
  /** Step number in the guide's table of this procedure ("5" or "10"). Sub-steps use strings like "6a". */
  no: string;
  responsable: Responsable;
  /** The guide's activity text, corrected where the catalog lists a correction (src/guia/corrections.ts). */
  actividad: string;
  /**
   * Set when this step differs from the guide: the number of the correction (src/guia/corrections.ts), or several
   * when one step needs more than one (5.5 paso 14: the reply confirms the block (5) and the responsable's name (8)).
   */
  correccion?: number | number[];
  /**
   * The guide section of this step's table, for a machine that implements more than one table
   * (`centro-trabajo-restablecer`: 5.2.2 and 5.2.3 both number from 1). Absent: the procedure's only table.
   */
  seccion?: string;
}

/** One table of the guide a procedure implements, with the heading and title the generated guide prints. */
export interface GuideTable {
  /** "5.2.2" */
  section: string;
  /** The section heading as the guide writes it ("CENTRO DE TRABAJO: Solicitud de restablecimiento ..."). */
  heading: string;
  /** The table's title ("Descripción del procedimiento de ..."), corrected where correction 3 applies. */
  title: string;
  correccion?: number;
}

export interface StepMeta {
  /** Guide steps this state implements (in order). */
  pasos: GuideStep[];
  /** A person must act here: the engine opens a task for this role. Absent for states the system leaves by itself. */
  task?: {
    role: TaskRole | typeof SOLICITANTE;
    /** Short Spanish title for the inbox ("Turnar oficio a la Subjefatura"). */
    title: string;
    /** Service level in business days (weekends and official holidays skipped). */
    slaDays: number;
    priority?: 'baja' | 'normal' | 'alta';
  };
  /** The case waits for a queue effect (provisioning, mail, letter): the recovery job looks at these. */
  awaitsEffect?: CommandType;
  /** An incident: an effect failed for good; the Subjefatura decides (reintentar / cancelar). */
  incident?: boolean;
}

export interface TransitionMeta {
  /** Roles allowed to send this event in this state; the engine answers 403 to anyone else. */
  roles: StepRole[];
  /** Guide steps the transition performs (the decision "¿Confirma…?" or the action "Confirma la acción"). */
  pasos?: string[];
  /** Spanish label for the button / action in the inbox ("Confirmar reasignación"). */
  label?: string;
}

/** Effects a machine may declare. The engine writes them to the outbox; the queue issue executes them. */
export interface CommandParams {
  /** Create / reset / reassign / suspend at the directory provider. */
  provision:
    | {
        op: 'create';
        tipo: 'personal' | 'centro_trabajo' | 'servicio' | 'funcion';
        curp?: string;
        cct?: string;
        localPart?: string;
      }
    | { op: 'reset'; cuentaId: string }
    | { op: 'reassign'; cuentaId: string; newCurp: string }
    | { op: 'suspend'; cuentaId: string };
  /** E-mail the access data (activation link) to the holder: worker's alternate address or the director's. */
  sendCredentials: { cuentaId: string; to: 'correo_alterno' | 'director' };
  /** Notify the holder(s) after reset, reassignment or block. */
  notifyHolder: { cuentaId: string; reason: 'reset' | 'reassign' | 'block'; previousCurp?: string };
  /** Draw and sign the acuse de recibo of the incoming oficio. */
  renderAcuse: Record<string, never>;
  /**
   * Draw and sign the reply letter for this procedure and outcome; 'rechazada' (version 2 of the oficio procedures):
   * the request was not served, and the letter gives the Subjefatura's motivo.
   */
  renderReplyLetter: {
    outcome: 'creada' | 'restablecida' | 'reasignada' | 'bloqueada' | 'cuenta_existente' | 'rechazada';
  };
  /**
   * 5.2.2 / 5.2.3 version 2: tell the school, at its institutional address, that the Subjefatura rejected its request
   * (the motivo is the case's). Fire-and-forget, like notifyHolder.
   */
  notifySchool: { outcome: 'rechazada' };
  /** Wipe the encrypted password a school chose (5.2.2) once it has been applied or the request ended. */
  wipeChosenPassword: Record<string, never>;
}
export type CommandType = keyof CommandParams;
export const COMMAND_TYPES: CommandType[] = [
  'provision',
  'sendCredentials',
  'notifyHolder',
  'renderAcuse',
  'renderReplyLetter',
  'notifySchool',
  'wipeChosenPassword',
];

export type ProcedureId =
  | 'personal-alta'
  | 'personal-restablecer'
  | 'centro-trabajo-alta'
  | 'centro-trabajo-restablecer'
  | 'servicio-alta'
  | 'servicio-restablecer'
  | 'cuenta-reasignar'
  | 'cuenta-bloquear';
