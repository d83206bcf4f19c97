import { fromGoogleError, parseRetryAfter } from './google-errors';

/** The shape gaxios gives an API error: status, the JSON body and a fetch Headers object. */
const apiError = (status: number, reason?: string, message = 'm', headers: Record<string, string> = {}) => ({
  status,
  message,
  config: { data: '{"password":"Secreta.2026!"}' },
  response: {
    status,
    headers: new Headers(headers),
    data: { error: { code: status, message, errors: reason ? [{ reason, message }] : [] } },
  },
});
const ctx = { op: 'create', address: 'maria.nunez@colima.gob.mx', secrets: ['Secreta.2026!'] };

describe('fromGoogleError', () => {
  it.each([
    [403, 'quotaExceeded', 'transient', 'rate_limited'],
    [403, 'rateLimitExceeded', 'transient', 'rate_limited'],
    [403, 'forbidden', 'permanent', 'unauthorized'],
    [403, 'insufficientPermissions', 'permanent', 'unauthorized'],
    [412, 'conditionNotMet', 'permanent', 'rejected'],
    [400, 'invalid', 'permanent', 'invalid_request'],
    [408, undefined, 'transient', 'unavailable'],
    [502, undefined, 'transient', 'unavailable'],
  ])('%i %s → %s %s', (status, reason, kind, code) => {
    expect(fromGoogleError(apiError(status, reason), ctx)).toMatchObject({ kind, code });
  });

  it('keeps neither the request nor a password that a message happens to quote', () => {
    const e = fromGoogleError(apiError(500, 'backendError', 'failed for Secreta.2026!'), ctx);
    expect(Object.values(e).join(' ') + e.message).not.toContain('Secreta.2026!');
    expect(e.detail).toBe('create: HTTP 500 backendError failed for ***');
    expect('cause' in e).toBe(false);
  });

  it('reads Retry-After on 503 too', () => {
    expect(fromGoogleError(apiError(503, 'backendError', 'x', { 'retry-after': '30' }), ctx).retryAfterMs).toBe(30_000);
  });

  it('a token endpoint 5xx is transient, a token refusal is a permanent configuration problem', () => {
    const token = (status: number) => ({
      status,
      config: {},
      response: {
        status,
        headers: new Headers(),
        data: { error: 'unauthorized_client', error_description: 'Client is unauthorized' },
      },
    });
    expect(fromGoogleError(token(503), ctx)).toMatchObject({ kind: 'transient', code: 'unavailable' });
    expect(fromGoogleError(token(401), ctx)).toMatchObject({ kind: 'permanent', code: 'unauthorized' });
  });

  it('an error raised before any request (missing parameter, no refresh token) is permanent', () => {
    expect(fromGoogleError(new Error('No refresh token is set.'), ctx)).toMatchObject({
      kind: 'permanent',
      code: 'rejected',
    });
    expect(fromGoogleError(Object.assign(new Error('x'), { code: 'ECONNRESET' }), ctx)).toMatchObject({
      kind: 'transient',
    });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-28T18:00:00Z');
  it('reads delta-seconds and HTTP dates, never a negative wait', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 18:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 17:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('pronto', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
