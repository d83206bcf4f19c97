/**
 * The one `setup` every procedure machine is built from: the case file (context), the events people and the system
 * send, the command stubs and the few guards and assignments the procedures share.
 *
 * All eight procedures share one context and one event union on purpose: a case is the same dossier whatever the
 * procedure (oficio, requester, account, reply letter, attempts), and sharing the types is what lets the reception,
 * provisioning and delivery parts be written once as typed state configs (`procedureSetup.createStateConfig`) and
 * composed into each machine. Each machine only accepts the events its states name; the engine checks
 * `snapshot.can(event)` before anything else.
 *
 * Pure: no I/O, no clock (times arrive on events as ISO strings), no invoke, no `after`, no sendTo. Commands are
 * declared by name (see ../types.ts) and their implementations here are no-ops that only type the params.
 */
import { assertEvent, assign, setup } from 'xstate';
import type { ActorRole, CommandParams, GuideStep, Responsable, StepMeta, TransitionMeta } from '../types';

/** Effects a case waits for (the others, acuse / notifyHolder / wipe, are fire-and-forget). */
export type AwaitedCommand = 'provision' | 'sendCredentials' | 'renderReplyLetter';

/** How a case ended. `output.outcome` of every final state. */
export type Outcome =
  | 'creada'
  | 'restablecida'
  | 'reasignada'
  | 'bloqueada'
  // The Subdirección withdrew the oficio before turning it, or the Subjefatura ended the case (an incident it could
  // not fix, an oficio that cannot be served).
  | 'cancelada'
  | 'rechazada' // 5.2.3: the analysis found the request improper
  | 'no_confirmada' // 5.1.x paso 14: the worker did not confirm
  | 'sin_correo_alterno' // 5.1.x pasos 10-11
  | 'datos_incorrectos' // 5.1.x: CURP/CURT wrong too many times
  // 5.1.1: the worker already has a personal account (use 5.1.2); 5.2.1: the school already has its account, and the
  // reply says which (nothing created, nothing reset)
  | 'cuenta_existente'
  | 'sin_cuenta' // 5.1.2: the worker has no personal account to reset (use 5.1.1)
  | 'cuenta_bloqueada' // 5.1.2: the worker's account is blocked: a reset would mail a link that cannot work
  | 'expirada'; // 5.1.x: the worker left the self-service page open and never came back

/** The oficio that starts a procedure of sections 5.2.1, 5.3, 5.4 and 5.5. */
export interface OficioRef {
  /** The requester's own number for the oficio ("DEP/123/2026"). */
  folio: string;
  /** Date written on the oficio (ISO date), when known. */
  fecha?: string;
  asunto?: string;
}

/**
 * What the engine passes to `initialTransition(machine, input)` when it opens a case.
 * - every procedure: `caseId`;
 * - oficio procedures (5.2.1, 5.3.x, 5.4, 5.5): `oficio`; 5.2.1 also `nivel` (scopes the Nivel's tasks) and, when the
 *   oficio names it, `cct`;
 * - 5.2.2: `cct` of the school that asks and `canal` (PII or portal). The chosen password never enters the machine:
 *   the engine stores it encrypted beside the case and `wipeChosenPassword` erases it.
 */
export interface CaseInput {
  caseId: string;
  oficio?: OficioRef;
  nivel?: string;
  cct?: string;
  canal?: 'pii' | 'portal';
}

/** What the self-service lookup (Capital Humano + directory) found for the CURP and CURT the worker typed. */
export interface Identidad {
  curp: string;
  nombre: string | null;
  found: boolean;
  active: boolean;
  hasAlternateEmail: boolean;
  /** The worker's personal account, when there is one. */
  cuentaId: string | null;
  /** That account is blocked (5.5): its password cannot be reset. */
  cuentaBloqueada: boolean;
}

/** An account the case points at: its id and address. */
export interface CuentaRef {
  cuentaId: string;
  address: string;
}

/** What the Subjefatura asked to create (5.2.1, 5.3.1). */
export type AltaCuenta =
  | { tipo: 'centro_trabajo'; cct: string; directorCurp: string }
  | { tipo: 'servicio' | 'funcion'; curp: string; localPart: string };

export interface Incidente {
  command: AwaitedCommand;
  message: string;
  permanent: boolean;
}

/**
 * The case file. `null` rather than absent so that a JSON round trip gives back the same object.
 * The engine reads: `nivel`/`cct` to scope tasks, `intentos[command]` as the attempt of the idempotency key of the
 * command just declared, `cuenta`/`letterId` to show links.
 */
export interface CaseContext {
  caseId: string;
  oficio: OficioRef | null;
  nivel: string | null;
  cct: string | null;
  canal: 'pii' | 'portal' | null;
  /** When the requester sent the request (SOLICITAR.at). */
  solicitadoAt: string | null;
  /** When the Subdirección stamped the oficio as received (RECIBIR_OFICIO.at): the date on the acuse. */
  recibidoAt: string | null;
  identidad: Identidad | null;
  /** 5.1.x: CURP/CURT pairs that did not validate in this case. */
  intentosIdentificacion: number;
  alta: AltaCuenta | null;
  cuenta: { cuentaId: string; address: string | null } | null;
  /**
   * 5.2.1: the school already had `cuenta` when the Subjefatura asked to create it: nothing was created or reset, and
   * the reply says which account it has.
   */
  cuentaPrevia: boolean;
  /** 5.4: the new holder, and the previous one so both appear in the movement log (correction 9). */
  reasignacion: { newCurp: string; previousCurp: string | null } | null;
  /** The reply letter (LETTER_READY). */
  letterId: string | null;
  /** How many times each awaited command was declared in this case: 1 on the first try, 2 after one REINTENTAR... */
  intentos: Partial<Record<AwaitedCommand, number>>;
  incidente: Incidente | null;
  /** Why the case was rejected or cancelled. */
  motivo: string | null;
  /**
   * 5.5 version 3: the case was opened by the Subjefatura accepting a reconciliation finding (CONCILIAR), not by an
   * oficio: the finding and the import it is based on (ISO, UTC; null for a finding of the directory). Such a case
   * has no oficio to answer, so it ends without a reply letter. Absent otherwise: the context of every other case
   * (and every older snapshot) stays as it was.
   */
  conciliacion?: Conciliacion | null;
}

/** The basis of a case opened by reconciliation (issue 14). */
export interface Conciliacion {
  hallazgoId: string;
  importacionAt: string | null;
}

export interface CaseOutput {
  outcome: Outcome;
  cuentaId: string | null;
  address: string | null;
  letterId: string | null;
  motivo: string | null;
}

type EffectError = { message: string; permanent: boolean };

/**
 * Every event of every procedure. People send the first groups (the engine checks the role against the
 * transition's `meta.roles`); `sistema` sends the results of effects.
 */
export type ProcedureEvent =
  // Solicitud y recepción del oficio
  | { type: 'SOLICITAR'; at: string }
  | { type: 'RECIBIR_OFICIO'; at: string }
  | { type: 'TURNAR' }
  | { type: 'RECIBIR_TURNO' }
  // 5.5 version 3: the Subjefatura accepted a reconciliation finding that proposes blocking this account (issue 14).
  | { type: 'CONCILIAR'; cuentaId: string; hallazgoId: string; importacionAt: string | null }
  // Autoservicio del trabajador (5.1.x): the service looked CURP + CURT up before sending IDENTIFICAR. The CURT is
  // the worker's secret: it stays in the service and never enters an event (events are stored as movements).
  | {
      type: 'IDENTIFICAR';
      curp: string;
      found: boolean;
      active: boolean;
      hasAlternateEmail: boolean;
      nombre: string | null;
      cuentaId: string | null;
      cuentaBloqueada?: boolean;
    }
  | { type: 'CONFIRMAR' }
  | { type: 'NO_CONFIRMAR' }
  | { type: 'VENCIMIENTO'; at: string }
  // Subjefatura de Sistemas
  // The engine adds `cuentaExistente` (5.2.1: the school's account, if it has one) from the accounts table; a sender's
  // value is never trusted.
  | ({ type: 'CREAR_CUENTA'; cuentaExistente?: CuentaRef | null } & AltaCuenta)
  | { type: 'RESTABLECER'; cuentaId: string }
  | { type: 'REASIGNAR'; cuentaId: string; newCurp: string; previousCurp: string | null }
  | { type: 'BLOQUEAR'; cuentaId: string }
  | { type: 'REGRESAR' }
  | { type: 'RECHAZAR'; motivo: string }
  | { type: 'CANCELAR'; motivo: string }
  | { type: 'REINTENTAR' }
  // 5.3.1 version 2: the account name was taken (or refused) by the directory: retry with another one.
  | { type: 'CORREGIR_NOMBRE'; localPart: string }
  // Results of effects (role `sistema`)
  | { type: 'PROVISION_OK'; cuentaId: string; address: string }
  | ({ type: 'PROVISION_ERROR' } & EffectError)
  | { type: 'CREDENTIALS_SENT' }
  | ({ type: 'CREDENTIALS_ERROR' } & EffectError)
  | { type: 'LETTER_READY'; letterId: string }
  | ({ type: 'LETTER_ERROR' } & EffectError)
  // Entrega del oficio de respuesta
  | { type: 'ENVIAR_RESPUESTA' }
  | { type: 'TURNAR_RESPUESTA' }
  | { type: 'ACUSAR_RECIBO' }
  | { type: 'ENTREGAR_CREDENCIALES' }
  | { type: 'INICIAR_USO' };

export type ProcedureEventType = ProcedureEvent['type'];

/** A no-op whose only job is to type the params of a declared command. */
const declare =
  <K extends keyof CommandParams>() =>
  (_args: unknown, _params: CommandParams[K]): void => {};

const errorOf = (event: ProcedureEvent): EffectError => {
  assertEvent(event, ['PROVISION_ERROR', 'CREDENTIALS_ERROR', 'LETTER_ERROR']);
  return { message: event.message, permanent: event.permanent };
};

/**
 * An oficio the Subjefatura did not serve: its CANCELAR left the motivo (the only event of an oficio procedure that
 * sets it; the Subdirección's CANCELAR ends the case at once). Version 2 answers it with the signed rejection letter.
 */
export const solicitudRechazada = (context: CaseContext): boolean => typeof context.motivo === 'string';

export const procedureSetup = setup({
  types: {
    context: {} as CaseContext,
    events: {} as ProcedureEvent,
    input: {} as CaseInput,
    output: {} as CaseOutput,
    meta: {} as StepMeta,
    transitionMeta: {} as TransitionMeta,
  },
  actions: {
    provision: declare<'provision'>(),
    sendCredentials: declare<'sendCredentials'>(),
    notifyHolder: declare<'notifyHolder'>(),
    renderAcuse: declare<'renderAcuse'>(),
    renderReplyLetter: declare<'renderReplyLetter'>(),
    notifySchool: declare<'notifySchool'>(),
    wipeChosenPassword: declare<'wipeChosenPassword'>(),

    registrarSolicitud: assign(({ event }) => {
      assertEvent(event, 'SOLICITAR');
      return { solicitadoAt: event.at };
    }),
    registrarRecepcion: assign(({ event }) => {
      assertEvent(event, 'RECIBIR_OFICIO');
      return { recibidoAt: event.at };
    }),
    registrarConciliacion: assign(({ event }) => {
      assertEvent(event, 'CONCILIAR');
      const conciliacion: Conciliacion = { hallazgoId: event.hallazgoId, importacionAt: event.importacionAt };
      return { cuenta: { cuentaId: event.cuentaId, address: null }, conciliacion };
    }),
    registrarIdentidad: assign(({ event }) => {
      assertEvent(event, 'IDENTIFICAR');
      const identidad: Identidad = {
        curp: event.curp,
        nombre: event.nombre,
        found: event.found,
        active: event.active,
        hasAlternateEmail: event.hasAlternateEmail,
        cuentaId: event.cuentaId,
        cuentaBloqueada: event.cuentaBloqueada === true,
      };
      return { identidad };
    }),
    contarIdentificacionFallida: assign(({ context }) => ({
      intentosIdentificacion: context.intentosIdentificacion + 1,
    })),
    registrarAlta: assign(({ event }) => {
      assertEvent(event, 'CREAR_CUENTA');
      const alta: AltaCuenta =
        event.tipo === 'centro_trabajo'
          ? { tipo: event.tipo, cct: event.cct, directorCurp: event.directorCurp }
          : { tipo: event.tipo, curp: event.curp, localPart: event.localPart };
      return { alta };
    }),
    registrarCuentaExistente: assign(({ event }) => {
      assertEvent(event, 'CREAR_CUENTA');
      const existing = event.cuentaExistente;
      if (!existing) throw new Error('Machine bug: registrarCuentaExistente without cuentaExistente');
      return { cuenta: { cuentaId: existing.cuentaId, address: existing.address }, cuentaPrevia: true };
    }),
    registrarCuentaSeleccionada: assign(({ event }) => {
      assertEvent(event, ['RESTABLECER', 'BLOQUEAR', 'REASIGNAR']);
      return {
        cuenta: { cuentaId: event.cuentaId, address: null },
        reasignacion: event.type === 'REASIGNAR' ? { newCurp: event.newCurp, previousCurp: event.previousCurp } : null,
      };
    }),
    registrarCuenta: assign(({ event }) => {
      assertEvent(event, 'PROVISION_OK');
      return { cuenta: { cuentaId: event.cuentaId, address: event.address } };
    }),
    registrarOficioRespuesta: assign(({ event }) => {
      assertEvent(event, 'LETTER_READY');
      return { letterId: event.letterId };
    }),
    contarIntento: assign(({ context }, params: { command: AwaitedCommand }) => ({
      intentos: { ...context.intentos, [params.command]: (context.intentos[params.command] ?? 0) + 1 },
    })),
    registrarIncidente: assign(({ event }, params: { command: AwaitedCommand }) => ({
      incidente: { command: params.command, ...errorOf(event) },
    })),
    limpiarIncidente: assign({ incidente: null }),
    corregirNombre: assign(({ context, event }) => {
      assertEvent(event, 'CORREGIR_NOMBRE');
      const alta = context.alta;
      if (!alta || alta.tipo === 'centro_trabajo') throw new Error('Machine bug: CORREGIR_NOMBRE without a named alta');
      return { alta: { ...alta, localPart: event.localPart } };
    }),
    registrarMotivo: assign(({ event }) => {
      assertEvent(event, ['RECHAZAR', 'CANCELAR']);
      return { motivo: event.motivo };
    }),
  },
  guards: {
    identidadValida: ({ context }) => context.identidad?.found === true && context.identidad.active,
    /** The failed attempt being judged is the `max`-th one. */
    ultimoIntento: ({ context }, params: { max: number }) => context.intentosIdentificacion + 1 >= params.max,
    /** Whether the worker has a personal account, compared with what the procedure needs. */
    cuentaPersonal: ({ context }, params: { existe: boolean }) =>
      (context.identidad?.cuentaId != null) === params.existe,
    cuentaPersonalBloqueada: ({ context }) => context.identidad?.cuentaBloqueada === true,
    tieneCorreoAlterno: ({ context }) => context.identidad?.hasAlternateEmail === true,
    tipoDeCuenta: ({ event }, params: { tipos: AltaCuenta['tipo'][] }) =>
      event.type === 'CREAR_CUENTA' && params.tipos.includes(event.tipo),
    /** CREAR_CUENTA for a holder that already has the account (the engine looked it up). */
    cuentaYaExiste: ({ event }) => event.type === 'CREAR_CUENTA' && event.cuentaExistente != null,
    cuentaPrevia: ({ context }) => context.cuentaPrevia === true,
    incidenteDe: ({ context }, params: { command: AwaitedCommand }) => context.incidente?.command === params.command,
    /**
     * CORREGIR_NOMBRE gives a name for a Servicio or Función account other than the one that failed (the engine has
     * checked its form: machines/parts/payloads.ts); the same name again would fail again.
     */
    nombreDistinto: ({ context, event }) =>
      event.type === 'CORREGIR_NOMBRE' &&
      context.alta !== null &&
      context.alta.tipo !== 'centro_trabajo' &&
      event.localPart.trim().toLowerCase() !== context.alta.localPart.trim().toLowerCase(),
    /** The Subjefatura did not serve the oficio (CANCELAR with its motivo): the reply says so. */
    solicitudRechazada: ({ context }) => solicitudRechazada(context),
    /** 5.5 version 3: the case was opened by reconciliation: there is no oficio, so nobody to send a letter to. */
    iniciadoPorConciliacion: ({ context }) => context.conciliacion != null,
  },
});

/** The initial context of every procedure, from the engine's input. */
export function initialContext(input: CaseInput): CaseContext {
  return {
    caseId: input.caseId,
    oficio: input.oficio ?? null,
    nivel: input.nivel ?? null,
    cct: input.cct ?? null,
    canal: input.canal ?? null,
    solicitadoAt: null,
    recibidoAt: null,
    identidad: null,
    intentosIdentificacion: 0,
    alta: null,
    cuenta: null,
    cuentaPrevia: false,
    reasignacion: null,
    letterId: null,
    intentos: {},
    incidente: null,
    motivo: null,
  };
}

/** `output` of a final state: the outcome plus what the case produced. */
export const outputOf =
  (outcome: Outcome) =>
  ({ context }: { context: CaseContext }): CaseOutput => ({
    outcome,
    cuentaId: context.cuenta?.cuentaId ?? null,
    address: context.cuenta?.address ?? null,
    letterId: context.letterId,
    motivo: context.motivo,
  });

/** The machine's output is the output of the final state it reached. */
export const machineOutput = ({ event }: { event: { output?: unknown } }): CaseOutput => event.output as CaseOutput;

/** A guide step (see GuideStep in ../types.ts). */
export const paso = (
  no: string,
  responsable: Responsable,
  actividad: string,
  extra: Pick<GuideStep, 'correccion' | 'seccion'> = {},
): GuideStep => ({ no, responsable, actividad, ...extra });

/** Step numbers of some steps, for `TransitionMeta.pasos`. */
export const nos = (pasos: GuideStep[]): string[] => pasos.map((p) => p.no);

/** Transition meta for the results of effects. */
export const bySistema = (label: string, pasos?: GuideStep[]): TransitionMeta => ({
  roles: ['sistema'] satisfies ActorRole[],
  label,
  ...(pasos?.length ? { pasos: nos(pasos) } : {}),
});

/** A value a command needs: a missing one is a bug in the machine, so say which. */
export function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`Machine bug: ${what} is missing from the case context`);
  return value;
}

/**
 * A guide table, to hand its steps out by number: `const t = table([...]); t('3', '4')`. An unknown number is a typo
 * in a machine, so it throws when the module loads.
 */
export function table(steps: GuideStep[]): (...numbers: string[]) => GuideStep[] {
  const byNo = new Map(steps.map((s) => [s.seccion ? `${s.seccion}#${s.no}` : s.no, s]));
  return (...numbers) =>
    numbers.map((n) => {
      const step = byNo.get(n);
      if (!step) throw new Error(`Machine bug: no guide step ${n} in this table`);
      return step;
    });
}
