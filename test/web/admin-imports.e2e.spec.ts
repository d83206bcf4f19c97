/**
 * Catalog imports from the browser (/admin/importaciones): upload a CSV, follow its progress (the page reloads itself;
 * a JSON status for scripts), read the summary, download the rejected rows as CSV; a full import that would leave
 * too many workers inactive stops before writing anything and waits for the administrator to confirm it (or to load
 * it as partial). Only the administrator who started an import sees it.
 */
import request from 'supertest';
import { SESSION_COOKIE } from '../../src/auth/auth.guard';
import { CsrfTokens } from '../../src/auth/csrf';
import { Trabajador } from '../../src/catalog/entities/trabajador.entity';
import { CatalogImportJobs } from '../../src/catalog/import/import-jobs';
import { pageRequests } from '../admin/pages';
import { addNiveles } from '../oficios/support';
import { workerLine, workersCsv } from '../support/catalog-csv';
import { createStaff, login } from '../support/staff';
import type { TestApp } from '../support/test-app';
import { createWebApp } from './support';

describe('catalog imports from the browser', () => {
  let t: TestApp & { base: string };
  const tok: Record<string, string> = {};
  let adminId = '';
  const adminJobs = () => t.app.get(CatalogImportJobs).list(adminId).length;
  const pages = pageRequests(() => t);
  const get = (path: string, who?: string) => pages.get(path, who && tok[who]);
  const upload = (file: Buffer | null, fields: Record<string, string>, who = 'admin') => {
    let r = request(t.app.getHttpServer())
      .post('/admin/importaciones')
      .set('Cookie', `${SESSION_COOKIE}=${tok[who]}`)
      .redirects(0)
      .field('_csrf', t.app.get(CsrfTokens).tokenFor(tok[who]));
    for (const [k, v] of Object.entries(fields)) r = r.field(k, v);
    return file ? r.attach('archivo', file, { filename: 'capital-humano.csv', contentType: 'text/csv' }) : r;
  };
  const jobOf = (location: string): string => /^\/admin\/importaciones\/([0-9a-f-]{36})$/.exec(location)?.[1] ?? '';
  const workers = () => t.db.dataSource.getRepository(Trabajador);

  beforeAll(async () => {
    t = await createWebApp({ RELAY_INTERVAL_MS: '60000' });
    await addNiveles(t.db.dataSource);
    adminId = (await createStaff(t.db.dataSource, 'admin', 'administrador')).id;
    await createStaff(t.db.dataSource, 'admin2', 'administrador');
    await createStaff(t.db.dataSource, 'sistemas', 'subjefatura');
    for (const u of ['admin', 'admin2', 'sistemas']) tok[u] = await login(t.app, u);
  }, 60_000);
  afterAll(async () => t?.close());

  it('is for administrators only, and shows the upload form', async () => {
    expect((await get('/admin/importaciones', 'sistemas')).status).toBe(403);
    expect(
      (await upload(workersCsv([workerLine(1)]), { catalogo: 'trabajadores', modo: 'full' }, 'sistemas')).status,
    ).toBe(403);
    expect(await workers().count()).toBe(0);
    const page = await get('/admin/importaciones', 'admin');
    expect(page.status).toBe(200);
    expect(page.text).toContain('enctype="multipart/form-data"');
  });

  it('imports a file, shows its progress and summary, and gives the rejected rows as CSV', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => workerLine(i + 1));
    rows.push('NOESUNACURP,CURT999999,Mal,Dato,,,,Primaria,ACTIVO');
    const res = await upload(workersCsv(rows), { catalogo: 'trabajadores', modo: 'full' });
    expect(res.status).toBe(303);
    const id = jobOf(res.headers.location);
    expect(id).not.toBe('');
    await t.app.get(CatalogImportJobs).idle();
    const status = await get(`/admin/importaciones/${id}/estado`, 'admin');
    expect(status.body).toMatchObject({ id, estado: 'terminada', fase: 'cargando', porcentaje: 100 });
    const page = (await get(`/admin/importaciones/${id}`, 'admin')).text;
    expect(page).toContain('<dd id="estado">Terminada</dd>');
    expect(page).toContain('<dd id="nuevas">40</dd>');
    expect(page).toContain('<dd id="rechazadas">1</dd>');
    expect(page).not.toContain('http-equiv="refresh"');
    expect(await workers().countBy({ activo: true })).toBe(40);
    const rej = await get(`/admin/importaciones/${id}/rechazos.csv`, 'admin');
    expect(rej.headers['content-type']).toMatch(/^text\/csv/);
    expect(rej.headers['content-disposition']).toMatch(/^attachment; filename="rechazos-trabajadores-/);
    const lines = rej.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('linea,clave,motivo');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^42,/);
    // Another administrator does not see it; the list shows it to its owner.
    expect((await get(`/admin/importaciones/${id}`, 'admin2')).status).toBe(404);
    expect((await get(`/admin/importaciones/${id}/rechazos.csv`, 'admin2')).status).toBe(404);
    expect((await get('/admin/importaciones', 'admin')).text).toContain(`href="/admin/importaciones/${id}"`);
  });

  it('asks before a full import leaves many workers inactive, and then does what the administrator decides', async () => {
    const res = await upload(workersCsv([workerLine(1), workerLine(2)]), { catalogo: 'trabajadores', modo: 'full' });
    const id = jobOf(res.headers.location);
    await t.app.get(CatalogImportJobs).idle();
    const page = (await get(`/admin/importaciones/${id}`, 'admin')).text;
    expect(page).toContain('<dd id="estado">Espera confirmación</dd>');
    expect(page).toContain('dejaría inactivos 38 de 40 trabajadores activos');
    expect(page).not.toContain('npm run import');
    expect(await workers().countBy({ activo: true })).toBe(40);
    const decide = (decision: string, who = 'admin') =>
      pages.post(`/admin/importaciones/${id}/decision`, { decision }, tok[who]);
    expect((await decide('confirmar', 'admin2')).status).toBe(404);
    expect((await decide('otra')).status).toBe(400);
    const ok = await decide('confirmar');
    expect(ok.status).toBe(303);
    await t.app.get(CatalogImportJobs).idle();
    expect((await get(`/admin/importaciones/${id}/estado`, 'admin')).body.estado).toBe('terminada');
    expect(await workers().countBy({ activo: true })).toBe(2);
    expect((await get(`/admin/importaciones/${id}`, 'admin')).text).toContain('<dd id="desactivadas">38</dd>');
    expect((await decide('confirmar')).status).toBe(409);
  });

  it('loads a refused full import as partial when asked: nobody is left inactive', async () => {
    const all = Array.from({ length: 40 }, (_, i) => workerLine(i + 1));
    await upload(workersCsv(all), { catalogo: 'trabajadores', modo: 'full' });
    await t.app.get(CatalogImportJobs).idle();
    expect(await workers().countBy({ activo: true })).toBe(40);
    const res = await upload(workersCsv([workerLine(1), workerLine(41)]), { catalogo: 'trabajadores', modo: 'full' });
    const id = jobOf(res.headers.location);
    await t.app.get(CatalogImportJobs).idle();
    expect((await pages.post(`/admin/importaciones/${id}/decision`, { decision: 'parcial' }, tok.admin)).status).toBe(
      303,
    );
    await t.app.get(CatalogImportJobs).idle();
    expect(await workers().countBy({ activo: true })).toBe(41);
  });

  it.each([
    [null, { catalogo: 'trabajadores', modo: 'full' }, 'archivo', 'Elija el archivo CSV del catálogo.'],
    [workersCsv([workerLine(1)]), { catalogo: 'alumnos', modo: 'full' }, 'catalogo', 'Elija qué catálogo importa'],
    [
      workersCsv([workerLine(1)]),
      { catalogo: 'trabajadores', modo: 'todo' },
      'modo',
      'completo o una actualización parcial',
    ],
    [Buffer.alloc(0), { catalogo: 'trabajadores', modo: 'full' }, 'archivo', 'El archivo está vacío.'],
  ])(
    'refuses a bad upload with a Spanish 400 beside its field and starts nothing (%#)',
    async (file, fields, campo, message) => {
      const before = adminJobs();
      const res = await upload(file, fields);
      expect(res.status).toBe(400);
      expect(res.text).toMatch(
        new RegExp(`<p class="campo-error" id="f-${campo}-error">[^<]*<span[^>]*>[^<]*</span>[^<]*${message}`),
      );
      expect(adminJobs()).toBe(before);
    },
  );

  it('a file that is not a catalog ends as failed, with the reason', async () => {
    const res = await upload(Buffer.from('hola,mundo\r\n1,2\r\n'), { catalogo: 'trabajadores', modo: 'partial' });
    const id = jobOf(res.headers.location);
    await t.app.get(CatalogImportJobs).idle();
    const page = (await get(`/admin/importaciones/${id}`, 'admin')).text;
    expect(page).toContain('<dd id="estado">No se completó</dd>');
    expect(page).toMatch(/<p class="error" role="alert">[^<]+<\/p>/);
  });
});
