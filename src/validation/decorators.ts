import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { cctProblem } from './cct';
import { curpProblem } from './curp';
import { emailProblem, localPartProblem } from './email';

type Problem = (value: string) => string | null;

/**
 * One decorator per identifier, whose message is the validator's own precise Spanish reason
 * (which character, which date) rather than a generic "invalid".
 */
function problemDecorator(name: string, problem: Problem, options?: ValidationOptions): PropertyDecorator {
  // undefined: not text at all (the message then names the property, which only defaultMessage knows).
  const reason = (value: unknown): string | null | undefined =>
    typeof value === 'string' ? problem(value) : undefined;
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(propertyName),
      options: { ...options },
      validator: {
        validate: (value: unknown) => reason(value) === null,
        defaultMessage: (args?: ValidationArguments) => {
          const value: unknown = args?.value;
          // With { each: true } the message is built from the whole array: name the first bad element.
          const failing = Array.isArray(value) ? (value as unknown[]).find((v) => reason(v) !== null) : value;
          const why = reason(failing);
          return why ?? `El campo ${args?.property ?? ''} debe ser texto.`;
        },
      },
    });
  };
}

/** A CURP with its real check digit, a real birth date, a state code and sex H/M/X. */
export function IsCurp(options?: ValidationOptions): PropertyDecorator {
  return problemDecorator('isCurp', curpProblem, options);
}

/** A CCT with the shape 06DPR0123X (catalog existence is checked by the services). */
export function IsCct(options?: ValidationOptions): PropertyDecorator {
  return problemDecorator('isCct', cctProblem, options);
}

/** The part before the @ of an institutional account; with mailDomain, the whole address must fit in 254. */
export function IsInstitutionalLocalPart(
  opts?: { mailDomain?: string },
  options?: ValidationOptions,
): PropertyDecorator {
  return problemDecorator('isInstitutionalLocalPart', (v) => localPartProblem(v, opts?.mailDomain), options);
}

/** An ordinary e-mail address (ASCII, dot-atom local part, a domain with a TLD). */
export function IsEmailAddress(options?: ValidationOptions): PropertyDecorator {
  return problemDecorator('isEmailAddress', emailProblem, options);
}
