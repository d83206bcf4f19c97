import { ProviderError, scrub, unknownAccountError } from '../directory-provider';

/**
 * Reading a GaxiosError by shape (gaxios does not export it through @googleapis/admin). Only status, reason,
 * message and Retry-After are read: the error object also holds the request, password included, so it is never
 * kept, logged or attached as a cause.
 */
interface GaxiosLike {
  status?: unknown;
  code?: unknown;
  message?: unknown;
  response?: { status?: unknown; data?: unknown; headers?: unknown };
}

const asGaxios = (e: unknown): GaxiosLike => (typeof e === 'object' && e !== null ? e : {});

export function googleStatus(e: unknown): number | undefined {
  const g = asGaxios(e);
  if (typeof g.status === 'number') return g.status;
  if (typeof g.response?.status === 'number') return g.response.status;
  return undefined;
}

interface ApiErrorBody {
  error?: { message?: string; errors?: { reason?: string; message?: string }[]; status?: string } | string;
  error_description?: string;
}

const body = (e: unknown): ApiErrorBody | undefined => {
  const d = asGaxios(e).response?.data;
  return typeof d === 'object' && d !== null ? d : undefined;
};

export function googleReason(e: unknown): string | undefined {
  const err = body(e)?.error;
  return typeof err === 'object' ? err.errors?.[0]?.reason : undefined;
}

function header(e: unknown, name: string): string | undefined {
  const h = asGaxios(e).response?.headers;
  if (!h || typeof h !== 'object') return undefined;
  if (typeof (h as Headers).get === 'function') return (h as Headers).get(name) ?? undefined;
  const v = (h as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

/** Retry-After as delta-seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const RATE_REASONS = new Set(['userRateLimitExceeded', 'rateLimitExceeded', 'quotaExceeded']);
const NETWORK_CODES = /^(E[A-Z_]+|ECONNRESET|ETIMEDOUT|ABORT_ERR)$/;

/** Classifies a Directory API failure for the queue (recipes/google-directory.md §5). */
export function fromGoogleError(
  e: unknown,
  ctx: { op: string; address: string; secrets: readonly string[] },
): ProviderError {
  if (e instanceof ProviderError) return e;
  const status = googleStatus(e);
  const reason = googleReason(e);
  const data = body(e);
  const apiMessage =
    typeof data?.error === 'object'
      ? data.error.message
      : typeof data?.error === 'string'
        ? `${data.error}: ${data.error_description ?? ''}`
        : undefined;
  const m = asGaxios(e).message;
  const rawMessage = apiMessage ?? (typeof m === 'string' ? m : '');
  const code = asGaxios(e).code;
  const detail = scrub(
    `${ctx.op}: ${status !== undefined ? `HTTP ${status}` : typeof code === 'string' || typeof code === 'number' ? code : 'sin respuesta'}${reason ? ` ${reason}` : ''} ${rawMessage.split('\n')[0]}`,
    ctx.secrets,
  )
    .trim()
    .slice(0, 300);
  const p = { detail, provider: 'google' as const };

  if (status === undefined) {
    // A request that got no answer at all (refused, reset, DNS, timeout; a GaxiosError carries its `config`): the
    // directory may be fine in a minute. Anything else failed before sending (a bug or a setup problem).
    const sent = typeof e === 'object' && e !== null && 'config' in e;
    if (sent || (typeof code === 'string' && NETWORK_CODES.test(code)))
      return new ProviderError('transient', 'unavailable', p);
    return new ProviderError('permanent', 'rejected', p);
  }
  // The OAuth token endpoint answers {error: 'invalid_grant' | 'unauthorized_client', ...}: a configuration problem.
  if (typeof data?.error === 'string') {
    if (status >= 500) return new ProviderError('transient', 'unavailable', p);
    return new ProviderError('permanent', 'unauthorized', {
      ...p,
      messageEs:
        'Google rechazó las credenciales de la cuenta de servicio (delegación de todo el dominio o usuario administrador a suplantar); revise la configuración.',
    });
  }
  const retryAfterMs = parseRetryAfter(header(e, 'retry-after'));
  if (status === 429 || (status === 403 && reason && RATE_REASONS.has(reason))) {
    return new ProviderError('transient', 'rate_limited', { ...p, retryAfterMs });
  }
  if (status === 408 || status >= 500) return new ProviderError('transient', 'unavailable', { ...p, retryAfterMs });
  if (status === 401 || status === 403) return new ProviderError('permanent', 'unauthorized', p);
  if (status === 404) return unknownAccountError(ctx.address, 'google');
  if (status === 409) {
    return new ProviderError('permanent', 'duplicate', {
      ...p,
      messageEs: `La dirección ${ctx.address} ya existe en el directorio y pertenece a otro titular.`,
    });
  }
  if (status === 400) {
    return /password/i.test(rawMessage)
      ? new ProviderError('permanent', 'invalid_password', p)
      : new ProviderError('permanent', 'invalid_request', p);
  }
  return new ProviderError('permanent', 'rejected', p);
}
