import request from 'supertest';
import { SESSION_COOKIE } from '../../src/auth/auth.guard';
import { CsrfTokens } from '../../src/auth/csrf';
import type { TestApp } from '../support/test-app';

/**
 * A page request as a signed-in browser makes it (the session cookie; a form posts its token), never following
 * redirects so a test sees the 303 to the sign-in page. No token: an anonymous request.
 */
export function pageRequests(t: () => TestApp) {
  const http = () => request(t().app.getHttpServer());
  return {
    get: (path: string, token?: string) => {
      const r = http().get(path).redirects(0);
      return token ? r.set('Cookie', `${SESSION_COOKIE}=${token}`) : r;
    },
    post: (path: string, form: Record<string, string>, token: string) =>
      http()
        .post(path)
        .set('Cookie', `${SESSION_COOKIE}=${token}`)
        .type('form')
        .send({ ...form, _csrf: t().app.get(CsrfTokens).tokenFor(token) })
        .redirects(0),
  };
}

/** The text of the links to `hrefPrefix…` in the table `#tableId` of a page, in order. */
export function linksIn(html: string, tableId: string, hrefPrefix: RegExp): string[] {
  const table = new RegExp(`<table class="tabla tarjetas" id="${tableId}">.*?</table>`, 's').exec(html)?.[0] ?? '';
  return [...table.matchAll(new RegExp(`href="${hrefPrefix.source}[^"]+">([^<]+)<`, 'g'))].map((m) => m[1]);
}
