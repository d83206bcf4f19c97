import * as argon2 from 'argon2';
import { StaffUser } from '../../src/auth/staff-user.entity';
import { STAFF_ROLES } from '../../src/auth/staff-roles';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { Nivel } from '../../src/catalog/entities/nivel.entity';
import { Trabajador } from '../../src/catalog/entities/trabajador.entity';
import { generateDemoCatalog } from '../../src/catalog/seed/demo-data';
import { seedDemo, type SeedDemoResult } from '../../src/cli/seed/seed-demo';
import { cctProblem } from '../../src/validation/cct';
import { curpProblem, parseCurp } from '../../src/validation/curp';
import { emailProblem } from '../../src/validation/email';
import { checkPassword } from '../../src/security/password-policy';
import { createTestDb, type TestDb } from '../support/test-db';

describe('seedDemo', () => {
  let db: TestDb;
  let first: SeedDemoResult;

  beforeAll(async () => {
    db = await createTestDb();
    first = await seedDemo(db.dataSource, { seed: 2026 });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('creates the levels, a few hundred Colima schools and a few thousand workers', async () => {
    const ds = db.dataSource;
    expect((await ds.getRepository(Nivel).find()).map((n) => n.clave).sort()).toEqual([
      'MEDIA_SUPERIOR',
      'PREESCOLAR',
      'PRIMARIA',
      'SECUNDARIA',
      'SUPERIOR',
    ]);
    expect(first.centros).toMatchObject({ inserted: 300, updated: 0, unchanged: 0 });
    expect(first.trabajadores).toMatchObject({ inserted: 3000, updated: 0, unchanged: 0 });
    const centros = await ds.getRepository(CentroTrabajo).find();
    expect(centros).toHaveLength(300);
    for (const c of centros) {
      expect(cctProblem(c.cct)).toBeNull();
      expect(c.cct.startsWith('06')).toBe(true);
    }
    expect(new Set(centros.map((c) => c.nivelClave)).size).toBe(5);
    expect(centros.some((c) => c.nombre.startsWith('Escuela Primaria '))).toBe(true);
    expect(centros.some((c) => c.nombre.startsWith('Jardín de Niños '))).toBe(true);
  });

  it('gives every worker a valid CURP, mostly born in Colima, with accents, ñ and some gaps', async () => {
    const ws = await db.dataSource.getRepository(Trabajador).find();
    expect(ws).toHaveLength(3000);
    for (const w of ws) expect([w.curp, curpProblem(w.curp)]).toEqual([w.curp, null]);
    const colima = ws.filter((w) => parseCurp(w.curp)?.state === 'CM').length;
    expect(colima / ws.length).toBeGreaterThan(0.7);
    expect(ws.some((w) => /ñ/.test(w.primerApellido + (w.segundoApellido ?? '')))).toBe(true);
    expect(ws.some((w) => /[áéíóú]/i.test(w.nombre))).toBe(true);
    const sinCorreo = ws.filter((w) => w.correoAlterno === null).length;
    const inactivos = ws.filter((w) => !w.activo).length;
    expect(sinCorreo).toBeGreaterThan(100);
    expect(sinCorreo).toBeLessThan(1000);
    expect(inactivos).toBeGreaterThan(30);
    expect(inactivos).toBeLessThan(400);
    for (const w of ws) if (w.correoAlterno !== null) expect(emailProblem(w.correoAlterno)).toBeNull();
  });

  it('assigns directors who work at their school', async () => {
    const ds = db.dataSource;
    const byCurp = new Map((await ds.getRepository(Trabajador).find()).map((w) => [w.curp, w]));
    const centros = await ds.getRepository(CentroTrabajo).find();
    const withDirector = centros.filter((c) => c.directorCurp !== null);
    expect(withDirector.length).toBeGreaterThan(270);
    for (const c of withDirector) {
      const d = byCurp.get(c.directorCurp!);
      expect(d).toMatchObject({ cct: c.cct, nivelClave: c.nivelClave, activo: true });
    }
  });

  it('creates one staff user per role and one per level, verifiable with argon2id, who must change the password', async () => {
    const users = await db.dataSource.getRepository(StaffUser).find();
    expect(users).toHaveLength(9);
    expect(new Set(users.map((u) => u.rol))).toEqual(new Set(STAFF_ROLES));
    expect(
      users
        .filter((u) => u.rol === 'nivel')
        .map((u) => u.nivelClave)
        .sort(),
    ).toEqual(['MEDIA_SUPERIOR', 'PREESCOLAR', 'PRIMARIA', 'SECUNDARIA', 'SUPERIOR']);
    expect(first.staffCreated).toHaveLength(9);
    expect(new Set(first.staffCreated.map((c) => c.password)).size).toBe(9);
    for (const c of first.staffCreated)
      expect(checkPassword(c.password, { localPart: c.usuario, names: [c.nombre] })).toEqual([]);
    for (const cred of first.staffCreated) {
      const u = users.find((x) => x.usuario === cred.usuario)!;
      expect(u.passwordHash.startsWith('$argon2id$')).toBe(true);
      expect(u.passwordHash).not.toContain(cred.password);
      expect(u.mustChangePassword).toBe(true);
      expect(u.activo).toBe(true);
    }
    // Each verification costs an argon2id hash (64 MiB, t=3): run them side by side.
    const checks = await Promise.all(
      first.staffCreated.flatMap((cred) => {
        const hash = users.find((x) => x.usuario === cred.usuario)!.passwordHash;
        return [argon2.verify(hash, cred.password), argon2.verify(hash, cred.password + 'x').then((ok) => !ok)];
      }),
    );
    expect(checks).toEqual(Array(18).fill(true));
  });

  it('is idempotent and deterministic: a second run adds nothing and keeps passwords', async () => {
    const ds = db.dataSource;
    const hashes = new Map((await ds.getRepository(StaffUser).find()).map((u) => [u.usuario, u.passwordHash]));
    const again = await seedDemo(ds, { seed: 2026 });
    expect(again.centros).toEqual({ inserted: 0, updated: 0, unchanged: 300, deactivated: 0 });
    expect(again.trabajadores).toEqual({ inserted: 0, updated: 0, unchanged: 3000, deactivated: 0 });
    expect(again.staffCreated).toEqual([]);
    expect(again.staffExisting).toHaveLength(9);
    expect(again.niveles).toEqual([]);
    expect(await ds.getRepository(Trabajador).count()).toBe(3000);
    const after = await ds.getRepository(StaffUser).find();
    expect(after).toHaveLength(9);
    for (const u of after) expect(u.passwordHash).toBe(hashes.get(u.usuario));
    // The stored catalog is exactly what the seed describes, so tests can name rows.
    const expected = generateDemoCatalog({ seed: 2026 });
    const stored = new Set((await ds.getRepository(Trabajador).find({ select: { curp: true } })).map((w) => w.curp));
    expect(expected.trabajadores.every((w) => stored.has(w.curp))).toBe(true);
    expect(generateDemoCatalog({ seed: 2026 })).toEqual(expected);
    expect(generateDemoCatalog({ seed: 2027 }).trabajadores[0].curp).not.toBe(expected.trabajadores[0].curp);
  });
});
