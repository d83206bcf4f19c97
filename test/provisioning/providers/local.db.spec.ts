import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { SnakeNamingStrategy } from '../../../src/database/naming.strategy';
import { DirectorioLocal } from '../../../src/provisioning/providers/local/directorio-local.entity';
import { LocalDirectoryProvider } from '../../../src/provisioning/providers/local/local-directory.provider';
import { MARIA, describeDirectoryProvider } from './directory-provider.behaviour';

// Until directorio_local has its migrations, the suite builds its own in-memory SQLite with just that entity.
async function localDirectory(): Promise<{ ds: DataSource; provider: LocalDirectoryProvider }> {
  const ds = new DataSource({
    type: 'better-sqlite3',
    database: ':memory:',
    entities: [DirectorioLocal],
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: true,
  });
  await ds.initialize();
  // Low argon2 cost: the suite hashes dozens of passwords on a shared 2-core machine.
  return {
    ds,
    provider: new LocalDirectoryProvider(ds, { argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 } }),
  };
}

describeDirectoryProvider('local', async () => {
  const { ds, provider } = await localDirectory();
  return {
    provider,
    canSignIn: async (a, pw) => ['ok', 'must_change'].includes(await provider.verifyPassword(a, pw)),
    accountsForCurp: (curp) => ds.getRepository(DirectorioLocal).countBy({ holderCurp: curp }),
    close: () => ds.destroy(),
  };
});

describe('local directory specifics', () => {
  let ds: DataSource;
  let provider: LocalDirectoryProvider;
  beforeAll(async () => ({ ds, provider } = await localDirectory()));
  afterAll(() => ds.destroy());

  it('stores only an argon2id hash, never the password', async () => {
    await provider.create({
      address: 'maria.nunez@colima.gob.mx',
      tipo: 'personal',
      holder: MARIA,
      password: 'Inicial.2026!',
      changeAtNextLogin: true,
    });
    const rows: Record<string, unknown>[] = await ds.query('SELECT * FROM directorio_local');
    expect(rows).toHaveLength(1);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(rows)).not.toContain('Inicial.2026!');
    expect(rows[0]).toMatchObject({
      address: 'maria.nunez@colima.gob.mx',
      holder_curp: MARIA.curp,
      must_change: 1,
      suspended: 0,
    });
  });

  it('signs in as must_change until the holder changes the password, then ok', async () => {
    const a = 'rosa.forzada@colima.gob.mx';
    await provider.create({
      address: a,
      tipo: 'personal',
      holder: { ...MARIA, curp: 'MERR900101MCMNSS08' },
      password: 'Temporal.2026!',
      changeAtNextLogin: true,
    });
    expect(await provider.verifyPassword(a, 'Temporal.2026!')).toBe('must_change');
    expect(await provider.changeOwnPassword(a, 'Equivocada.1', 'Propia.2026!')).toBe(false);
    expect(await provider.changeOwnPassword(a, 'Temporal.2026!', 'Propia.2026!')).toBe(true);
    expect(await provider.verifyPassword(a, 'Propia.2026!')).toBe('ok');
    expect(await provider.verifyPassword(a, 'Temporal.2026!')).toBe('invalid');
    await provider.suspend(a);
    expect(await provider.verifyPassword(a, 'Propia.2026!')).toBe('suspended');
    expect(await provider.verifyPassword(a, 'Equivocada.1')).toBe('invalid');
    expect(await provider.verifyPassword('nadie@colima.gob.mx', 'Propia.2026!')).toBe('invalid');
  });

  it('creates one account when the same create runs twice at the same time', async () => {
    const a = 'concurrente@colima.gob.mx';
    const holder = { ...MARIA, curp: 'GOLA750505HCMMPN02' };
    const [x, y] = await Promise.all([
      provider.create({ address: a, tipo: 'personal', holder, password: 'Uno.2026!', changeAtNextLogin: false }),
      provider.create({ address: a, tipo: 'personal', holder, password: 'Uno.2026!', changeAtNextLogin: false }),
    ]);
    expect(x.providerId).toBe(y.providerId);
    expect(await ds.getRepository(DirectorioLocal).countBy({ address: a })).toBe(1);
  });
});
