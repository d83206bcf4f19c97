/**
 * The catalogs for administrators (/admin/trabajadores, /admin/escuelas): search, and a record with whether it is
 * active, when an import last touched it, its school or director and the accounts it holds.
 */
import { randomUUID } from 'node:crypto';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { fechaHora } from '../../src/web/format';
import { linksIn, pageRequests } from '../admin/pages';
import { addNiveles } from '../oficios/support';
import { addWorker } from '../support/pipeline';
import { createStaff, login } from '../support/staff';
import type { TestApp } from '../support/test-app';
import { createWebApp } from './support';

const CCT = '06DPR0077K';

describe('catalog pages for administrators', () => {
  let t: TestApp & { base: string };
  const tok: Record<string, string> = {};
  const curps: Record<string, string> = {};
  /** The last full import that saw the director (the other workers were never imported). */
  const imported = new Date(Date.now() - 3 * 86400_000);
  const ds = () => t.db.dataSource;
  const pages = pageRequests(() => t);
  const get = (path: string, who?: string) => pages.get(path, who && tok[who]);
  const section = (html: string, id: string): string =>
    new RegExp(`<section class="tarjeta" id="${id}">.*?</section>`, 's').exec(html)?.[0] ?? '';
  const hits = (html: string): string[] => linksIn(html, 'resultados', /\/admin\/(?:trabajadores|escuelas)\//);

  beforeAll(async () => {
    t = await createWebApp({ RELAY_INTERVAL_MS: '60000' });
    await addNiveles(ds());
    await createStaff(ds(), 'admin', 'administrador');
    await createStaff(ds(), 'sistemas', 'subjefatura');
    for (const u of ['admin', 'sistemas']) tok[u] = await login(t.app, u);
    curps.director = (
      await addWorker(ds(), { nombre: 'Rocío', primerApellido: 'Peña', cct: CCT, ultimaImportacion: imported })
    ).curp;
    curps.maestra = (await addWorker(ds(), { nombre: 'Itzel', primerApellido: 'Peñaloza', cct: CCT })).curp;
    curps.baja = (await addWorker(ds(), { nombre: 'Ernesto', primerApellido: 'Peñate', cct: CCT, activo: false })).curp;
    await ds().getRepository(CentroTrabajo).insert({
      cct: CCT,
      nombre: 'Escuela Primaria "Miguel Hidalgo"',
      nivelClave: 'PRIMARIA',
      directorCurp: curps.director,
      correo: null,
      estatus: 'activo',
    });
    await ds().getRepository(CentroTrabajo).insert({
      cct: '06DPR0078J',
      nombre: 'Escuela Primaria "Gabino Barreda"',
      nivelClave: 'PRIMARIA',
      directorCurp: null,
      correo: null,
      estatus: 'inactivo',
    });
    await ds().getRepository(Cuenta).insert({
      id: randomUUID(),
      direccion: '06dpr0077k@colima.gob.mx',
      localPart: '06dpr0077k',
      dominio: 'colima.gob.mx',
      tipo: 'centro_trabajo',
      titularTipo: 'centro',
      titularCurp: null,
      titularCct: CCT,
      estado: 'activa',
      proveedor: 'local',
      proveedorId: null,
    });
  }, 60_000);
  afterAll(async () => t?.close());

  it('is for administrators only', async () => {
    for (const path of [
      '/admin/trabajadores',
      '/admin/escuelas',
      `/admin/escuelas/${CCT}`,
      `/admin/trabajadores/${curps.baja}`,
    ])
      expect([path, (await get(path, 'sistemas')).status]).toEqual([path, 403]);
    expect((await get('/admin/trabajadores')).status).toBe(303);
    const page = await get('/admin/trabajadores', 'admin');
    expect(page.status).toBe(200);
    expect(page.text).toContain('href="/admin/trabajadores" aria-current="page"');
    expect(page.text).toContain(`Última importación completa: <strong>${fechaHora(imported)}</strong>.`);
  });

  it('searches workers and schools, showing who is active', async () => {
    const workers = (await get(`/admin/trabajadores?q=${encodeURIComponent('Itzel Peñaloza')}`, 'admin')).text;
    expect(hits(workers)).toEqual([curps.maestra]);
    const baja = (await get(`/admin/trabajadores?q=${curps.baja}`, 'admin')).text;
    expect(hits(baja)).toEqual([curps.baja]);
    expect(baja).toContain('<span class="insignia vencido">Inactivo</span>');
    const schools = (await get('/admin/escuelas?q=06DPR007', 'admin')).text;
    expect(hits(schools)).toEqual([CCT, '06DPR0078J']);
    expect(schools).toMatch(/<a href="\/admin\/cuentas\/[0-9a-f-]{36}">06dpr0077k@colima\.gob\.mx<\/a>/);
    expect(schools).toContain('Rocío Peña Ochoa');
    expect(schools.match(/<span class="insignia vencido">Inactivo<\/span>/g)).toHaveLength(1);
    expect((await get('/admin/escuelas?q=zzzz', 'admin')).text).toContain(
      'Ningún centro de trabajo coincide con «zzzz».',
    );
    const short = await get('/admin/trabajadores?q=x', 'admin');
    expect(short.status).toBe(400);
    expect(short.text).toContain('Escriba al menos 2 caracteres.');
  });

  it('shows a worker: status, last import, school and accounts; and a school: director, active workers, account', async () => {
    const director = (await get(`/admin/trabajadores/${curps.director.toLowerCase()}`, 'admin')).text;
    const data = section(director, 'trabajador');
    expect(data).toContain('<span class="insignia activa">Activo</span>');
    expect(data).toMatch(/<dd id="ultima-importacion">\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}<\/dd>/);
    expect(data).toContain(`<a href="/admin/escuelas/${CCT}">${CCT}</a>`);
    expect(section(director, 'cuentas')).toContain('No tiene cuentas de correo institucional.');
    const baja = (await get(`/admin/trabajadores/${curps.baja}`, 'admin')).text;
    expect(section(baja, 'trabajador')).toContain('Ya no viene en la exportación completa de Capital Humano.');
    expect(section(baja, 'trabajador')).toContain('Nunca importado');
    const school = (await get(`/admin/escuelas/${CCT.toLowerCase()}`, 'admin')).text;
    expect(section(school, 'escuela')).toContain(
      `<a href="/admin/trabajadores/${curps.director}">Rocío Peña Ochoa</a>`,
    );
    expect(section(school, 'escuela')).toContain('<dd id="trabajadores-activos">2</dd>');
    expect(section(school, 'cuentas')).toContain('06dpr0077k@colima.gob.mx');
    for (const path of [
      '/admin/trabajadores/NOEXISTE000000000A',
      '/admin/trabajadores/x',
      '/admin/escuelas/06XXX0000Z',
    ])
      expect([path, (await get(path, 'admin')).status]).toEqual([path, 404]);
  });
});
