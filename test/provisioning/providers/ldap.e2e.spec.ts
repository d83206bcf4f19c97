import { Client, EqualityFilter } from 'ldapts';
import { ProviderError } from '../../../src/provisioning/providers/directory-provider';
import {
  LdapDirectoryProvider,
  type LdapDirectoryOptions,
} from '../../../src/provisioning/providers/ldap/ldap-directory.provider';
import { type Slapd, startSlapd } from '../../support/slapd';
import { JUAN, MARIA, describeDirectoryProvider } from './directory-provider.behaviour';

const options = (s: Slapd, extra: Partial<LdapDirectoryOptions> = {}): LdapDirectoryOptions => ({
  url: s.url,
  bindDN: s.adminDN,
  bindPassword: s.adminPassword,
  baseDN: s.peopleDN,
  timeoutMs: 5000,
  connectTimeoutMs: 2000,
  ...extra,
});

/** The holder's own bind, on a connection of its own; 'restricted' = bound but only allowed to change the password. */
async function userBind(s: Slapd, dn: string | null, password: string): Promise<'ok' | 'restricted' | 'refused'> {
  if (!dn) return 'refused';
  const c = new Client({ url: s.url, timeout: 5000, connectTimeout: 2000 });
  try {
    await c.bind(dn, password);
  } catch (e) {
    if ((e as { code?: unknown }).code === 49) return 'refused';
    throw e;
  }
  try {
    await c.search(dn, { scope: 'base', attributes: ['mail'] });
    return 'ok';
  } catch (e) {
    if ((e as { code?: unknown }).code === 50) return 'restricted';
    throw e;
  } finally {
    await c.unbind().catch(() => undefined);
  }
}

async function adminSearch(s: Slapd, attribute: string, value: string, attributes: string[] = ['*', '+']) {
  const c = new Client({ url: s.url });
  try {
    await c.bind(s.adminDN, s.adminPassword);
    return (await c.search(s.peopleDN, { scope: 'sub', filter: new EqualityFilter({ attribute, value }), attributes }))
      .searchEntries;
  } finally {
    await c.unbind();
  }
}

describeDirectoryProvider('ldap (real slapd)', async () => {
  const s = await startSlapd();
  const provider = new LdapDirectoryProvider(options(s));
  return {
    provider,
    canSignIn: async (a, pw) => (await userBind(s, await provider.dnOf(a), pw)) !== 'refused',
    accountsForCurp: async (curp) => (await adminSearch(s, 'employeeNumber', curp, ['dn'])).length,
    close: () => s.stop(),
  };
});

describe('ldap directory specifics (real slapd)', () => {
  let s: Slapd;
  let provider: LdapDirectoryProvider;
  beforeAll(async () => {
    s = await startSlapd();
    provider = new LdapDirectoryProvider(options(s));
  });
  afterAll(() => s?.stop());

  it('writes an inetOrgPerson entry under the base DN with the holder attributes; the server hashes the password', async () => {
    const acc = await provider.create({
      address: 'maria.nunez@colima.gob.mx',
      tipo: 'personal',
      holder: MARIA,
      password: 'Inicial.2026!',
      changeAtNextLogin: false,
    });
    const [e] = await adminSearch(s, 'mail', 'maria.nunez@colima.gob.mx');
    expect(e.dn).toBe(`uid=maria.nunez,${s.peopleDN}`);
    expect(e).toMatchObject({
      uid: 'maria.nunez',
      employeeNumber: MARIA.curp,
      employeeType: 'personal',
      givenName: 'María Guadalupe',
      sn: 'Núñez Gómez',
      displayName: 'María Guadalupe Núñez Gómez',
      entryUUID: acc.providerId,
    });
    expect(String(e.userPassword)).toMatch(/^\{SSHA\}/);
    expect(JSON.stringify(e)).not.toContain('Inicial.2026!');
  });

  it('forces the change at next login through ppolicy: bind works, nothing else until the holder changes it', async () => {
    const a = 'rosa.mendez@colima.gob.mx';
    await provider.create({
      address: a,
      tipo: 'personal',
      holder: { ...JUAN, curp: 'MERR900101MCMNSS08' },
      password: 'Temporal.2026!',
      changeAtNextLogin: true,
    });
    const dn = (await provider.dnOf(a))!;
    expect(await userBind(s, dn, 'Temporal.2026!')).toBe('restricted');
    await provider.setPassword(a, 'Elegida.2026!', { changeAtNextLogin: false });
    expect(await userBind(s, dn, 'Elegida.2026!')).toBe('ok');
    await provider.setPassword(a, 'Otra.2026!', { changeAtNextLogin: true });
    expect(await userBind(s, dn, 'Otra.2026!')).toBe('restricted');
  });

  it('suspends with an administrative ppolicy lock that a correct password does not open', async () => {
    const a = 'bloqueada@colima.gob.mx';
    await provider.create({
      address: a,
      tipo: 'servicio',
      holder: { ...JUAN, curp: 'GOLA750505HCMMPN02' },
      password: 'Servicio.2026!',
      changeAtNextLogin: false,
    });
    await provider.suspend(a);
    const [e] = await adminSearch(s, 'mail', a);
    expect(e.pwdAccountLockedTime).toBe('000001010000Z');
    expect(await userBind(s, e.dn, 'Servicio.2026!')).toBe('refused');
    await provider.unsuspend(a);
    expect(await userBind(s, e.dn, 'Servicio.2026!')).toBe('ok');
  });

  it('reassign replaces the holder attributes and the password in one step', async () => {
    const a = 'becas@colima.gob.mx';
    await provider.create({
      address: a,
      tipo: 'servicio',
      holder: MARIA,
      password: 'DeMaria.2026!',
      changeAtNextLogin: false,
    });
    await provider.reassign(a, JUAN, 'DeJuan.2026!', { changeAtNextLogin: false });
    const [e] = await adminSearch(s, 'mail', a);
    expect(e).toMatchObject({
      employeeNumber: JUAN.curp,
      givenName: 'Juan',
      sn: 'Pérez Pérez',
      cn: 'Juan Pérez Pérez',
    });
    expect(await userBind(s, e.dn, 'DeMaria.2026!')).toBe('refused');
    expect(await userBind(s, e.dn, 'DeJuan.2026!')).toBe('ok');
  });

  it('rename moves the DN and the mail, and the holder binds at the new DN', async () => {
    const a = 'funcion.vieja@colima.gob.mx';
    const acc = await provider.create({
      address: a,
      tipo: 'funcion',
      holder: { ...JUAN, curp: 'RAMP700707HCMMRD03' },
      password: 'Funcion.2026!',
      changeAtNextLogin: false,
    });
    await provider.rename(a, 'funcion.nueva@colima.gob.mx');
    const [e] = await adminSearch(s, 'mail', 'funcion.nueva@colima.gob.mx');
    expect(e).toMatchObject({ dn: `uid=funcion.nueva,${s.peopleDN}`, uid: 'funcion.nueva', entryUUID: acc.providerId });
    expect(await adminSearch(s, 'uid', 'funcion.vieja')).toHaveLength(0);
    expect(await userBind(s, `uid=funcion.vieja,${s.peopleDN}`, 'Funcion.2026!')).toBe('refused');
    expect(await userBind(s, e.dn, 'Funcion.2026!')).toBe('ok');
  });

  it('with rdnAttribute mail, two domains can share a local part', async () => {
    const p = new LdapDirectoryProvider(options(s, { rdnAttribute: 'mail' }));
    await p.create({
      address: 'contacto@colima.gob.mx',
      tipo: 'servicio',
      holder: MARIA,
      password: 'Uno.2026!!',
      changeAtNextLogin: false,
    });
    await p.create({
      address: 'contacto@seculima.gob.mx',
      tipo: 'servicio',
      holder: JUAN,
      password: 'Dos.2026!!',
      changeAtNextLogin: false,
    });
    expect((await adminSearch(s, 'uid', 'contacto', ['dn'])).map((e) => e.dn).sort()).toEqual([
      `mail=contacto@colima.gob.mx,${s.peopleDN}`,
      `mail=contacto@seculima.gob.mx,${s.peopleDN}`,
    ]);
  });

  it('with rdnAttribute uid, a local part taken in another domain is a permanent duplicate', async () => {
    await provider.create({
      address: 'soporte@colima.gob.mx',
      tipo: 'servicio',
      holder: MARIA,
      password: 'Uno.2026!!',
      changeAtNextLogin: false,
    });
    await expect(
      provider.create({
        address: 'soporte@seculima.gob.mx',
        tipo: 'servicio',
        holder: MARIA,
        password: 'Dos.2026!!',
        changeAtNextLogin: false,
      }),
    ).rejects.toMatchObject({ kind: 'permanent', code: 'duplicate' });
  });

  it('a wrong service password is a permanent unauthorized error that names what to check', async () => {
    const p = new LdapDirectoryProvider(options(s, { bindPassword: 'equivocada' }));
    await expect(p.lookup('x@colima.gob.mx')).rejects.toMatchObject({
      kind: 'permanent',
      code: 'unauthorized',
      messageEs: expect.stringMatching(/LDAP_BIND_DN/),
    });
  });

  it('a base DN that does not exist is a permanent error that names it', async () => {
    const p = new LdapDirectoryProvider(options(s, { baseDN: 'ou=nadie,dc=colima,dc=gob,dc=mx' }));
    await expect(p.lookup('x@colima.gob.mx')).rejects.toMatchObject({
      kind: 'permanent',
      messageEs: expect.stringMatching(/ou=nadie/),
    });
  });

  it('a directory that does not answer is transient, and the error carries no password', async () => {
    const down = await startSlapd();
    const url = down.url;
    await down.stop();
    const p = new LdapDirectoryProvider({ ...options(s), url });
    const e: unknown = await p
      .create({
        address: 'caido@colima.gob.mx',
        tipo: 'personal',
        holder: MARIA,
        password: 'NoSeVe.2026!',
        changeAtNextLogin: false,
      })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect(e).toMatchObject({
      kind: 'transient',
      code: 'unavailable',
      messageEs: expect.stringMatching(/se reintentará/),
    });
    expect(JSON.stringify(e) + String(e)).not.toContain('NoSeVe.2026!');
  });
});
