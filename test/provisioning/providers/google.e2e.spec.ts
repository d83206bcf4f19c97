import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { auth } from '@googleapis/admin';
import { ProviderError } from '../../../src/provisioning/providers/directory-provider';
import {
  DIRECTORY_USER_SCOPE,
  GoogleDirectoryProvider,
  type GoogleDirectoryOptions,
  googleServiceAccountAuth,
} from '../../../src/provisioning/providers/google/google-directory.provider';
import { type GoogleDirectoryServer, startGoogleDirectoryServer } from '../../support/google-directory-server';
import { JUAN, MARIA, PRIMARIA, describeDirectoryProvider } from './directory-provider.behaviour';

// gaxios would send loopback traffic through a proxy if one were configured.
process.env.NO_PROXY = '127.0.0.1,localhost';

const TOKEN = 'test-token';
function testAuth() {
  const a = new auth.OAuth2({ transporterOptions: { fetchImplementation: fetch } });
  a.setCredentials({ access_token: TOKEN, expiry_date: Date.now() + 3.15e11 });
  return a;
}

const providerFor = (s: GoogleDirectoryServer, extra: Partial<GoogleDirectoryOptions> = {}) =>
  new GoogleDirectoryProvider({
    auth: testAuth(),
    rootUrl: s.url,
    timeoutMs: 5000,
    fetchImplementation: fetch,
    ...extra,
  });

describeDirectoryProvider('google (Directory API contract server)', async () => {
  const s = await startGoogleDirectoryServer({ accessToken: TOKEN });
  return {
    provider: providerFor(s),
    canSignIn: async (a, pw) => s.canSignIn(a, pw),
    accountsForCurp: async (curp) =>
      s.users().filter((u) => u.externalIds?.some((x) => x.customType === 'curp' && x.value === curp)).length,
    close: () => s.close(),
  };
});

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}

describe('google adapter against the Directory API contract', () => {
  let s: GoogleDirectoryServer;
  let p: GoogleDirectoryProvider;
  let n = 0;
  const addr = (l: string): string => `${l}.${++n}@colima.gob.mx`;
  const create = (address: string, holder = MARIA, password = 'Inicial.2026!') =>
    p.create({ address, tipo: 'personal', holder, password, changeAtNextLogin: true });

  beforeAll(async () => {
    s = await startGoogleDirectoryServer({ accessToken: TOKEN });
    p = providerFor(s, { orgUnits: { centro_trabajo: '/Centros de trabajo' } });
  });
  afterAll(() => s?.close());
  beforeEach(() => (s.requests.length = 0));

  it('inserts with the documented body: holder in externalIds, forced change, OU by type, clear password, no hash', async () => {
    const a = addr('escuela');
    const acc = await p.create({
      address: a,
      tipo: 'centro_trabajo',
      holder: PRIMARIA,
      password: 'Escuela.2026!',
      changeAtNextLogin: true,
    });
    expect(s.requests).toHaveLength(1);
    const [r] = s.requests;
    expect([r.method, r.path, r.authorization]).toEqual(['POST', '/admin/directory/v1/users', `Bearer ${TOKEN}`]);
    expect(r.body).toEqual({
      primaryEmail: a,
      name: { givenName: 'Esc. Prim. Benito Juárez', familyName: 'Colima' },
      password: 'Escuela.2026!',
      changePasswordAtNextLogin: true,
      externalIds: [{ type: 'custom', customType: 'cct', value: '06DPR0001A' }],
      orgUnitPath: '/Centros de trabajo',
    });
    expect(acc.providerId).toBe(s.user(a)!.id);
    expect(acc.providerId).toMatch(/^\d{21}$/);
  });

  it('a create whose answer was lost (applied, then 503) is completed by the retry: one user, same id', async () => {
    const a = addr('perdida');
    s.failNext({ method: 'POST', status: 503, apply: true });
    const e = await failure(create(a));
    expect([e.kind, e.code]).toEqual(['transient', 'unavailable']);
    const acc = await create(a, MARIA, 'Reintento.2026!');
    expect(s.users().filter((u) => u.primaryEmail === a)).toHaveLength(1);
    expect(acc.providerId).toBe(s.user(a)!.id);
    expect(s.canSignIn(a, 'Reintento.2026!')).toBe(true);
    // insert → 409 → get → update password: the replay reads before it writes.
    expect(s.requests.map((r) => r.method)).toEqual(['POST', 'POST', 'GET', 'PUT']);
  });

  it('an address that is an alias of another account is a duplicate, even for the same holder', async () => {
    const a = addr('alias');
    const b = addr('principal');
    await create(a);
    await p.rename(a, b);
    const e = await failure(create(a));
    expect([e.kind, e.code]).toEqual(['permanent', 'duplicate']);
  });

  it('403 userRateLimitExceeded is transient and sent once (no client retries)', async () => {
    s.failNext({ status: 403, reason: 'userRateLimitExceeded' });
    const e = await failure(create(addr('limite')));
    expect([e.kind, e.code, e.retryAfterMs]).toEqual(['transient', 'rate_limited', undefined]);
    expect(e.messageEs).toBe('El directorio limitó las solicitudes; se reintentará.');
    expect(s.requests).toHaveLength(1);
  });

  it('429 honours Retry-After, in seconds or as an HTTP date', async () => {
    const a = addr('retry');
    await create(a);
    s.failNext({ method: 'PUT', status: 429, retryAfter: '7' });
    const e = await failure(p.suspend(a));
    expect([e.kind, e.code, e.retryAfterMs]).toEqual(['transient', 'rate_limited', 7000]);
    s.failNext({ method: 'PUT', status: 429, retryAfter: new Date(Date.now() + 120_000).toUTCString() });
    const d = await failure(p.suspend(a));
    expect(d.retryAfterMs).toBeGreaterThan(110_000);
    expect(d.retryAfterMs).toBeLessThanOrEqual(120_000);
    expect(s.requests.filter((r) => r.method === 'PUT')).toHaveLength(2);
  });

  it('5xx (JSON or an HTML page) is transient; a PUT is not retried by the client', async () => {
    const a = addr('caido');
    await create(a);
    s.requests.length = 0;
    s.failNext({ method: 'PUT', status: 500 });
    expect(await failure(p.setPassword(a, 'Nueva.2026!', { changeAtNextLogin: false }))).toMatchObject({
      kind: 'transient',
      code: 'unavailable',
    });
    s.failNext({ method: 'PUT', status: 502, html: true });
    expect(await failure(p.unsuspend(a))).toMatchObject({ kind: 'transient', code: 'unavailable' });
    expect(s.requests).toHaveLength(2);
  });

  it('404 on an update is a permanent unknown account', async () => {
    const e = await failure(p.setPassword(addr('nadie'), 'Nueva.2026!', { changeAtNextLogin: false }));
    expect([e.kind, e.code]).toEqual(['permanent', 'unknown_account']);
  });

  it('a 409 on update is read back: already applied → success without a second write', async () => {
    const a = addr('ya.suspendida');
    await create(a);
    s.requests.length = 0;
    s.failNext({ method: 'PUT', status: 409, reason: 'conflict', apply: true });
    await p.suspend(a);
    expect(s.user(a)!.suspended).toBe(true);
    expect(s.requests.map((r) => r.method)).toEqual(['PUT', 'GET']);
  });

  it('a 409 on update not applied is retried once after the read-back; twice → transient conflict', async () => {
    const a = addr('conflicto');
    await create(a);
    s.requests.length = 0;
    s.failNext({ method: 'PUT', status: 409, reason: 'conflict' });
    await p.suspend(a);
    expect(s.user(a)!.suspended).toBe(true);
    expect(s.requests.map((r) => r.method)).toEqual(['PUT', 'GET', 'PUT']);
    s.failNext({ method: 'PUT', status: 409, reason: 'conflict', times: 2 });
    const e = await failure(p.unsuspend(a));
    expect([e.kind, e.code]).toEqual(['transient', 'conflict']);
    expect(s.user(a)!.suspended).toBe(true);
  });

  it('a rename whose answer was lost is found done by the next try (old address is an alias)', async () => {
    const a = addr('vieja');
    const b = addr('nueva');
    const acc = await create(a);
    s.failNext({ method: 'PUT', status: 503, apply: true });
    await failure(p.rename(a, b));
    expect(await p.rename(a, b)).toEqual(expect.objectContaining({ address: b, providerId: acc.providerId }));
    expect(s.user(a)!.primaryEmail).toBe(b);
  });

  it('reassign keeps externalIds that are not ours and replaces the holder', async () => {
    const a = addr('reasignada');
    await create(a);
    s.user(a)!.externalIds!.push({ type: 'organization', value: 'RH-1234' });
    await p.reassign(a, JUAN, 'DeJuan.2026!');
    expect(s.user(a)!.externalIds).toEqual([
      { type: 'organization', value: 'RH-1234' },
      { type: 'custom', customType: 'curp', value: JUAN.curp },
    ]);
    expect(s.user(a)!.name).toMatchObject({ givenName: 'Juan', familyName: 'Pérez Pérez' });
    expect(s.user(a)!.changePasswordAtNextLogin).toBe(true);
  });

  it('a password Google refuses is a permanent invalid_password, and the error never carries it', async () => {
    const e = await failure(create(addr('corta'), MARIA, 'corta'));
    expect([e.kind, e.code]).toEqual(['permanent', 'invalid_password']);
    const a = addr('secreto');
    s.failNext({ method: 'POST', status: 500, message: 'Backend Error for Secreto.2026!' });
    const leak = await failure(create(a, MARIA, 'Secreto.2026!'));
    const rendered = `${inspect(leak, { depth: 10, showHidden: true })} ${JSON.stringify(leak)} ${leak.message} ${leak.detail ?? ''}`;
    expect(rendered).not.toContain('Secreto.2026!');
    expect(leak.detail).toContain('HTTP 500');
  });

  it('without credentials the API answers 401: a permanent unauthorized error', async () => {
    const noAuth = new GoogleDirectoryProvider({ auth: undefined, rootUrl: s.url, fetchImplementation: fetch });
    const e = await failure(noAuth.lookup(addr('x')));
    expect([e.kind, e.code]).toEqual(['permanent', 'unauthorized']);
  });

  it('an unreachable API is transient', async () => {
    const down = await startGoogleDirectoryServer();
    await down.close();
    const e = await failure(providerFor(down).lookup(addr('x')));
    expect([e.kind, e.code]).toEqual(['transient', 'unavailable']);
  });
});

describe('google production auth (service account with domain-wide delegation)', () => {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKey = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  let s: GoogleDirectoryServer;
  beforeAll(
    async () =>
      (s = await startGoogleDirectoryServer({ tokenPublicKey: keys.publicKey, accessToken: 'ya29.delegado' })),
  );
  afterAll(() => s?.close());

  /** The token URL is fixed in google-auth-library; only the test moves it to the contract server. */
  function toFake(jwt: ReturnType<typeof googleServiceAccountAuth>): void {
    jwt.transporter.interceptors.request.add({
      resolved: async (o) => {
        const u = new URL(String(o.url));
        if (u.hostname === 'oauth2.googleapis.com') o.url = new URL(u.pathname, s.url);
        return o;
      },
    });
  }

  it('signs an RS256 assertion for the admin subject and the directory scope, and uses the token it gets', async () => {
    const jwt = googleServiceAccountAuth({
      clientEmail: 'mci@proyecto.iam.gserviceaccount.com',
      privateKey,
      subject: 'admin@colima.gob.mx',
      fetchImplementation: fetch,
    });
    toFake(jwt);
    const p = new GoogleDirectoryProvider({ auth: jwt, rootUrl: s.url, fetchImplementation: fetch });
    await p.create({
      address: 'maria.nunez@colima.gob.mx',
      tipo: 'personal',
      holder: MARIA,
      password: 'Inicial.2026!',
      changeAtNextLogin: true,
    });
    expect(await p.lookup('maria.nunez@colima.gob.mx')).toMatchObject({ address: 'maria.nunez@colima.gob.mx' });
    expect(s.tokenClaims).toHaveLength(1);
    expect(s.tokenClaims[0]).toMatchObject({
      iss: 'mci@proyecto.iam.gserviceaccount.com',
      sub: 'admin@colima.gob.mx',
      scope: DIRECTORY_USER_SCOPE,
      aud: 'https://oauth2.googleapis.com/token',
    });
    expect(s.requests.every((r) => r.authorization === 'Bearer ya29.delegado')).toBe(true);
  });

  it('a key the server does not accept is a permanent unauthorized error naming the delegation', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const jwt = googleServiceAccountAuth({
      clientEmail: 'mci@proyecto.iam.gserviceaccount.com',
      privateKey: other,
      subject: 'admin@colima.gob.mx',
      fetchImplementation: fetch,
    });
    toFake(jwt);
    const e = await failure(
      new GoogleDirectoryProvider({ auth: jwt, rootUrl: s.url, fetchImplementation: fetch }).lookup('x@colima.gob.mx'),
    );
    expect([e.kind, e.code]).toEqual(['permanent', 'unauthorized']);
    expect(e.messageEs).toMatch(/delegación/);
  });
});
