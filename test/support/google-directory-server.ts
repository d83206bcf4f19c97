import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for the Workspace Admin SDK Directory API (users.insert/get/update/patch/list and the OAuth
 * token endpoint), answering with the documented requests, responses and error bodies (recipes/google-directory.md), plus
 * switches to inject failures. It is what the `google` adapter's contract tests talk to through `rootUrl`.
 */

export interface FakeUser {
  kind: 'admin#directory#user';
  id: string;
  primaryEmail: string;
  aliases: string[];
  name: { givenName: string; familyName: string; fullName: string };
  suspended: boolean;
  suspensionReason?: string;
  changePasswordAtNextLogin: boolean;
  orgUnitPath: string;
  externalIds?: { type: string; customType?: string; value: string }[];
  recoveryEmail?: string;
  creationTime: string;
  /** Kept to answer canSignIn(); never sent back, as Google never does. */
  password: string;
  hashFunction?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The decoded userKey of /users/{userKey}. */
  userKey?: string;
  query: Record<string, string>;
  body?: Record<string, unknown>;
  authorization?: string;
}

export interface Fault {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH';
  status: number;
  /** errors[0].reason; defaults by status (409 duplicate, 403 userRateLimitExceeded, 429 rateLimitExceeded, 5xx backendError). */
  reason?: string;
  message?: string;
  /** Retry-After header value ('7' or an HTTP date). */
  retryAfter?: string;
  /** Answer an HTML page instead of a JSON error (as a front end does on some 502/503). */
  html?: boolean;
  /** Carry out the request, then answer the fault: a response lost after the change was made. */
  apply?: boolean;
  /** How many matching requests get this fault (default 1). */
  times?: number;
}

export interface GoogleDirectoryServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Token requests seen at POST /token: the verified JWT claims. */
  tokenClaims: Record<string, unknown>[];
  failNext(fault: Fault): void;
  user(key: string): FakeUser | undefined;
  users(): FakeUser[];
  /** Whether a person could sign in with these credentials (not suspended, right password). */
  canSignIn(email: string, password: string): boolean;
  close(): Promise<void>;
}

export interface GoogleDirectoryServerOptions {
  /** When set, API calls need exactly this bearer token; otherwise any bearer token passes. */
  accessToken?: string;
  /** Public key of the service account: POST /token then verifies the RS256 assertion. */
  tokenPublicKey?: string | KeyObject;
}

const DEFAULT_REASON: Record<number, [string, string]> = {
  400: ['invalid', 'Invalid Input'],
  401: ['required', 'Login Required.'],
  403: ['userRateLimitExceeded', 'User Rate Limit Exceeded'],
  404: ['notFound', 'Resource Not Found: userKey'],
  409: ['duplicate', 'Entity already exists.'],
  412: ['conditionNotMet', 'Precondition Failed'],
  429: ['rateLimitExceeded', 'Rate Limit Exceeded'],
  500: ['backendError', 'Backend Error'],
  503: ['backendError', 'The service is currently unavailable.'],
};

const STATUS_NAME: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason?: string,
    message?: string,
  ) {
    super(message);
  }
}

function errorBody(status: number, reason?: string, message?: string): Record<string, unknown> {
  const [r, m] = DEFAULT_REASON[status] ?? ['error', 'Error'];
  const domain =
    reason === 'userRateLimitExceeded' || reason === 'rateLimitExceeded' || reason === 'quotaExceeded'
      ? 'usageLimits'
      : 'global';
  const err: Record<string, unknown> = { message: message ?? m, domain, reason: reason ?? r };
  if (status === 401) Object.assign(err, { location: 'Authorization', locationType: 'header' });
  const body: Record<string, unknown> = { code: status, message: message ?? m, errors: [err] };
  if (STATUS_NAME[status]) body.status = STATUS_NAME[status];
  return { error: body };
}

const visible = (u: FakeUser): Record<string, unknown> => {
  const { password: _p, hashFunction: _h, aliases, ...rest } = u;
  return { ...rest, ...(aliases.length ? { aliases } : {}), isAdmin: false, agreedToTerms: true };
};

function validPassword(password: unknown, hashFunction: unknown): boolean {
  if (typeof password !== 'string') return false;
  if (hashFunction !== undefined)
    return typeof hashFunction === 'string' && ['MD5', 'SHA-1', 'crypt'].includes(hashFunction) && password.length > 0;
  // Google's rule for a cleartext password: 8 to 100 ASCII characters.
  return password.length >= 8 && password.length <= 100 && /^[\x20-\x7e]+$/.test(password);
}

function b64urlJson(s: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export async function startGoogleDirectoryServer(
  opts: GoogleDirectoryServerOptions = {},
): Promise<GoogleDirectoryServer> {
  const users = new Map<string, FakeUser>();
  const requests: RecordedRequest[] = [];
  const tokenClaims: Record<string, unknown>[] = [];
  const faults: (Fault & { left: number })[] = [];
  let nextId = 100000000000000000001n;
  const publicKey =
    opts.tokenPublicKey === undefined
      ? undefined
      : typeof opts.tokenPublicKey === 'string'
        ? createPublicKey(opts.tokenPublicKey)
        : opts.tokenPublicKey;

  const find = (key: string): FakeUser | undefined => {
    const k = key.toLowerCase();
    for (const u of users.values()) if (u.id === key || u.primaryEmail === k || u.aliases.includes(k)) return u;
    return undefined;
  };

  const takeFault = (method: string): Fault | undefined => {
    const i = faults.findIndex((f) => !f.method || f.method === method);
    if (i < 0) return undefined;
    const f = faults[i];
    if (--f.left <= 0) faults.splice(i, 1);
    return f;
  };

  const applyUpdate = (u: FakeUser, body: Record<string, unknown>): void => {
    if (typeof body.primaryEmail === 'string' && body.primaryEmail.toLowerCase() !== u.primaryEmail) {
      const to = body.primaryEmail.toLowerCase();
      const other = find(to);
      if (other && other.id !== u.id) throw new HttpError(409, 'duplicate', 'Entity already exists.');
      // Google keeps the previous primary address as an alias after a rename.
      u.aliases = [...u.aliases.filter((a) => a !== to), u.primaryEmail];
      u.primaryEmail = to;
    }
    if (body.password !== undefined) {
      if (!validPassword(body.password, body.hashFunction)) throw new HttpError(400, 'invalid', 'Invalid Password');
      u.password = body.password as string;
      u.hashFunction = body.hashFunction as string | undefined;
    }
    if (typeof body.changePasswordAtNextLogin === 'boolean')
      u.changePasswordAtNextLogin = body.changePasswordAtNextLogin;
    if (typeof body.suspended === 'boolean') {
      u.suspended = body.suspended;
      u.suspensionReason = body.suspended ? 'ADMIN' : undefined;
    }
    if (body.name && typeof body.name === 'object') {
      const n = body.name as Record<string, string>;
      u.name = { ...u.name, ...n };
      u.name.fullName = `${u.name.givenName} ${u.name.familyName}`;
    }
    if (Array.isArray(body.externalIds)) u.externalIds = body.externalIds as FakeUser['externalIds'];
    if (typeof body.orgUnitPath === 'string') u.orgUnitPath = body.orgUnitPath;
    if (typeof body.recoveryEmail === 'string') u.recoveryEmail = body.recoveryEmail;
  };

  const insert = (body: Record<string, unknown>): FakeUser => {
    const email = typeof body.primaryEmail === 'string' ? body.primaryEmail.toLowerCase() : '';
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
      throw new HttpError(400, 'invalid', 'Invalid Input: primary_user_email');
    const name = (body.name ?? {}) as Record<string, unknown>;
    if (typeof name.givenName !== 'string' || !name.givenName.trim())
      throw new HttpError(400, 'invalid', 'Invalid Given/Family Name: GivenName');
    if (typeof name.familyName !== 'string' || !name.familyName.trim())
      throw new HttpError(400, 'invalid', 'Invalid Given/Family Name: FamilyName');
    if (name.givenName.length > 60 || name.familyName.length > 60)
      throw new HttpError(400, 'invalid', 'Invalid Given/Family Name');
    if (!validPassword(body.password, body.hashFunction)) throw new HttpError(400, 'invalid', 'Invalid Password');
    if (find(email)) throw new HttpError(409, 'duplicate', 'Entity already exists.');
    const u: FakeUser = {
      kind: 'admin#directory#user',
      id: String(nextId++),
      primaryEmail: email,
      aliases: [],
      name: {
        givenName: name.givenName,
        familyName: name.familyName,
        fullName: `${name.givenName} ${name.familyName}`,
      },
      suspended: body.suspended === true,
      changePasswordAtNextLogin: body.changePasswordAtNextLogin === true,
      orgUnitPath: typeof body.orgUnitPath === 'string' ? body.orgUnitPath : '/',
      externalIds: Array.isArray(body.externalIds) ? (body.externalIds as FakeUser['externalIds']) : undefined,
      recoveryEmail: typeof body.recoveryEmail === 'string' ? body.recoveryEmail : undefined,
      creationTime: new Date().toISOString(),
      password: body.password as string,
      hashFunction: body.hashFunction as string | undefined,
    };
    users.set(u.id, u);
    return u;
  };

  /**
   * users.list as published: `customer` (an id or my_customer) or `domain` is required; maxResults 1–500, default
   * 100; nextPageToken while more remain (an opaque token, here the last address of the page), none on the last page;
   * `users` absent when there are none. Listed by primary address (what orderBy=email asks; the fake always does).
   */
  const list = (q: URLSearchParams): Record<string, unknown> => {
    const domain = q.get('domain')?.toLowerCase();
    if (!q.get('customer') && !domain) throw new HttpError(400, 'badRequest', 'Bad Request');
    const max = q.has('maxResults') ? Number(q.get('maxResults')) : 100;
    if (!Number.isInteger(max) || max < 1 || max > 500)
      throw new HttpError(400, 'invalid', 'Invalid value for: maxResults');
    let after = '';
    const token = q.get('pageToken');
    if (token) {
      after = Buffer.from(token, 'base64url').toString('utf8');
      if (!after.includes('@')) throw new HttpError(400, 'invalid', 'Invalid Input: pageToken');
    }
    const all = [...users.values()]
      .filter((u) => !domain || u.primaryEmail.endsWith(`@${domain}`))
      .filter((u) => u.primaryEmail > after)
      .sort((a, b) => (a.primaryEmail < b.primaryEmail ? -1 : 1));
    const page = all.slice(0, max);
    return {
      kind: 'admin#directory#users',
      etag: '"fake"',
      ...(page.length ? { users: page.map(visible) } : {}),
      ...(all.length > max
        ? { nextPageToken: Buffer.from(page[page.length - 1].primaryEmail).toString('base64url') }
        : {}),
    };
  };

  const token = (form: URLSearchParams): Record<string, unknown> => {
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
      throw new HttpError(400, 'unsupported_grant_type');
    const parts = (form.get('assertion') ?? '').split('.');
    if (parts.length !== 3) throw new HttpError(400, 'invalid_grant', 'Invalid JWT');
    const [h, p, sig] = parts;
    if (b64urlJson(h).alg !== 'RS256') throw new HttpError(400, 'invalid_grant', 'Invalid JWT signature algorithm');
    if (
      publicKey &&
      !verifySignature('RSA-SHA256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(sig, 'base64url'))
    ) {
      throw new HttpError(400, 'invalid_grant', 'Invalid JWT Signature.');
    }
    const claims = b64urlJson(p);
    tokenClaims.push(claims);
    return {
      access_token: opts.accessToken ?? `ya29.fake-${tokenClaims.length}`,
      expires_in: 3600,
      token_type: 'Bearer',
    };
  };

  const handle = (
    req: IncomingMessage,
    raw: string,
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
  ): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    if (method === 'POST' && url.pathname === '/token') {
      try {
        send(200, token(new URLSearchParams(raw)));
      } catch (e) {
        const he = e as HttpError;
        send(he.status, { error: he.reason, error_description: he.message });
      }
      return;
    }
    const m = /^\/admin\/directory\/v1\/users(?:\/([^/]+))?$/.exec(url.pathname);
    let body: Record<string, unknown> | undefined;
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    } catch {
      send(400, errorBody(400, 'parseError', 'Parse Error'));
      return;
    }
    const userKey = m?.[1] !== undefined ? decodeURIComponent(m[1]) : undefined;
    requests.push({
      method,
      path: url.pathname,
      userKey,
      query: Object.fromEntries(url.searchParams),
      body,
      authorization: req.headers.authorization,
    });
    const auth = req.headers.authorization;
    if (!auth?.startsWith('Bearer ') || (opts.accessToken !== undefined && auth !== `Bearer ${opts.accessToken}`)) {
      send(401, errorBody(401));
      return;
    }
    const fault = takeFault(method);
    const answerFault = (f: Fault): void => {
      const headers: Record<string, string> = f.retryAfter ? { 'retry-after': f.retryAfter } : {};
      if (f.html)
        send(f.status, `<html><body><h1>Error ${f.status}</h1></body></html>`, {
          ...headers,
          'content-type': 'text/html',
        });
      else send(f.status, errorBody(f.status, f.reason, f.message), headers);
    };
    if (fault && !fault.apply) return answerFault(fault);
    let status = 200;
    let out: unknown;
    try {
      if (!m) throw new HttpError(404, 'notFound', 'Not Found');
      if (userKey === undefined) {
        if (method === 'GET') out = list(url.searchParams);
        else if (method !== 'POST') throw new HttpError(405, 'methodNotAllowed', 'Method Not Allowed');
        else out = visible(insert(body ?? {}));
      } else {
        const u = find(userKey);
        if (!u) throw new HttpError(404, 'notFound', 'Resource Not Found: userKey');
        if (method === 'GET') out = visible(u);
        else if (method === 'PUT' || method === 'PATCH') {
          // Validate on a copy so a rejected update changes nothing.
          const copy: FakeUser = structuredClone(u);
          applyUpdate(copy, body ?? {});
          Object.assign(u, copy);
          out = visible(u);
        } else throw new HttpError(405, 'methodNotAllowed', 'Method Not Allowed');
      }
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      status = e.status;
      out = errorBody(e.status, e.reason, e.message);
    }
    if (fault) return answerFault(fault);
    send(status, out);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
        res.end(text);
      };
      try {
        handle(req, Buffer.concat(chunks).toString('utf8'), send);
      } catch (e) {
        send(500, errorBody(500, 'backendError', `fake: ${(e as Error).message}`));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    requests,
    tokenClaims,
    failNext: (f) => faults.push({ ...f, left: f.times ?? 1 }),
    user: find,
    users: () => [...users.values()],
    canSignIn: (email, password) => {
      const u = find(email);
      return !!u && !u.suspended && u.hashFunction === undefined && u.password === password;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
