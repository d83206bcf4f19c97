import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError } from '../common/domain-error';

/**
 * A fixed window per client address for the public verification routes: a person checks a few letters, a script
 * guessing codes (50 bits each) is slowed down. In memory, per process: behind several web processes each counts on
 * its own, which still bounds guessing.
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

export const VERIFICATION_LIMIT_PER_MINUTE = 60;

@Injectable()
export class VerificationRateLimit implements CanActivate {
  readonly limiter = new FixedWindowLimiter(VERIFICATION_LIMIT_PER_MINUTE, 60_000);

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<Request>();
    if (!this.limiter.take(req.ip ?? 'desconocido')) {
      throw new DomainError('DEMASIADAS_CONSULTAS', 'Demasiadas consultas de verificación desde su conexión. Espere un minuto e intente de nuevo.', 429);
    }
    return true;
  }
}
