/**
 * The Subjefatura's review of reconciliation findings (/conciliacion, issue 14): who may open it, the filters and
 * pages, the evidence in Spanish, rejecting (a reason is required), accepting one or a selection (each opens its case
 * through ReconciliationCaseOpener, replaced here by an opener of the test), «Conciliar ahora» with the catalogs and
 * the directory run in the background (one at a time). SQLite by default, MariaDB with TEST_DB=mariadb.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { DataSource, EntityManager } from 'typeorm';
import { SESSION_COOKIE } from '../../src/auth/auth.guard';
import { ConciliacionCorrida, ConciliacionHallazgo } from '../../src/catalog/entities/conciliacion.entity';
import { CuentaHistorial } from '../../src/catalog/entities/cuenta.entity';
import { reconcileCatalog, reconcileDirectory } from '../../src/catalog/reconciliation';
import { ReconciliationCaseOpener } from '../../src/catalog/reconciliation/case-opener';
import { DomainError } from '../../src/common/domain-error';
import { DirectoryReconciliation } from '../../src/provisioning/directory-reconciliation';
import { DirectorioLocal } from '../../src/provisioning/providers/local/directorio-local.entity';
import { pageRequests } from '../admin/pages';
import { createStaff, login } from '../support/staff';
import type { TestApp } from '../support/test-app';
import { workerAccount, workerInBaja } from '../support/reconciliation-fixtures';
import { createWebApp } from './support';

jest.setTimeout(120_000);

/** The import the catalog findings come from: 10:00 in Mexico City. */
const IMPORTED = new Date('2026-07-01T16:00:00.000Z');
const curp = (n: number) => `CAHL90${String(n).padStart(4, '0')}HCMSRR05`;

/** One account of a worker Capital Humano no longer has as active. */
async function retiredWithAccount(
  ds: DataSource,
  n: number,
  tipo: 'personal' | 'servicio' = 'personal',
): Promise<string> {
  await workerInBaja(ds, curp(n), IMPORTED);
  const { id } = await workerAccount(ds, { localPart: `c${n}`, tipo, curp: curp(n), proveedorId: `p${n}` });
  return id;
}

describe('the review page of reconciliation findings (/conciliacion)', () => {
  let t: TestApp & { base: string };
  let ds: DataSource;
  const tok: Record<string, string> = {};
  const pages = pageRequests(() => t);
  const get = (path: string, who?: string) => pages.get(path, who && tok[who]);
  const post = (path: string, form: Record<string, string | string[]>, who = 'sistemas') =>
    pages.post(path, form as Record<string, string>, tok[who]);
  const finding = (direccion: string) => ds.getRepository(ConciliacionHallazgo).findOneByOrFail({ direccion });
  let sistemasId = '';

  /** The test's opener: writes in the acceptance's transaction like the engine's start, and fails for c2. */
  const opened: string[] = [];
  const testOpener = async (em: EntityManager, h: ConciliacionHallazgo): Promise<string> => {
    if (h.direccion === 'c2@colima.gob.mx')
      throw new DomainError('PRUEBA', 'La cuenta tiene un trámite de bloqueo en curso.', 409);
    const caseId = randomUUID();
    await em.insert(CuentaHistorial, {
      id: randomUUID(),
      cuentaId: h.cuentaId!,
      evento: 'conciliacion',
      detalle: h.tipo,
      caseId,
    });
    opened.push(h.direccion);
    return caseId;
  };

  beforeAll(async () => {
    t = await createWebApp({ RELAY_INTERVAL_MS: '60000', LOG_LEVEL: 'error' });
    ds = t.db.dataSource;
    sistemasId = (await createStaff(ds, 'sistemas', 'subjefatura', { nombre: 'Jorge Alberto Mendoza Cruz' })).id;
    await createStaff(ds, 'admin', 'administrador');
    await createStaff(ds, 'oficialia', 'subdireccion');
    await createStaff(ds, 'primaria', 'nivel', { nivelClave: 'PRIMARIA' });
    for (const u of ['sistemas', 'admin', 'oficialia', 'primaria']) tok[u] = await login(t.app, u);
    // 58 Personal accounts of retired workers, one Servicio account whose responsible left, one entry of the
    // directory the system does not know: 60 findings, more than a page.
    for (let n = 1; n <= 58; n++) await retiredWithAccount(ds, n);
    await retiredWithAccount(ds, 59, 'servicio');
    await reconcileCatalog(ds, { origen: 'trabajadores', importacionAt: IMPORTED, now: IMPORTED });
    async function* pagesOfDirectory() {
      yield [{ address: 'intruso@colima.gob.mx', providerId: 'g-77', suspended: true, holder: { curp: curp(99) } }];
    }
    await reconcileDirectory(ds, {
      proveedor: 'google',
      pages: pagesOfDirectory(),
      now: new Date(IMPORTED.getTime() + 60_000),
    });
    jest.spyOn(t.app.get(ReconciliationCaseOpener), 'open').mockImplementation(testOpener);
  });
  afterAll(async () => {
    await t?.app.get(DirectoryReconciliation).whenIdle();
    await t?.close();
  });

  it('is for the Subjefatura and administrators: others get 403, anonymous visitors go to sign in', async () => {
    const anonymous = await get('/conciliacion');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe('/personal/entrar?siguiente=%2Fconciliacion');
    for (const who of ['oficialia', 'primaria']) {
      expect((await get('/conciliacion', who)).status).toBe(403);
      const h = await finding('c1@colima.gob.mx');
      expect((await post(`/conciliacion/${h.id}/rechazar`, { motivo: 'No corresponde a mi área' }, who)).status).toBe(
        403,
      );
      expect((await post('/conciliacion/aceptar', { ids: h.id }, who)).status).toBe(403);
      expect((await post('/conciliacion/directorio', {}, who)).status).toBe(403);
      expect(await ds.getRepository(ConciliacionHallazgo).countBy({ estado: 'pendiente' })).toBe(60);
      expect((await get('/bandeja', who)).text).not.toContain('href="/conciliacion"');
    }
    for (const who of ['sistemas', 'admin']) {
      const page = await get('/conciliacion', who);
      expect(page.status).toBe(200);
      expect(page.text).toContain('<a href="/conciliacion" aria-current="page"');
    }
  });

  it('shows the open findings a page at a time, with their evidence in Spanish and the runs', async () => {
    const first = (await get('/conciliacion', 'sistemas')).text;
    expect(first).toContain('60 hallazgos, los más recientes arriba.');
    expect(first.match(/<tr id="h-/g)).toHaveLength(50);
    // The directory's finding is the newest: first, with the directory's attributes.
    expect(/<tr id="h-[0-9a-f-]{36}" data-direccion="([^"]+)">/.exec(first)?.[1]).toBe('intruso@colima.gob.mx');
    expect(first).toContain('<li>Directorio: google (identificador g-77)</li>');
    expect(first).toContain('<li>En el directorio: suspendida</li>');
    expect(first).toContain('<li>En el sistema: no existe</li>');
    expect(first).toContain('Revisar a mano (ningún procedimiento aplica)');
    // A catalog finding: the holder, its state and the import in Mexico City's time (16:00 UTC = 10:00).
    expect(first).toMatch(/<li>Titular: CAHL90\d{4}HCMSRR05, dado de baja en Capital Humano<\/li>/);
    expect(first).toContain('<li>Importación del catálogo: 01/07/2026 10:00</li>');
    expect(first).toContain('Bloquear la cuenta (5.5)');
    // The runs: the catalog one after the import and the directory one, with their counters.
    const runs = /<table class="tabla tarjetas" id="corridas">.*?<\/table>/s.exec(first)?.[0] ?? '';
    expect(runs).toContain('Tras importar trabajadores');
    expect(runs).toContain('Importación del 01/07/2026 10:00');
    expect(runs).toContain('1 cuenta comparada');
    const next = (/<a class="boton secundario chico" href="([^"]+)" rel="next">/.exec(first)?.[1] ?? '')
      .replace(/&#x3D;/g, '=')
      .replace(/&amp;/g, '&');
    expect(next).toMatch(/^\/conciliacion\?despues=/);
    const second = (await get(next, 'sistemas')).text;
    expect(second.match(/<tr id="h-/g)).toHaveLength(10);
    expect(second).not.toContain('rel="next"');
    const ids = (html: string) => [...html.matchAll(/<tr id="h-([0-9a-f-]{36})"/g)].map((m) => m[1]);
    expect(new Set([...ids(first), ...ids(second)]).size).toBe(60);
    // A cursor the page did not write: the first page with a Spanish 400.
    const bad = await get('/conciliacion?despues=no-es-un-cursor', 'sistemas');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('El enlace de la página no es válido');
  });

  it('filters by state and kind, with Spanish labels; an unknown filter is a Spanish 400', async () => {
    const page = (await get('/conciliacion?estado=pendiente&tipo=responsable_baja', 'sistemas')).text;
    expect(page.match(/<tr id="h-/g)).toHaveLength(1);
    expect(page).toContain('c59@colima.gob.mx');
    expect(page).toContain('Reasignar la cuenta a otro responsable (5.4)');
    expect(page).toContain('<option value="responsable_baja" selected>');
    expect(page).toContain('Cuenta de Servicio o Función cuyo responsable ya no está activo');
    expect(page).toContain('<option value="pendiente" selected>Pendiente</option>');
    const dir = (await get('/conciliacion?tipo=directorio_desconocida', 'sistemas')).text;
    expect(dir.match(/<tr id="h-/g)).toHaveLength(1);
    expect((await get('/conciliacion?estado=rechazado', 'sistemas')).text).toContain(
      'No hay hallazgos con estos filtros.',
    );
    const bad = await get('/conciliacion?tipo=otro', 'sistemas');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Elija un tipo de hallazgo de la lista.');
  });

  it('rejects only with a reason: a blank or short one re-renders with a 422 and changes nothing', async () => {
    const h = await finding('c59@colima.gob.mx');
    for (const motivo of ['', '   ', 'no']) {
      const res = await post(`/conciliacion/${h.id}/rechazar?estado=pendiente&tipo=responsable_baja`, { motivo });
      expect(res.status).toBe(422);
      expect(res.text).toContain(`<p class="campo-error" id="motivo-${h.id}-error">Escriba por qué se rechaza`);
      expect(res.text).toContain('<option value="pendiente" selected>');
      expect(await finding('c59@colima.gob.mx')).toMatchObject({
        estado: 'pendiente',
        motivo: null,
        decididoPor: null,
      });
    }
    // Posted from a list its row is not on: the message at the top.
    const elsewhere = await post(`/conciliacion/${h.id}/rechazar?estado=rechazado`, { motivo: 'no' });
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.text).toContain('<p class="error" role="alert">Escriba por qué se rechaza');
    const ok = await post(`/conciliacion/${h.id}/rechazar?estado=pendiente&tipo=responsable_baja`, {
      motivo: 'Licencia con goce de sueldo',
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/conciliacion?estado=pendiente&tipo=responsable_baja&hecho=rechazado');
    expect(await finding('c59@colima.gob.mx')).toMatchObject({
      estado: 'rechazado',
      motivo: 'Licencia con goce de sueldo',
      decididoPor: sistemasId,
    });
    const page = (await get('/conciliacion?estado=rechazado', 'sistemas')).text;
    expect(page).toContain('Rechazado');
    expect(page).toContain('Motivo: Licencia con goce de sueldo');
    expect(page).toMatch(/Jorge Alberto Mendoza Cruz, \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
    // Decided already: a second rejection changes nothing and says so.
    const again = await post(`/conciliacion/${h.id}/rechazar`, { motivo: 'Otro motivo distinto' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('Ese hallazgo ya no está pendiente');
    expect((await finding('c59@colima.gob.mx')).motivo).toBe('Licencia con goce de sueldo');
  });

  it('refuses a form without its token (CSRF) and changes nothing', async () => {
    const h = await finding('c4@colima.gob.mx');
    const forged = await request(t.app.getHttpServer())
      .post(`/conciliacion/${h.id}/rechazar`)
      .set('Cookie', `${SESSION_COOKIE}=${tok.sistemas}`)
      .type('form')
      .send({ motivo: 'Un motivo suficiente' })
      .redirects(0);
    expect(forged.status).toBe(403);
    const bulk = await request(t.app.getHttpServer())
      .post('/conciliacion/aceptar')
      .set('Cookie', `${SESSION_COOKIE}=${tok.sistemas}`)
      .type('form')
      .send({ ids: h.id, _csrf: 'falso' })
      .redirects(0);
    expect(bulk.status).toBe(403);
    expect(await finding('c4@colima.gob.mx')).toMatchObject({ estado: 'pendiente', decididoPor: null });
    expect(opened).toEqual([]);
  });

  it('accepts one, and a selection: the cases opened, the unchanged and the failures, in Spanish', async () => {
    const [c1, c2, c59, c5, intruso] = await Promise.all(
      ['c1', 'c2', 'c59', 'c5', 'intruso'].map((a) => finding(`${a}@colima.gob.mx`)),
    );
    const one = await post(`/conciliacion/${c1.id}/aceptar`, {});
    expect(one.status).toBe(200);
    expect(one.text).toContain('1 trámite abierto, 0 sin cambios');
    const c1After = await finding('c1@colima.gob.mx');
    expect(c1After).toMatchObject({ estado: 'aceptado', decididoPor: sistemasId });
    expect(c1After.caseId).toMatch(/^[0-9a-f-]{36}$/);

    // c1 again (already accepted), c59 (rejected), the intruder (proposes no procedure): unchanged; c2's opener fails.
    const bulk = await post('/conciliacion/aceptar', { ids: [c1.id, c2.id, c59.id, c5.id, intruso.id, 'x'] });
    expect(bulk.status).toBe(200);
    expect(bulk.text).toContain(
      '1 trámite abierto, 3 sin cambios (ya decididos o sin procedimiento que abrir), 1 con error',
    );
    expect(bulk.text).toContain('<li>c2@colima.gob.mx: La cuenta tiene un trámite de bloqueo en curso.</li>');
    expect(opened).toEqual(['c1@colima.gob.mx', 'c5@colima.gob.mx']);
    expect(await finding('c2@colima.gob.mx')).toMatchObject({ estado: 'pendiente', caseId: null });
    const c5After = await finding('c5@colima.gob.mx');
    expect(c5After.estado).toBe('aceptado');
    // The page links each accepted finding to its case; only acceptable ones have a checkbox.
    const accepted = (await get('/conciliacion?estado=aceptado', 'sistemas')).text;
    expect(accepted).toContain(`<a class="caso" href="/tramites/${c1After.caseId}">Ver el trámite</a>`);
    expect(accepted).toContain(`<a class="caso" href="/tramites/${c5After.caseId}">Ver el trámite</a>`);
    expect(accepted).not.toContain('name="ids"');
    const all = (await get('/conciliacion', 'sistemas')).text;
    // Every pending finding that proposes a procedure has its checkbox (c2 again among them), the intruder none.
    const pending = all.match(/estado-pendiente/g)?.length ?? 0;
    expect(all.match(/form="aceptar-seleccion" id="sel-/g)).toHaveLength(pending - 1);
    expect(all).not.toContain(`value="${intruso.id}" form="aceptar-seleccion"`);

    const empty = await post('/conciliacion/aceptar', {});
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Seleccione al menos un hallazgo para aceptarlo.');
  });

  it('reconciles the catalogs now, and runs the directory in the background, one at a time (409)', async () => {
    const now = await post('/conciliacion/conciliar', {});
    expect(now.status).toBe(200);
    expect(now.text).toContain('Conciliación con los catálogos terminada: 0 hallazgos nuevos, 0 ya no se cumplen');

    // Another process's directory run reporting progress: this one may not start.
    const busy = randomUUID();
    await ds.getRepository(ConciliacionCorrida).insert({
      id: busy,
      origen: 'directorio',
      startedAt: new Date(Date.now() - 60_000),
      estado: 'en_curso',
      procesados: 1500,
      latidoAt: new Date(),
    });
    const refused = await post('/conciliacion/directorio', {});
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Ya hay una conciliación con el directorio en curso');
    expect(refused.text).toContain('1,500 cuentas comparadas');
    expect(refused.text).toContain('http-equiv="refresh"');
    await ds.getRepository(ConciliacionCorrida).update(busy, { estado: 'fallida', error: 'Se detuvo' });

    const started = await post('/conciliacion/directorio', {});
    expect(started.status).toBe(303);
    expect(started.headers.location).toBe('/conciliacion?hecho=directorio');
    await t.app.get(DirectoryReconciliation).whenIdle();
    const after = (await get(started.headers.location, 'sistemas')).text;
    expect(after).toContain('Comenzó la conciliación con el directorio');
    const runs = /<table class="tabla tarjetas" id="corridas">.*?<\/table>/s.exec(after)?.[0] ?? '';
    // The one of the suite's start and this one have finished; the other process's one did not.
    expect(runs.match(/>Directorio<\/td><td data-etiqueta="Estado">Terminada</g)).toHaveLength(2);
    expect(runs).toContain('>Directorio</td><td data-etiqueta="Estado">No se completó<small>Se detuvo</small>');
    expect(after).not.toContain('http-equiv="refresh"');
  });
});

describe('a directory run started from the page, when the application stops', () => {
  it('ends before the database closes: the run is «terminada», not left «en curso»', async () => {
    const t = await createWebApp({ RELAY_INTERVAL_MS: '60000' });
    const ds = t.db.dataSource;
    try {
      // Enough entries for the run to outlast the request that starts it (pages of the local table).
      const rows = Array.from({ length: 6000 }, (_, i) => ({
        id: randomUUID(),
        address: `persona.${String(i).padStart(5, '0')}@colima.gob.mx`,
        tipo: 'personal' as const,
        holderKind: 'trabajador' as const,
        holderCurp: null,
        holderCct: null,
        givenName: 'Persona',
        familyName: 'De Prueba',
        displayName: 'Persona De Prueba',
        passwordHash: 'x',
        suspended: false,
        mustChange: false,
      }));
      for (let i = 0; i < rows.length; i += 500)
        await ds
          .createQueryBuilder()
          .insert()
          .into(DirectorioLocal)
          .values(rows.slice(i, i + 500))
          .execute();
      await createStaff(ds, 'sistemas', 'subjefatura');
      const started = await pageRequests(() => t).post('/conciliacion/directorio', {}, await login(t.app, 'sistemas'));
      expect(started.status).toBe(303);
    } finally {
      await t.app.close();
    }
    const runs = await ds.getRepository(ConciliacionCorrida).findBy({ origen: 'directorio' });
    expect(runs.map((r) => [r.estado, r.procesados])).toEqual([['terminada', 6000]]);
    await t.db.close();
  });
});
