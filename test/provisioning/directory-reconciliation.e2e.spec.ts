import { randomUUID } from 'node:crypto';
import { Client } from 'ldapts';
import type { DataSource } from 'typeorm';
import { DomainError } from '../../src/common/domain-error';
import { ConciliacionCorrida, ConciliacionHallazgo } from '../../src/catalog/entities/conciliacion.entity';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { DirectoryReconciliation } from '../../src/provisioning/directory-reconciliation';
import { type Holder } from '../../src/provisioning/providers/directory-provider';
import { LdapDirectoryProvider } from '../../src/provisioning/providers/ldap/ldap-directory.provider';
import { type Slapd, startSlapd } from '../support/slapd';
import { createTestDb, type TestDb } from '../support/test-db';

jest.setTimeout(120_000);

const T0 = new Date('2026-06-10T15:00:00.000Z');
const holder = (n: number): Holder => ({
  kind: 'trabajador',
  curp: `CAHL9002${String(n).padStart(2, '0')}HCMSRR05`,
  givenName: 'Luis',
  familyName: 'Castañeda Hernández',
  displayName: 'Luis Castañeda Hernández',
});

describe('reconciliation with the directory (issue 14, real slapd)', () => {
  let db: TestDb;
  let ds: DataSource;
  let slapd: Slapd;
  let provider: LdapDirectoryProvider;
  let now = T0;
  const clock = () => now;

  /** An account the system created: in slapd through the adapter, and its row. */
  const provisioned = async (n: number): Promise<Cuenta> => {
    const address = `cuenta${n}@colima.gob.mx`;
    const acc = await provider.create({
      address,
      tipo: 'personal',
      holder: holder(n),
      password: 'Inicial.2026!x',
      changeAtNextLogin: false,
    });
    return row(address, 'ldap', acc.providerId, holder(n).curp!);
  };
  const row = async (address: string, proveedor: string, proveedorId: string | null, curp: string) => {
    const c = ds.getRepository(Cuenta).create({
      id: randomUUID(),
      direccion: address,
      localPart: address.split('@')[0],
      dominio: 'colima.gob.mx',
      tipo: 'personal',
      titularTipo: 'trabajador',
      titularCurp: curp,
      titularCct: null,
      estado: 'activa',
      proveedor,
      proveedorId,
    });
    await ds.getRepository(Cuenta).insert(c);
    return c;
  };
  /** An entry someone added straight in the directory, as its administrator. */
  const behindTheBack = async (uid: string): Promise<void> => {
    const c = new Client({ url: slapd.url });
    try {
      await c.bind(slapd.adminDN, slapd.adminPassword);
      await c.add(`uid=${uid},${slapd.peopleDN}`, {
        objectClass: ['inetOrgPerson'],
        uid,
        cn: 'Alguien',
        sn: 'Sin Oficio',
        mail: `${uid}@colima.gob.mx`,
        userPassword: 'Puesta.a.mano1',
      });
    } finally {
      await c.unbind();
    }
  };
  const removeEntry = async (uid: string): Promise<void> => {
    const c = new Client({ url: slapd.url });
    try {
      await c.bind(slapd.adminDN, slapd.adminPassword);
      await c.del(`uid=${uid},${slapd.peopleDN}`);
    } finally {
      await c.unbind();
    }
  };
  const open = () =>
    ds.getRepository(ConciliacionHallazgo).find({ where: { vigente: true }, order: { direccion: 'ASC' } });

  beforeAll(async () => {
    [db, slapd] = await Promise.all([createTestDb(), startSlapd()]);
    ds = db.dataSource;
    provider = new LdapDirectoryProvider({
      url: slapd.url,
      bindDN: slapd.adminDN,
      bindPassword: slapd.adminPassword,
      baseDN: slapd.peopleDN,
      timeoutMs: 5000,
      connectTimeoutMs: 2000,
    });
  });
  afterAll(async () => {
    await Promise.all([db?.close(), slapd?.stop()]);
  });

  it('finds an entry created behind the system’s back, a suspended-there/active-here account and a missing one', async () => {
    const accounts = [];
    for (let n = 1; n <= 5; n++) accounts.push(await provisioned(n));
    await behindTheBack('intruso');
    await provider.suspend(accounts[1].direccion);
    // Ours and provisioned in ldap, but nobody has it there; a local account is not this directory's business.
    const missing = await row('perdida@colima.gob.mx', 'ldap', randomUUID(), holder(20).curp!);
    await row('local@colima.gob.mx', 'local', randomUUID(), holder(21).curp!);
    // Still being created (no provider id yet): not missing.
    await row('encurso@colima.gob.mx', 'ldap', null, holder(22).curp!);

    const jobs = new DirectoryReconciliation(ds, provider, clock, 2);
    const id = await jobs.start();
    await jobs.whenIdle();
    const run = await ds.getRepository(ConciliacionCorrida).findOneByOrFail({ id });
    // 5 accounts + the intruder, in pages of 2.
    expect(run).toMatchObject({ origen: 'directorio', estado: 'terminada', procesados: 6, nuevos: 3, vigentes: 3 });

    const found = await open();
    expect(found.map((h) => [h.tipo, h.direccion, h.accion, h.cuentaId])).toEqual([
      ['directorio_estado', accounts[1].direccion, 'bloquear', accounts[1].id],
      ['directorio_desconocida', 'intruso@colima.gob.mx', 'revisar', null],
      ['directorio_ausente', missing.direccion, 'revisar', missing.id],
    ]);
    const intruder = (await provider.lookup('intruso@colima.gob.mx'))!;
    expect(JSON.parse(found[1].evidencia)).toEqual({
      proveedor: 'ldap',
      proveedorId: intruder.providerId,
      suspendida: false,
      curp: null,
      cct: null,
    });
    expect(JSON.parse(found[0].evidencia)).toMatchObject({ suspendida: true, estadoSistema: 'activa' });
    expect(JSON.parse(found[2].evidencia)).toMatchObject({ proveedor: 'ldap', proveedorId: missing.proveedorId });
    // The seen addresses are gone with the run.
    expect(Number((await ds.query('SELECT COUNT(*) AS n FROM conciliacion_visto'))[0].n)).toBe(0);

    // Again: nothing new. Then the directory is put right: the intruder removed, the account unsuspended.
    now = new Date(T0.getTime() + 3600_000);
    await expect(jobs.runNow()).resolves.toMatchObject({ nuevos: 0, cerrados: 0, vigentes: 3 });
    await removeEntry('intruso');
    await provider.unsuspend(accounts[1].direccion);
    const after = await jobs.runNow();
    expect(after).toMatchObject({ nuevos: 0, cerrados: 2, vigentes: 1 });
    expect((await open()).map((h) => h.tipo)).toEqual(['directorio_ausente']);
    // A blocked account of ours that is active in the directory differs too.
    await ds.getRepository(Cuenta).update(accounts[3].id, { estado: 'bloqueada' });
    await expect(jobs.runNow()).resolves.toMatchObject({ nuevos: 1, vigentes: 2 });
    expect(
      await ds.getRepository(ConciliacionHallazgo).findBy({ cuentaId: accounts[3].id, vigente: true }),
    ).toMatchObject([{ tipo: 'directorio_estado', accion: 'bloquear' }]);
  });

  it('one run at a time: a start while another reports progress is refused; a silent one is taken for dead', async () => {
    const id = randomUUID();
    await ds.getRepository(ConciliacionCorrida).insert({
      id,
      origen: 'directorio',
      importacionAt: null,
      startedAt: now,
      finishedAt: null,
      estado: 'en_curso',
      procesados: 10,
      latidoAt: new Date(now.getTime() - 60_000),
    });
    const jobs = new DirectoryReconciliation(ds, provider, clock, 2);
    const refused = await jobs.start().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).status).toBe(409);
    expect((refused as DomainError).message).toMatch(/en curso/);
    now = new Date(now.getTime() + 10 * 60_000);
    await expect(jobs.runNow()).resolves.toMatchObject({ vigentes: 2 });
  });
});
