/**
 * Checks an event against what the machines declare it carries (machines/parts/payloads.ts), for every caller of the
 * engine alike: a payload the web page would refuse is refused on the REST API too, before anything is written, so
 * bad data cannot surface later as a provisioning incident.
 */
import { COMMON_FIELDS, type EventPayload, type PayloadField, type PayloadFields } from '../../machines';
import { cctProblem } from '../validation/cct';
import { curpProblem } from '../validation/curp';
import { localPartProblem } from '../validation/email';
import { DomainError } from '../common/domain-error';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
/** The label without its article, to head the validator's own sentence: "CURP del director: La CURP debe…". */
const heading = (label: string): string => capital(label.replace(/^(el|la|los|las) /, ''));

/** Why the value does not fit the field, in Spanish, or null. `cctStateCode`: CCTs of other states are refused. */
function fieldProblem(f: PayloadField, value: unknown, cctStateCode?: string): string | null {
  const name = capital(f.label);
  if (f.kind === 'boolean') return typeof value === 'boolean' ? null : `${name} debe ser verdadero o falso.`;
  if (f.kind === 'enum') {
    return typeof value === 'string' && f.values.includes(value)
      ? null
      : `Elija ${f.label}: ${f.values.map((v) => f.names?.[v] ?? `«${v}»`).join(' o ')}.`;
  }
  if (typeof value !== 'string') return `${name} debe ser texto.`;
  switch (f.kind) {
    case 'curp': {
      const p = curpProblem(value);
      return p && `${heading(f.label)}: ${p}`;
    }
    case 'cct':
      // Its messages already name the CCT.
      return cctProblem(value, cctStateCode);
    case 'localPart':
      return localPartProblem(value);
    case 'text':
      if (!value.trim()) return `Escriba ${f.label}.`;
      return value.length > f.max ? `${name} admite hasta ${f.max} caracteres.` : null;
    case 'id':
      return /^[\w.:-]{1,64}$/.test(value) ? null : `${name} no es válida: elíjala de la lista de resultados.`;
    case 'instant':
      return ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value))
        ? null
        : `${name} debe ser una fecha y hora ISO 8601.`;
  }
}

/** The fields a payload of this declaration must have, for this event (a variant's fields depend on its `by` value). */
function fieldsOf(decl: EventPayload, event: Record<string, unknown>): PayloadFields {
  if (!decl.variants) return { ...COMMON_FIELDS, ...decl.fields };
  const { by, label, names, cases } = decl.variants;
  const choice = event[by];
  const values = Object.keys(cases);
  return {
    ...COMMON_FIELDS,
    ...decl.fields,
    [by]: { kind: 'enum', values, label, names },
    ...(typeof choice === 'string' && Object.hasOwn(cases, choice) ? cases[choice] : {}),
  };
}

type Declarations = Readonly<Record<string, EventPayload>>;

/**
 * The first problem of the event's payload, as `{ campo, mensaje }`, or null when it fits the procedure's declaration.
 * An event the procedure declares nothing for carries nothing but `at` (a machine's own test guards the catalog).
 */
export function payloadProblem(
  decls: Declarations,
  event: { type: string } & Record<string, unknown>,
  cctStateCode?: string,
): { campo: string; mensaje: string } | null {
  const decl = decls[event.type] ?? { fields: {} };
  const fields = fieldsOf(decl, event);
  // The declared fields first: a missing or wrong `tipo` is the problem to tell, not the fields of its variant.
  for (const [key, f] of Object.entries(fields)) {
    const value = event[key];
    if (value === undefined) {
      if (f.optional) continue;
      const mensaje =
        f.kind === 'text'
          ? `Escriba ${f.label}.`
          : f.kind === 'enum'
            ? fieldProblem(f, value, cctStateCode)!
            : `Falta ${f.label} (dato «${key}»).`;
      return { campo: key, mensaje };
    }
    if (value === null && f.nullable) continue;
    const p = fieldProblem(f, value, cctStateCode);
    if (p) return { campo: key, mensaje: p };
  }
  for (const key of Object.keys(event)) {
    if (key !== 'type' && !Object.hasOwn(fields, key)) {
      return { campo: key, mensaje: `La acción «${event.type}» no lleva el dato «${key}»; quítelo.` };
    }
  }
  return null;
}

/** 422 with the field and what to do, before the engine writes anything. */
export function assertPayload(
  decls: Declarations,
  event: { type: string } & Record<string, unknown>,
  cctStateCode?: string,
): void {
  const problem = payloadProblem(decls, event, cctStateCode);
  if (problem) throw new DomainError('DATOS_INVALIDOS', problem.mensaje, 422, { campo: problem.campo });
}

/** Whether only the system sends this event (its bad payload is a bug of a processor, not a person's typo). */
export function isSystemEvent(decls: Declarations, type: string): boolean {
  return decls[type]?.sentBy === 'sistema';
}
