import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError } from './domain-error';

/**
 * A fixed window per key. In memory, per process: behind several web processes each counts on its own, which
 * still bounds guessing (CURP/CURT pairs, verification codes).
 */
export class FixedWindowLimiter {
  private readonly hits = new Map<string, { count: number; start: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Whether one more request from `key` at `now` is allowed (and counts it). */
  take(key: string, now = Date.now()): boolean {
    const h = this.hits.get(key);
    if (!h || now - h.start >= this.windowMs) {
      if (this.hits.size > 10_000) this.prune(now);
      this.hits.set(key, { count: 1, start: now });
      return true;
    }
    h.count += 1;
    return h.count <= this.limit;
  }

  private prune(now: number): void {
    for (const [k, h] of this.hits) if (now - h.start >= this.windowMs) this.hits.delete(k);
  }
}

/** A guard class limiting each client address (per route) to `max` requests per window, with a Spanish 429. */
export function rateLimit(max: number, windowMs: number, message = 'Demasiados intentos desde su conexión. Espere un minuto e intente de nuevo.'): new () => CanActivate {
  @Injectable()
  class RateLimitGuard implements CanActivate {
    readonly limiter = new FixedWindowLimiter(max, windowMs);
    canActivate(ctx: ExecutionContext): boolean {
      const req = ctx.switchToHttp().getRequest<Request>();
      const route = (req.route as { path?: string } | undefined)?.path ?? req.path;
      if (!this.limiter.take(`${req.ip ?? 'desconocida'}:${route}`)) throw new DomainError('DEMASIADAS_SOLICITUDES', message, 429);
      return true;
    }
  }
  return RateLimitGuard;
}
