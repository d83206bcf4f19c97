import type { ConnectionOptions } from 'node:tls';
import { Attribute, Change, Client, EqualityFilter, type Entry, PresenceFilter } from 'ldapts';
import {
  DEFAULT_DIRECTORY_PAGE,
  type CreateAccountRequest,
  type DirectoryPageOptions,
  type DirectoryAccount,
  type DirectoryProvider,
  type Holder,
  ProviderError,
  duplicateError,
  normalizeAddress,
  sameHolder,
  unknownAccountError,
  validateHolder,
} from '../directory-provider';

export interface LdapDirectoryOptions {
  /** ldap://host:port or ldaps://host:port */
  url: string;
  /** An account allowed to add and modify entries under baseDN, including userPassword and the ppolicy attributes. */
  bindDN: string;
  bindPassword: string;
  /** Where the accounts live, e.g. ou=people,dc=colima,dc=gob,dc=mx. */
  baseDN: string;
  /** 'uid' → uid=<local part>,baseDN (default); 'mail' → mail=<address>,baseDN (several domains in one tree). */
  rdnAttribute?: 'uid' | 'mail';
  objectClasses?: string[];
  /** Attributes that carry the holder and the account type (inetOrgPerson ones by default). */
  holderAttributes?: { curp?: string; cct?: string; tipo?: string };
  /**
   * Set pwdReset on changeAtNextLogin (default true). It only bites when the directory's ppolicy has
   * pwdMustChange: TRUE: the holder can then bind but do nothing but change the password.
   */
  forcedChange?: boolean;
  startTLS?: boolean;
  tlsOptions?: ConnectionOptions;
  timeoutMs?: number;
  connectTimeoutMs?: number;
}

/** ppolicy's "locked until an administrator unlocks it" value (OpenLDAP 2.5). */
const LOCKED_BY_ADMIN = '000001010000Z';

const TRANSIENT_CODES = new Set([3, 11, 51, 52, 80]);

const first = (v: Entry[string] | undefined): string | undefined => {
  if (v === undefined) return undefined;
  const x = Array.isArray(v) ? v[0] : v;
  if (x === undefined) return undefined;
  return Buffer.isBuffer(x) ? x.toString('utf8') : String(x);
};

/** RFC 4514 escaping of an attribute value in a DN. */
const escapeDnValue = (v: string): string =>
  v
    .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, '\\ ');

const replace = (type: string, values: string[]): Change =>
  new Change({ operation: 'replace', modification: new Attribute({ type, values }) });

/**
 * OpenLDAP (or another LDAPv3 server with the ppolicy overlay) through ldapts. Passwords are sent in the clear
 * over the connection (use ldaps:// or startTLS outside a test) and hashed by the server: the directory must hash
 * cleartext (OpenLDAP: olcPPolicyHashCleartext: TRUE). Suspension is a ppolicy administrative lock
 * (pwdAccountLockedTime = 000001010000Z), so a suspended holder's bind fails with invalidCredentials.
 */
export class LdapDirectoryProvider implements DirectoryProvider {
  readonly name = 'ldap' as const;
  readonly supportsForcedChange: boolean;
  private readonly rdn: 'uid' | 'mail';
  private readonly attrs: { curp: string; cct: string; tipo: string };

  constructor(private readonly options: LdapDirectoryOptions) {
    this.rdn = options.rdnAttribute ?? 'uid';
    this.attrs = {
      curp: options.holderAttributes?.curp ?? 'employeeNumber',
      cct: options.holderAttributes?.cct ?? 'departmentNumber',
      tipo: options.holderAttributes?.tipo ?? 'employeeType',
    };
    this.supportsForcedChange = options.forcedChange ?? true;
  }

  async create(req: CreateAccountRequest): Promise<DirectoryAccount> {
    const address = normalizeAddress(req.address, this.name);
    const holder = validateHolder(req.holder, this.name);
    return this.session('create', true, async (c) => {
      const existing = await this.find(c, address);
      if (existing) return this.replayCreate(c, address, existing, holder, req);
      const dn = this.dnFor(address);
      const entry: Record<string, string | string[]> = {
        objectClass: this.options.objectClasses ?? ['inetOrgPerson'],
        uid: address.split('@')[0],
        mail: address,
        [this.attrs.tipo]: req.tipo,
        userPassword: req.password,
      };
      for (const [type, v] of Object.entries(this.holderAttributes(holder))) if (v !== undefined) entry[type] = v;
      if (this.supportsForcedChange && req.changeAtNextLogin) entry.pwdReset = 'TRUE';
      try {
        await c.add(dn, entry);
      } catch (e) {
        // 68: someone else's entry has this DN (another domain with the same local part, or a create racing ours).
        if (code(e) !== 68) throw e;
        const now = await this.find(c, address);
        if (now) return this.replayCreate(c, address, now, holder, req);
        throw duplicateError(address, this.name);
      }
      const created = await this.find(c, address);
      if (!created)
        throw new ProviderError('transient', 'unavailable', {
          detail: 'entry not found after add',
          provider: this.name,
        });
      return this.toAccount(created);
    });
  }

  async setPassword(address: string, password: string, opts: { changeAtNextLogin: boolean }): Promise<void> {
    const a = normalizeAddress(address, this.name);
    await this.session('setPassword', true, async (c) => {
      const e = await this.mustFind(c, a);
      await c.modify(e.dn, this.passwordChanges(password, opts.changeAtNextLogin));
    });
  }

  async reassign(
    address: string,
    holder: Holder,
    newPassword: string,
    opts: { changeAtNextLogin?: boolean } = {},
  ): Promise<DirectoryAccount> {
    const a = normalizeAddress(address, this.name);
    const h = validateHolder(holder, this.name);
    return this.session('reassign', true, async (c) => {
      const e = await this.mustFind(c, a);
      const holderChanges = Object.entries(this.holderAttributes(h)).map(([type, v]) =>
        replace(type, v === undefined ? [] : [v]),
      );
      // One modify: the new holder never sees the old password, the old holder never the new attributes.
      await c.modify(e.dn, [...holderChanges, ...this.passwordChanges(newPassword, opts.changeAtNextLogin ?? true)]);
      return this.toAccount(await this.mustFind(c, a));
    });
  }

  async rename(address: string, newAddress: string): Promise<DirectoryAccount> {
    const from = normalizeAddress(address, this.name);
    const to = normalizeAddress(newAddress, this.name);
    return this.session('rename', false, async (c) => {
      const [e, target] = await Promise.all([this.find(c, from), this.find(c, to)]);
      if (!e) {
        if (target) return this.toAccount(target);
        throw unknownAccountError(from, this.name);
      }
      if (target && target.dn !== e.dn) throw duplicateError(to, this.name);
      const newDN = this.dnFor(to);
      // The DN moves first and the mail last, so a rename cut in the middle is found again by its old address.
      if (e.dn.toLowerCase() !== newDN.toLowerCase()) {
        try {
          await c.modifyDN(e.dn, newDN);
        } catch (err) {
          if (code(err) === 68) throw duplicateError(to, this.name);
          throw err;
        }
      }
      await c.modify(newDN, [replace('uid', [to.split('@')[0]]), replace('mail', [to])]);
      return this.toAccount(await this.mustFind(c, to));
    });
  }

  async suspend(address: string): Promise<void> {
    const a = normalizeAddress(address, this.name);
    await this.session('suspend', false, async (c) => {
      const e = await this.mustFind(c, a);
      await c.modify(e.dn, replace('pwdAccountLockedTime', [LOCKED_BY_ADMIN]));
    });
  }

  async unsuspend(address: string): Promise<void> {
    const a = normalizeAddress(address, this.name);
    await this.session('unsuspend', false, async (c) => {
      const e = await this.mustFind(c, a);
      // replace with no values is a no-op when there is no lock (delete would fail with 16); ppolicy clears
      // pwdFailureTime with the lock.
      await c.modify(e.dn, replace('pwdAccountLockedTime', []));
    });
  }

  async lookup(address: string): Promise<DirectoryAccount | null> {
    const a = normalizeAddress(address, this.name);
    return this.session('lookup', false, async (c) => {
      const e = await this.find(c, a);
      return e ? this.toAccount(e) : null;
    });
  }

  /**
   * Every entry with a mail under baseDN through the paged-results control (RFC 2696): one connection for the whole
   * listing (a paging cookie belongs to its connection), a page per round trip.
   */
  async *listPages(opts: DirectoryPageOptions = {}): AsyncGenerator<DirectoryAccount[]> {
    let c: Client | undefined;
    try {
      c = await this.connect();
      const pages = c.searchPaginated(this.options.baseDN, {
        scope: 'sub',
        filter: new PresenceFilter({ attribute: 'mail' }),
        attributes: this.entryAttributes(),
        paged: { pageSize: opts.pageSize ?? DEFAULT_DIRECTORY_PAGE },
      });
      for await (const page of pages) {
        if (page.searchEntries.length > 0) yield page.searchEntries.map((e) => this.toAccount(e));
      }
    } catch (e) {
      throw this.classify(e, 'list', false);
    } finally {
      await c?.unbind().catch(() => undefined);
    }
  }

  /** DN of an account, for tests and for a sign-in check by bind. */
  async dnOf(address: string): Promise<string | null> {
    const a = normalizeAddress(address, this.name);
    return this.session('lookup', false, async (c) => (await this.find(c, a))?.dn ?? null);
  }

  private async replayCreate(
    c: Client,
    address: string,
    existing: Entry,
    holder: Holder,
    req: CreateAccountRequest,
  ): Promise<DirectoryAccount> {
    if (!sameHolder(this.holderOf(existing), holder)) throw duplicateError(address, this.name);
    await c.modify(existing.dn, this.passwordChanges(req.password, req.changeAtNextLogin));
    return this.toAccount(await this.mustFind(c, address));
  }

  private passwordChanges(password: string, changeAtNextLogin: boolean): Change[] {
    // ppolicy sets pwdReset itself on an administrator's change when pwdMustChange is on; say what we mean in the same modify.
    return [
      replace('userPassword', [password]),
      replace('pwdReset', this.supportsForcedChange && changeAtNextLogin ? ['TRUE'] : []),
    ];
  }

  private holderAttributes(h: Holder): Record<string, string | undefined> {
    return {
      cn: h.displayName,
      displayName: h.displayName,
      givenName: h.givenName,
      sn: h.familyName,
      [this.attrs.curp]: h.curp,
      [this.attrs.cct]: h.cct,
    };
  }

  private dnFor(address: string): string {
    const value = this.rdn === 'uid' ? address.split('@')[0] : address;
    return `${this.rdn}=${escapeDnValue(value)},${this.options.baseDN}`;
  }

  private async find(c: Client, address: string): Promise<Entry | undefined> {
    let res;
    try {
      res = await c.search(this.options.baseDN, {
        scope: 'sub',
        filter: new EqualityFilter({ attribute: 'mail', value: address }),
        attributes: this.entryAttributes(),
      });
    } catch (e) {
      if (code(e) === 32) {
        throw new ProviderError('permanent', 'rejected', {
          messageEs: `La base del directorio (${this.options.baseDN}) no existe; revise LDAP_BASE_DN.`,
          provider: this.name,
        });
      }
      throw e;
    }
    if (res.searchEntries.length > 1) {
      throw new ProviderError('permanent', 'rejected', {
        messageEs: `Hay ${res.searchEntries.length} entradas con la dirección ${address} en el directorio; corríjalo en el directorio antes de continuar.`,
        provider: this.name,
      });
    }
    return res.searchEntries[0];
  }

  private entryAttributes(): string[] {
    return ['mail', 'entryUUID', 'pwdAccountLockedTime', 'pwdReset', this.attrs.curp, this.attrs.cct];
  }

  private async mustFind(c: Client, address: string): Promise<Entry> {
    const e = await this.find(c, address);
    if (!e) throw unknownAccountError(address, this.name);
    return e;
  }

  private holderOf(e: Entry): { curp?: string; cct?: string } {
    return { curp: first(e[this.attrs.curp]), cct: first(e[this.attrs.cct]) };
  }

  private toAccount(e: Entry): DirectoryAccount {
    return {
      address: first(e.mail) ?? '',
      providerId: first(e.entryUUID) ?? e.dn,
      // Only our administrative lock is a suspension; a lockout after failed binds carries the time it happened.
      suspended: first(e.pwdAccountLockedTime) === LOCKED_BY_ADMIN,
      holder: this.holderOf(e),
      mustChangePassword: this.supportsForcedChange ? first(e.pwdReset)?.toUpperCase() === 'TRUE' : undefined,
    };
  }

  /** One connection per operation, bound as the service account: the queue's rate is far below connection cost. */
  private async session<T>(op: string, changesPassword: boolean, fn: (c: Client) => Promise<T>): Promise<T> {
    let c: Client | undefined;
    try {
      c = await this.connect();
      return await fn(c);
    } catch (e) {
      throw this.classify(e, op, changesPassword);
    } finally {
      await c?.unbind().catch(() => undefined);
    }
  }

  /** A connection bound as the service account (unbound by the caller; on a failure here, already closed). */
  private async connect(): Promise<Client> {
    const c = new Client({
      url: this.options.url,
      timeout: this.options.timeoutMs ?? 10_000,
      connectTimeout: this.options.connectTimeoutMs ?? 5_000,
      tlsOptions: this.options.tlsOptions,
    });
    try {
      if (this.options.startTLS) await c.startTLS(this.options.tlsOptions ?? {});
      try {
        await c.bind(this.options.bindDN, this.options.bindPassword);
      } catch (e) {
        if (code(e) === 49) {
          throw new ProviderError('permanent', 'unauthorized', {
            messageEs:
              'El directorio LDAP rechazó la cuenta de servicio del sistema; revise LDAP_BIND_DN y su contraseña.',
            detail: 'bind 49',
            provider: this.name,
          });
        }
        throw e;
      }
      return c;
    } catch (e) {
      await c.unbind().catch(() => undefined);
      throw e;
    }
  }

  /** Maps an LDAP result code (or a socket failure) to transient/permanent. ldapts messages carry no values. */
  private classify(e: unknown, op: string, changesPassword: boolean): ProviderError {
    if (e instanceof ProviderError) return e;
    const rc = code(e);
    const detail = `${op}: ${typeof rc === 'number' ? `LDAP ${rc}` : e instanceof Error ? e.message.split('\n')[0] : 'error'}`;
    const p = { detail, provider: this.name } as const;
    if (typeof rc !== 'number') return new ProviderError('transient', 'unavailable', p);
    if (TRANSIENT_CODES.has(rc)) return new ProviderError('transient', 'unavailable', p);
    if (rc === 32) return new ProviderError('permanent', 'unknown_account', p);
    if (rc === 50 || rc === 8 || rc === 13) return new ProviderError('permanent', 'unauthorized', p);
    if (rc === 19 && changesPassword) return new ProviderError('permanent', 'invalid_password', p);
    if ([16, 17, 18, 19, 20, 21, 34, 64, 65, 67, 69].includes(rc))
      return new ProviderError('permanent', 'invalid_request', p);
    return new ProviderError('permanent', 'rejected', p);
  }
}

function code(e: unknown): number | string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? (e as { code: number | string }).code : undefined;
}
