import { Client, type Entry, EqualityFilter } from 'ldapts';
import type { DirectoryView } from '../machines/eight-procedures';
import type { Slapd } from './slapd';

/** pwdAccountLockedTime of an account the administrator locked (the ldap provider's suspension). */
export const LOCKED_BY_ADMIN = '000001010000Z';

/** Entries under slapd's people branch whose `attribute` equals `value`, every attribute, as its administrator. */
export async function slapdEntries(slapd: Slapd, attribute: string, value: string): Promise<Entry[]> {
  const c = new Client({ url: slapd.url, timeout: 10_000, connectTimeout: 5000 });
  try {
    await c.bind(slapd.adminDN, slapd.adminPassword);
    return (
      await c.search(slapd.peopleDN, {
        scope: 'sub',
        filter: new EqualityFilter({ attribute, value }),
        attributes: ['*', '+'],
      })
    ).searchEntries;
  } finally {
    await c.unbind().catch(() => undefined);
  }
}

/** The holder's own sign-in: a bind with their DN and password, on a connection of its own. */
async function canBind(slapd: Slapd, dn: string, password: string): Promise<boolean> {
  const c = new Client({ url: slapd.url, timeout: 5000, connectTimeout: 2000 });
  try {
    await c.bind(dn, password);
    await c.search(dn, { scope: 'base', attributes: ['mail'] });
    return true;
  } catch (e) {
    if ((e as { code?: unknown }).code === 49) return false;
    throw e;
  } finally {
    await c.unbind().catch(() => undefined);
  }
}

/** The eight procedures' view of the accounts when the ldap provider keeps them in slapd: binds and entries. */
export function slapdDirectoryView(slapd: Slapd): {
  signIn(address: string, password: string): Promise<'ok' | 'invalid' | 'suspended'>;
  directory(address: string): Promise<DirectoryView | null>;
} {
  const one = (v: Entry[string] | undefined): string | null =>
    v === undefined ? null : String(Array.isArray(v) ? v[0] : v);
  return {
    signIn: async (address, password) => {
      const [entry] = await slapdEntries(slapd, 'mail', address);
      if (!entry) return 'invalid';
      if (await canBind(slapd, entry.dn, password)) return 'ok';
      return entry.pwdAccountLockedTime === LOCKED_BY_ADMIN ? 'suspended' : 'invalid';
    },
    directory: async (address) => {
      const [entry] = await slapdEntries(slapd, 'mail', address);
      if (!entry) return null;
      return {
        holderCurp: one(entry.employeeNumber),
        holderCct: one(entry.departmentNumber),
        suspended: entry.pwdAccountLockedTime === LOCKED_BY_ADMIN,
      };
    },
  };
}
