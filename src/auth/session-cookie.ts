import type { Response } from 'express';
import type { AppConfig } from '../config/config';
import { SESSION_COOKIE } from './auth.guard';

/** The staff session cookie: HttpOnly, SameSite=strict, Secure when the public URL is https. */
export function setSessionCookie(res: Response, token: string, expiresAt: Date, config: Pick<AppConfig, 'publicBaseUrl'>): void {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: config.publicBaseUrl.startsWith('https:'), expires: expiresAt, path: '/' });
}

export function clearSessionCookie(res: Response): void {
  res.clearCookie(SESSION_COOKIE, { path: '/' });
}
