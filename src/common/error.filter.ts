import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from './domain-error';

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
};

/**
 * Maps every error to a Spanish JSON body and a status. Domain errors carry their own code and message; Nest's HTTP
 * errors get Spanish wording; anything else is a 500 that names the request id, logged with the stack but never
 * shown to the user (CONVENTIONS #14).
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errores');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request & { id?: string }>();
    const requestId = String(req.id ?? '');
    if (exception instanceof DomainError) {
      res.status(exception.status).json({ error: exception.code, mensaje: exception.message, ...exception.details });
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'mensaje' in body) {
        res.status(status).json(body);
        return;
      }
      const [code, mensaje] = STATUS_ES[status] ?? ['ERROR', 'No se pudo completar la solicitud.'];
      res.status(status).json({ error: code, mensaje });
      return;
    }
    this.logger.error({ err: exception, requestId }, 'Error no controlado');
    res.status(500).json({
      error: 'ERROR_INTERNO',
      mensaje: `Ocurrió un error interno. Intente de nuevo; si persiste, reporte este identificador a la Subjefatura de Sistemas: ${requestId}`,
      requestId,
    });
  }
}
