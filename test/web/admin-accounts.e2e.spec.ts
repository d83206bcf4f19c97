/**
 * «Editar una cuenta» (/admin/cuentas): administrators find an account by address, holder's name, CURP or CCT, see
 * its holder, state and history (account events, cases, letters), and start restablecer / reasignar / bloquear by
 * registering the oficio that asks for it through the existing registration (/oficios/nuevo).
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { SESSION_COOKIE } from '../../src/auth/auth.guard';
import { CsrfTokens } from '../../src/auth/csrf';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { Cuenta, CuentaHistorial } from '../../src/catalog/entities/cuenta.entity';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { addNiveles, scannedOficio } from '../oficios/support';
import { addWorker } from '../support/pipeline';
import { linksIn, pageRequests } from '../admin/pages';
import { createStaff, login } from '../support/staff';
import type { TestApp } from '../support/test-app';
import { createWebApp } from './support';

const SERVICIO = 'programa.lectura@colima.gob.mx';
const BLOQUEADA = 'coordinacion.deportes@colima.gob.mx';
const ESCUELA = '06dpr0012x@colima.gob.mx';
const CCT = '06DPR0012X';

describe('accounts pages for administrators', () => {
  let t: TestApp & { base: string };
  const tok: Record<string, string> = {};
  const ids: Record<string, string> = {};
  let curp = '';
  const ds = () => t.db.dataSource;
  const pages = pageRequests(() => t);
  const get = (path: string, who?: string) => pages.get(path, who && tok[who]);
  const addAccount = async (c: Partial<Cuenta> & Pick<Cuenta, 'direccion' | 'tipo' | 'titularTipo'>) => {
    const id = randomUUID();
    await ds()
      .getRepository(Cuenta)
      .insert({
        id,
        localPart: c.direccion.split('@')[0],
        dominio: 'colima.gob.mx',
        titularCurp: null,
        titularCct: null,
        estado: 'activa',
        proveedor: 'local',
        proveedorId: null,
        ...c,
      });
    return id;
  };
  const results = (html: string): string[] => linksIn(html, 'resultados', /\/admin\/cuentas\//);

  beforeAll(async () => {
    t = await createWebApp({ RELAY_INTERVAL_MS: '60000' });
    await addNiveles(ds());
    await createStaff(ds(), 'admin', 'administrador');
    await createStaff(ds(), 'oficialia', 'subdireccion');
    await createStaff(ds(), 'sistemas', 'subjefatura');
    for (const u of ['admin', 'oficialia', 'sistemas']) tok[u] = await login(t.app, u);
    const holder = await addWorker(ds(), { nombre: 'Héctor', primerApellido: 'Ramírez', cct: CCT });
    curp = holder.curp;
    const director = await addWorker(ds(), { nombre: 'Rocío', primerApellido: 'Peña' });
    await ds().getRepository(CentroTrabajo).insert({
      cct: CCT,
      nombre: 'Escuela Primaria "Benito Juárez"',
      nivelClave: 'PRIMARIA',
      directorCurp: director.curp,
      correo: null,
      estatus: 'activo',
    });
    ids.servicio = await addAccount({
      direccion: SERVICIO,
      tipo: 'servicio',
      titularTipo: 'trabajador',
      titularCurp: curp,
    });
    ids.bloqueada = await addAccount({
      direccion: BLOQUEADA,
      tipo: 'funcion',
      titularTipo: 'trabajador',
      titularCurp: director.curp,
      estado: 'bloqueada',
    });
    ids.escuela = await addAccount({
      direccion: ESCUELA,
      tipo: 'centro_trabajo',
      titularTipo: 'centro',
      titularCct: CCT,
    });
    // The case that created the Servicio account, and the account's event.
    ids.caso = randomUUID();
    await ds()
      .getRepository(ProcedureCase)
      .insert({
        id: ids.caso,
        procedureId: 'servicio-alta',
        procedureVersion: 1,
        folio: 'SSST-2026-000321',
        state: 'concluido',
        status: 'concluido',
        snapshot: '{}',
        version: 9,
        movementCount: 12,
        lastMovementHash: '0'.repeat(64),
        nivelClave: 'PRIMARIA',
        cct: null,
        curp,
        cuentaId: ids.servicio,
        responsableId: null,
        outcome: 'creada',
        incidentMessage: null,
        startedBy: 'prueba',
        closedAt: new Date(),
      });
    await ds().getRepository(CuentaHistorial).insert({
      id: randomUUID(),
      cuentaId: ids.servicio,
      evento: 'creada',
      detalle: 'Cuenta de servicio del Programa de Lectura',
      caseId: ids.caso,
    });
  }, 60_000);
  afterAll(async () => t?.close());

  it('is for administrators and the Subdirección (who registers the oficios) only', async () => {
    for (const who of ['sistemas']) {
      expect([who, (await get('/admin/cuentas', who)).status]).toEqual([who, 403]);
      expect([who, (await get(`/admin/cuentas/${ids.servicio}`, who)).status]).toEqual([who, 403]);
    }
    const anon = await get('/admin/cuentas');
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toMatch(/^\/personal\/entrar/);
    const page = await get('/admin/cuentas', 'admin');
    expect(page.status).toBe(200);
    expect(page.text).toContain('href="/admin/cuentas" aria-current="page"');
    expect(results(page.text)).toEqual([]);
    expect((await get(`/admin/cuentas/${ids.servicio}`, 'oficialia')).status).toBe(200);
  });

  it('finds an account by part of its address, the holder’s CURP or name, and the school’s CCT', async () => {
    expect(results((await get('/admin/cuentas?q=lectura', 'admin')).text)).toEqual([SERVICIO]);
    expect(results((await get(`/admin/cuentas?q=${curp}`, 'admin')).text)).toEqual([SERVICIO]);
    const byName = (await get(`/admin/cuentas?q=${encodeURIComponent('Héctor Ramírez')}`, 'admin')).text;
    expect(results(byName)).toEqual([SERVICIO]);
    expect(byName).toContain(`Héctor Ramírez Ochoa (${curp})`);
    expect(results((await get(`/admin/cuentas?q=${CCT.toLowerCase()}`, 'admin')).text)).toEqual([ESCUELA]);
    expect(results((await get('/admin/cuentas?q=colima.gob.mx', 'admin')).text)).toEqual(
      [BLOQUEADA, ESCUELA, SERVICIO].sort(),
    );
    const none = await get('/admin/cuentas?q=nadie.existe', 'admin');
    expect(none.status).toBe(200);
    expect(none.text).toContain('Ninguna cuenta coincide con «nadie.existe».');
    const short = await get('/admin/cuentas?q=a', 'admin');
    expect(short.status).toBe(400);
    expect(short.text).toContain('Escriba al menos 2 caracteres.');
  });

  it('shows the holder, the state, the account’s events, its cases and the ways to change it', async () => {
    const res = await get(`/admin/cuentas/${ids.servicio}`, 'oficialia');
    expect(res.status).toBe(200);
    const admin = (await get(`/admin/cuentas/${ids.servicio}`, 'admin')).text;
    expect(admin).not.toContain('name="procedimiento"');
    expect(admin).toContain('El registro del oficio corresponde a la Subdirección');
    expect(admin).toContain('«Restablecer contraseña», «Reasignar cuenta», «Bloquear cuenta»');
    const section = (id: string): string =>
      new RegExp(`<section class="tarjeta" id="${id}">.*?</section>`, 's').exec(res.text)?.[0] ?? '';
    expect(section('titular')).toContain('Héctor Ramírez Ochoa');
    expect(section('titular')).toContain(curp);
    expect(section('titular')).toContain(CCT);
    expect(section('cuenta')).toContain('Activa');
    expect(section('historial')).toContain('Cuenta creada');
    expect(section('historial')).toContain('Cuenta de servicio del Programa de Lectura');
    expect(section('tramites')).toContain('SSST-2026-000321');
    expect(section('tramites')).toContain(`href="/tramites/${ids.caso}/historial">12 movimientos`);
    const forms = [...section('iniciar').matchAll(/name="procedimiento" value="([^"]+)"/g)].map((m) => m[1]);
    expect(forms).toEqual(['servicio-restablecer', 'cuenta-reasignar', 'cuenta-bloquear']);
    expect(section('iniciar')).toContain(`name="cuentas" value="${SERVICIO}"`);
    expect(section('iniciar')).toContain('action="/oficios/nuevo" enctype="multipart/form-data"');

    // A blocked Función account: no second block; a school's: its holder is the school, reset goes through the PII.
    const blocked = (await get(`/admin/cuentas/${ids.bloqueada}`, 'oficialia')).text;
    expect([...blocked.matchAll(/name="procedimiento" value="([^"]+)"/g)].map((m) => m[1])).toEqual([
      'servicio-restablecer',
      'cuenta-reasignar',
    ]);
    expect(blocked).toContain('<span class="insignia vencido">Bloqueada</span>');
    const school = (await get(`/admin/cuentas/${ids.escuela}`, 'oficialia')).text;
    expect(school).toContain('Escuela Primaria &quot;Benito Juárez&quot;');
    expect([...school.matchAll(/name="procedimiento" value="([^"]+)"/g)].map((m) => m[1])).toEqual([
      'cuenta-reasignar',
      'cuenta-bloquear',
    ]);
    expect((await get(`/admin/cuentas/${randomUUID()}`, 'admin')).status).toBe(404);
    expect((await get('/admin/cuentas/no-es-id', 'admin')).status).toBe(404);
  });

  it('lets the Subdirección start a block from the account page: the oficio is registered and its case opens for the account', async () => {
    const page = (await get(`/admin/cuentas/${ids.servicio}`, 'oficialia')).text;
    const form = /<details class="iniciar" id="i-cuenta-bloquear">.*?<\/details>/s.exec(page)![0];
    const hidden = Object.fromEntries(
      [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]),
    );
    expect(hidden._csrf).toBe(t.app.get(CsrfTokens).tokenFor(tok.oficialia));
    const asunto = /name="asunto" value="([^"]*)"/.exec(form)![1];
    const fecha = /name="fechaOficio" value="([^"]*)"/.exec(form)![1];
    let r = request(t.app.getHttpServer())
      .post('/oficios/nuevo')
      .set('Cookie', `${SESSION_COOKIE}=${tok.oficialia}`)
      .redirects(0);
    for (const [k, v] of Object.entries({
      ...hidden,
      numeroOficio: 'DA/0457/2026',
      fechaOficio: fecha,
      remitenteNombre: 'Lic. Ana Sofía Cárdenas Muñoz',
      remitenteCargo: 'Directora del Programa de Lectura',
      area: 'Programa de Lectura',
      asunto,
    }))
      r = r.field(k, v);
    const res = await r.attach('archivo', await scannedOficio('Oficio DA/0457/2026: bloqueo de cuenta.'), {
      filename: 'oficio.pdf',
      contentType: 'application/pdf',
    });
    expect(res.status).toBe(303);
    const caseId = /^\/tramites\/([0-9a-f-]{36})\?aviso=registrado$/.exec(res.headers.location)?.[1] ?? '';
    const created = await ds().getRepository(ProcedureCase).findOneByOrFail({ id: caseId });
    expect(created.procedureId).toBe('cuenta-bloquear');
    expect(created.snapshot).toContain(SERVICIO);
    expect(asunto).toBe(`Bloquear cuenta ${SERVICIO}`);
  });
});
