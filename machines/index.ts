/**
 * The procedure catalog: every procedure of the guide, by id and version.
 *
 * A running case keeps the version it started with; `latestProcedure(id)` serves new cases. To change a procedure,
 * add `machines/<id>.v2.machine.ts` next to v1 (or, when v2 only adds a path, build both versions from one function in
 * the machine's file, as version 2 of the oficio procedures does, so v1 stays exactly what it was) and a second entry
 * here with `version: 2` (and `migrateFrom` when v1 cases may move to it); v1 stays in the catalog as long as a case
 * uses it.
 */
import type { StateMachine } from 'xstate';
import { centroTrabajoAltaV1, centroTrabajoAltaV2 } from './centro-trabajo-alta.machine';
import { centroTrabajoRestablecerV1, centroTrabajoRestablecerV2 } from './centro-trabajo-restablecer.machine';
import { cuentaBloquearV1, cuentaBloquearV2, cuentaBloquearV3 } from './cuenta-bloquear.machine';
import { cuentaReasignarV1, cuentaReasignarV2, cuentaReasignarV3 } from './cuenta-reasignar.machine';
import type { CaseContext, CaseInput, CaseOutput, ProcedureEvent, ProcedureEventType } from './parts/setup';
import { personalAltaV1 } from './personal-alta.machine';
import { personalRestablecerV1 } from './personal-restablecer.machine';
import { EVENT_PAYLOADS, type EventPayload } from './parts/payloads';
import { CASE_SEARCH_FIELDS, type SearchFields } from './parts/search-fields';
import { servicioAltaV1, servicioAltaV2 } from './servicio-alta.machine';
import { servicioRestablecerV1, servicioRestablecerV2 } from './servicio-restablecer.machine';
import type { ActorRole, GuideTable, ProcedureId, StepMeta, TransitionMeta } from './types';

export type {
  AltaCuenta,
  AwaitedCommand,
  CaseContext,
  CaseInput,
  CaseOutput,
  Identidad,
  Incidente,
  OficioRef,
  Outcome,
  ProcedureEvent,
  ProcedureEventType,
} from './parts/setup';
export { MAX_INTENTOS_IDENTIFICACION } from './parts/self-service';
export {
  COMMON_FIELDS,
  EVENT_PAYLOADS,
  type EventPayload,
  type PayloadField,
  type PayloadFields,
} from './parts/payloads';
export type { SearchColumn, SearchField, SearchFields } from './parts/search-fields';
export * from './types';

/** What the engine needs of any procedure machine (all are built from `procedureSetup`). */
export type ProcedureMachine = StateMachine<
  CaseContext,
  ProcedureEvent,
  /* eslint-disable @typescript-eslint/no-explicit-any -- children/actors/actions/guards/delays/state value/tags differ per machine */
  any,
  any,
  any,
  any,
  any,
  any,
  any,
  /* eslint-enable @typescript-eslint/no-explicit-any */
  CaseInput,
  CaseOutput,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- emitted events: none
  any,
  StepMeta,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- state schema differs per machine
  any,
  TransitionMeta
>;

/**
 * The versions of the guide the catalog has issued, each with its issue date (YYYY-MM-DD in Colima): the «Fecha de
 * emisión» `npm run guia` prints and stamps in the PDF. A new version of the guide is a new entry with its own date.
 */
export const GUIDE_VERSIONS = {
  '01': { fecha: '2026-11-28' },
} as const;
export type GuideVersion = keyof typeof GUIDE_VERSIONS;

export interface ProcedureDefinition {
  id: ProcedureId;
  version: number;
  /** Spanish title, each procedure its own (correction 3). */
  title: string;
  /** The guide section(s) it implements, as printed: "5.1.1", "5.2.2 y 5.2.3". */
  guideSection: string;
  /** The tables of the guide it implements, in order. */
  guideTables: GuideTable[];
  /**
   * Version of the guide's text the step metas carry: the guide with the corrections of src/guia/corrections.ts
   * (1-9 from ARCHITECTURE.md, 10 and 11 added by the catalog).
   */
  guideVersion: GuideVersion;
  machine: ProcedureMachine;
  /** Who may open a case. */
  startRoles: ActorRole[];
  /**
   * The event the engine sends, with the starter's payload, right after `initialTransition`: the case is created
   * by that first act (the worker's CURP/CURT, the oficio sent), and its movement carries the guide step.
   */
  startEvent?: ProcedureEventType;
  /**
   * Other first acts, each with the roles that may do it: a caller that names one (the engine's start `startWith`)
   * opens the case with it instead of `startEvent`. 5.5 version 3: CONCILIAR, the Subjefatura accepting a
   * reconciliation finding (src/catalog/reconciliation/case-opener.ts). No form offers them: `startRoles` stays who
   * opens a case by hand.
   */
  otherStarts?: Partial<Record<ProcedureEventType, ActorRole[]>>;
  /** A case nobody touched for this long ends by itself: the engine sends it VENCIMIENTO. Absent: it waits for a person. */
  idleExpiryMs?: number;
  /** Where the case columns the searches filter on (CURP, CCT, nivel...) are in this procedure's context. */
  searchFields: SearchFields;
  /** What each event carries (machines/parts/payloads.ts): the engine refuses a payload that does not fit. */
  eventPayloads: Record<ProcedureEventType, EventPayload>;
  /** How cases of an older version move to this one: old state value → new state value. */
  migrateFrom?: { version: number; stateMap: Record<string, string> };
}

/** A worker who left the self-service page (never confirmed, never came back): the request expires after an hour. */
const SELF_SERVICE_IDLE_MS = 60 * 60_000;

const TITULO_NUEVO =
  'Descripción del procedimiento de solicitud y obtención de un nuevo correo electrónico institucional';

const FIRST_VERSIONS: ProcedureDefinition[] = [
  {
    id: 'personal-alta',
    version: 1,
    title: 'Correo institucional personal: solicitud y obtención de un nuevo correo',
    guideSection: '5.1.1',
    guideTables: [
      {
        section: '5.1.1',
        heading: 'PERSONAL: Solicitud y obtención de un nuevo correo electrónico institucional.',
        title: TITULO_NUEVO,
      },
    ],
    guideVersion: '01',
    machine: personalAltaV1,
    startRoles: ['trabajador'],
    startEvent: 'IDENTIFICAR',
    idleExpiryMs: SELF_SERVICE_IDLE_MS,
    searchFields: CASE_SEARCH_FIELDS,
    eventPayloads: EVENT_PAYLOADS,
  },
  {
    id: 'personal-restablecer',
    version: 1,
    title: 'Correo institucional personal: restablecimiento de la contraseña',
    guideSection: '5.1.2',
    guideTables: [
      {
        section: '5.1.2',
        heading: 'PERSONAL: Solicitud de restablecimiento de la contraseña del correo electrónico institucional.',
        title:
          'Descripción del procedimiento de restablecimiento de la contraseña del correo electrónico institucional',
      },
    ],
    guideVersion: '01',
    machine: personalRestablecerV1,
    startRoles: ['trabajador'],
    startEvent: 'IDENTIFICAR',
    idleExpiryMs: SELF_SERVICE_IDLE_MS,
    searchFields: CASE_SEARCH_FIELDS,
    eventPayloads: EVENT_PAYLOADS,
  },
  {
    id: 'centro-trabajo-alta',
    version: 1,
    title: 'Correo institucional de centro de trabajo: solicitud y obtención de un nuevo correo',
    guideSection: '5.2.1',
    guideTables: [
      {
        section: '5.2.1',
        heading: 'CENTRO DE TRABAJO: Solicitud y obtención de un nuevo correo electrónico institucional.',
        title: TITULO_NUEVO,
      },
    ],
    guideVersion: '01',
    machine: centroTrabajoAltaV1,
    startRoles: ['nivel', 'subdireccion'],
    startEvent: 'SOLICITAR',
    searchFields: CASE_SEARCH_FIELDS,
    eventPayloads: EVENT_PAYLOADS,
  },
  {
    id: 'centro-trabajo-restablecer',
    version: 1,
    title: 'Correo institucional de centro de trabajo: restablecimiento de la contraseña',
    guideSection: '5.2.2 y 5.2.3',
    guideTables: [
      {
        section: '5.2.2',
        heading:
          'CENTRO DE TRABAJO: Solicitud de restablecimiento de la contraseña del correo electrónico institucional',
        title:
          'Descripción del procedimiento de solicitud de restablecimiento de contraseña de correo electrónico institucional',
      },
      {
        section: '5.2.3',
        heading: 'CENTRO DE TRABAJO: Restablecimiento de la contraseña del correo electrónico institucional',
        title: 'Descripción del procedimiento de restablecimiento de contraseña de correo electrónico institucional',
      },
    ],
    guideVersion: '01',
    machine: centroTrabajoRestablecerV1,
    startRoles: ['centro_trabajo'],
    startEvent: 'SOLICITAR',
    searchFields: CASE_SEARCH_FIELDS,
    eventPayloads: EVENT_PAYLOADS,
  },
  {
    id: 'servicio-alta',
    version: 1,
    title: 'Correo institucional de programa, función o servicio: solicitud de nuevo correo',
    guideSection: '5.3.1',
    guideTables: [
      {
        section: '5.3.1',
        heading: 'PROGRAMA, FUNCIÓN O SERVICIO: Solicitud de nuevo correo institucional',
        title: 'Descripción del procedimiento de solicitud de nuevo correo institucional',
        correccion: 3,
      },
    ],
    guideVersion: '01',
    machine: servicioAltaV1,
    startRoles: ['responsable', 'subdireccion'],
    startEvent: 'SOLICITAR',
    searchFields: CASE_SEARCH_FIELDS,
    eventPayloads: EVENT_PAYLOADS,
  },
  {
    id: 'servicio-restablecer',
    version: 1,
    title: 'Correo institucional de programa, función o servicio: restablecimiento de la contraseña',
    guideSection: '5.3.2',
    guideTables: [
      {
        section: '5.3.2',
        heading: 'PROGRAMA, FUNCIÓN O SERVICIO: Restablecer contraseña',
        title: 'Descripción del procedimiento de restablecimiento de contraseña',
        correccion: 3,
      },
    ],
    guideVersion: '01',
    machine: servicioRestablecerV1,
    startRoles: ['responsable', 'subdireccion'],
    startEvent: 'SOLICITAR',
    searchFields: CASE_SEARCH_FIELDS,
    eventPayloads: EVENT_PAYLOADS,
  },
  {
    id: 'cuenta-reasignar',
    version: 1,
    title: 'Reasignación de una cuenta de correo institucional',
    guideSection: '5.4',
    guideTables: [
      {
        section: '5.4',
        heading: 'REASIGNAR CUENTA.',
        title: 'Descripción del procedimiento de reasignación de cuenta',
        correccion: 3,
      },
    ],
    guideVersion: '01',
    machine: cuentaReasignarV1,
    startRoles: ['responsable', 'subdireccion'],
    startEvent: 'SOLICITAR',
    searchFields: CASE_SEARCH_FIELDS,
    eventPayloads: EVENT_PAYLOADS,
  },
  {
    id: 'cuenta-bloquear',
    version: 1,
    title: 'Bloqueo de una cuenta de correo institucional',
    guideSection: '5.5',
    guideTables: [
      {
        section: '5.5',
        heading: 'BLOQUEAR CUENTA.',
        title: 'Descripción del procedimiento de bloqueo de cuenta',
        correccion: 3,
      },
    ],
    guideVersion: '01',
    machine: cuentaBloquearV1,
    startRoles: ['responsable', 'subdireccion'],
    startEvent: 'SOLICITAR',
    searchFields: CASE_SEARCH_FIELDS,
    eventPayloads: EVENT_PAYLOADS,
  },
];

/**
 * Version 2 (issue 12: every request gets an answer) of the oficio procedures (5.2.1, 5.3.1, 5.3.2, 5.4, 5.5): every
 * oficio gets a signed reply, served or not.
 * When the Subjefatura cannot serve it (CANCELAR with the motivo), the case goes on to the reply letter
 * (templates/letters/rechazada.md with the motivo), delivered and acknowledged like any other, and ends «rechazada»
 * (machines/parts/delivery.ts, `Respuesta`). Same guide, same states plus the final `rechazada`: every v1 state exists
 * in v2, so `npm run cases:migrate -- <id> 1` moves open cases as they are; a v1 case left alone ends as v1 did.
 * And of 5.2.2 / 5.2.3: a request the Subjefatura rejects is reported to the school by mail (notifySchool), with the
 * same states as v1.
 */
function answeringEveryRequest(id: ProcedureId, machine: ProcedureMachine): ProcedureDefinition {
  const v1 = FIRST_VERSIONS.find((p) => p.id === id);
  if (!v1) throw new Error(`Catalog bug: no version 1 of ${id}`);
  return { ...v1, version: 2, machine, migrateFrom: { version: 1, stateMap: {} } };
}

/** Version 3 of 5.4 and 5.5 (issue 14): version 2 plus the start by reconciliation, CONCILIAR by the Subjefatura. */
function openedByReconciliation(id: ProcedureId, machine: ProcedureMachine): ProcedureDefinition {
  return {
    ...answeringEveryRequest(id, machine),
    version: 3,
    otherStarts: { CONCILIAR: ['subjefatura'] },
    migrateFrom: { version: 2, stateMap: {} },
  };
}

export const PROCEDURES: ProcedureDefinition[] = [
  ...FIRST_VERSIONS,
  answeringEveryRequest('centro-trabajo-alta', centroTrabajoAltaV2),
  answeringEveryRequest('servicio-alta', servicioAltaV2),
  answeringEveryRequest('servicio-restablecer', servicioRestablecerV2),
  answeringEveryRequest('cuenta-reasignar', cuentaReasignarV2),
  answeringEveryRequest('cuenta-bloquear', cuentaBloquearV2),
  // 5.2.2 / 5.2.3 version 2: a rejected request is reported to the school by mail (same states as v1).
  answeringEveryRequest('centro-trabajo-restablecer', centroTrabajoRestablecerV2),
  // 5.4 and 5.5 version 3 (issue 14): v2's oficio path as it was, and a case opened by the Subjefatura accepting a
  // reconciliation finding (CONCILIAR), which ends without a reply letter. Every v2 state exists in v3.
  openedByReconciliation('cuenta-reasignar', cuentaReasignarV3),
  openedByReconciliation('cuenta-bloquear', cuentaBloquearV3),
];

/** The definition a case of this id and version runs, or undefined when the catalog has none. */
export function getProcedure(id: string, version: number): ProcedureDefinition | undefined {
  return PROCEDURES.find((p) => p.id === id && p.version === version);
}

/** The newest version of a procedure: what a new case starts with. */
export function latestProcedure(id: string): ProcedureDefinition | undefined {
  return PROCEDURES.filter((p) => p.id === id).reduce<ProcedureDefinition | undefined>(
    (latest, p) => (latest && latest.version >= p.version ? latest : p),
    undefined,
  );
}

/** The newest version of every procedure, in catalog order: what the generated guide and new cases use. */
export const CURRENT_PROCEDURES: ProcedureDefinition[] = [...new Set(PROCEDURES.map((p) => p.id))].map((id) =>
  latestProcedure(id)!,
);
