/**
 * What each event of the procedures carries, declared once next to the machines: the engine checks every event
 * against it before anything is written (src/engine/event-payloads.ts), whoever sends it (the REST API, the web page,
 * the self-service, the queue's result events). A field not declared here is refused.
 *
 * A plain declarative object rather than class-validator DTOs: machines/ stays pure data and logic with no decorator
 * metadata or reflection, the declarations are plain to read and to test (procedures.spec.ts checks every event a
 * machine accepts has one), and the engine interprets the few field kinds with the product's own validators
 * (CURP, CCT, account name) so no format is written twice.
 *
 * `at` (ISO instant) may come on any event: time never comes from a clock inside the machines (see ../types.ts).
 */
import type { ProcedureEventType } from './setup';

interface FieldBase {
  /** How the message names the field, in Spanish, with its article: "la CURP del director". */
  label: string;
  /** May be left out. */
  optional?: true;
  /** May be null. */
  nullable?: true;
}

export type PayloadField = FieldBase &
  (
    | { kind: 'curp' }
    | { kind: 'cct' }
    /** The part before the @ of an institutional account. */
    | { kind: 'localPart' }
    /** Free text, not blank, up to `max` characters. */
    | { kind: 'text'; max: number }
    /** An identifier the system gave (account, document): text without spaces. */
    | { kind: 'id' }
    /** One of `values`; `names` says each in Spanish for the message ("Servicio"). */
    | { kind: 'enum'; values: readonly string[]; names?: Readonly<Record<string, string>> }
    | { kind: 'boolean' }
    /** An ISO 8601 instant ("2026-12-03T10:00:00.000Z"). */
    | { kind: 'instant' }
  );

export type PayloadFields = Record<string, PayloadField>;

export interface EventPayload {
  /** Only the system sends it (a result of an effect, a deadline): no person types it. */
  sentBy?: 'sistema';
  fields: PayloadFields;
  /** Several shapes chosen by one field's value (CREAR_CUENTA by `tipo`): the fields of that shape, besides `fields`. */
  variants?: {
    by: string;
    label: string;
    names?: Readonly<Record<string, string>>;
    cases: Record<string, PayloadFields>;
  };
}

/** May come on any event. */
export const COMMON_FIELDS: PayloadFields = { at: { kind: 'instant', label: 'la fecha y hora', optional: true } };

const none = { fields: {} } satisfies EventPayload;
const motivo = { motivo: { kind: 'text', max: 400, label: 'el motivo' } } satisfies PayloadFields;
const cuentaId = { kind: 'id', label: 'la cuenta' } satisfies PayloadField;
const effectError = {
  sentBy: 'sistema',
  fields: {
    message: { kind: 'text', max: 4000, label: 'el mensaje de error' },
    permanent: { kind: 'boolean', label: 'si el error es definitivo' },
  },
} satisfies EventPayload;

/**
 * Every event type of ./setup.ts, with what it carries ({} when nothing): a new event does not compile without it, and
 * ../procedures.spec.ts checks at compile time that the declared fields are the event's fields. `satisfies` keeps the
 * field names in the type for that check.
 */
export const EVENT_PAYLOADS = {
  SOLICITAR: none,
  RECIBIR_OFICIO: none,
  TURNAR: none,
  RECIBIR_TURNO: none,
  // 5.5 version 3: sent by the reconciliation's case opener for the Subjefatura accepting a finding (issue 14).
  CONCILIAR: {
    fields: {
      cuentaId,
      hallazgoId: { kind: 'id', label: 'el hallazgo de la conciliación' },
      importacionAt: { kind: 'instant', label: 'la fecha de la importación', nullable: true },
    },
  },
  // The self-service looked CURP + CURT up before sending it (the CURT itself never enters an event).
  IDENTIFICAR: {
    fields: {
      curp: { kind: 'curp', label: 'la CURP' },
      found: { kind: 'boolean', label: 'si la CURP y la CURT coinciden' },
      active: { kind: 'boolean', label: 'si el trabajador está activo' },
      hasAlternateEmail: { kind: 'boolean', label: 'si tiene correo alterno' },
      nombre: { kind: 'text', max: 300, label: 'el nombre', nullable: true },
      cuentaId: { ...cuentaId, nullable: true },
      cuentaBloqueada: { kind: 'boolean', label: 'si la cuenta está bloqueada', optional: true },
    },
  },
  CONFIRMAR: none,
  NO_CONFIRMAR: none,
  VENCIMIENTO: { sentBy: 'sistema', fields: {} },
  // `cuentaExistente` is not declared: the engine looks it up (src/catalog/catalog-event-facts.ts), a sender's is refused.
  CREAR_CUENTA: {
    fields: {},
    variants: {
      by: 'tipo' as const,
      label: 'el tipo de cuenta',
      names: { centro_trabajo: 'Centro de trabajo', servicio: 'Servicio', funcion: 'Función' },
      cases: {
        centro_trabajo: {
          cct: { kind: 'cct', label: 'la CCT' },
          directorCurp: { kind: 'curp', label: 'la CURP del director' },
        },
        servicio: {
          curp: { kind: 'curp', label: 'la CURP del trabajador' },
          localPart: { kind: 'localPart', label: 'el nombre de la cuenta' },
        },
        funcion: {
          curp: { kind: 'curp', label: 'la CURP del trabajador' },
          localPart: { kind: 'localPart', label: 'el nombre de la cuenta' },
        },
      },
    },
  },
  RESTABLECER: { fields: { cuentaId } },
  REASIGNAR: {
    fields: {
      cuentaId,
      newCurp: { kind: 'curp', label: 'la CURP del nuevo titular' },
      // Who holds the account now (correction 9); an account without a holder has none.
      previousCurp: { kind: 'curp', label: 'la CURP del titular anterior', optional: true, nullable: true },
    },
  },
  BLOQUEAR: { fields: { cuentaId } },
  REGRESAR: none,
  RECHAZAR: { fields: motivo },
  CANCELAR: { fields: motivo },
  REINTENTAR: none,
  CORREGIR_NOMBRE: { fields: { localPart: { kind: 'localPart', label: 'el nuevo nombre de la cuenta' } } },
  PROVISION_OK: {
    sentBy: 'sistema',
    fields: { cuentaId, address: { kind: 'text', max: 254, label: 'la dirección de la cuenta' } },
  },
  PROVISION_ERROR: effectError,
  CREDENTIALS_SENT: { sentBy: 'sistema', fields: {} },
  CREDENTIALS_ERROR: effectError,
  LETTER_READY: { sentBy: 'sistema', fields: { letterId: { kind: 'id', label: 'el oficio de respuesta' } } },
  LETTER_ERROR: effectError,
  ENVIAR_RESPUESTA: none,
  TURNAR_RESPUESTA: none,
  ACUSAR_RECIBO: none,
  ENTREGAR_CREDENCIALES: none,
  INICIAR_USO: { sentBy: 'sistema', fields: {} },
} satisfies Record<ProcedureEventType, EventPayload>;
