import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DomainError } from '../common/domain-error';
import { esc } from '../common/html';
import { validationMessages } from '../common/validation';

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

/**
 * Validates a form with the same class-validator DTO the REST API uses, so a page accepts exactly what the API
 * accepts, with the same Spanish messages. Throws DATOS_INVALIDOS (400) listing every problem.
 */
export async function validateDto<T extends object>(cls: DtoClass<T>, values: Record<string, unknown>): Promise<T> {
  const dto = plainToInstance(cls, values);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) throw new DomainError('DATOS_INVALIDOS', validationMessages(errors).join(' '), 400);
  return dto;
}

interface FieldOptions {
  label: string;
  name: string;
  value?: string | null;
  /** Prefix for the element id when one page holds several forms with the same field names. */
  idPrefix?: string;
  hint?: string;
  required?: boolean;
  /** Extra attributes, already escaped. */
  attrs?: string;
}

const idOf = (o: FieldOptions): string => `${o.idPrefix ?? 'f'}-${o.name}`;
const hintOf = (o: FieldOptions): string => (o.hint ? `<small id="${idOf(o)}-ayuda">${esc(o.hint)}</small>` : '');
const describedBy = (o: FieldOptions): string => (o.hint ? ` aria-describedby="${idOf(o)}-ayuda"` : '');
const req = (o: FieldOptions): string => (o.required ? ' required' : '');

export function input(o: FieldOptions & { type?: 'text' | 'password' | 'date' | 'datetime-local' | 'number' | 'email' | 'search' }): string {
  return `<div class="campo"><label for="${idOf(o)}">${esc(o.label)}</label><input type="${o.type ?? 'text'}" id="${idOf(o)}" name="${esc(o.name)}" value="${esc(o.value ?? '')}"${req(o)}${describedBy(o)} ${o.attrs ?? ''}>${hintOf(o)}</div>`;
}

export function textarea(o: FieldOptions & { rows?: number }): string {
  return `<div class="campo"><label for="${idOf(o)}">${esc(o.label)}</label><textarea id="${idOf(o)}" name="${esc(o.name)}" rows="${o.rows ?? 3}"${req(o)}${describedBy(o)} ${o.attrs ?? ''}>${esc(o.value ?? '')}</textarea>${hintOf(o)}</div>`;
}

export function select(o: FieldOptions & { options: { value: string; label: string }[]; empty?: string }): string {
  const opts = [
    ...(o.empty !== undefined ? [`<option value="">${esc(o.empty)}</option>`] : []),
    ...o.options.map((x) => `<option value="${esc(x.value)}"${x.value === (o.value ?? '') ? ' selected' : ''}>${esc(x.label)}</option>`),
  ].join('');
  return `<div class="campo"><label for="${idOf(o)}">${esc(o.label)}</label><select id="${idOf(o)}" name="${esc(o.name)}"${req(o)}${describedBy(o)} ${o.attrs ?? ''}>${opts}</select>${hintOf(o)}</div>`;
}

export function checkbox(o: FieldOptions & { checked: boolean; value?: string }): string {
  return `<div class="campo casilla"><input type="checkbox" id="${idOf(o)}" name="${esc(o.name)}" value="${esc(o.value ?? 'true')}"${o.checked ? ' checked' : ''}${describedBy(o)} ${o.attrs ?? ''}><label for="${idOf(o)}">${esc(o.label)}</label>${hintOf(o)}</div>`;
}

export const hidden = (name: string, value: string | number): string => `<input type="hidden" name="${esc(name)}" value="${esc(String(value))}">`;
