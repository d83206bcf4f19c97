import * as argon2 from 'argon2';
import type { DataSource } from 'typeorm';
import { StaffUser } from '../../auth/staff-user.entity';
import { type StaffRole } from '../../auth/staff-roles';
import { inTransaction } from '../../database/transaction';
import { generateTemporaryPassword } from '../../security/password-policy';
import { syncCatalog, type SyncCounts } from '../../catalog/import/catalog-sync';
import { ensureNiveles, STANDARD_NIVELES } from '../../catalog/import/niveles';
import type { TrabajadorRecord } from '../../catalog/import/catalog-rows';
import { DEMO_DEFAULTS, generateDemoCatalog, type DemoCatalogOptions } from '../../catalog/seed/demo-data';
import { GIVEN_NAMES_H, GIVEN_NAMES_M, SURNAMES } from '../../catalog/seed/names';
import { SeededRandom } from '../../catalog/seed/random';

export interface SeedDemoOptions extends DemoCatalogOptions {
  /** argon2id with the library's defaults unless the caller brings the app's hasher. */
  hashPassword?: (plain: string) => Promise<string>;
  /** First-login passwords from the password policy's generator (node:crypto) unless given. */
  generatePassword?: (user: { usuario: string; nombre: string }) => string;
  now?: Date;
}

/** A staff user the seed created, with the password to give them once; never logged, never stored in clear. */
export interface StaffCredential {
  usuario: string;
  nombre: string;
  rol: StaffRole;
  nivelClave: string | null;
  password: string;
}

export interface SeedDemoResult {
  niveles: { clave: string; nombre: string }[];
  centros: SyncCounts;
  trabajadores: SyncCounts;
  /** Users created by this run, with their first-login password. */
  staffCreated: StaffCredential[];
  /** Users that were already there (their password is left alone). */
  staffExisting: string[];
  /** A few active workers of the catalog to try self-service with: three with an alternate e-mail, one without. */
  muestras: { curp: string; curt: string; nombre: string; correoAlterno: string | null }[];
}

/** A password that passes the institution's policy and avoids the user's own name and account. */
const firstLoginPassword = (u: { usuario: string; nombre: string }): string =>
  generateTemporaryPassword({ localPart: u.usuario, names: [u.nombre] });

export function hashPasswordArgon2id(plain: string): Promise<string> {
  return argon2.hash(plain, { type: argon2.argon2id });
}

interface StaffSeed {
  usuario: string;
  rol: StaffRole;
  nivelClave: string | null;
}

/** One user per role, and one Nivel user per standard level. */
function staffSeeds(): StaffSeed[] {
  return [
    { usuario: 'subdireccion', rol: 'subdireccion', nivelClave: null },
    { usuario: 'subjefatura', rol: 'subjefatura', nivelClave: null },
    ...STANDARD_NIVELES.map((n) => ({
      usuario: `nivel.${n.clave.toLowerCase()}`,
      rol: 'nivel' as const,
      nivelClave: n.clave,
    })),
    { usuario: 'responsable', rol: 'responsable', nivelClave: null },
    { usuario: 'administrador', rol: 'administrador', nivelClave: null },
  ];
}

/** Three active workers with an alternate e-mail and one without: what a newcomer types into self-service. */
function samples(workers: TrabajadorRecord[]): SeedDemoResult['muestras'] {
  const active = workers.filter((w) => w.activo);
  return [
    ...active.filter((w) => w.correoAlterno).slice(0, 3),
    ...active.filter((w) => !w.correoAlterno).slice(0, 1),
  ].map((w) => ({
    curp: w.curp,
    curt: w.curt,
    nombre: [w.nombre, w.primerApellido, w.segundoApellido].filter(Boolean).join(' '),
    correoAlterno: w.correoAlterno,
  }));
}

/**
 * Fills a migrated database with the demo catalog and one staff user per role. Same seed, same data; running it again
 * adds nothing (rows are upserted by CURP/CCT, users by name) and leaves existing passwords alone.
 */
export async function seedDemo(ds: DataSource, opts: SeedDemoOptions = {}): Promise<SeedDemoResult> {
  const seed = opts.seed ?? DEMO_DEFAULTS.seed;
  const now = opts.now ?? new Date();
  const catalog = generateDemoCatalog({ seed, centros: opts.centros, trabajadores: opts.trabajadores });
  const niveles = await inTransaction(ds, (em) => ensureNiveles(em));
  const centros = await syncCatalog(
    ds,
    { kind: 'centros', records: catalog.centros.map(({ municipio: _m, ...c }) => c) },
    { mode: 'partial', now },
  );
  const trabajadores = await syncCatalog(
    ds,
    { kind: 'trabajadores', records: catalog.trabajadores },
    { mode: 'partial', now },
  );

  // Names and ids come from the seed too, so a second run (or another machine) describes the same people.
  const rnd = new SeededRandom(seed ^ 0x5eed);
  const seeds = staffSeeds().map((s) => {
    const given = rnd.chance(0.5) ? GIVEN_NAMES_M : GIVEN_NAMES_H;
    return { ...s, id: rnd.uuid(), nombre: `${rnd.pick(given)} ${rnd.pick(SURNAMES)} ${rnd.pick(SURNAMES)}` };
  });
  const repo = ds.getRepository(StaffUser);
  const existing = new Set((await repo.find({ select: { usuario: true } })).map((u) => u.usuario));
  const missing = seeds.filter((s) => !existing.has(s.usuario));
  const generate = opts.generatePassword ?? firstLoginPassword;
  const hash = opts.hashPassword ?? hashPasswordArgon2id;
  // One at a time: each argon2id hash takes 64 MiB, and this may run next to the app on a small server.
  const withPasswords: ((typeof missing)[number] & { password: string; passwordHash: string })[] = [];
  for (const s of missing) {
    const password = generate(s);
    withPasswords.push({ ...s, password, passwordHash: await hash(password) });
  }
  if (withPasswords.length > 0) {
    await inTransaction(ds, (em) =>
      em.getRepository(StaffUser).insert(
        withPasswords.map((s) => ({
          id: s.id,
          usuario: s.usuario,
          nombre: s.nombre,
          rol: s.rol,
          nivelClave: s.nivelClave,
          passwordHash: s.passwordHash,
          mustChangePassword: true,
          activo: true,
        })),
      ),
    );
  }
  return {
    niveles,
    centros,
    trabajadores,
    staffCreated: withPasswords.map((s) => ({
      usuario: s.usuario,
      nombre: s.nombre,
      rol: s.rol,
      nivelClave: s.nivelClave,
      password: s.password,
    })),
    staffExisting: seeds.filter((s) => existing.has(s.usuario)).map((s) => s.usuario),
    muestras: samples(catalog.trabajadores),
  };
}
