import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { ActorRole } from '../../machines/types';
import { DomainError } from '../common/domain-error';
import { ROLE_LABEL } from './actor';
import { type AuthenticatedStaff, AuthService } from './auth.service';
import { CSRF_HEADER, CsrfTokens, forgedRequest, fromAnotherOrigin, isUnsafeMethod } from './csrf';

export const SESSION_COOKIE = 'mci_sesion';
const ROLES_KEY = 'mci:roles';
const ALLOW_PASSWORD_CHANGE_KEY = 'mci:allowMustChange';
const FORM_TOKEN_KEY = 'mci:formToken';

/** Restricts a route to staff roles; without it any signed-in staff user may call the route. */
export const Roles = (...roles: ActorRole[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);
/** Lets a user who must change their first-login password reach this route. */
export const AllowMustChangePassword = (): MethodDecorator => SetMetadata(ALLOW_PASSWORD_CHANGE_KEY, true);

/**
 * For page controllers whose forms post the token in the body (`_csrf`, checked by the page guard once the form is
 * read): the session cookie then needs no X-CSRF-Token header.
 */
export const FormTokenChecked = (): MethodDecorator & ClassDecorator => SetMetadata(FORM_TOKEN_KEY, true);

type AuthedRequest = Request & { staff?: AuthenticatedStaff; token?: string };

/** A named cookie of the request, or undefined. */
export function cookieOf(req: Request, name: string): string | undefined {
  const m = new RegExp(`(?:^|;\\s*)${name}=([^;]+)`).exec(req.headers.cookie ?? '');
  return m ? decodeURIComponent(m[1]) : undefined;
}

/** The session token and how it came: a Bearer header (API clients) or the session cookie (a browser). */
export function sessionOf(req: Request): { token: string; via: 'bearer' | 'cookie' } | undefined {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return { token: h.slice(7).trim(), via: 'bearer' };
  const token = cookieOf(req, SESSION_COOKIE);
  return token ? { token, via: 'cookie' } : undefined;
}

export const tokenOf = (req: Request): string | undefined => sessionOf(req)?.token;

/**
 * Bearer token (API) or session cookie (pages, and the API from a browser) → the staff user, or 401 in Spanish.
 * A browser sends the cookie by itself, even when a page of another site or port makes it post: so with the cookie,
 * a state-changing request must prove it comes from our own pages — the X-CSRF-Token header on the API, the form
 * token on the pages — and must not be marked by the browser as coming from elsewhere.
 */
@Injectable()
export class StaffAuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
    private readonly csrf: CsrfTokens,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const session = sessionOf(req);
    const staff = session ? await this.auth.authenticate(session.token) : null;
    if (!session || !staff)
      throw new DomainError('NO_AUTENTICADO', 'Inicie sesión para continuar (su sesión no existe o expiró).', 401);
    if (session.via === 'cookie' && isUnsafeMethod(req.method)) this.checkCookieRequest(ctx, req, session.token);
    req.staff = staff;
    req.token = session.token;
    const allowMustChange = this.reflector.get<boolean>(ALLOW_PASSWORD_CHANGE_KEY, ctx.getHandler());
    if (staff.mustChangePassword && !allowMustChange) {
      throw new DomainError(
        'CAMBIO_CONTRASENA_REQUERIDO',
        'Debe cambiar su contraseña de primer ingreso antes de continuar (POST /api/auth/contrasena).',
        403,
      );
    }
    const roles = this.reflector.getAllAndOverride<ActorRole[] | undefined>(ROLES_KEY, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (roles && !roles.includes(staff.role) && staff.role !== 'administrador') {
      throw new DomainError(
        'ROL_NO_AUTORIZADO',
        `Esta función es para: ${roles.map((r) => ROLE_LABEL[r]).join(', ')}.`,
        403,
      );
    }
    return true;
  }

  private checkCookieRequest(ctx: ExecutionContext, req: Request, token: string): void {
    if (fromAnotherOrigin(req)) throw forgedRequest();
    if (this.reflector.getAllAndOverride<boolean>(FORM_TOKEN_KEY, [ctx.getHandler(), ctx.getClass()])) return;
    if (!this.csrf.matches(token, 'csrf', '', req.headers[CSRF_HEADER.toLowerCase()])) {
      throw new DomainError(
        'CSRF_INVALIDO',
        `Con la cookie de sesión, la API pide el encabezado ${CSRF_HEADER} (su valor viene en «csrf» de POST /api/auth/login y GET /api/auth/yo). Los clientes de la API usan Authorization: Bearer.`,
        403,
      );
    }
  }
}

export const CurrentStaff = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthenticatedStaff => {
  const staff = ctx.switchToHttp().getRequest<AuthedRequest>().staff;
  if (!staff) throw new DomainError('NO_AUTENTICADO', 'Inicie sesión para continuar.', 401);
  return staff;
});

export const CurrentToken = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string => ctx.switchToHttp().getRequest<AuthedRequest>().token ?? '',
);
