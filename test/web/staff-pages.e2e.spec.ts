import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Movement } from '../../src/engine/entities/movement.entity';
import { Task } from '../../src/engine/entities/task.entity';
import { LocalDirectoryProvider } from '../../src/provisioning/providers/local/local-directory.provider';
import { addNiveles, scannedOficio } from '../oficios/support';
import { launchBrowser } from '../support/browser';
import { addWorker } from '../support/pipeline';
import { createStaff, createStaffCast, STAFF_PASSWORD } from '../support/staff';
import type { TestApp } from '../support/test-app';
import { createWebApp } from './support';

const SCREENS = 'tmp/screens';
const FOLIO = /SSST-\d{4}-\d{6}/;
const ACCOUNT = 'programa.lectura@colima.gob.mx';
const CCT = '06DPR0012X';
const SHARED = 'coordinacion.becas@colima.gob.mx';
const PHONE = { width: 390, height: 844 };

describe('staff pages in a real browser (Chromium): sign-in, inbox, case, oficios, users', () => {
  let t: TestApp & { base: string };
  let browser: Browser;
  let pdf: Buffer;
  const ds = () => t.db.dataSource;
  const contexts: BrowserContext[] = [];
  let newHolder: Awaited<ReturnType<typeof addWorker>>;
  let previousCurp = '';

  const context = async (opts: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> => {
    const c = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'es-MX', ...opts });
    contexts.push(c);
    return c;
  };
  /** Clicks something that submits a form or follows a link, and waits for the next page to load. */
  const go = async (page: Page, target: Locator): Promise<void> => {
    await Promise.all([page.waitForEvent('load'), target.click()]);
  };
  const signIn = async (
    usuario: string,
    opts: Parameters<Browser['newContext']>[0] = {},
    password = STAFF_PASSWORD,
  ): Promise<Page> => {
    const page = await (await context(opts)).newPage();
    await page.goto(`${t.base}/personal/entrar`);
    await page.fill('#f-usuario', usuario);
    await page.fill('#f-contrasena', password);
    await go(page, page.getByRole('button', { name: 'Entrar' }));
    return page;
  };
  const button = (page: Page, name: string | RegExp): Locator =>
    page.getByRole('button', { name, exact: typeof name === 'string' });
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: `${SCREENS}/personal-${name}.png`, fullPage: true });
  /** Reloads until something shows up (the letters and provisioning queue runs every RELAY_INTERVAL_MS). */
  const reloadUntil = async (page: Page, what: Locator, timeout = 20_000): Promise<void> => {
    const until = Date.now() + timeout;
    while (!(await what.count())) {
      if (Date.now() > until) throw new Error(`no apareció a tiempo en ${page.url()}`);
      await page.waitForTimeout(300);
      await page.reload();
    }
  };
  const caseIdOf = (page: Page): string => /\/tramites\/([0-9a-f-]{36})/.exec(page.url())?.[1] ?? '';

  /** The Subdirección's registration form, filled as a clerk does it, with the scan attached. */
  const registerOficio = async (
    page: Page,
    fields: {
      procedimiento: string;
      numero: string;
      nivel?: string;
      area?: string;
      cuentas?: string;
      cct?: string;
      asunto: string;
    },
  ): Promise<void> => {
    await page.goto(`${t.base}/oficios/nuevo`);
    await page.selectOption('#f-procedimiento', fields.procedimiento);
    await page.fill('#f-numeroOficio', fields.numero);
    await page.fill('#f-remitenteNombre', 'Lic. Ana Sofía Cárdenas Muñoz');
    await page.fill('#f-remitenteCargo', 'Directora del Programa de Lectura');
    if (fields.nivel) await page.selectOption('#f-nivel', fields.nivel);
    if (fields.area) await page.fill('#f-area', fields.area);
    await page.fill('#f-asunto', fields.asunto);
    if (fields.cuentas) await page.fill('#f-cuentas', fields.cuentas);
    if (fields.cct) await page.fill('#f-cct', fields.cct);
    await page.fill('#f-fojas', '2');
    await page.setInputFiles('#f-archivo', { name: 'oficio-escaneado.pdf', mimeType: 'application/pdf', buffer: pdf });
    await go(page, button(page, 'Registrar y emitir acuse'));
  };

  beforeAll(async () => {
    mkdirSync(SCREENS, { recursive: true });
    t = await createWebApp({ RELAY_INTERVAL_MS: '150' });
    browser = await launchBrowser();
    await addNiveles(ds());
    await createStaffCast(ds());
    await createStaff(ds(), 'secundaria', 'nivel', { nombre: 'Enlace de Secundaria', nivelClave: 'SECUNDARIA' });
    // 5.5: the account to block, in our table and in the (local) directory.
    const holder = await addWorker(ds(), { nombre: 'Héctor', primerApellido: 'Ramírez' });
    await ds().getRepository(Cuenta).insert({
      id: '7b0a61a4-64c9-4c36-9d51-2f1b8f0e7a11',
      direccion: ACCOUNT,
      localPart: 'programa.lectura',
      dominio: 'colima.gob.mx',
      tipo: 'servicio',
      titularTipo: 'trabajador',
      titularCurp: holder.curp,
      titularCct: null,
      estado: 'activa',
      proveedor: 'local',
      proveedorId: null,
    });
    await new LocalDirectoryProvider(ds()).create({
      address: ACCOUNT,
      tipo: 'servicio',
      holder: {
        kind: 'trabajador',
        curp: holder.curp,
        givenName: 'Héctor',
        familyName: 'Ramírez Ochoa',
        displayName: 'Programa de Lectura',
      },
      password: 'nadie-la-conoce-xyz-123',
      changeAtNextLogin: false,
    });
    // 5.4: an account that changes hands, and the worker who keeps it.
    const previous = await addWorker(ds(), { nombre: 'Ernesto', primerApellido: 'Villaseñor' });
    newHolder = await addWorker(ds(), {
      nombre: 'Itzel',
      primerApellido: 'Cárdenas',
      correoAlterno: 'itzel.cardenas@correo-alterno.example',
    });
    previousCurp = previous.curp;
    await ds().getRepository(Cuenta).insert({
      id: '0c2a4f7e-1d2b-4b8e-9c31-6a5d7e8f9a10',
      direccion: SHARED,
      localPart: 'coordinacion.becas',
      dominio: 'colima.gob.mx',
      tipo: 'funcion',
      titularTipo: 'trabajador',
      titularCurp: previous.curp,
      titularCct: null,
      estado: 'activa',
      proveedor: 'local',
      proveedorId: null,
    });
    await new LocalDirectoryProvider(ds()).create({
      address: SHARED,
      tipo: 'funcion',
      holder: {
        kind: 'trabajador',
        curp: previous.curp,
        givenName: 'Ernesto',
        familyName: 'Villaseñor Ochoa',
        displayName: 'Coordinación de Becas',
      },
      password: 'nadie-la-conoce-abc-987',
      changeAtNextLogin: false,
    });
    // 5.2.1: the school and its director.
    const director = await addWorker(ds(), {
      nombre: 'Rocío Guadalupe',
      primerApellido: 'Peña',
      correoAlterno: 'rocio.pena.director@correo-alterno.example',
    });
    await ds().getRepository(CentroTrabajo).insert({
      cct: CCT,
      nombre: 'Escuela Primaria "Benito Juárez"',
      nivelClave: 'PRIMARIA',
      directorCurp: director.curp,
      correo: null,
      estatus: 'activo',
    });
    pdf = await scannedOficio('Oficio DA/0457/2026. Solicitud de bloqueo de la cuenta programa.lectura@colima.gob.mx.');
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('sends a signed-out visitor to the sign-in page, refuses a wrong password in Spanish, and comes back where it was going', async () => {
    const page = await (await context()).newPage();
    await page.goto(`${t.base}/bandeja?folio=SSST-2026-000001`);
    expect(new URL(page.url()).pathname).toBe('/personal/entrar');
    expect(await page.textContent('h1')).toBe('Acceso del personal');
    await page.fill('#f-usuario', 'sistemas');
    await page.fill('#f-contrasena', 'no-es-la-contrasena');
    await go(page, button(page, 'Entrar'));
    expect(await page.textContent('.error')).toBe('Usuario o contraseña incorrectos.');
    expect(await page.inputValue('#f-usuario')).toBe('sistemas');
    expect(await page.inputValue('#f-contrasena')).toBe('');
    await page.fill('#f-contrasena', STAFF_PASSWORD);
    await go(page, button(page, 'Entrar'));
    expect(page.url()).toBe(`${t.base}/bandeja?folio=SSST-2026-000001`);
    expect(await page.inputValue('#f-folio')).toBe('SSST-2026-000001');
    await shot(page, 'bandeja-vacia');
    await go(page, page.getByRole('button', { name: 'Salir' }));
    expect(await page.textContent('.ok')).toBe('Cerró su sesión.');
    await page.goto(`${t.base}/bandeja`);
    expect(new URL(page.url()).pathname).toBe('/personal/entrar');
  });

  it('administrator creates a user and sees the first-login password once; the user must change it before anything else', async () => {
    const admin = await signIn('admin');
    expect(new URL(admin.url()).pathname).toBe('/admin/usuarios');
    expect(await admin.textContent('.quien')).toContain('Adriana Torres Vizcaíno');
    expect(await admin.textContent('.quien')).toContain('Administrador');
    await admin.fill('#f-usuario', 'lucia.oficialia');
    await admin.fill('#f-nombre', 'Lucía Barajas Ceballos');
    await admin.selectOption('#f-rol', 'subdireccion');
    await admin.fill('#f-correo', 'lucia.barajas@example.test');
    await go(admin, button(admin, 'Crear usuario'));
    const initial = (await admin.textContent('#contrasena-inicial'))!.trim();
    expect(initial.length).toBeGreaterThanOrEqual(12);
    expect(await admin.textContent('.contrasena')).toContain('no se volverá a mostrar');
    expect(await admin.textContent('table')).toContain('lucia.oficialia');
    await shot(admin, 'usuarios-creado');
    // The password is on no other page: the list, reloaded, does not show it.
    await admin.goto(`${t.base}/admin/usuarios`);
    expect(await admin.content()).not.toContain(initial);

    const page = await signIn('lucia.oficialia', {}, initial);
    expect(new URL(page.url()).pathname).toBe('/personal/contrasena');
    expect(await page.textContent('h1')).toBe('Cambie su contraseña de primer ingreso');
    expect(await page.locator('nav.menu').count()).toBe(0);
    // Nothing else opens until the password is changed.
    await page.goto(`${t.base}/oficios/nuevo`);
    expect(new URL(page.url()).pathname).toBe('/personal/contrasena');
    await page.fill('#f-actual', initial);
    await page.fill('#f-nueva', 'lucia.oficialia-2026');
    await page.fill('#f-confirmacion', 'lucia.oficialia-2026');
    await go(page, button(page, 'Cambiar contraseña'));
    expect(await page.textContent('.error')).toMatch(/La nueva contraseña no es aceptable/);
    await shot(page, 'contrasena-rechazada');
    await page.fill('#f-actual', initial);
    await page.fill('#f-nueva', 'tamarindo faro lluvia volcán');
    await page.fill('#f-confirmacion', 'tamarindo faro lluvia volcán');
    await go(page, button(page, 'Cambiar contraseña'));
    expect(new URL(page.url()).pathname).toBe('/bandeja');
    expect(await page.textContent('.ok')).toContain('Su contraseña se cambió');
    expect(await page.textContent('nav.menu')).toContain('Registrar oficio');

    // The administrator resets it (new first-login password, once) and then deactivates the user.
    admin.on('dialog', (d) => void d.accept());
    const row = admin.locator('tr', { hasText: 'lucia.oficialia' });
    await go(admin, row.getByRole('button', { name: 'Restablecer contraseña' }));
    const again = (await admin.textContent('#contrasena-inicial'))!.trim();
    expect(again).not.toBe(initial);
    expect(await admin.textContent('.contrasena')).toContain('Contraseña restablecida');
    await go(admin, admin.locator('tr', { hasText: 'lucia.oficialia' }).getByRole('button', { name: 'Desactivar' }));
    expect(await admin.textContent('.ok')).toContain('Usuario desactivado');
    expect(await admin.locator('tr', { hasText: 'lucia.oficialia' }).textContent()).toContain('Inactivo');
    // Her session ended with the reset: the next page asks her to sign in.
    await page.goto(`${t.base}/bandeja`);
    expect(new URL(page.url()).pathname).toBe('/personal/entrar');
  });

  let blockCase = '';
  let duplicateCase = '';

  it('Subdirección registers an oficio with its scan (folio, acuse), turns it; a repeated number needs confirmation and keeps the file', async () => {
    const page = await signIn('oficialia');
    await registerOficio(page, {
      procedimiento: 'cuenta-bloquear',
      numero: 'DA/0457/2026',
      area: 'Dirección Administrativa',
      cuentas: ACCOUNT,
      asunto: `Solicitud de bloqueo de la cuenta ${ACCOUNT}`,
    });
    expect(page.url()).toMatch(/\/tramites\/[0-9a-f-]{36}\?aviso=registrado$/);
    blockCase = caseIdOf(page);
    const folio = FOLIO.exec((await page.textContent('.ok'))!)?.[0];
    expect(folio).toBeDefined();
    expect(await page.textContent('.cabecera-tramite')).toContain(folio);
    expect(await page.textContent('h1')).toBe('Bloqueo de una cuenta de correo institucional');
    expect(await page.textContent('.datos')).toContain('DA/0457/2026');
    // The acuse comes from the letters queue.
    await reloadUntil(page, page.locator('ul.documentos a', { hasText: 'Acuse de recibo' }));
    // The diagram, with the current step (the Subdirección turning the oficio) highlighted.
    const src = (await page.getAttribute('.svg-caja img', 'src'))!;
    expect(src).toMatch(/^data:image\/svg\+xml;base64,/);
    const svg = Buffer.from(src.split(',')[1], 'base64').toString('utf8');
    expect(svg).toMatch(/<g class="estado activo"[^>]*data-state="turno" data-activo="true"/);
    await shot(page, 'tramite-registrado');
    await go(page, button(page, 'Turnar a la Subjefatura de Sistemas'));
    expect(await page.textContent('.ok')).toBe('Listo: «Turnar a la Subjefatura de Sistemas».');
    expect(await page.textContent('.acciones')).toMatch(
      /No hay acciones para usted en este paso: corresponde a Subjefatura de Sistemas/,
    );
    expect((await ds().getRepository(ProcedureCase).findOneByOrFail({ id: blockCase })).state).toBe(
      'recepcionSubjefatura',
    );

    // The same sender number again: 409, the scan is kept, the clerk confirms.
    await registerOficio(page, {
      procedimiento: 'cuenta-bloquear',
      numero: 'DA/0457/2026',
      area: 'Dirección Administrativa',
      asunto: 'Otro oficio con el mismo número',
    });
    expect(new URL(page.url()).pathname).toBe('/oficios/nuevo');
    expect(await page.textContent('.error')).toContain(`ya se registró con el folio ${folio}`);
    expect(await page.textContent('main form')).toContain('Se conserva el archivo «oficio-escaneado.pdf»');
    expect(await page.inputValue('#f-asunto')).toBe('Otro oficio con el mismo número');
    await shot(page, 'oficio-duplicado');
    await page.check('#f-confirmarDuplicado');
    await go(page, button(page, 'Registrar y emitir acuse'));
    expect(page.url()).toMatch(/\/tramites\/[0-9a-f-]{36}\?aviso=registrado$/);
    duplicateCase = caseIdOf(page);
    expect(duplicateCase).not.toBe(blockCase);

    await page.goto(`${t.base}/oficios`);
    const rows = page.locator('table tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await page.textContent('table')).toContain(folio);
  });

  it('Subjefatura: the task in its inbox, claims it, receives the oficio, picks the account, confirms the block; the queue does the rest', async () => {
    const page = await signIn('sistemas');
    expect(new URL(page.url()).pathname).toBe('/bandeja');
    const row = page.locator('tbody tr', { hasText: 'Recibir oficio turnado' });
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain('Libre');
    await go(page, row.getByRole('button', { name: 'Tomar' }));
    expect(await page.textContent('.ok')).toContain('Tomó la tarea');
    expect(await page.locator('tbody tr', { hasText: 'Recibir oficio turnado' }).textContent()).toContain('Usted');
    expect(
      (await ds().getRepository(Task).findOneByOrFail({ caseId: blockCase, status: 'abierta' })).assigneeId,
    ).toBeTruthy();
    // "Mine" filter keeps it; "free" hides it.
    await page.goto(`${t.base}/bandeja?asignacion=libres`);
    expect(await page.locator('tbody tr', { hasText: 'Recibir oficio turnado' }).count()).toBe(0);
    await page.goto(`${t.base}/bandeja?asignacion=mias`);
    await shot(page, 'bandeja-tomada');

    await go(page, page.locator('a.tarea', { hasText: 'Recibir oficio turnado' }));
    expect(caseIdOf(page)).toBe(blockCase);
    await go(page, button(page, 'Recibir oficio'));
    // The oficio named the account: the search is already done.
    const form = page.locator('#a-bloquear');
    expect(await form.locator('input[name=buscarCuenta]').inputValue()).toBe(ACCOUNT);
    await form.getByLabel(ACCOUNT).check();
    await shot(page, 'tramite-buscar-cuenta');
    await go(page, form.getByRole('button', { name: 'Bloquear cuenta' }));
    expect(await page.textContent('.alerta')).toContain(ACCOUNT);
    await shot(page, 'tramite-confirmar');
    await go(page, button(page, 'Confirmar bloqueo'));
    // Provisioning and the reply letter run in the queue; the page refreshes itself meanwhile.
    await button(page, 'Enviar a la Subdirección').waitFor({ timeout: 30_000 });
    expect((await ds().getRepository(Cuenta).findOneByOrFail({ direccion: ACCOUNT })).estado).toBe('bloqueada');
    const reply = page.locator('ul.documentos a', { hasText: 'Oficio de respuesta' });
    expect(await reply.count()).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), reply.click()]);
    const file = readFileSync(await download.path());
    expect(file.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(download.suggestedFilename()).toMatch(/^oficio-SSST-\d{4}-\d{4}\.pdf$/);
    const log = await page.textContent('.bitacora');
    for (const label of [
      'Recibir oficio',
      'Bloquear cuenta',
      'Confirmar bloqueo',
      'Cuenta lista',
      'Oficio de respuesta firmado',
    ])
      expect(log).toContain(label);
    expect(log).toContain('Jorge Alberto Mendoza Cruz');
    // The data of each movement by their names: the account by its address, no keys, no ISO instants.
    expect(await page.textContent('.bitacora tr:has-text("Bloquear cuenta") td[data-etiqueta="Acción"] small')).toBe(
      `Cuenta: ${ACCOUNT}`,
    );
    expect(log).not.toMatch(/cuentaId|\d{4}-\d{2}-\d{2}T\d{2}/);
    await shot(page, 'tramite-respuesta');

    const phone = await signIn('sistemas', { viewport: PHONE, isMobile: true, hasTouch: true });
    await phone.goto(`${t.base}/tramites/${blockCase}`);
    await phone.screenshot({ path: `${SCREENS}/personal-tramite-telefono.png`, fullPage: false });
    await phone.goto(`${t.base}/bandeja`);
    await phone.screenshot({ path: `${SCREENS}/personal-bandeja-telefono.png`, fullPage: true });
    // Nothing wider than the phone's screen but the diagram's own scroll box.
    expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
  });

  it('a page read before someone else acted gets the 409 message and the current state', async () => {
    const ctx = (await signIn('oficialia')).context();
    const first = await ctx.newPage();
    const second = await ctx.newPage();
    await first.goto(`${t.base}/tramites/${duplicateCase}`);
    await second.goto(`${t.base}/tramites/${duplicateCase}`);
    await go(second, button(second, 'Turnar a la Subjefatura de Sistemas'));
    expect(await second.textContent('.ok')).toContain('Listo');
    await go(first, button(first, 'Turnar a la Subjefatura de Sistemas'));
    expect(await first.textContent('.error')).toBe(
      'El trámite cambió desde que lo consultó (otra persona o el sistema actuó antes). Recargue para ver su estado actual e intente de nuevo.',
    );
    expect(await first.locator('button', { hasText: 'Turnar a la Subjefatura de Sistemas' }).count()).toBe(0);
    await shot(first, 'tramite-409');
    expect(await ds().getRepository(Movement).countBy({ caseId: duplicateCase, eventType: 'TURNAR' })).toBe(1);
  });

  it('refuses a form without its token', async () => {
    const page = await signIn('sistemas');
    const task = await ds().getRepository(Task).findOneByOrFail({ caseId: duplicateCase, status: 'abierta' });
    const res = await page
      .context()
      .request.post(`${t.base}/bandeja/tareas/${task.id}/tomar`, { form: { volver: '' }, maxRedirects: 0 });
    expect(res.status()).toBe(403);
    expect(await res.text()).toContain('El formulario no es válido');
    expect((await ds().getRepository(Task).findOneByOrFail({ id: task.id })).assigneeId).toBeNull();
  });

  it('inbox: «vencido» and «falta poco» badges, priority, the overdue filter', async () => {
    const overdue = await ds().getRepository(Task).findOneByOrFail({ caseId: duplicateCase, status: 'abierta' });
    const soon = await ds().getRepository(Task).findOneByOrFail({ caseId: blockCase, status: 'abierta' });
    const now = Date.now();
    await ds()
      .getRepository(Task)
      .update(
        { id: overdue.id },
        { warnAt: new Date(now - 2 * 86_400_000), dueAt: new Date(now - 3_600_000), priority: 1 },
      );
    await ds()
      .getRepository(Task)
      .update({ id: soon.id }, { warnAt: new Date(now - 3_600_000), dueAt: new Date(now + 3_600_000) });
    const page = await signIn('sistemas');
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(2);
    // The one due first comes first.
    expect(await rows.nth(0).textContent()).toContain('Vencido');
    expect(await rows.nth(0).textContent()).toContain('Prioridad alta');
    expect(await rows.nth(0).getAttribute('class')).toBe('fila-vencida');
    expect(await rows.nth(1).textContent()).toContain('Falta poco');
    expect(await rows.nth(1).textContent()).not.toContain('Vencido');
    await shot(page, 'bandeja-insignias');
    await page.click('details.filtros summary');
    await page.check('#f-vencidas');
    await go(page, button(page, 'Filtrar'));
    expect(new URL(page.url()).searchParams.get('vencidas')).toBe('true');
    expect(await rows.count()).toBe(1);
    expect(await rows.nth(0).textContent()).toContain('Vencido');
  });

  it('5.4: a wrong CURP comes back with the form kept; «Usar» fills the new holder; the confirmation names both holders', async () => {
    const clerk = await signIn('oficialia');
    await registerOficio(clerk, {
      procedimiento: 'cuenta-reasignar',
      numero: 'DB/0031/2026',
      area: 'Dirección de Becas',
      cuentas: SHARED,
      asunto: `Reasignación de la cuenta ${SHARED}`,
    });
    const id = caseIdOf(clerk);
    await go(clerk, button(clerk, 'Turnar a la Subjefatura de Sistemas'));

    const sj = await signIn('sistemas');
    await sj.goto(`${t.base}/tramites/${id}`);
    await go(sj, button(sj, 'Recibir oficio'));
    const form = sj.locator('#a-reasignar');
    await form.getByLabel(SHARED).check();
    await form.locator('input[name=newCurp]').fill('VICE800101HCMLLR0');
    await go(sj, form.getByRole('button', { name: 'Reasignar cuenta' }));
    // Beside the field (its label already names it), and in the summary at the top, linked to it.
    expect(await sj.textContent('#a-reasignar-newCurp-error')).toMatch(/^Error: La CURP debe tener 18 caracteres/);
    expect(await sj.getAttribute('#a-reasignar-newCurp', 'aria-invalid')).toBe('true');
    expect(await sj.getAttribute('#a-reasignar-newCurp', 'aria-describedby')).toBe('a-reasignar-newCurp-error');
    expect(await sj.textContent('.error a[href="#a-reasignar-newCurp"]')).toBe('CURP del nuevo titular');
    expect(await sj.locator('#a-reasignar').getByLabel(SHARED).isChecked()).toBe(true);
    expect(await sj.inputValue('#a-reasignar-newCurp')).toBe('VICE800101HCMLLR0');
    // Find the worker and use it: with script, the field fills without leaving the page.
    await sj.fill('#a-reasignar-buscarTrabajador', 'Itzel Cárdenas');
    await go(sj, sj.locator('#a-reasignar button[name=_buscar][value=trabajador]'));
    expect(await sj.inputValue('#a-reasignar-newCurp')).toBe('VICE800101HCMLLR0');
    const url = sj.url();
    await sj.locator('#a-reasignar li', { hasText: newHolder.curp }).getByRole('button', { name: 'Usar' }).click();
    expect(sj.url()).toBe(url);
    expect(await sj.inputValue('#a-reasignar-newCurp')).toBe(newHolder.curp);
    await shot(sj, 'tramite-reasignar');
    await go(sj, sj.locator('#a-reasignar').getByRole('button', { name: 'Reasignar cuenta' }));
    const alert = await sj.textContent('.alerta');
    expect(alert).toContain(SHARED);
    expect(alert).toContain(`Titular actual${previousCurp}`);
    expect(alert).toContain(`Nuevo titular${newHolder.curp}`);
    await go(sj, button(sj, 'Confirmar reasignación'));
    await button(sj, 'Enviar a la Subdirección').waitFor({ timeout: 30_000 });
    expect((await ds().getRepository(Cuenta).findOneByOrFail({ direccion: SHARED })).titularCurp).toBe(newHolder.curp);
    const moved = await ds().getRepository(Movement).findOneByOrFail({ caseId: id, eventType: 'REASIGNAR' });
    expect(JSON.parse(moved.data)).toMatchObject({ newCurp: newHolder.curp, previousCurp });
  });

  it('5.3.1: Servicio or Función, the worker, the account name «sin dominio» checked by the address rules before anything runs', async () => {
    const clerk = await signIn('oficialia');
    await registerOficio(clerk, {
      procedimiento: 'servicio-alta',
      numero: 'DB/0040/2026',
      area: 'Dirección de Becas',
      asunto: 'Cuenta de función para la coordinación de becas',
    });
    const id = caseIdOf(clerk);
    await go(clerk, button(clerk, 'Turnar a la Subjefatura de Sistemas'));
    const sj = await signIn('sistemas');
    await sj.goto(`${t.base}/tramites/${id}`);
    await go(sj, button(sj, 'Recibir oficio'));
    await sj.check('#a-crear_cuenta input[name=tipo][value=funcion]');
    await sj.fill('#a-crear_cuenta-curp', newHolder.curp.toLowerCase());
    await sj.fill('#a-crear_cuenta-localPart', 'Becas Colima');
    await go(sj, sj.locator('#a-crear_cuenta').getByRole('button', { name: 'Crear cuenta' }));
    expect(await sj.textContent('#a-crear_cuenta-localPart-error')).toContain('no puede tener espacios');
    expect(await sj.getAttribute('#a-crear_cuenta-localPart', 'aria-describedby')).toBe(
      'a-crear_cuenta-localPart-error a-crear_cuenta-localPart-ayuda a-crear_cuenta-localPart-disponible',
    );
    expect(await sj.isChecked('#a-crear_cuenta input[name=tipo][value=funcion]')).toBe(true);
    expect(await sj.inputValue('#a-crear_cuenta-localPart')).toBe('Becas Colima');
    expect((await ds().getRepository(ProcedureCase).findOneByOrFail({ id })).state).toBe('creacion');
    await sj.fill('#a-crear_cuenta-localPart', 'becas.coordinacion');
    await go(sj, sj.locator('#a-crear_cuenta').getByRole('button', { name: 'Crear cuenta' }));
    await button(sj, 'Enviar a la Subdirección').waitFor({ timeout: 30_000 });
    expect(
      await ds().getRepository(Cuenta).findOneByOrFail({ direccion: 'becas.coordinacion@colima.gob.mx' }),
    ).toMatchObject({ tipo: 'funcion', titularCurp: newHolder.curp });
    expect(await sj.textContent('.datos:last-of-type')).toContain('Función: becas.coordinacion@colima.gob.mx');
  });

  it('5.2.1 without JavaScript: the school is found and used, the reply reaches Primaria only; Secundaria neither sees the task nor the case', async () => {
    const clerk = await signIn('oficialia');
    await registerOficio(clerk, {
      procedimiento: 'centro-trabajo-alta',
      numero: 'DEP/0101/2026',
      nivel: 'PRIMARIA',
      cct: CCT,
      asunto: 'Solicitud de cuenta de correo para la escuela primaria "Benito Juárez"',
    });
    const id = caseIdOf(clerk);
    await go(clerk, button(clerk, 'Turnar a la Subjefatura de Sistemas'));

    const sj = await signIn('sistemas', { javaScriptEnabled: false });
    await sj.goto(`${t.base}/tramites/${id}`);
    await go(sj, button(sj, 'Recibir oficio'));
    const form = sj.locator('#a-crear_cuenta');
    expect(await form.locator('input[name=buscarCentro]').inputValue()).toBe(CCT);
    expect(await form.textContent()).toContain('Rocío Guadalupe Peña Ochoa');
    await go(sj, form.getByRole('button', { name: 'Usar' }));
    expect(await sj.inputValue('#a-crear_cuenta-cct')).toBe(CCT);
    expect(await sj.inputValue('#a-crear_cuenta-directorCurp')).toMatch(/^[A-Z]{4}\d{6}[HM]CM/);
    await shot(sj, 'tramite-crear-centro');
    await go(sj, sj.locator('#a-crear_cuenta').getByRole('button', { name: 'Crear cuenta' }));
    await button(sj, 'Enviar a la Subdirección').waitFor({ timeout: 30_000 });
    await go(sj, button(sj, 'Enviar a la Subdirección'));

    await clerk.goto(`${t.base}/tramites/${id}`);
    await go(clerk, button(clerk, 'Canalizar al nivel'));

    // The other level: nothing in its inbox, and the case does not exist for it.
    const sec = await signIn('secundaria');
    expect(await sec.textContent('.resumen')).toBe('No hay tareas abiertas con estos filtros.');
    const res = await sec.goto(`${t.base}/tramites/${id}`);
    expect(res?.status()).toBe(404);
    expect(await sec.textContent('.error')).toContain('no existe o no tiene acceso');

    // Primaria, sent to sign in by the link, lands on the case; its inbox has the task.
    const prim = await (await context()).newPage();
    await prim.goto(`${t.base}/tramites/${id}`);
    expect(new URL(prim.url()).pathname).toBe('/personal/entrar');
    await prim.fill('#f-usuario', 'primaria');
    await prim.fill('#f-contrasena', STAFF_PASSWORD);
    await go(prim, button(prim, 'Entrar'));
    expect(caseIdOf(prim)).toBe(id);
    expect(await prim.locator('ul.documentos a', { hasText: 'Oficio de respuesta' }).count()).toBe(1);
    await go(prim, button(prim, 'Firmar y sellar de recibido'));
    expect(await prim.textContent('.ok')).toBe('Listo: «Firmar y sellar de recibido».');
    // Next, still the Nivel's: pass the access data on to the school (Guía 5.2.1 paso 13).
    expect((await ds().getRepository(ProcedureCase).findOneByOrFail({ id })).state).toBe('entregaEscuela');
    expect(await prim.locator('.acciones button').count()).toBe(1);
    await prim.goto(`${t.base}/bandeja`);
    const folio = (await ds().getRepository(ProcedureCase).findOneByOrFail({ id })).folio!;
    expect(await prim.locator('tbody tr', { hasText: folio }).count()).toBe(1);
    await shot(prim, 'bandeja-nivel');
  });
});
