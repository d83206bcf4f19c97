import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from './domain-error';

/**
 * What a JSON or form body may be. No request of the product comes near these (a scanned oficio is multipart, with
 * its own 10 MB limit in oficios/upload.ts); they keep a hostile body from costing memory or a deep recursion.
 */
export const BODY_LIMITS = { bytes: '100kb', fields: 1000, depth: 32 } as const;

const TOO_DEEP = new DomainError(
  'DEMASIADO_ANIDADO',
  `La solicitud tiene demasiados niveles anidados (máximo ${BODY_LIMITS.depth}); revise los datos que envía.`,
  400,
);

/** body-parser's errors (http-errors with a `type`), in Spanish, with the status each deserves. */
const BODY_ERRORS: Record<string, DomainError> = {
  'entity.too.large': new DomainError(
    'DEMASIADO_GRANDE',
    'La solicitud excede el tamaño permitido (100 KB de datos; un archivo de oficio, hasta 10 MB).',
    413,
  ),
  'parameters.too.many': new DomainError(
    'DEMASIADOS_CAMPOS',
    `El formulario tiene demasiados campos (máximo ${BODY_LIMITS.fields}); revise los datos que envía.`,
    413,
  ),
  'querystring.parse.rangeError': TOO_DEEP,
  'entity.parse.failed': new DomainError('SOLICITUD_INVALIDA', 'El cuerpo de la solicitud no es JSON válido.', 400),
  'charset.unsupported': new DomainError(
    'TIPO_NO_ADMITIDO',
    'La codificación de caracteres no se admite; envíe los datos en UTF-8.',
    415,
  ),
  'encoding.unsupported': new DomainError('TIPO_NO_ADMITIDO', 'La compresión de la solicitud no se admite.', 415),
  'request.aborted': new DomainError(
    'SOLICITUD_INVALIDA',
    'La solicitud se interrumpió antes de terminar de llegar.',
    400,
  ),
  'request.size.invalid': new DomainError(
    'SOLICITUD_INVALIDA',
    'El tamaño declarado de la solicitud no coincide con lo recibido.',
    400,
  ),
};

/** Whether a parsed body nests objects or arrays deeper than `max` (iterative: no recursion to overflow). */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(v as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * The JSON and form parsers with the product's limits, then two guards: a body nested deeper than the limit is a 400
 * here (class-transformer and class-validator recurse over it), and the parsers' own errors become Spanish domain
 * errors, which the global filter answers as JSON or, to a browser, as a page. Nest's default parsers are skipped
 * once these are applied.
 */
export function useBodyParsers(app: NestExpressApplication): void {
  app.useBodyParser('json', { limit: BODY_LIMITS.bytes });
  app.useBodyParser('urlencoded', {
    extended: true,
    limit: BODY_LIMITS.bytes,
    parameterLimit: BODY_LIMITS.fields,
    depth: BODY_LIMITS.depth,
  });
  app.use((req: Request, _res: Response, next: NextFunction) => {
    // Express 5 leaves the body undefined when no parser took it (text/plain, an unknown type): handlers read {}.
    req.body ??= {};
    next(nestedDeeperThan(req.body, BODY_LIMITS.depth) ? TOO_DEEP : undefined);
  });
  app.use((err: unknown, _req: Request, _res: Response, next: NextFunction) => {
    const type = (err as { type?: unknown } | null)?.type;
    next((typeof type === 'string' && BODY_ERRORS[type]) || err);
  });
}
