import type { Response } from 'express';
import type { AppConfig } from '../config/config';
import { SESSION_COOKIE } from './auth.guard';

/** The staff session cookie: HttpOnly, SameSite=strict, Secure when the public URL is https. */
export function setSessionCookie(
  res: Response,
  token: string,
  expiresAt: Date,
  config: Pick<AppConfig, 'publicBaseUrl'>,
): void {
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: config.publicBaseUrl.startsWith('https:'),
    expires: expiresAt,
    path: '/',
  });
}

/** A random value per browser that the sign-in form's token is bound to (login CSRF); not a session, lives until the browser closes. */
export const SIGN_IN_FORM_COOKIE = 'mci_entrada';

export function setSignInFormCookie(res: Response, value: string, config: Pick<AppConfig, 'publicBaseUrl'>): void {
  res.cookie(SIGN_IN_FORM_COOKIE, value, {
    httpOnly: true,
    sameSite: 'strict',
    secure: config.publicBaseUrl.startsWith('https:'),
    path: '/personal/entrar',
  });
}

export function clearSessionCookie(res: Response): void {
  res.clearCookie(SESSION_COOKIE, { path: '/' });
}
