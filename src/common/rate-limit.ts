import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError } from './domain-error';

/**
 * A small fixed-window limit per client address for public forms (self-service, verification): enough to make
 * guessing CURP/CURT pairs or verification codes slow. In-process: behind a load balancer each web process counts
 * its own share, which still bounds the rate.
 */
export function rateLimit(max: number, windowMs: number): new () => CanActivate {
  @Injectable()
  class RateLimitGuard implements CanActivate {
    private readonly hits = new Map<string, { n: number; since: number }>();
    canActivate(ctx: ExecutionContext): boolean {
      const req = ctx.switchToHttp().getRequest<Request>();
      const key = `${req.ip ?? 'desconocida'}:${req.route ? String((req.route as { path?: string }).path) : req.path}`;
      const now = Date.now();
      const cur = this.hits.get(key);
      if (!cur || now - cur.since >= windowMs) {
        this.hits.set(key, { n: 1, since: now });
        if (this.hits.size > 50_000) this.hits.clear();
        return true;
      }
      cur.n++;
      if (cur.n > max) throw new DomainError('DEMASIADAS_SOLICITUDES', 'Demasiados intentos desde su conexión. Espere un minuto e intente de nuevo.', 429);
      return true;
    }
  }
  return RateLimitGuard;
}
