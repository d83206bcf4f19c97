import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { ActorRole } from '../../machines/types';
import { DomainError } from '../common/domain-error';
import { ROLE_LABEL } from '../engine/actor';
import { type AuthenticatedStaff, AuthService } from './auth.service';

export const SESSION_COOKIE = 'mci_sesion';
const ROLES_KEY = 'mci:roles';
const ALLOW_PASSWORD_CHANGE_KEY = 'mci:allowMustChange';

/** Restricts a route to staff roles; without it any signed-in staff user may call the route. */
export const Roles = (...roles: ActorRole[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);
/** Lets a user who must change their first-login password reach this route. */
export const AllowMustChangePassword = (): MethodDecorator => SetMetadata(ALLOW_PASSWORD_CHANGE_KEY, true);

type AuthedRequest = Request & { staff?: AuthenticatedStaff; token?: string };

export function tokenOf(req: Request): string | undefined {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return h.slice(7).trim();
  const cookies = req.headers.cookie ?? '';
  const m = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(cookies);
  return m ? decodeURIComponent(m[1]) : undefined;
}

/** Bearer token (API) or session cookie (pages) → the staff user, or 401 in Spanish. */
@Injectable()
export class StaffAuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const token = tokenOf(req);
    const staff = token ? await this.auth.authenticate(token) : null;
    if (!staff) throw new DomainError('NO_AUTENTICADO', 'Inicie sesión para continuar (su sesión no existe o expiró).', 401);
    req.staff = staff;
    req.token = token;
    const allowMustChange = this.reflector.get<boolean>(ALLOW_PASSWORD_CHANGE_KEY, ctx.getHandler());
    if (staff.mustChangePassword && !allowMustChange) {
      throw new DomainError('CAMBIO_CONTRASENA_REQUERIDO', 'Debe cambiar su contraseña de primer ingreso antes de continuar (POST /api/auth/contrasena).', 403);
    }
    const roles = this.reflector.getAllAndOverride<ActorRole[] | undefined>(ROLES_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (roles && !roles.includes(staff.role) && staff.role !== 'administrador') {
      throw new DomainError('ROL_NO_AUTORIZADO', `Esta función es para: ${roles.map((r) => ROLE_LABEL[r]).join(', ')}.`, 403);
    }
    return true;
  }
}

export const CurrentStaff = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthenticatedStaff => {
  const staff = ctx.switchToHttp().getRequest<AuthedRequest>().staff;
  if (!staff) throw new DomainError('NO_AUTENTICADO', 'Inicie sesión para continuar.', 401);
  return staff;
});

export const CurrentToken = createParamDecorator((_: unknown, ctx: ExecutionContext): string => ctx.switchToHttp().getRequest<AuthedRequest>().token ?? '');
