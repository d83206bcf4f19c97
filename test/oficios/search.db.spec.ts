/**
 * Search as people type (issue 12 §1), on both dialects: the oficio register's sender and subject, and the catalog's
 * workers and schools, by any of their words, without accents or case («ramon pena» finds «Ramón Peña»); a folio by
 * its number without zeros or prefix («6», «000006», «2026-6»). Rows written before the search columns existed are
 * filled by the migration's backfill.
 */
import request from 'supertest';
import { Trabajador } from '../../src/catalog/entities/trabajador.entity';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { syncCatalog } from '../../src/catalog/import/catalog-sync';
import { backfillSearchText } from '../../src/database/migrations/backfill-search-text';
import { parseFolio } from '../../src/common/folio-text';
import { addWorker } from '../support/pipeline';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';
import { TEST_DIALECT } from '../support/test-db';
import { addNiveles, postOficio, scannedOficio } from './support';

jest.setTimeout(60_000);

describe('search as people type', () => {
  let t: TestApp;
  let tok: string;
  const folios: string[] = [];
  const http = () => request(t.app.getHttpServer());
  const ds = () => t.db.dataSource;
  const get = async (path: string, query: Record<string, string>) =>
    (await http().get(path).query(query).set('Authorization', `Bearer ${tok}`).expect(200)).body as unknown;
  const oficios = async (query: Record<string, string>): Promise<string[]> =>
    ((await get('/api/oficios', query)) as { items: { folio: string }[] }).items.map((o) => o.folio).sort();

  beforeAll(async () => {
    t = await createTestApp({ RELAY_INTERVAL_MS: '60000' });
    await addNiveles(ds());
    await createStaff(ds(), 'oficialia', 'subdireccion');
    tok = await login(t.app, 'oficialia');
    const pdf = await scannedOficio('Oficio.');
    const senders = [
      ['Profr. Ramón Íñiguez Peña', 'Director de Educación Primaria', 'Cuenta para la Escuela «Benito Juárez»'],
      ['Lic. Ramona Cárdenas', 'Jefa del Departamento de Becas', 'Bloqueo de la cuenta de un programa'],
    ];
    for (const [i, [nombre, cargo, asunto]] of senders.entries()) {
      const res = await postOficio(t, tok, pdf, {
        procedimiento: 'servicio-alta',
        numeroOficio: `BUS/${i}/2026`,
        fechaOficio: '2026-11-20',
        remitenteNombre: nombre,
        remitenteCargo: cargo,
        ...(i === 0 ? { nivel: 'PRIMARIA' } : { area: 'Dirección de Becas' }),
        asunto,
      }).expect(201);
      folios.push(res.body.folio as string);
    }
  });
  afterAll(async () => t?.close());

  it('finds an oficio by words of its sender, position or area, in any order, without accents or case', async () => {
    expect(await oficios({ remitente: 'ramon iniguez' })).toEqual([folios[0]]);
    expect(await oficios({ remitente: 'IÑIGUEZ' })).toEqual([folios[0]]);
    expect(await oficios({ remitente: 'primaria pena' })).toEqual([folios[0]]);
    expect(await oficios({ remitente: 'ramona' })).toEqual([folios[1]]);
    expect(await oficios({ remitente: 'becas' })).toEqual([folios[1]]);
    expect(await oficios({ remitente: 'ram' })).toEqual([...folios].sort());
    expect(await oficios({ remitente: 'ramon secundaria' })).toEqual([]);
    expect(await oficios({ remitente: '100%_!' })).toEqual([]);
  });

  it('finds an oficio by words of its subject', async () => {
    expect(await oficios({ asunto: 'juarez benito' })).toEqual([folios[0]]);
    expect(await oficios({ asunto: 'BLOQUEO' })).toEqual([folios[1]]);
    expect(await oficios({ asunto: 'cuenta' })).toEqual([...folios].sort());
  });

  it('finds a folio by its number without zeros or prefix, or its year and number', async () => {
    const [, year, digits] = /^SSST-(\d{4})-(\d{6})$/.exec(folios[1])!;
    const n = String(Number(digits));
    for (const typed of [n, digits, `${year}-${n}`, folios[1], folios[1].toLowerCase(), ` ${n} `])
      expect([typed, await oficios({ folio: typed })]).toEqual([typed, [folios[1]]]);
    expect(await oficios({ folio: `${Number(year) - 1}-${n}` })).toEqual([]);
    expect(await oficios({ folio: `SSST-${year}` })).toEqual([...folios].sort());
    expect(parseFolio('SSST 2026 / 000123')).toEqual({ anio: 2026, numero: 123 });
    expect(parseFolio('0')).toBeNull();
  });

  it('finds the oficios received in a month in Colima (UTC-6), at its edges, as the month input or people write it', async () => {
    const pdf = await scannedOficio('Oficio del mes.');
    const received: Record<string, string> = {};
    for (const [i, recibidoEn] of ['2026-10-31T23:59:00-06:00', '2026-11-01T00:01:00-06:00'].entries()) {
      const res = await postOficio(t, tok, pdf, {
        procedimiento: 'servicio-alta',
        numeroOficio: `MES/${i}/2026`,
        fechaOficio: '2026-10-30',
        remitenteNombre: 'Mtra. Olga Ruiz',
        remitenteCargo: 'Jefa de Departamento',
        area: 'Dirección de Becas',
        asunto: 'Oficio del mes',
        recibidoEn,
      }).expect(201);
      received[recibidoEn.slice(0, 7)] = res.body.folio as string;
    }
    // 23:59 of 31 October in Colima is already 1 November in UTC: it belongs to October.
    expect(await oficios({ mes: '2026-10' })).toEqual([received['2026-10']]);
    expect(await oficios({ mes: '2026-11' })).toEqual([received['2026-11']]);
    expect(await oficios({ mes: '11/2026' })).toEqual([received['2026-11']]);
    expect(await oficios({ mes: '2026-11', asunto: 'mes' })).toEqual([received['2026-11']]);
    expect(await oficios({ mes: '2026-09' })).toEqual([]);
    const bad = await http().get('/api/oficios').query({ mes: '2026-13' }).set('Authorization', `Bearer ${tok}`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('El mes de recepción debe escribirse como 2026-11');
  });

  it('finds workers by any words of their name and surnames, without accents or case', async () => {
    const w = await addWorker(ds(), { nombre: 'Ramón', primerApellido: 'Peña' });
    const found = async (q: string) =>
      ((await get('/api/catalogo/trabajadores', { q })) as { curp: string }[]).map((x) => x.curp);
    for (const q of ['ramon', 'RAMON PEÑA', 'pena ramon', 'ochoa', 'Ramón Peña Ochoa'])
      expect([q, await found(q)]).toEqual([q, [w.curp]]);
    expect(await found('ramon lopez')).toEqual([]);
    expect(await found(w.curp.slice(0, 10))).toEqual([w.curp]);
  });

  it('finds schools loaded by the catalog import by words of their name', async () => {
    await syncCatalog(
      ds(),
      {
        kind: 'centros',
        records: [
          {
            cct: '06DPR0777Z',
            nombre: 'Escuela Primaria «Niños Héroes de Chapultepec»',
            nivelClave: 'PRIMARIA',
            directorCurp: null,
            correo: null,
            estatus: 'activo',
          },
        ],
      },
      { mode: 'partial' },
    );
    const found = async (q: string) =>
      ((await get('/api/catalogo/centros', { q })) as { cct: string }[]).map((x) => x.cct);
    expect(await found('ninos heroes')).toEqual(['06DPR0777Z']);
    expect(await found('CHAPULTEPEC primaria')).toEqual(['06DPR0777Z']);
    expect(await found('06dpr07')).toEqual(['06DPR0777Z']);
  });

  it('fills the search columns of rows written before they existed (the migration backfill)', async () => {
    const w = await addWorker(ds(), { nombre: 'Begoña', primerApellido: 'Ibáñez', nombreBusqueda: '' });
    await ds().getRepository(CentroTrabajo).update({ cct: '06DPR0777Z' }, { nombreBusqueda: '' });
    const runner = ds().createQueryRunner();
    try {
      await backfillSearchText(runner, (n) => (TEST_DIALECT === 'sqlite' ? `"${n}"` : `\`${n}\``));
    } finally {
      await runner.release();
    }
    expect((await ds().getRepository(Trabajador).findOneByOrFail({ curp: w.curp })).nombreBusqueda).toBe(
      'ibanez ochoa begona',
    );
    expect((await ds().getRepository(CentroTrabajo).findOneByOrFail({ cct: '06DPR0777Z' })).nombreBusqueda).toBe(
      'escuela primaria ninos heroes de chapultepec',
    );
  });
});
