import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DomainError } from '../common/domain-error';
import { constraintMessage } from '../common/validation';

/** A submitted form: text fields only, the form token and search buttons (`_…`) left out. */
export type Form = Record<string, string>;

export function readForm(body: unknown): Form {
  const out: Form = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (k === '_csrf') continue;
    const s = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').join(', ') : v;
    if (typeof s === 'string') out[k] = s;
  }
  return out;
}

/** The fields of a form that are not controls of the page itself (`_buscar`, `_usar`, …). */
export function dataOf(form: Form, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (form[k] !== undefined) out[k] = form[k];
  return out;
}

type DtoClass<T extends object = object> = new () => T;

/** What is wrong with one field of a form: its name and one Spanish sentence. */
export interface FieldProblem {
  campo: string;
  mensaje: string;
}

/** The human names of a form's fields («Nivel que solicita» for `nivel`), for messages and the summary. */
export type FieldLabels = Readonly<Record<string, string>>;

/** Constraints that say a field is missing: said first, since a missing value also fails every other check. */
const PRESENCE = ['isDefined', 'isNotEmpty', 'isString'];

/**
 * The one constraint to tell a person about. class-validator lists them last decorator first, and an empty field
 * fails them all («admite hasta 80 caracteres» for a blank number): a missing value first, else the first declared.
 */
function mainConstraint(constraints: Record<string, string>): [string, string] | undefined {
  const declared = Object.entries(constraints).reverse();
  return declared.find(([k]) => PRESENCE.includes(k)) ?? declared[0];
}

/**
 * Validates a form with the same class-validator DTO the REST API uses, so a page accepts exactly what the API
 * accepts. Throws DATOS_INVALIDOS (400) with one message per field (`details.campos`): the DTO's own Spanish message,
 * or the generic one naming the field as the page labels it, never its key.
 */
export async function validateDto<T extends object>(
  cls: DtoClass<T>,
  values: Record<string, unknown>,
  labels: FieldLabels = {},
): Promise<T> {
  const dto = plainToInstance(cls, values);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (!errors.length) return dto;
  const campos: FieldProblem[] = [];
  for (const e of errors) {
    const first = mainConstraint(e.constraints ?? {});
    const label = labels[e.property] ?? e.property;
    const mensaje = first ? constraintMessage(first[0], first[1], label) : `El campo «${label}» no es válido.`;
    campos.push({ campo: e.property, mensaje });
  }
  throw new DomainError('DATOS_INVALIDOS', campos.map((c) => c.mensaje).join(' '), 400, { campos });
}

/** The fields a refusal names: those of validateDto, or the one field of the engine's 422 (`details.campo`). */
export function fieldProblems(e: DomainError): FieldProblem[] {
  const d = e.details ?? {};
  if (Array.isArray(d.campos)) return d.campos as FieldProblem[];
  return typeof d.campo === 'string' ? [{ campo: d.campo, mensaje: e.message }] : [];
}

/** One field's error as the layout shows it: next to the field (by id) and, linked, in the summary at the top. */
export interface FieldError {
  id: string;
  etiqueta: string | null;
  mensaje: string;
}

/** The errors of a form as a page shows them: beside each field, and the rest (no field of this form) at the top. */
export interface FormErrors {
  error: string | null;
  campos: FieldError[];
}

/**
 * Splits a refusal into the fields of the form it names (ids `<prefix>-<campo>`, the `field` helper's) and a general
 * message for what names no field shown. `problems` replaces the refusal's own (fieldProblems), for a page that words
 * them its way or places a service's refusal, by its code, on a field.
 */
export function formErrors(
  e: DomainError,
  labels: FieldLabels,
  opts: { prefix?: string; problems?: FieldProblem[] } = {},
): FormErrors {
  const prefix = opts.prefix ?? 'f';
  const seen = new Set<string>();
  const campos: FieldError[] = [];
  const rest: string[] = [];
  for (const p of opts.problems ?? fieldProblems(e)) {
    if (!Object.hasOwn(labels, p.campo)) {
      if (!rest.includes(p.mensaje)) rest.push(p.mensaje);
      continue;
    }
    if (seen.has(p.campo)) continue;
    seen.add(p.campo);
    // "CURP del nuevo titular: La CURP debe…" (the engine's) beside a field already labelled so: the sentence only.
    const label = labels[p.campo];
    const lead = `${label.toLowerCase()}: `;
    const mensaje = p.mensaje.toLowerCase().startsWith(lead) ? p.mensaje.slice(lead.length) : p.mensaje;
    campos.push({ id: `${prefix}-${p.campo}`, etiqueta: label, mensaje });
  }
  return { error: rest.length ? rest.join(' ') : campos.length ? null : e.message, campos };
}
