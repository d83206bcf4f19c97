import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DomainError } from '../common/domain-error';
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
