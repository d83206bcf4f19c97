import { admin, type admin_directory_v1, auth, type GlobalOptions } from '@googleapis/admin';
import {
  DEFAULT_DIRECTORY_PAGE,
  type CreateAccountRequest,
  type DirectoryAccount,
  type DirectoryPageOptions,
  type DirectoryProvider,
  type Holder,
  ProviderError,
  type TipoCuentaDirectorio,
  duplicateError,
  normalizeAddress,
  sameHolder,
  unknownAccountError,
  validateHolder,
} from '../directory-provider';
import { fromGoogleError, googleReason, googleStatus } from './google-errors';

type User = admin_directory_v1.Schema$User;
type ExternalId = { type?: string; customType?: string; value?: string };

export const DIRECTORY_USER_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user';

export interface GoogleDirectoryOptions {
  /** A service account JWT with domain-wide delegation in production (googleServiceAccountAuth); any OAuth2 client in tests. */
  auth: GlobalOptions['auth'];
  /** Only for tests: the contract server. Google's own endpoint otherwise. */
  rootUrl?: string;
  /** Organizational unit per account type (e.g. { centro_trabajo: '/Centros de trabajo' }); absent → the root unit. */
  orgUnits?: Partial<Record<TipoCuentaDirectorio, string>>;
  timeoutMs?: number;
  /** Whose users users.list walks: the Workspace customer id, or `my_customer` (the default) for the administrator's own. */
  customer?: string;
  /**
   * The HTTP client's fetch. Default: gaxios's own choice (node-fetch, which honours HTTPS_PROXY). Jest passes the
   * global fetch: its module sandbox cannot run gaxios's dynamic import() of node-fetch.
   */
  fetchImplementation?: typeof fetch;
}

/**
 * Production credentials: a service account acting as a Workspace administrator (domain-wide delegation of the
 * admin.directory.user scope to the service account's client id, in the Admin console).
 */
export function googleServiceAccountAuth(opts: {
  clientEmail: string;
  privateKey: string;
  subject: string;
  fetchImplementation?: typeof fetch;
}) {
  const jwt = new auth.JWT({
    email: opts.clientEmail,
    key: opts.privateKey,
    scopes: [DIRECTORY_USER_SCOPE],
    subject: opts.subject,
  });
  // The token request has its own retries (on 5xx); the queue already retries the whole operation.
  jwt.transporter.defaults = {
    ...jwt.transporter.defaults,
    retryConfig: { retry: 0 },
    ...(opts.fetchImplementation ? { fetchImplementation: opts.fetchImplementation } : {}),
  };
  return jwt;
}

/** Google limits each name part to 60 characters. */
const part = (s: string): string => s.slice(0, 60);

/**
 * Workspace accounts through the Admin SDK Directory API (@googleapis/admin, directory_v1).
 *
 * The holder is kept in `externalIds` as `{ type: 'custom', customType: 'curp' | 'cct', value }`: they work in any
 * tenant without first creating a custom schema, show in the Admin console and can be searched
 * (`externalId:<CURP>`). Other externalIds on the user are kept. The account type decides the organizational unit
 * when `orgUnits` says so. The immutable user `id` is the providerId. Passwords go in clear over TLS (no
 * hashFunction) so Google applies its own password rules.
 *
 * The client never retries by itself (retry: false): the queue decides, using the classification of
 * ProviderError and Retry-After.
 */
export class GoogleDirectoryProvider implements DirectoryProvider {
  readonly name = 'google' as const;
  readonly supportsForcedChange = true;
  private readonly dir: admin_directory_v1.Admin;

  constructor(private readonly options: GoogleDirectoryOptions) {
    this.dir = admin({
      version: 'directory_v1',
      auth: options.auth,
      rootUrl: options.rootUrl,
      retry: false,
      timeout: options.timeoutMs ?? 30_000,
      ...(options.fetchImplementation ? { fetchImplementation: options.fetchImplementation } : {}),
    });
  }

  async create(req: CreateAccountRequest): Promise<DirectoryAccount> {
    const address = normalizeAddress(req.address, this.name);
    const holder = validateHolder(req.holder, this.name);
    const secrets = [req.password];
    const requestBody: User = {
      primaryEmail: address,
      name: { givenName: part(holder.givenName), familyName: part(holder.familyName) },
      password: req.password,
      changePasswordAtNextLogin: req.changeAtNextLogin,
      externalIds: this.externalIds(holder, []),
      orgUnitPath: this.options.orgUnits?.[req.tipo],
    };
    try {
      const res = await this.dir.users.insert({ requestBody });
      return this.toAccount(res.data);
    } catch (e) {
      if (googleStatus(e) !== 409) throw fromGoogleError(e, { op: 'create', address, secrets });
    }
    // 409: the address answers already. Ours from an earlier try whose response was lost, or someone else's.
    const existing = await this.get(address, 'create', secrets);
    if (!existing || existing.primaryEmail?.toLowerCase() !== address || !sameHolder(this.holderOf(existing), holder)) {
      throw duplicateError(address, this.name);
    }
    const updated = await this.update(
      address,
      { password: req.password, changePasswordAtNextLogin: req.changeAtNextLogin },
      'create',
      secrets,
    );
    return this.toAccount(updated);
  }

  async setPassword(address: string, password: string, opts: { changeAtNextLogin: boolean }): Promise<void> {
    const a = normalizeAddress(address, this.name);
    await this.update(a, { password, changePasswordAtNextLogin: opts.changeAtNextLogin }, 'setPassword', [password]);
  }

  async reassign(
    address: string,
    holder: Holder,
    newPassword: string,
    opts: { changeAtNextLogin?: boolean } = {},
  ): Promise<DirectoryAccount> {
    const a = normalizeAddress(address, this.name);
    const h = validateHolder(holder, this.name);
    const secrets = [newPassword];
    const current = await this.get(a, 'reassign', secrets);
    if (!current) throw unknownAccountError(a, this.name);
    const user = await this.update(
      a,
      {
        name: { givenName: part(h.givenName), familyName: part(h.familyName) },
        externalIds: this.externalIds(h, (current.externalIds ?? []) as ExternalId[]),
        password: newPassword,
        changePasswordAtNextLogin: opts.changeAtNextLogin ?? true,
      },
      'reassign',
      secrets,
    );
    return this.toAccount(user);
  }

  async rename(address: string, newAddress: string): Promise<DirectoryAccount> {
    const from = normalizeAddress(address, this.name);
    const to = normalizeAddress(newAddress, this.name);
    const current = await this.get(from, 'rename', []);
    if (!current) {
      const target = await this.get(to, 'rename', []);
      if (target?.primaryEmail?.toLowerCase() === to) return this.toAccount(target);
      throw unknownAccountError(from, this.name);
    }
    // After a rename the old address is an alias of the same user: a replay finds the work done.
    if (current.primaryEmail?.toLowerCase() === to) return this.toAccount(current);
    const target = await this.get(to, 'rename', []);
    if (target && target.id !== current.id) throw duplicateError(to, this.name);
    const user = await this.update(
      current.id ?? from,
      { primaryEmail: to },
      'rename',
      [],
      (u) => u.primaryEmail?.toLowerCase() === to,
    );
    return this.toAccount(user);
  }

  async suspend(address: string): Promise<void> {
    const a = normalizeAddress(address, this.name);
    await this.update(a, { suspended: true }, 'suspend', [], (u) => u.suspended === true);
  }

  async unsuspend(address: string): Promise<void> {
    const a = normalizeAddress(address, this.name);
    await this.update(a, { suspended: false }, 'unsuspend', [], (u) => u.suspended === false);
  }

  async lookup(address: string): Promise<DirectoryAccount | null> {
    const a = normalizeAddress(address, this.name);
    const u = await this.get(a, 'lookup', []);
    return u ? this.toAccount(u) : null;
  }

  /**
   * users.list, a page per request (maxResults up to 500, nextPageToken until there is none), by primary address.
   * Deleted users are not listed (showDeleted defaults to false).
   */
  async *listPages(opts: DirectoryPageOptions = {}): AsyncGenerator<DirectoryAccount[]> {
    const maxResults = Math.min(500, Math.max(1, opts.pageSize ?? DEFAULT_DIRECTORY_PAGE));
    const customer = this.options.customer ?? 'my_customer';
    let pageToken: string | undefined;
    do {
      let data: admin_directory_v1.Schema$Users;
      try {
        data = (
          await this.dir.users.list({
            customer,
            maxResults,
            orderBy: 'email',
            projection: 'basic',
            ...(pageToken ? { pageToken } : {}),
          })
        ).data;
      } catch (e) {
        throw fromGoogleError(e, { op: 'list', address: `(usuarios de ${customer})`, secrets: [] });
      }
      const users = data.users ?? [];
      if (users.length > 0) yield users.map((u) => this.toAccount(u));
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
  }

  private async get(userKey: string, op: string, secrets: string[]): Promise<User | null> {
    try {
      return (await this.dir.users.get({ userKey })).data;
    } catch (e) {
      if (googleStatus(e) === 404) return null;
      throw fromGoogleError(e, { op, address: userKey, secrets });
    }
  }

  /**
   * users.update (patch semantics, Google's recommended call). On a 409 the change may already be there (an earlier
   * try whose answer was lost): read the user back; if `done` says so, that is success; otherwise try once more.
   * A password cannot be read back, so for it the second try is the check.
   */
  private async update(
    userKey: string,
    requestBody: User,
    op: string,
    secrets: string[],
    done?: (u: User) => boolean,
  ): Promise<User> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.dir.users.update({ userKey, requestBody })).data;
      } catch (e) {
        const status = googleStatus(e);
        if (status === 404) throw unknownAccountError(userKey, this.name);
        if (status !== 409) throw fromGoogleError(e, { op, address: userKey, secrets });
        const now = await this.get(userKey, op, secrets);
        if (!now) throw unknownAccountError(userKey, this.name);
        if (done?.(now)) return now;
        if (requestBody.primaryEmail && googleReason(e) === 'duplicate')
          throw duplicateError(requestBody.primaryEmail, this.name);
        if (attempt >= 1) {
          throw new ProviderError('transient', 'conflict', {
            detail: `${op}: HTTP 409 ${googleReason(e) ?? ''} twice`,
            provider: this.name,
          });
        }
      }
    }
  }

  private externalIds(h: Holder, current: ExternalId[]): ExternalId[] {
    const ours = (x: ExternalId): boolean => x.type === 'custom' && (x.customType === 'curp' || x.customType === 'cct');
    const ids: ExternalId[] = current.filter((x) => !ours(x));
    if (h.curp) ids.push({ type: 'custom', customType: 'curp', value: h.curp });
    if (h.cct) ids.push({ type: 'custom', customType: 'cct', value: h.cct });
    return ids;
  }

  private holderOf(u: User): { curp?: string; cct?: string } {
    const ids = (Array.isArray(u.externalIds) ? u.externalIds : []) as ExternalId[];
    const value = (t: string): string | undefined =>
      ids.find((x) => x.type === 'custom' && x.customType === t)?.value ?? undefined;
    return { curp: value('curp'), cct: value('cct') };
  }

  private toAccount(u: User): DirectoryAccount {
    if (!u.id || !u.primaryEmail) {
      throw new ProviderError('transient', 'unavailable', {
        detail: 'Directory API answer without id or primaryEmail',
        provider: this.name,
      });
    }
    return {
      address: u.primaryEmail.toLowerCase(),
      providerId: u.id,
      suspended: u.suspended === true,
      holder: this.holderOf(u),
      mustChangePassword: typeof u.changePasswordAtNextLogin === 'boolean' ? u.changePasswordAtNextLogin : undefined,
    };
  }
}
