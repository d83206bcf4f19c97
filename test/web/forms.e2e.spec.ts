import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { LessThan, MoreThan } from 'typeorm';
import { StaffSession } from '../../src/auth/staff-session.entity';
import { addNiveles, scannedOficio } from '../oficios/support';
import { launchBrowser } from '../support/browser';
import { createStaff, STAFF_PASSWORD } from '../support/staff';
import type { TestApp } from '../support/test-app';
import { createWebApp } from './support';

/** Issue 12 §5 «Forms that help»: errors beside their fields, in the form's words, in a real browser (Chromium). */
describe('forms that help (Chromium)', () => {
  let t: TestApp & { base: string };
  let browser: Browser;
  let pdf: Buffer;
  const contexts: BrowserContext[] = [];

  const context = async (opts: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> => {
    const c = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'es-MX', ...opts });
    contexts.push(c);
    return c;
  };
  const go = async (page: Page, target: Locator): Promise<void> => {
    await Promise.all([page.waitForEvent('load'), target.click()]);
  };
  const button = (page: Page, name: string): Locator => page.getByRole('button', { name, exact: true });
  const signIn = async (usuario: string): Promise<Page> => {
    const page = await (await context()).newPage();
    await page.goto(`${t.base}/personal/entrar`);
    await page.fill('#f-usuario', usuario);
    await page.fill('#f-contrasena', STAFF_PASSWORD);
    await go(page, button(page, 'Entrar'));
    return page;
  };
  /** Lets the server, not the browser, judge what was typed (as a browser without validation would send it). */
  const skipBrowserChecks = (page: Page) =>
    page.evaluate(`document.querySelectorAll('form').forEach((f) => { f.noValidate = true; })`);
  /** What a screen reader hears for a field: its error, by the ids aria-describedby names. */
  const describedBy = async (page: Page, selector: string): Promise<string> => {
    const ids = ((await page.getAttribute(selector, 'aria-describedby')) ?? '').split(' ').filter(Boolean);
    const texts = await Promise.all(ids.map((id) => page.textContent(`[id="${id}"]`)));
    return texts.join(' | ');
  };

  beforeAll(async () => {
    t = await createWebApp();
    browser = await launchBrowser();
    await addNiveles(t.db.dataSource);
    await createStaff(t.db.dataSource, 'admin', 'administrador', { nombre: 'Adriana Torres Vizcaíno' });
    await createStaff(t.db.dataSource, 'oficialia', 'subdireccion', { nombre: 'María Fernanda Ochoa Larios' });
    await createStaff(t.db.dataSource, 'sistemas', 'subjefatura', { nombre: 'Jorge Alberto Mendoza Cruz' });
    pdf = await scannedOficio('Oficio DEP/0457/2026. Solicitud de cuenta para una escuela.');
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('«Registrar oficio»: each problem beside its field, named as the form names it, with the values kept', async () => {
    const page = await signIn('oficialia');
    await page.goto(`${t.base}/oficios/nuevo`);
    await page.selectOption('#f-procedimiento', 'centro-trabajo-alta');
    await page.fill('#f-numeroOficio', '   ');
    await page.fill('#f-remitenteNombre', 'Profr. José Ángel Núñez Ceballos');
    await page.fill('#f-remitenteCargo', 'Director de Educación Primaria');
    await page.fill('#f-asunto', '');
    await page.fill('#f-cct', '06DPR0012X');
    await page.setInputFiles('#f-archivo', { name: 'oficio.pdf', mimeType: 'application/pdf', buffer: pdf });
    await skipBrowserChecks(page);
    await go(page, button(page, 'Registrar y emitir acuse'));

    // The form's own checks: one message per field, each once.
    expect(new URL(page.url()).pathname).toBe('/oficios/nuevo');
    const summary = page.locator('#errores');
    expect(await summary.getAttribute('role')).toBe('alert');
    expect(await summary.locator('li').allTextContents()).toEqual([
      'Número del oficio: Indique el número del oficio recibido.',
      'Asunto: Indique el asunto del oficio.',
    ]);
    expect(await summary.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual([
      '#f-numeroOficio',
      '#f-asunto',
    ]);
    expect(await page.getAttribute('#f-numeroOficio', 'aria-invalid')).toBe('true');
    expect(await describedBy(page, '#f-numeroOficio')).toBe(
      'Error: Indique el número del oficio recibido. | El que asignó el remitente, p. ej. DEP/0457/2026.',
    );
    expect(await page.getAttribute('#f-remitenteNombre', 'aria-invalid')).toBeNull();
    expect(await page.inputValue('#f-remitenteNombre')).toBe('Profr. José Ángel Núñez Ceballos');
    expect(await page.inputValue('#f-procedimiento')).toBe('centro-trabajo-alta');
    // The link of the summary takes the cursor to the field.
    await summary.getByRole('link', { name: 'Asunto' }).click();
    expect(await page.evaluate('document.activeElement.id')).toBe('f-asunto');

    // The service's refusal (a school's account without its level) lands on «Nivel que solicita», in the form's words.
    await page.fill('#f-numeroOficio', 'DEP/0457/2026');
    await page.fill('#f-asunto', 'Cuenta de correo para la escuela primaria «Benito Juárez»');
    await page.fill('#f-area', 'Dirección de Educación Primaria');
    await page.setInputFiles('#f-archivo', { name: 'oficio.pdf', mimeType: 'application/pdf', buffer: pdf });
    await go(page, button(page, 'Registrar y emitir acuse'));
    expect(await summary.locator('li').allTextContents()).toEqual([
      'Nivel que solicita: La cuenta de un centro de trabajo la solicita su nivel (Guía 5.2.1): elija el nivel que solicita.',
    ]);
    expect(await page.getAttribute('#f-nivel', 'aria-invalid')).toBe('true');
    expect(await page.textContent('#f-nivel-error')).toContain('elija el nivel que solicita');
    const main = (await page.textContent('main'))!;
    expect(main).not.toMatch(/«nivel»|«area»|centro-trabajo-alta/);
    expect(await page.inputValue('#f-cct')).toBe('06DPR0012X');
    expect(await page.getAttribute('#f-numeroOficio', 'aria-invalid')).toBeNull();
    // The scan is kept: nothing to choose again.
    expect(main).toContain('Se conserva el archivo «oficio.pdf»');
    expect(await page.getAttribute('#f-archivo', 'required')).toBeNull();

    // A procedure that is not in the list: the page's words, not the list of ids.
    await skipBrowserChecks(page);
    await page.evaluate(
      `(() => { const s = document.querySelector('#f-procedimiento'); s.add(new Option('Otro', 'inventado')); s.value = 'inventado'; })()`,
    );
    await page.selectOption('#f-nivel', 'PRIMARIA');
    await go(page, button(page, 'Registrar y emitir acuse'));
    expect(await summary.locator('li').allTextContents()).toEqual([
      'Qué solicita el oficio: Elija en la lista qué solicita el oficio.',
    ]);
    expect(await page.textContent('main')).not.toContain('centro-trabajo-alta,');

    // Right at last: the case's movement log names the data (level, oficio, dates) as people read them.
    await page.selectOption('#f-procedimiento', 'centro-trabajo-alta');
    const [y, m, d] = (await page.inputValue('#f-fechaOficio')).split('-');
    await go(page, button(page, 'Registrar y emitir acuse'));
    expect(new URL(page.url()).pathname).toMatch(/^\/tramites\/[0-9a-f-]{36}$/);
    const opening = (await page.textContent('.bitacora tbody tr:first-child td[data-etiqueta="Acción"] small'))!;
    expect(opening).toContain(`Oficio: Número DEP/0457/2026, Fecha ${d}/${m}/${y}, Asunto Cuenta de correo`);
    expect(opening).toContain('Nivel: Primaria');
    expect(opening).toContain('CCT: 06DPR0012X');
    expect(await page.textContent('.bitacora')).not.toMatch(/PRIMARIA|folio|\d{4}-\d{2}-\d{2}/);
    expect(await page.textContent('.datos')).toContain('Primaria (Dirección de Educación Primaria)');
  });

  it('users, sign-in and password: the errors beside the fields they are about', async () => {
    const admin = await signIn('admin');
    await admin.fill('#f-usuario', 'Ana Pérez');
    await admin.fill('#f-nombre', 'Ana Pérez Gómez');
    await admin.selectOption('#f-rol', 'nivel');
    await skipBrowserChecks(admin);
    await go(admin, button(admin, 'Crear usuario'));
    expect(await admin.locator('#errores li').allTextContents()).toEqual([
      'Usuario: El usuario lleva de 3 a 60 minúsculas, números, punto, guion o guion bajo.',
    ]);
    expect(await admin.getAttribute('#f-usuario', 'aria-invalid')).toBe('true');
    expect(await admin.inputValue('#f-nombre')).toBe('Ana Pérez Gómez');
    await admin.fill('#f-usuario', 'ana.perez');
    await go(admin, button(admin, 'Crear usuario'));
    // A Nivel user without its level: the level's field, not the key «nivel» nor the list of roles.
    expect(await admin.locator('#errores li').allTextContents()).toEqual([
      'Nivel: Para el rol Nivel, elija el nivel en la lista.',
    ]);
    expect(await admin.getAttribute('#f-nivel', 'aria-invalid')).toBe('true');
    expect(await admin.getAttribute('#f-usuario', 'aria-invalid')).toBeNull();

    // The password form: the confirmation that does not match is the confirmation's problem.
    await admin.goto(`${t.base}/personal/contrasena`);
    await admin.fill('#f-actual', STAFF_PASSWORD);
    await admin.fill('#f-nueva', 'una frase larga de varias palabras');
    await admin.fill('#f-confirmacion', 'otra frase distinta');
    await go(admin, button(admin, 'Cambiar contraseña'));
    expect(await admin.getAttribute('#f-confirmacion', 'aria-invalid')).toBe('true');
    expect(await admin.textContent('#f-confirmacion-error')).toBe(
      'Error: La confirmación no coincide con la nueva contraseña.',
    );

    // Sign-in with empty fields: each field says it; a wrong password stays one message for both.
    const page = await (await context()).newPage();
    await page.goto(`${t.base}/personal/entrar`);
    await skipBrowserChecks(page);
    await go(page, button(page, 'Entrar'));
    expect(await page.textContent('#f-usuario-error')).toBe('Error: Escriba su usuario.');
    expect(await page.textContent('#f-contrasena-error')).toBe('Error: Escriba su contraseña.');
    await page.fill('#f-usuario', 'admin');
    await page.fill('#f-contrasena', 'no-es-la-contrasena');
    await go(page, button(page, 'Entrar'));
    expect(await page.textContent('.error')).toBe('Usuario o contraseña incorrectos.');
    expect(await page.locator('[aria-invalid]').count()).toBe(0);
  });

  it('every layout opens with «Saltar al contenido», the first Tab stop, which moves the focus to the main landmark', async () => {
    const page = await signIn('oficialia');
    // A staff page and a public one (the sign-in page puts the focus on «Usuario» itself).
    for (const path of ['/bandeja', '/correo']) {
      await page.goto(`${t.base}${path}`);
      const skip = page.locator('a.saltar');
      // Out of sight until it has the focus.
      expect((await skip.boundingBox())!.y).toBeLessThan(0);
      await page.keyboard.press('Tab');
      expect([path, await page.evaluate('document.activeElement.textContent')]).toEqual([path, 'Saltar al contenido']);
      expect((await skip.boundingBox())!.y).toBeGreaterThanOrEqual(0);
      await page.keyboard.press('Enter');
      expect(await page.evaluate('document.activeElement.tagName + "#" + document.activeElement.id')).toBe(
        'MAIN#contenido',
      );
      expect(await page.getByRole('main').count()).toBe(1);
    }
  });

  it('an expired session: the sign-in page says so and brings the person back to the page they were on', async () => {
    const sessions = () => t.db.dataSource.getRepository(StaffSession);
    // A new session ends after the configured idle time (30 min by default), not 10 h later.
    const before = Date.now();
    const page = await signIn('oficialia');
    const fresh = await sessions().findOneByOrFail({ createdAt: MoreThan(new Date(before - 1000)) });
    expect(fresh.expiresAt.getTime() - fresh.createdAt.getTime()).toBe(30 * 60_000);
    /** What the server decides once the idle time has passed. */
    const expireAll = () => sessions().update({ expiresAt: MoreThan(new Date(0)) }, { expiresAt: new Date(0) });

    await page.goto(`${t.base}/oficios?asunto=cuenta`);
    await expireAll();
    await page.reload();
    expect(new URL(page.url()).pathname).toBe('/personal/entrar');
    expect(await page.textContent('main [role=status]')).toBe('Su sesión expiró; entre de nuevo.');
    await page.fill('#f-usuario', 'oficialia');
    await page.fill('#f-contrasena', STAFF_PASSWORD);
    await go(page, button(page, 'Entrar'));
    expect(page.url()).toBe(`${t.base}/oficios?asunto=cuenta`);

    // A form posted after the session ended: back to the page it was posted from.
    await page.goto(`${t.base}/oficios/nuevo`);
    await expireAll();
    await page.selectOption('#f-procedimiento', 'cuenta-bloquear');
    await skipBrowserChecks(page);
    await go(page, button(page, 'Registrar y emitir acuse'));
    expect(new URL(page.url()).pathname).toBe('/personal/entrar');
    expect(await page.textContent('main [role=status]')).toBe('Su sesión expiró; entre de nuevo.');
    expect(await page.inputValue('input[name=siguiente]')).toBe('/oficios/nuevo');
    expect(await sessions().count({ where: { expiresAt: LessThan(new Date(1000)) } })).toBeGreaterThan(0);

    // No session at all: no word of expiry. Only a path of this site is a place to come back to.
    const stranger = await (await context()).newPage();
    await stranger.goto(`${t.base}/bandeja`);
    expect(await stranger.locator('main [role=status]').count()).toBe(0);
    await stranger.goto(`${t.base}/personal/entrar?siguiente=//otro.example/robar`);
    expect(await stranger.inputValue('input[name=siguiente]')).toBe('');
    await stranger.fill('#f-usuario', 'oficialia');
    await stranger.fill('#f-contrasena', STAFF_PASSWORD);
    await go(stranger, button(stranger, 'Entrar'));
    expect(new URL(stranger.url()).host).toBe(new URL(t.base).host);
    expect(new URL(stranger.url()).pathname).toBe('/bandeja');
  });

  it('the inbox «Paso» filter: each option names its procedure, so none reads like another', async () => {
    const page = await signIn('sistemas');
    await page.goto(`${t.base}/bandeja`);
    const options = (await page.locator('#f-paso option').allTextContents()).slice(1);
    const incidents = options.filter((o) => o.startsWith('Atender incidente'));
    expect(incidents.length).toBeGreaterThan(1);
    expect(new Set(options).size).toBe(options.length);
    expect(incidents).toContain('Atender incidente del servicio — Bloqueo de una cuenta de correo institucional');
    // The one chosen is what a closed list shows: it says which procedure.
    const value = await page.locator('#f-paso option', { hasText: incidents[0] }).getAttribute('value');
    await page.goto(`${t.base}/bandeja?paso=${encodeURIComponent(value!)}`);
    expect(await page.locator('#f-paso option:checked').textContent()).toBe(incidents[0]);
  });
});
