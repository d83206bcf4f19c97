import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';

/**
 * The PII platform's API key (X-Api-Key = PII_API_KEY), checked as a guard: before the body is parsed into its DTO
 * and validated, so a caller without the key learns nothing about what the route accepts (401, never a 400).
 */
@Injectable()
export class PiiKeyGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(ctx: ExecutionContext): boolean {
    const expected = this.config.piiApiKey;
    if (!expected)
      throw new DomainError('PII_DESHABILITADA', 'La integración con la PII no está configurada (PII_API_KEY).', 503);
    const header = ctx.switchToHttp().getRequest<Request>().headers['x-api-key'];
    const given = Buffer.from(typeof header === 'string' ? header : '');
    if (given.length !== Buffer.byteLength(expected) || !timingSafeEqual(given, Buffer.from(expected))) {
      throw new DomainError('NO_AUTENTICADO', 'Clave de la PII inválida.', 401);
    }
    return true;
  }
}
