import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { ConciliacionCorrida, ConciliacionHallazgo } from '../../src/catalog/entities/conciliacion.entity';
import { importCatalog } from '../../src/catalog/import/import.service';
import { parseEvidencia, reconcileCatalog, reconcileDirectory } from '../../src/catalog/reconciliation';
import { catalogTable, toCsv } from '../../src/catalog/seed/catalog-csv';
import { generateDemoCatalog, type DemoCatalog } from '../../src/catalog/seed/demo-data';
import type { TipoCuenta } from '../../src/catalog/cuenta-tipos';
import { createTestDb, type TestDb } from '../support/test-db';

jest.setTimeout(120_000);

const T1 = new Date('2026-03-02T16:00:00.000Z');
const T2 = new Date('2026-04-01T16:00:00.000Z');
const T3 = new Date('2026-05-04T16:00:00.000Z');
const T4 = new Date('2026-06-01T16:00:00.000Z');

describe('reconciliation with the catalogs (issue 14)', () => {
  let db: TestDb;
  let ds: DataSource;
  let demo: DemoCatalog;

  const workersCsv = (skip: ReadonlySet<string> = new Set()): Buffer => {
    const t = catalogTable('trabajadores', {
      ...demo,
      trabajadores: demo.trabajadores.filter((w) => !skip.has(w.curp)),
    });
    return toCsv(t.header, t.rows);
  };
  const centrosCsv = (skip: ReadonlySet<string> = new Set()): Buffer => {
    const t = catalogTable('centros', { ...demo, centros: demo.centros.filter((c) => !skip.has(c.cct)) });
    return toCsv(t.header, t.rows);
  };
  let seq = 0;
  const account = async (
    tipo: TipoCuenta,
    holder: { curp: string } | { cct: string },
    estado: 'activa' | 'bloqueada' = 'activa',
  ): Promise<Cuenta> => {
    const localPart = `cuenta${++seq}`;
    const row: Cuenta = ds.getRepository(Cuenta).create({
      id: randomUUID(),
      direccion: `${localPart}@colima.gob.mx`,
      localPart,
      dominio: 'colima.gob.mx',
      tipo,
      titularTipo: 'curp' in holder ? 'trabajador' : 'centro',
      titularCurp: 'curp' in holder ? holder.curp : null,
      titularCct: 'cct' in holder ? holder.cct : null,
      estado,
      proveedor: 'local',
      proveedorId: `local-${seq}`,
    });
    await ds.getRepository(Cuenta).insert(row);
    return row;
  };
  const open = () =>
    ds.getRepository(ConciliacionHallazgo).find({ where: { vigente: true }, order: { direccion: 'ASC' } });

  beforeAll(async () => {
    db = await createTestDb();
    ds = db.dataSource;
    // Only active workers in the first export (a BAJA row would be inactive from the start).
    const generated = generateDemoCatalog({ seed: 14, centros: 20, trabajadores: 700 });
    demo = { ...generated, trabajadores: generated.trabajadores.filter((w) => w.activo).slice(0, 600) };
    expect(demo.trabajadores).toHaveLength(600);
  });
  afterAll(async () => {
    await db.close();
  });

  it('a full import that retires 50 workers with accounts yields exactly those 50 findings, once', async () => {
    await importCatalog(ds, { kind: 'centros', content: centrosCsv(), now: T1 });
    const first = await importCatalog(ds, { kind: 'trabajadores', content: workersCsv(), now: T1 });
    expect(first.conciliacion).toMatchObject({ nuevos: 0, vigentes: 0, cerrados: 0 });

    const withAccount = demo.trabajadores.slice(0, 100);
    const accounts = new Map<string, Cuenta>();
    for (const w of withAccount) accounts.set(w.curp, await account('personal', w));
    // Retired too, but nothing to find: 10 without an account, one whose account is already blocked.
    const blockedHolder = demo.trabajadores[100];
    await account('personal', blockedHolder, 'bloqueada');
    const retired = new Set([
      ...withAccount.slice(0, 50).map((w) => w.curp),
      ...demo.trabajadores.slice(100, 110).map((w) => w.curp),
    ]);

    const second = await importCatalog(ds, { kind: 'trabajadores', content: workersCsv(retired), now: T2 });
    expect(second.deactivated).toBe(60);
    expect(second.conciliacion).toMatchObject({
      nuevos: 50,
      vigentes: 50,
      cerrados: 0,
      porTipo: { personal_baja: 50 },
    });
    const found = await open();
    expect(found).toHaveLength(50);
    expect(new Set(found.map((h) => h.cuentaId))).toEqual(
      new Set(withAccount.slice(0, 50).map((w) => accounts.get(w.curp)!.id)),
    );
    for (const h of found) {
      expect(h).toMatchObject({ tipo: 'personal_baja', accion: 'bloquear', estado: 'pendiente' });
      expect(h.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const ev = parseEvidencia(h.evidencia);
      expect(ev).toMatchObject({ catalogo: 'baja', importacion: T2.toISOString() });
      expect(ev.titular).toBe(accounts.get(ev.titular!)!.titularCurp);
      // The last import that saw the worker active was the first one.
      expect(ev.ultimaImportacion).toBe(T1.toISOString());
    }
    const run = await ds
      .getRepository(ConciliacionCorrida)
      .findOneByOrFail({ id: (second.conciliacion as { corridaId: string }).corridaId });
    expect(run).toMatchObject({ origen: 'trabajadores', estado: 'terminada', nuevos: 50, vigentes: 50 });
    expect(run.importacionAt!.toISOString()).toBe(T2.toISOString());

    // The same export again, and a run on demand: nothing new, nothing duplicated.
    const third = await importCatalog(ds, { kind: 'trabajadores', content: workersCsv(retired), now: T3 });
    expect(third.conciliacion).toMatchObject({ nuevos: 0, vigentes: 50, cerrados: 0 });
    await expect(reconcileCatalog(ds, { origen: 'manual', now: T3 })).resolves.toMatchObject({
      nuevos: 0,
      vigentes: 50,
    });
    expect(await ds.getRepository(ConciliacionHallazgo).count()).toBe(50);
  });

  it('closes what no longer holds, keeps decisions, and raises a fact again only once it came back', async () => {
    const found = await open();
    const [back1, back2, rejected, ...rest] = found;
    const curpOf = (h: ConciliacionHallazgo) => parseEvidencia(h.evidencia).titular!;
    // A person rejected one (it stays rejected and is not raised again while it holds).
    await ds
      .getRepository(ConciliacionHallazgo)
      .update(rejected.id, { estado: 'rechazado', motivo: 'Licencia sin goce de sueldo', decididoPor: 'subjefatura' });
    // Two workers come back in the next export; one other account is blocked meanwhile.
    await ds.getRepository(Cuenta).update(rest[0].cuentaId!, { estado: 'bloqueada' });
    const stillRetired = new Set(found.map(curpOf).filter((c) => c !== curpOf(back1) && c !== curpOf(back2)));
    const r = await importCatalog(ds, { kind: 'trabajadores', content: workersCsv(stillRetired), now: T4 });
    expect(r.conciliacion).toMatchObject({ nuevos: 0, cerrados: 3, vigentes: 47 });
    const repo = ds.getRepository(ConciliacionHallazgo);
    for (const h of [back1, back2, rest[0]]) {
      const now = await repo.findOneByOrFail({ id: h.id });
      expect(now).toMatchObject({ vigente: null, estado: 'cerrado' });
      expect(now.cerradoAt!.toISOString()).toBe(T4.toISOString());
    }
    expect(await repo.findOneByOrFail({ id: rejected.id })).toMatchObject({ vigente: true, estado: 'rechazado' });

    // One of them leaves again: a new finding beside the closed one.
    stillRetired.add(curpOf(back1));
    const again = await importCatalog(ds, { kind: 'trabajadores', content: workersCsv(stillRetired), now: T4 });
    expect(again.conciliacion).toMatchObject({ nuevos: 1, cerrados: 0, vigentes: 48 });
    expect(await repo.count({ where: { cuentaId: back1.cuentaId! } })).toBe(2);
  });

  it('finds school accounts of retired schools and Servicio accounts whose responsible left, with what to do', async () => {
    const worker = demo.trabajadores[300];
    const servicio = await account('servicio', worker);
    const [gone, ...schools] = demo.centros;
    const school = await account('centro_trabajo', gone);
    const unknown = await account('centro_trabajo', { cct: '06XXX9999Z' });
    const ok = await account('centro_trabajo', schools[0]);

    const centros = await importCatalog(ds, { kind: 'centros', content: centrosCsv(new Set([gone.cct])), now: T4 });
    expect(centros.conciliacion).toMatchObject({ nuevos: 2, porTipo: { centro_baja: 1, centro_sin_catalogo: 1 } });
    const byAccount = async (c: Cuenta) =>
      ds.getRepository(ConciliacionHallazgo).findBy({ cuentaId: c.id, vigente: true });
    expect(await byAccount(school)).toMatchObject([{ tipo: 'centro_baja', accion: 'bloquear' }]);
    expect(parseEvidencia((await byAccount(school))[0].evidencia)).toMatchObject({
      titular: gone.cct,
      catalogo: 'inactivo',
    });
    expect(await byAccount(unknown)).toMatchObject([{ tipo: 'centro_sin_catalogo', accion: 'bloquear' }]);
    expect(await byAccount(ok)).toEqual([]);
    expect(await byAccount(servicio)).toEqual([]);

    const curps = new Set(
      (await open()).filter((h) => h.tipo === 'personal_baja').map((h) => parseEvidencia(h.evidencia).titular!),
    );
    curps.add(worker.curp);
    const workers = await importCatalog(ds, { kind: 'trabajadores', content: workersCsv(curps), now: T4 });
    expect(workers.conciliacion).toMatchObject({ nuevos: 1 });
    expect(await byAccount(servicio)).toMatchObject([{ tipo: 'responsable_baja', accion: 'reasignar' }]);
    // A partial import reconciles nothing (it retires nobody).
    const partial = await importCatalog(ds, {
      kind: 'trabajadores',
      content: workersCsv(curps),
      mode: 'partial',
      now: T4,
    });
    expect(partial.conciliacion).toBeNull();
  });

  it('takes directory pages of over a thousand entries (one statement per page, not one term per row)', async () => {
    const page = Array.from({ length: 1200 }, (_, i) => ({
      address: `Desconocida${i}@colima.gob.mx`,
      providerId: `id-${i}`,
      suspended: false,
    }));
    async function* pages() {
      yield page;
      yield page.slice(0, 10); // a listing that repeats entries does not raise them twice
    }
    const r = await reconcileDirectory(ds, { proveedor: 'google', pages: pages(), now: T4 });
    expect(r.porTipo.directorio_desconocida).toBe(1200);
    const one = await ds
      .getRepository(ConciliacionHallazgo)
      .findOneByOrFail({ direccion: 'desconocida7@colima.gob.mx' });
    expect(one).toMatchObject({
      tipo: 'directorio_desconocida',
      accion: 'revisar',
      cuentaId: null,
      estado: 'pendiente',
    });
    expect(JSON.parse(one.evidencia)).toMatchObject({ proveedor: 'google', proveedorId: 'id-7', suspendida: false });
  });
});
