/**
 * One oficio, many accounts (issue 14, part 2): every line of the annex is checked against the catalog before the
 * oficio is registered, each with its own Spanish errors, and nothing is written.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CatalogRecords } from '../../src/catalog/catalog-records';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { checkOficioLines } from '../../src/oficios/oficio-lines';
import { createTestDb, type TestDb } from '../support/test-db';
import { addCentros, testCct } from './support';

jest.setTimeout(120_000);

const cct = testCct;

describe('oficio lines: the annex checked against the catalog', () => {
  let db: TestDb;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDb();
    ds = db.dataSource;
    await addCentros(ds, 700, [30]);
    await ds.getRepository(Cuenta).insert({
      id: randomUUID(),
      direccion: 'escuela31@colima.gob.mx',
      localPart: 'escuela31',
      dominio: 'colima.gob.mx',
      tipo: 'centro_trabajo',
      titularTipo: 'centro',
      titularCurp: null,
      titularCct: cct(31),
      estado: 'activa',
      proveedor: 'local',
      proveedorId: 'p31',
    });
  });
  afterAll(() => db?.close());

  it('25 schools of the catalog without accounts: 25 valid lines', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => ({ cct: cct(i + 1), nombreCuenta: `escuela${i + 1}` }));
    const checks = await checkOficioLines(new CatalogRecords(ds), lines);
    expect(checks.map((c) => [c.linea, c.cct, c.errores])).toEqual(lines.map((l, i) => [i + 1, l.cct, []]));
  });

  it('each bad line has its own error; the good ones none; nothing is written', async () => {
    const before = await ds.getRepository(Cuenta).count();
    const checks = await checkOficioLines(new CatalogRecords(ds), [
      { cct: cct(1), nombreCuenta: 'escuela1' },
      { cct: '06DPR9999A', nombreCuenta: 'fantasma' },
      { cct: cct(30), nombreCuenta: 'cerrada' },
      { cct: cct(31), nombreCuenta: 'escuela31' },
      { cct: ` ${cct(1).toLowerCase()} `, nombreCuenta: 'otra' },
      { cct: '06DPR12', nombreCuenta: '' },
      { cct: cct(2), nombreCuenta: 'escuela2' },
    ]);
    expect(checks.map((c) => c.errores)).toEqual([
      [],
      ['La CCT 06DPR9999A no está en el catálogo de centros de trabajo.'],
      [`El centro ${cct(30)} está inactivo en el catálogo.`],
      [`El centro ${cct(31)} ya tiene su cuenta institucional.`],
      [`La CCT ${cct(1)} ya está en la línea 1.`],
      ['La CCT debe tener 10 caracteres y tiene 7.', 'Indique el nombre de la cuenta.'],
      [],
    ]);
    expect(await ds.getRepository(Cuenta).count()).toBe(before);
  });

  it('an annex longer than one IN (…) chunk: every school found (600 lines)', async () => {
    const lines = Array.from({ length: 600 }, (_, i) => ({ cct: cct(i + 100), nombreCuenta: `e${i}` }));
    const checks = await checkOficioLines(new CatalogRecords(ds), lines);
    expect(checks.filter((c) => c.errores.length > 0)).toEqual([]);
  });
});
