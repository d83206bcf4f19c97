import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';

/** The header a client that uses the session cookie sends with every POST/PUT/PATCH/DELETE to /api. */
export const CSRF_HEADER = 'X-CSRF-Token';

/**
 * Per-session form tokens: an HMAC of the session token under the server's secret key, so nothing is stored and a
 * token is worthless once the session ends. The pages post it back in `_csrf`; the JSON API takes it in
 * X-CSRF-Token. The session cookie is already SameSite=strict; but "same site" includes every port of the host,
 * which is how the review's attack got through: this is the lock that holds.
 */
@Injectable()
export class CsrfTokens {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** A MAC of `value` bound to the session and a purpose (form token, a kept upload, the sign-in form). */
  mac(sessionToken: string, purpose: string, value = ''): string {
    return createHmac('sha256', this.config.secretKey)
      .update(`${purpose}\0${sessionToken}\0${value}`)
      .digest('base64url');
  }

  tokenFor(sessionToken: string): string {
    return this.mac(sessionToken, 'csrf');
  }

  matches(sessionToken: string, purpose: string, value: string, given: unknown): boolean {
    if (typeof given !== 'string' || !given) return false;
    const want = Buffer.from(this.mac(sessionToken, purpose, value));
    const got = Buffer.from(given);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  /** A page form's token (`_csrf` in the parsed body) against the request's session; the Spanish 403 if forged or stale. */
  check(req: Request & { token?: string }): void {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!req.token || !this.matches(req.token, 'csrf', '', body._csrf)) throw forgedRequest();
  }
}

export const isUnsafeMethod = (method: string): boolean => !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());

/**
 * What the browser itself says about where a request comes from (Fetch Metadata, sent by every current browser):
 * a post from another site, or from another port of this host ("same-site"), never comes from our own pages.
 * Absent (an API client, an old browser) it proves nothing either way, and the tokens decide.
 */
export function fromAnotherOrigin(req: Request): boolean {
  const site = req.headers['sec-fetch-site'];
  return site === 'cross-site' || site === 'same-site';
}

export const forgedRequest = (): DomainError =>
  new DomainError(
    'FORMULARIO_INVALIDO',
    'El formulario no es válido o su sesión cambió. Recargue la página e intente de nuevo.',
    403,
  );

const API_BODY_TYPES = /^(application\/(?:[\w.+-]+\+)?json|multipart\/form-data)\b/i;

/**
 * Express middleware for /api: a body must be JSON (or multipart, for the uploads that expect one). A form body
 * (urlencoded, text/plain) is what a page of another site can make a browser send without a preflight; the API
 * answers 415 before anything reads it. Pages (/personal, /bandeja, …) keep their urlencoded forms.
 */
export function apiBodiesAreJson(req: Request, res: Response, next: NextFunction): void {
  const type = req.headers['content-type'];
  if (type && isUnsafeMethod(req.method) && !API_BODY_TYPES.test(type)) {
    res.status(415).json({
      error: 'TIPO_NO_ADMITIDO',
      mensaje: 'La API acepta cuerpos JSON (application/json); para subir un archivo, multipart/form-data.',
    });
    return;
  }
  next();
}
