import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../common/domain-error';
import { mapUnavailable } from '../common/error.filter';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DEFAULT_IDENTITY, type Identity, identityOf } from '../render/identity';
import { TEST_MARK } from '../letters/renderer';
import { renderPublicError, renderPublicPage } from '../render/pages';
import type { CaseInclusion } from '../engine/transparency/transparency-log';
import { formatFechaHora } from '../letters/fecha';
import type { ComparisonResult, VerificationView } from './documents.service';

/** The public page of one issued document, with the result of a comparison when a file was uploaded. */
export function renderVerificationPage(
  v: VerificationView,
  result?: ComparisonResult,
  log?: CaseInclusion | null,
  identity: Identity = DEFAULT_IDENTITY,
): string {
  const filas: { k: string; v: string; huella?: boolean }[] = [
    { k: 'Documento', v: v.tipo },
    { k: 'Folio', v: v.folio },
    ...(v.numeroOficio ? [{ k: 'Número de oficio', v: v.numeroOficio }] : []),
    { k: 'Fecha de emisión', v: v.fecha },
    { k: 'Firmado por', v: v.firmante },
    { k: 'Número de serie del certificado', v: v.certificadoSerie, huella: true },
    { k: 'Páginas', v: String(v.paginas) },
    { k: 'Huella SHA-256 del archivo emitido', v: v.sha256, huella: true },
  ];
  return renderPublicPage(
    'verificacion',
    `${v.tipo} ${v.numeroOficio ?? v.folio}`,
    {
      vigente: v.estado === 'vigente',
      prueba: v.prueba ? TEST_MARK : null,
      comparacion: result ?? null,
      filas,
      codigo: encodeURIComponent(v.codigo),
      bitacora: log
        ? {
            movimientos: log.movements.length,
            pendientes: log.pending,
            tamano: log.head.treeSize.toLocaleString('es-MX'),
            fecha: formatFechaHora(new Date(log.head.timestamp)),
            raiz: log.head.rootHash,
          }
        : null,
    },
    { heading: 'Verificación de documento', noindex: true, identity },
  );
}

export function renderErrorPage(status: number, message: string, identity: Identity = DEFAULT_IDENTITY): string {
  const title =
    status === 404
      ? 'Documento no encontrado'
      : status === 413
        ? 'Archivo demasiado grande'
        : status === 429
          ? 'Demasiadas consultas'
          : 'No se pudo verificar';
  return renderPublicError(title, message, { noindex: true, identity });
}

/** Errors of the public pages as HTML pages (the API keeps its JSON errors). */
@Catch()
export class VerificationPageFilter implements ExceptionFilter {
  private readonly log = new Logger('Verificación');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request & { id?: string }>();
    const exception = mapUnavailable(error, res, this.log, String(req.id ?? ''));
    let status = 500;
    let message = 'Ocurrió un error al verificar el documento. Intente de nuevo más tarde.';
    if (exception instanceof DomainError) {
      status = exception.status;
      message = exception.message;
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      message = status === 404 ? 'No se encontró la página.' : 'La solicitud no es válida.';
    } else {
      this.log.error(
        { err: exception, requestId: String(req.id ?? '') },
        'Error no controlado en la página de verificación',
      );
    }
    res
      .status(status)
      .type('html')
      .send(renderErrorPage(status, message, identityOf(this.config.institution)));
  }
}
