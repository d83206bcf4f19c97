import { inspect } from 'node:util';
import {
  type DirectoryProvider,
  type Holder,
  ProviderError,
} from '../../../src/provisioning/providers/directory-provider';

/** What the shared suite needs besides the provider: a way to try the credentials as the holder would. */
export interface ProviderHarness {
  provider: DirectoryProvider;
  /** Whether the holder could sign in with these credentials now (false when wrong or suspended). */
  canSignIn(address: string, password: string): Promise<boolean>;
  /** How many accounts the directory holds for this CURP. */
  accountsForCurp(curp: string): Promise<number>;
  close(): Promise<void>;
}

export const MARIA: Holder = {
  kind: 'trabajador',
  curp: 'NUGM850312MCMXMR01',
  givenName: 'María Guadalupe',
  familyName: 'Núñez Gómez',
  displayName: 'María Guadalupe Núñez Gómez',
};
export const JUAN: Holder = {
  kind: 'trabajador',
  curp: 'PEPJ800101HCMRRN09',
  givenName: 'Juan',
  familyName: 'Pérez Pérez',
  displayName: 'Juan Pérez Pérez',
};
export const PRIMARIA: Holder = {
  kind: 'centro',
  cct: '06DPR0001A',
  givenName: 'Esc. Prim. Benito Juárez',
  familyName: 'Colima',
  displayName: 'Escuela Primaria Benito Juárez',
};

/** A holder of its own per test, so tests that count accounts per CURP do not see each other's. */
export function worker(n: number, givenName = 'Luis'): Holder {
  const d = String(n % 100).padStart(2, '0');
  return {
    kind: 'trabajador',
    curp: `CAHL9002${d}HCMSRR05`,
    givenName,
    familyName: 'Castañeda Hernández',
    displayName: `${givenName} Castañeda Hernández`,
  };
}

async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ProviderError);
    return e as ProviderError;
  }
  throw new Error('se esperaba un error del proveedor y la operación tuvo éxito');
}

/** A rendering of the error as a logger would write it, to check no password leaks through it. */
const rendered = (e: unknown): string =>
  `${inspect(e, { depth: 8, showHidden: true })} ${JSON.stringify(e)} ${String(e)}`;

/**
 * The behaviour every directory adapter must have, whatever is behind it. Run with a factory that gives a fresh
 * directory (or one shared by the suite: each test uses its own addresses).
 */
export function describeDirectoryProvider(name: string, factory: () => Promise<ProviderHarness>): void {
  describe(`DirectoryProvider contract: ${name}`, () => {
    let h: ProviderHarness;
    let p: DirectoryProvider;
    let seq = 0;
    const domain = 'colima.gob.mx';
    const addr = (local: string): string => `${local}.${++seq}@${domain}`;

    beforeAll(async () => {
      h = await factory();
      p = h.provider;
    });
    afterAll(async () => {
      await h?.close();
    });

    it('creates an account the holder can sign in to, and only with its password', async () => {
      const address = addr('maria.nunez');
      const acc = await p.create({
        address,
        tipo: 'personal',
        holder: MARIA,
        password: 'Inicial.2026!',
        changeAtNextLogin: false,
      });
      expect(acc).toMatchObject({ address, suspended: false, holder: { curp: MARIA.curp } });
      expect(acc.providerId).toEqual(expect.any(String));
      expect(acc.providerId.length).toBeGreaterThan(0);
      expect(await h.canSignIn(address, 'Inicial.2026!')).toBe(true);
      expect(await h.canSignIn(address, 'Otra.2026!')).toBe(false);
      const found = await p.lookup(address);
      expect(found).toMatchObject({
        address,
        providerId: acc.providerId,
        suspended: false,
        holder: { curp: MARIA.curp },
      });
    });

    it('keys addresses case-insensitively', async () => {
      const address = addr('jose.delacruz');
      const acc = await p.create({
        address: address.toUpperCase(),
        tipo: 'personal',
        holder: worker(1),
        password: 'Inicial.2026!',
        changeAtNextLogin: false,
      });
      expect(acc.address).toBe(address);
      expect((await p.lookup(address.toUpperCase()))?.providerId).toBe(acc.providerId);
    });

    it('returns null when looking up an address nobody has', async () => {
      expect(await p.lookup(addr('nadie.existe'))).toBeNull();
    });

    it('keeps a school as holder by its CCT', async () => {
      const address = addr('06dpr0001a');
      const acc = await p.create({
        address,
        tipo: 'centro_trabajo',
        holder: PRIMARIA,
        password: 'Escuela.2026!',
        changeAtNextLogin: true,
      });
      expect(acc.holder?.cct).toBe('06DPR0001A');
      expect((await p.lookup(address))?.holder?.cct).toBe('06DPR0001A');
      expect(await h.canSignIn(address, 'Escuela.2026!')).toBe(true);
    });

    it('treats a second create for the same holder as a replay: one account, the latest password', async () => {
      const holder = worker(2);
      const address = addr('luis.castaneda');
      const a1 = await p.create({
        address,
        tipo: 'personal',
        holder,
        password: 'Primera.2026!',
        changeAtNextLogin: false,
      });
      const a2 = await p.create({
        address,
        tipo: 'personal',
        holder,
        password: 'Segunda.2026!',
        changeAtNextLogin: false,
      });
      expect(a2.providerId).toBe(a1.providerId);
      expect(await h.accountsForCurp(holder.curp!)).toBe(1);
      expect(await h.canSignIn(address, 'Segunda.2026!')).toBe(true);
      expect(await h.canSignIn(address, 'Primera.2026!')).toBe(false);
    });

    it('refuses an address that belongs to another holder, as a permanent duplicate, and leaves it untouched', async () => {
      const address = addr('juan.perez');
      await p.create({ address, tipo: 'personal', holder: JUAN, password: 'DeJuan.2026!', changeAtNextLogin: false });
      const e = await rejection(
        p.create({ address, tipo: 'personal', holder: worker(3), password: 'Intruso.2026!', changeAtNextLogin: false }),
      );
      expect(e.kind).toBe('permanent');
      expect(e.code).toBe('duplicate');
      expect(e.messageEs).toMatch(/ya existe en el directorio/);
      expect(rendered(e)).not.toContain('Intruso.2026!');
      expect(await h.canSignIn(address, 'DeJuan.2026!')).toBe(true);
      expect(await h.canSignIn(address, 'Intruso.2026!')).toBe(false);
      expect((await p.lookup(address))?.holder?.curp).toBe(JUAN.curp);
      expect(await h.accountsForCurp(worker(3).curp!)).toBe(0);
    });

    it('sets a new password: the old one stops working', async () => {
      const address = addr('ana.lopez');
      await p.create({
        address,
        tipo: 'personal',
        holder: worker(4, 'Ana'),
        password: 'Vieja.2026!',
        changeAtNextLogin: false,
      });
      await p.setPassword(address, 'Nueva.2026!', { changeAtNextLogin: false });
      expect(await h.canSignIn(address, 'Vieja.2026!')).toBe(false);
      expect(await h.canSignIn(address, 'Nueva.2026!')).toBe(true);
    });

    it('records the forced change at next login when the directory supports it', async () => {
      const address = addr('rosa.mendez');
      const acc = await p.create({
        address,
        tipo: 'personal',
        holder: worker(5, 'Rosa'),
        password: 'Inicial.2026!',
        changeAtNextLogin: true,
      });
      if (!p.supportsForcedChange) {
        expect(acc.mustChangePassword).toBeUndefined();
        return;
      }
      expect(acc.mustChangePassword).toBe(true);
      await p.setPassword(address, 'Elegida.2026!', { changeAtNextLogin: false });
      expect((await p.lookup(address))?.mustChangePassword).toBe(false);
      await p.setPassword(address, 'Temporal.2026!', { changeAtNextLogin: true });
      expect((await p.lookup(address))?.mustChangePassword).toBe(true);
    });

    it('suspends (the right password no longer signs in) and unsuspends, both repeatable', async () => {
      const address = addr('pedro.ramirez');
      await p.create({
        address,
        tipo: 'servicio',
        holder: worker(6, 'Pedro'),
        password: 'Servicio.2026!',
        changeAtNextLogin: false,
      });
      await p.suspend(address);
      await p.suspend(address);
      expect(await h.canSignIn(address, 'Servicio.2026!')).toBe(false);
      expect((await p.lookup(address))?.suspended).toBe(true);
      await p.unsuspend(address);
      await p.unsuspend(address);
      expect(await h.canSignIn(address, 'Servicio.2026!')).toBe(true);
      expect((await p.lookup(address))?.suspended).toBe(false);
    });

    it('reassigns: the new holder is recorded, the previous holder loses access, the id stays', async () => {
      const address = addr('becas');
      const before = await p.create({
        address,
        tipo: 'servicio',
        holder: worker(7, 'Sofía'),
        password: 'DeSofia.2026!',
        changeAtNextLogin: false,
      });
      const next = worker(8, 'Carlos');
      const after = await p.reassign(address, next, 'DeCarlos.2026!');
      expect(after.providerId).toBe(before.providerId);
      expect(after.holder?.curp).toBe(next.curp);
      expect((await p.lookup(address))?.holder?.curp).toBe(next.curp);
      expect(await h.canSignIn(address, 'DeSofia.2026!')).toBe(false);
      expect(await h.canSignIn(address, 'DeCarlos.2026!')).toBe(true);
      if (p.supportsForcedChange) expect(after.mustChangePassword).toBe(true);
    });

    it('renames keeping id and password; a replayed rename succeeds; a taken address is a duplicate', async () => {
      const address = addr('direccion.primaria');
      const other = addr('ocupada');
      const renamed = addr('direccion.primaria.nueva');
      const acc = await p.create({
        address,
        tipo: 'funcion',
        holder: worker(9, 'Elena'),
        password: 'Funcion.2026!',
        changeAtNextLogin: false,
      });
      await p.create({
        address: other,
        tipo: 'funcion',
        holder: worker(10, 'Raúl'),
        password: 'Otra.2026!',
        changeAtNextLogin: false,
      });
      expect((await rejection(p.rename(address, other))).code).toBe('duplicate');
      const r = await p.rename(address, renamed);
      expect(r).toMatchObject({ address: renamed, providerId: acc.providerId });
      expect(await h.canSignIn(renamed, 'Funcion.2026!')).toBe(true);
      const old = await p.lookup(address);
      // Google keeps the old address as an alias of the same account; the others forget it.
      if (old) expect(old).toMatchObject({ address: renamed, providerId: acc.providerId });
      expect(await p.rename(address, renamed)).toMatchObject({ address: renamed, providerId: acc.providerId });
    });

    it('answers permanent unknown_account for an address it does not hold', async () => {
      const ghost = addr('fantasma');
      for (const op of [
        () => p.setPassword(ghost, 'Nada.2026!', { changeAtNextLogin: false }),
        () => p.suspend(ghost),
        () => p.unsuspend(ghost),
        () => p.reassign(ghost, JUAN, 'Nada.2026!'),
        () => p.rename(ghost, addr('fantasma.nueva')),
      ]) {
        const e = await rejection(op());
        expect([e.kind, e.code]).toEqual(['permanent', 'unknown_account']);
        expect(e.messageEs).toContain(ghost);
        expect(rendered(e)).not.toContain('Nada.2026!');
      }
    });

    it('refuses a holder without its key and an invalid address, permanently, creating nothing', async () => {
      const address = addr('sin.curp');
      const noCurp = await rejection(
        p.create({
          address,
          tipo: 'personal',
          holder: { ...JUAN, curp: undefined },
          password: 'Valida.2026!',
          changeAtNextLogin: false,
        }),
      );
      expect([noCurp.kind, noCurp.code]).toEqual(['permanent', 'invalid_request']);
      expect(noCurp.messageEs).toMatch(/CURP/);
      expect(await p.lookup(address)).toBeNull();
      const bad = await rejection(
        p.create({
          address: 'maría@colima.gob.mx',
          tipo: 'personal',
          holder: JUAN,
          password: 'Valida.2026!',
          changeAtNextLogin: false,
        }),
      );
      expect([bad.kind, bad.code]).toEqual(['permanent', 'invalid_request']);
    });

    it('lists every account a page at a time, each once, with its state and holder', async () => {
      const created: string[] = [];
      for (let i = 0; i < 7; i++) {
        const address = addr(`lista${i}`);
        await p.create({
          address,
          tipo: 'personal',
          holder: worker(40 + i),
          password: 'Lista.2026!x',
          changeAtNextLogin: false,
        });
        created.push(address);
      }
      await p.suspend(created[2]);
      const pages: { address: string; suspended: boolean; curp?: string; id: string }[][] = [];
      for await (const page of p.listPages({ pageSize: 3 }))
        pages.push(
          page.map((a) => ({ address: a.address, suspended: a.suspended, curp: a.holder?.curp, id: a.providerId })),
        );
      const all = pages.flat();
      // Pages of at most 3, every account of the directory once (other tests' accounts included).
      expect(pages.every((pg) => pg.length >= 1 && pg.length <= 3)).toBe(true);
      expect(new Set(all.map((a) => a.address)).size).toBe(all.length);
      expect(pages.length).toBe(Math.ceil(all.length / 3));
      for (const [i, address] of created.entries()) {
        const a = all.find((x) => x.address === address);
        expect(a).toMatchObject({ suspended: i === 2, curp: worker(40 + i).curp });
        expect(a!.id).toBe((await p.lookup(address))!.providerId);
      }
    });
  });
}
