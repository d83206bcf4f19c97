import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ConciliacionHallazgo } from '../../src/catalog/entities/conciliacion.entity';
import { CuentaHistorial } from '../../src/catalog/entities/cuenta.entity';
import {
  type CaseOpener,
  reconcileCatalog,
  reconcileDirectory,
  ReconciliationReview,
} from '../../src/catalog/reconciliation';
import { workerAccount, workerInBaja } from '../support/reconciliation-fixtures';
import { createTestDb, type TestDb } from '../support/test-db';

jest.setTimeout(60_000);

const T = new Date('2026-07-01T16:00:00.000Z');
const curp = (n: number) => `CAHL9002${String(n).padStart(2, '0')}HCMSRR05`;

describe('review of reconciliation findings (issue 14)', () => {
  let db: TestDb;
  let ds: DataSource;
  let review: ReconciliationReview;
  const ids: Record<string, string> = {};

  /** An opener that writes in the acceptance's transaction (as the engine's start does) and can be told to fail. */
  const opened: string[] = [];
  let failFor: string | null = null;
  const opener: CaseOpener = async (em, h) => {
    const caseId = randomUUID();
    await em.insert(CuentaHistorial, {
      id: randomUUID(),
      cuentaId: h.cuentaId!,
      evento: 'conciliacion',
      detalle: h.tipo,
      caseId,
    });
    if (h.direccion === failFor) throw new Error('el motor no pudo abrir el caso');
    opened.push(h.id);
    return caseId;
  };
  const finding = (direccion: string) => ds.getRepository(ConciliacionHallazgo).findOneByOrFail({ direccion });

  beforeAll(async () => {
    db = await createTestDb();
    ds = db.dataSource;
    review = new ReconciliationReview(ds);
    for (let n = 1; n <= 4; n++) {
      await workerInBaja(ds, curp(n), T);
      const tipo = n === 4 ? 'servicio' : 'personal';
      ids[`c${n}`] = (await workerAccount(ds, { localPart: `c${n}`, tipo, curp: curp(n), proveedorId: `p${n}` })).id;
    }
    await reconcileCatalog(ds, { origen: 'manual', now: T });
    async function* page() {
      yield [{ address: 'intruso@colima.gob.mx', providerId: 'x', suspended: false }];
    }
    await reconcileDirectory(ds, { proveedor: 'google', pages: page(), now: T });
  });
  afterAll(async () => {
    await db.close();
  });

  it('lists the open findings, filtered by state and kind', async () => {
    const [all, total] = await review.list();
    expect(total).toBe(5);
    expect(all.map((h) => h.direccion).sort()).toEqual([
      'c1@colima.gob.mx',
      'c2@colima.gob.mx',
      'c3@colima.gob.mx',
      'c4@colima.gob.mx',
      'intruso@colima.gob.mx',
    ]);
    expect((await review.list({ tipo: 'responsable_baja' }))[0].map((h) => [h.direccion, h.accion])).toEqual([
      ['c4@colima.gob.mx', 'reasignar'],
    ]);
    expect((await review.list({ estado: 'rechazado' }))[1]).toBe(0);
  });

  it('rejects only with a reason, once, recording who and when', async () => {
    const h = await finding('c3@colima.gob.mx');
    for (const motivo of ['', '   ', 'no'])
      await expect(review.reject([h.id], motivo, 'subjefatura-1', T)).rejects.toMatchObject({
        code: 'MOTIVO_REQUERIDO',
        status: 422,
      });
    expect((await finding('c3@colima.gob.mx')).estado).toBe('pendiente');
    await expect(review.reject([h.id], '  Licencia con goce de sueldo  ', 'subjefatura-1', T)).resolves.toBe(1);
    await expect(review.reject([h.id], 'Otra vez', 'subjefatura-2', T)).resolves.toBe(0);
    const after = await finding('c3@colima.gob.mx');
    expect(after).toMatchObject({
      estado: 'rechazado',
      motivo: 'Licencia con goce de sueldo',
      decididoPor: 'subjefatura-1',
    });
    expect(after.decididoAt!.toISOString()).toBe(T.toISOString());
  });

  it('accepts in one go: one case per finding even when pressed twice; a failed opening leaves it pending', async () => {
    const [c1, c2, c3, c4, intruso] = await Promise.all(
      ['c1', 'c2', 'c3', 'c4', 'intruso'].map((a) => finding(`${a}@colima.gob.mx`)),
    );
    failFor = 'c2@colima.gob.mx';
    const selection = [c1.id, c2.id, c3.id, c4.id, intruso.id, c1.id];
    const first = await review.accept(selection, 'subjefatura-1', T, opener);
    // c2 failed (rolled back), c3 was rejected before, the intruder proposes no procedure.
    expect(first.opened.map((o) => o.hallazgoId).sort()).toEqual([c1.id, c4.id].sort());
    expect(first.skipped.sort()).toEqual([c3.id, intruso.id].sort());
    expect(first.failed).toEqual([{ hallazgoId: c2.id, mensaje: expect.stringMatching(/sigue pendiente/) }]);
    expect(await finding('c2@colima.gob.mx')).toMatchObject({ estado: 'pendiente', caseId: null, decididoPor: null });
    expect(await ds.getRepository(CuentaHistorial).countBy({ cuentaId: ids.c2 })).toBe(0);

    // Pressed again (the button twice, or a second person): nothing more opens; c2 now works.
    failFor = null;
    const second = await review.accept(selection, 'subjefatura-2', T, opener);
    expect(second.opened.map((o) => o.hallazgoId)).toEqual([c2.id]);
    expect(opened.sort()).toEqual([c1.id, c2.id, c4.id].sort());
    for (const [h, who] of [
      [c1, 'subjefatura-1'],
      [c2, 'subjefatura-2'],
      [c4, 'subjefatura-1'],
    ] as const) {
      const now = await ds.getRepository(ConciliacionHallazgo).findOneByOrFail({ id: h.id });
      expect(now).toMatchObject({ estado: 'aceptado', decididoPor: who });
      const [hist] = await ds.getRepository(CuentaHistorial).findBy({ cuentaId: h.cuentaId! });
      expect(now.caseId).toBe(hist.caseId);
    }
  });
});
