import {
  applyDecorators,
  type ArgumentsHost,
  type CanActivate,
  Catch,
  createParamDecorator,
  type ExceptionFilter,
  type ExecutionContext,
  HttpException,
  Inject,
  Injectable,
  Logger,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { FormTokenChecked, sessionOf, StaffAuthGuard } from '../auth/auth.guard';
import { clearSessionCookie } from '../auth/session-cookie';
import { CsrfTokens, isUnsafeMethod } from '../auth/csrf';
import type { AuthenticatedStaff } from '../auth/auth.service';
import { DomainError } from '../common/domain-error';
import { mapUnavailable } from '../common/error.filter';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { identityOf } from '../render/identity';
import { setRetryAfter } from '../common/rate-limit';
import { type Chrome, query, staffPage, withCounter } from './layout';
import { InboxService } from '../engine/inbox.service';

/** What StaffAuthGuard leaves on the request, plus the page chrome PageGuard adds. */
export type PageRequest = Request & {
  staff?: AuthenticatedStaff;
  token?: string;
  chrome?: Chrome;
  id?: string | number;
};

/** The form tokens live with the session (src/auth/csrf.ts): the JSON API checks the same token in a header. */
export { CsrfTokens };

const isMultipart = (req: Request): boolean =>
  (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');

/**
 * Runs after StaffAuthGuard on every signed-in page: builds the page chrome and checks the form token of every
 * POST. Multipart forms are checked by PageUpload, once their fields are parsed.
 */
@Injectable()
export class PageGuard implements CanActivate {
  private readonly log = new Logger('Páginas');

  constructor(
    private readonly csrf: CsrfTokens,
    private readonly inbox: InboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<PageRequest>();
    if (!req.staff || !req.token) throw new DomainError('NO_AUTENTICADO', 'Inicie sesión para continuar.', 401);
    req.chrome = {
      staff: req.staff,
      csrf: this.csrf.tokenFor(req.token),
      path: req.path,
      identity: identityOf(this.config.institution),
    };
    if (isUnsafeMethod(req.method) && !isMultipart(req)) this.csrf.check(req);
    // The menu tells how many tasks wait (issue 12 §2): a count of at most 100 index entries, on GET pages only. It is
    // read while the page reads its own data; sendHtml waits for it. A count that fails leaves the menu without it.
    if (req.method === 'GET' && !req.staff.mustChangePassword)
      req.chrome.pendientesEnCurso = this.inbox.pendingCount(req.staff).catch((err: unknown) => {
        this.log.warn({ err, requestId: String(req.id ?? '') }, 'No se pudo contar la bandeja para el menú');
        return undefined;
      });
    return true;
  }
}

export const PageChrome = createParamDecorator((_: unknown, ctx: ExecutionContext): Chrome => {
  const req = ctx.switchToHttp().getRequest<PageRequest>();
  return req.chrome ?? { staff: null, csrf: '', path: req.path };
});

/** A local path to come back to after signing in; anything else (another host, "//x") is dropped. */
export function safeNext(v: unknown): string | null {
  return typeof v === 'string' && /^\/(?![/\\])/.test(v) && v.length < 500 ? v : null;
}

/** The page a form was posted from, when it is one of ours (same host): where to come back after signing in. */
function refererPath(req: Request): string | null {
  try {
    const from = new URL(req.headers.referer ?? '');
    return from.host === req.headers.host ? `${from.pathname}${from.search}` : null;
  } catch {
    return null;
  }
}

const STATUS_TEXT: Record<number, [string, string]> = {
  400: ['Datos no válidos', 'La solicitud no es válida.'],
  403: ['Sin permiso', 'No tiene permiso para realizar esta acción.'],
  404: ['No encontrado', 'No se encontró lo que busca o no tiene acceso a ello.'],
  409: ['Conflicto', 'La información cambió mientras la consultaba; recargue e intente de nuevo.'],
  413: ['Archivo demasiado grande', 'El archivo o la solicitud excede el tamaño permitido.'],
  415: ['Tipo no admitido', 'El tipo de archivo no se admite.'],
  422: ['No procede', 'La acción no procede.'],
  429: ['Demasiados intentos', 'Demasiadas solicitudes; espere un momento e intente de nuevo.'],
  503: ['Servicio no disponible', 'El servicio no está disponible por el momento; intente de nuevo en unos momentos.'],
};

/**
 * Sends a page: HTML, never cached (it shows a person's work and, once, first-login passwords). A staff page waits for
 * its menu's count if that is still being read (PageGuard), and shows it.
 */
export function sendHtml(res: Response, html: string, status = 200): void {
  res.status(status).type('html').setHeader('Cache-Control', 'no-store');
  const chrome = (res.req as PageRequest).chrome;
  if (!chrome?.pendientesEnCurso) res.send(html);
  else
    void withCounter(html, chrome).then((page) => {
      if (!res.headersSent) res.send(page);
    });
}

/** After a successful POST: 303 so a reload does not post again. */
export function seeOther(res: Response, url: string): void {
  res.redirect(303, url);
}

/**
 * Errors on page routes become pages, not JSON: no session → the sign-in page (coming back afterwards), first-login
 * password pending → the password page, a database that does not answer → 503 (mapUnavailable, as on the API),
 * anything else → the Spanish message in the staff layout. Unknown errors are
 * logged with the request id and shown only as that id (CONVENTIONS #14).
 */
@Catch()
@Injectable()
export class PageFilter implements ExceptionFilter {
  private readonly log = new Logger('Páginas');

  constructor(private readonly csrf: CsrfTokens) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<PageRequest>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const exception = mapUnavailable(error, res, this.log, String(req.id ?? ''));
    if (exception instanceof DomainError && exception.code === 'NO_AUTENTICADO') {
      // A session cookie the server no longer honours: the session expired (idle, or its 10 h), not a first visit.
      const expired = sessionOf(req)?.via === 'cookie';
      if (expired) clearSessionCookie(res);
      const back = safeNext(req.method === 'GET' ? req.originalUrl : refererPath(req));
      seeOther(res, `/personal/entrar${query({ siguiente: back, aviso: expired ? 'expirada' : null })}`);
      return;
    }
    if (exception instanceof DomainError && exception.code === 'CAMBIO_CONTRASENA_REQUERIDO') {
      seeOther(res, '/personal/contrasena');
      return;
    }
    const chrome: Chrome = req.chrome ?? {
      staff: req.staff ?? null,
      csrf: req.token ? this.csrf.tokenFor(req.token) : '',
      path: req.path,
    };
    let status = 500;
    let title = 'Ocurrió un error';
    let message: string;
    if (exception instanceof DomainError) {
      setRetryAfter(res, exception);
      status = exception.status;
      title = STATUS_TEXT[status]?.[0] ?? 'No fue posible continuar';
      message = exception.message;
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      const body = exception.getResponse();
      [title, message] = STATUS_TEXT[status] ?? ['No fue posible continuar', 'No se pudo completar la solicitud.'];
      if (typeof body === 'object' && body !== null && typeof (body as { mensaje?: unknown }).mensaje === 'string')
        message = (body as { mensaje: string }).mensaje;
    } else {
      const requestId = String(req.id ?? '');
      this.log.error({ err: exception, requestId }, 'Error no controlado en una página');
      message = `Ocurrió un error interno. Intente de nuevo; si persiste, reporte este identificador a la Subjefatura de Sistemas: ${requestId}`;
    }
    sendHtml(res, staffPage(chrome, 'personal-error', title, { mensaje: message, conSesion: !!chrome.staff }), status);
  }
}

/** Every signed-in page controller: session cookie (StaffAuthGuard), chrome + form token, errors as pages. */
export const StaffPages = (): ClassDecorator =>
  applyDecorators(
    ApiExcludeController(),
    FormTokenChecked(),
    UseGuards(StaffAuthGuard, PageGuard),
    UseFilters(PageFilter),
  );
