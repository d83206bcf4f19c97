import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

/** Spanish wording for class-validator constraints used without an explicit message. */
const CONSTRAINT_ES: Record<string, (field: string) => string> = {
  whitelistValidation: (f) => `El campo «${f}» no se admite en esta solicitud.`,
  isNotEmpty: (f) => `El campo «${f}» es obligatorio.`,
  isDefined: (f) => `El campo «${f}» es obligatorio.`,
  isString: (f) => `El campo «${f}» debe ser texto.`,
  isInt: (f) => `El campo «${f}» debe ser un número entero.`,
  isBoolean: (f) => `El campo «${f}» debe ser verdadero o falso.`,
  isEmail: (f) => `El campo «${f}» debe ser un correo electrónico válido.`,
  isIn: (f) => `El valor del campo «${f}» no está entre los permitidos.`,
  isEnum: (f) => `El valor del campo «${f}» no está entre los permitidos.`,
  isUUID: (f) => `El campo «${f}» debe ser un identificador válido.`,
  isISO8601: (f) => `El campo «${f}» debe ser una fecha válida (AAAA-MM-DD).`,
  isDateString: (f) => `El campo «${f}» debe ser una fecha válida (AAAA-MM-DD).`,
  maxLength: (f) => `El campo «${f}» es demasiado largo.`,
  minLength: (f) => `El campo «${f}» es demasiado corto.`,
  min: (f) => `El campo «${f}» es menor que el mínimo permitido.`,
  max: (f) => `El campo «${f}» es mayor que el máximo permitido.`,
  isArray: (f) => `El campo «${f}» debe ser una lista.`,
  arrayNotEmpty: (f) => `El campo «${f}» debe tener al menos un elemento.`,
  arrayMaxSize: (f) => `El campo «${f}» tiene demasiados elementos.`,
  matches: (f) => `El campo «${f}» no tiene el formato esperado.`,
  nestedValidation: (f) => `El campo «${f}» no es válido.`,
};

/** Whether a message is one of class-validator's English defaults ("curp must be a string"). */
const looksEnglish = (m: string): boolean => /\b(must|should|has to|is not)\b/.test(m);

/** A constraint's message in Spanish: its own, unless it is class-validator's English default. */
export function constraintMessage(key: string, msg: string, field: string): string {
  const es = CONSTRAINT_ES[key];
  return looksEnglish(msg) && es ? es(field) : msg;
}

export function validationMessages(errors: ValidationError[], prefix = ''): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const field = prefix + e.property;
    for (const [key, msg] of Object.entries(e.constraints ?? {})) out.push(constraintMessage(key, msg, field));
    if (e.children?.length) out.push(...validationMessages(e.children, `${field}.`));
  }
  return out;
}

/** The one global pipe: whitelist, reject unknown fields, transform, Spanish messages (CONVENTIONS #4). */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const mensajes = validationMessages(errors);
      return new BadRequestException({ error: 'DATOS_INVALIDOS', mensaje: mensajes.join(' '), detalles: mensajes });
    },
  });
}
