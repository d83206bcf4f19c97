import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from '../database/unavailable';
import { DEFAULT_IDENTITY, type Identity } from '../render/identity';
import { renderPublicError } from '../render/pages';
import { DomainError } from './domain-error';

export const DATABASE_UNAVAILABLE_MESSAGE = 'La base de datos no está disponible; intente de nuevo en unos momentos.';
/** Retry-After of a 503 for a database that does not answer: a restart or a failover takes seconds. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * The failures that are neither the request's fault nor a bug, as the error a person reads: a database that is down,
 * frozen or locked → 503 in Spanish with Retry-After (logged as a warning, without a stack or the statement's
 * parameters). The API's filter and the pages' filter (src/web/page-auth.ts) both start here; anything else comes back
 * unchanged.
 */
export function mapUnavailable(exception: unknown, res: Response, log: Logger, requestId: string): unknown {
  if (!isDatabaseUnavailable(exception)) return exception;
  log.warn(
    { requestId, causa: exception instanceof Error ? exception.message : String(exception) },
    'Base de datos no disponible',
  );
  if (!res.headersSent) res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
  return new DomainError('BASE_DE_DATOS_NO_DISPONIBLE', DATABASE_UNAVAILABLE_MESSAGE, 503);
}

const STATUS_ES: Record<number, [string, string]> = {
  400: ['SOLICITUD_INVALIDA', 'La solicitud no es válida.'],
  401: ['NO_AUTENTICADO', 'Inicie sesión para continuar.'],
  403: ['PROHIBIDO', 'No tiene permiso para realizar esta acción.'],
  404: ['NO_ENCONTRADO', 'No se encontró lo que busca.'],
  405: ['METODO_NO_PERMITIDO', 'Método no permitido.'],
  409: ['CONFLICTO', 'La información cambió mientras la consultaba; recargue e intente de nuevo.'],
  413: ['DEMASIADO_GRANDE', 'El archivo o la solicitud excede el tamaño permitido.'],
  415: ['TIPO_NO_ADMITIDO', 'El tipo de contenido no se admite.'],
  429: ['DEMASIADAS_SOLICITUDES', 'Demasiadas solicitudes; espere un momento e intente de nuevo.'],
  503: ['SERVICIO_NO_DISPONIBLE', 'El servicio no está disponible por el momento; intente de nuevo en unos momentos.'],
};

const PAGE_TITLE: Record<number, string> = {
  404: 'Página no encontrada',
  413: 'Datos demasiado grandes',
  429: 'Demasiadas solicitudes',
  500: 'Ocurrió un error',
  503: 'Servicio no disponible',
};

/**
 * Whether the error goes to a browser: a request outside the API and /health that posts a form or prefers HTML
 * (a page controller has its own filter; this one sees what fails before routing, such as a body the parsers refuse).
 */
function wantsPage(req: Request): boolean {
  if (/^\/(api|health)(\/|$)/.test(req.path)) return false;
  return Boolean(req.is(['urlencoded', 'multipart'])) || req.accepts(['json', 'html']) === 'html';
}

/**
 * Maps every error to a Spanish JSON body (or page) and a status. Domain errors carry their own code and message;
 * Nest's HTTP errors get Spanish wording; a database that does not answer is a 503 (mapUnavailable); anything else is a 500 that names the request id, logged with the stack but
 * never shown to the user (CONVENTIONS #14).
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errores');

  /** `identity`: the institution the error page names (the configured one). */
  constructor(private readonly identity: Identity = DEFAULT_IDENTITY) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request & { id?: string }>();
    const requestId = String(req.id ?? '');
    const { status, body } = this.responseOf(mapUnavailable(exception, res, this.logger, requestId), requestId);
    if (res.headersSent) return;
    if (wantsPage(req)) {
      const title = PAGE_TITLE[status] ?? 'No fue posible continuar';
      res.status(status).type('html').setHeader('Cache-Control', 'no-store');
      res.send(
        renderPublicError(title, body.mensaje, {
          nota: 'Regrese a la página anterior e intente de nuevo.',
          identity: this.identity,
        }),
      );
      return;
    }
    res.status(status).json(body);
  }

  private responseOf(
    exception: unknown,
    requestId: string,
  ): { status: number; body: { mensaje: string } & Record<string, unknown> } {
    if (exception instanceof DomainError) {
      return {
        status: exception.status,
        body: { error: exception.code, mensaje: exception.message, ...exception.details },
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && typeof (body as { mensaje?: unknown }).mensaje === 'string') {
        return { status, body: body as { mensaje: string } };
      }
      const [error, mensaje] = STATUS_ES[status] ?? ['ERROR', 'No se pudo completar la solicitud.'];
      return { status, body: { error, mensaje } };
    }
    this.logger.error({ err: exception, requestId }, 'Error no controlado');
    return {
      status: 500,
      body: {
        error: 'ERROR_INTERNO',
        mensaje: `Ocurrió un error interno. Intente de nuevo; si persiste, reporte este identificador a la Subjefatura de Sistemas: ${requestId}`,
        requestId,
      },
    };
  }
}
