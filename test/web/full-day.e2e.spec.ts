/**
 * A working day through the pages (issue 12), in a real browser (Chromium), on the embedded app: the clerk registers
 * oficios with their scans and finds one again; the Subjefatura rejects one (the signed «rechazada» reply) and fixes a
 * taken account name from the incident of another; a month later the Nivel finds its letter in «Mis oficios»; an administrator
 * imports a catalog, adds a holiday and reads the dashboard. Only the setup (staff users, catalogs, an account made
 * outside the system) and the wait for the queue (settle) skip the pages. Every page is captured on desktop and phone
 * (tmp/screens/dia-*.png) and nothing may be wider than the screen.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { CatalogImportJobs } from '../../src/catalog/import/import-jobs';
import { LocalDirectoryProvider } from '../../src/provisioning/providers/local/local-directory.provider';
import { mexicoCityParts } from '../../src/letters/fecha';
import { Oficio } from '../../src/oficios/entities/oficio.entity';
import { addNiveles, scannedOficio, settle } from '../oficios/support';
import { launchBrowser } from '../support/browser';
import { addWorker } from '../support/pipeline';
import { workerLine, workersCsv } from '../support/catalog-csv';
import { createStaffCast, STAFF_PASSWORD } from '../support/staff';
import type { TestApp } from '../support/test-app';
import { createWebApp } from './support';

jest.setTimeout(600_000);

const SCREENS = 'tmp/screens';
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };
const FOLIO = /SSST-\d{4}-\d{6}/;
const WAIT = 60_000;
/** Every fakeable API but Date: only the wall clock moves. */
const NOT_DATE: Extract<Parameters<typeof jest.useFakeTimers>[0], { doNotFake?: unknown }>['doNotFake'] = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
];

describe('a working day through the pages (Chromium)', () => {
  let t: TestApp & { base: string };
  let browser: Browser;
  let pdf: Buffer;
  const ds = () => t.db.dataSource;
  const contexts: BrowserContext[] = [];
  const caseOf = (id: string) => ds().getRepository(ProcedureCase).findOneByOrFail({ id });
  const caseIdOf = (page: Page): string => /\/tramites\/([0-9a-f-]{36})/.exec(page.url())?.[1] ?? '';
  const button = (scope: Page | Locator, name: string | RegExp): Locator =>
    scope.getByRole('button', { name, exact: typeof name === 'string' });

  /** Clicks something that submits a form or follows a link, and waits for the next page to load. */
  const go = async (page: Page, target: Locator): Promise<void> => {
    await Promise.all([page.waitForEvent('load', { timeout: WAIT }), target.click({ timeout: WAIT })]);
  };
  /** A person signed in on a desktop and on a phone. */
  interface Person {
    desk: Page;
    phone: Page;
  }
  const signInOn = async (usuario: string, viewport: typeof DESKTOP, mobile: boolean): Promise<Page> => {
    const c = await browser.newContext({ viewport, locale: 'es-MX', isMobile: mobile, hasTouch: mobile });
    contexts.push(c);
    const page = await c.newPage();
    page.setDefaultTimeout(WAIT);
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${t.base}/personal/entrar`);
    await page.getByLabel('Usuario').fill(usuario);
    await page.getByLabel('Contraseña').fill(STAFF_PASSWORD);
    await go(page, button(page, 'Entrar'));
    expect(new URL(page.url()).pathname).not.toBe('/personal/entrar');
    return page;
  };
  const signIn = async (usuario: string): Promise<Person> => ({
    desk: await signInOn(usuario, DESKTOP, false),
    phone: await signInOn(usuario, PHONE, true),
  });
  const widthOk = async (page: Page, width: number, name: string): Promise<void> => {
    const scroll = await page.evaluate<number>('document.documentElement.scrollWidth');
    if (scroll > width)
      throw new Error(`dia-${name}: la página mide ${scroll} px de ancho en una pantalla de ${width}`);
  };
  /** The desktop page as it is, and the same address on the phone: both captured, neither wider than its screen. */
  const snap = async (who: Person, name: string): Promise<void> => {
    await who.desk.screenshot({ path: `${SCREENS}/dia-${name}-escritorio.png`, fullPage: true });
    await widthOk(who.desk, DESKTOP.width, `${name}-escritorio`);
    await who.phone.goto(who.desk.url());
    await who.phone.screenshot({ path: `${SCREENS}/dia-${name}-telefono.png`, fullPage: true });
    await widthOk(who.phone, PHONE.width, `${name}-telefono`);
    const hidden = await who.phone.evaluate<string[]>(
      `[...document.querySelectorAll('.menu a')].filter((a) => a.getBoundingClientRect().right > innerWidth).map((a) => a.textContent.trim())`,
    );
    if (hidden.length) throw new Error(`dia-${name}-telefono: el menú deja fuera de la pantalla ${hidden.join(', ')}`);
  };
  /** Lets the queue run (acuses, letters, provisioning) and reloads until something shows up. */
  const settleUntil = async (page: Page, what: Locator, timeout = 120_000): Promise<void> => {
    const until = Date.now() + timeout;
    for (;;) {
      await settle(t);
      // The case page refreshes itself while work is queued: a reload that races it is simply tried again.
      await page.goto(page.url()).catch(() => undefined);
      await page.waitForLoadState().catch(() => undefined);
      if (await what.count()) return;
      if (Date.now() > until) throw new Error(`no apareció a tiempo en ${page.url()}`);
      await page.waitForTimeout(500);
    }
  };

  /** The list's filters are folded on a narrow screen or until asked for: opens them when they are. */
  const openFilters = async (page: Page): Promise<void> => {
    const folded = page.locator('details:not([open])', { has: page.locator('form') });
    if (await folded.count()) await folded.locator('summary').first().click();
  };
  /** The clerk's «Registrar oficio» form, filled by label, with the scan attached; returns the new case's id. */
  const registerOficio = async (
    page: Page,
    f: { procedimiento: string; numero: string; remitente: string; nivel?: string; area?: string; asunto: string },
  ): Promise<string> => {
    await go(page, page.getByRole('link', { name: 'Registrar oficio' }));
    expect(new URL(page.url()).pathname).toBe('/oficios/nuevo');
    await page.getByLabel('Qué solicita el oficio').selectOption(f.procedimiento);
    await page.getByLabel('Número del oficio').fill(f.numero);
    await page.getByLabel('Nombre de quien firma').fill(f.remitente);
    await page.getByLabel('Cargo de quien firma').fill('Jefa del Departamento');
    if (f.nivel) await page.getByLabel('Nivel que solicita').selectOption(f.nivel);
    if (f.area) await page.getByLabel('Área solicitante').fill(f.area);
    await page.getByLabel('Asunto').fill(f.asunto);
    await page.getByLabel('Fojas').fill('1');
    await page
      .locator('input[type=file][name=archivo]')
      .setInputFiles({ name: 'oficio-escaneado.pdf', mimeType: 'application/pdf', buffer: pdf });
    await go(page, button(page, 'Registrar y emitir acuse'));
    expect(page.url()).toMatch(/\/tramites\/[0-9a-f-]{36}\?aviso=registrado$/);
    return caseIdOf(page);
  };

  let taker = { curp: '' };
  let otherWorker = { curp: '' };

  beforeAll(async () => {
    mkdirSync(SCREENS, { recursive: true });
    // The queue runs only when the test lets it (settle), so the walk can make a name taken in between.
    t = await createWebApp({ RELAY_INTERVAL_MS: '60000' });
    browser = await launchBrowser();
    await addNiveles(ds());
    await createStaffCast(ds());
    taker = await addWorker(ds(), { nombre: 'Laura Elena', primerApellido: 'Villalobos' });
    otherWorker = await addWorker(ds(), { nombre: 'Héctor', primerApellido: 'Ramírez' });
    pdf = await scannedOficio('Oficio DEP/0312/2026. Solicitud de cuenta de servicio para el programa de lectura.');
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  let rejectCase = '';
  let rejectFolio = '';
  let fixCase = '';

  it('1. the clerk registers oficios with their scans, gets the acuse, and finds one again by «nunez»', async () => {
    const clerk = await signIn('oficialia');
    await snap(clerk, 'oficialia-inicio');
    rejectCase = await registerOficio(clerk.desk, {
      procedimiento: 'servicio-alta',
      numero: 'DEP/0312/2026',
      remitente: 'Profra. Guadalupe Núñez Ibáñez',
      nivel: 'PRIMARIA',
      asunto: 'Cuenta de servicio para el programa de lectura de Primaria',
    });
    rejectFolio = FOLIO.exec((await clerk.desk.locator('.ok').textContent())!)?.[0] ?? '';
    expect(rejectFolio).not.toBe('');
    await settleUntil(clerk.desk, clerk.desk.locator('ul.documentos a', { hasText: 'Acuse de recibo' }));
    await snap(clerk, 'oficio-registrado-acuse');
    await go(clerk.desk, button(clerk.desk, 'Turnar a la Subjefatura de Sistemas'));

    fixCase = await registerOficio(clerk.desk, {
      procedimiento: 'servicio-alta',
      numero: 'BE/0088/2026',
      remitente: 'Mtra. Laura Elena Villalobos Cruz',
      area: 'Programa de Becas',
      asunto: 'Solicitud de cuenta de correo para el programa de becas',
    });
    await settleUntil(clerk.desk, clerk.desk.locator('ul.documentos a', { hasText: 'Acuse de recibo' }));
    await go(clerk.desk, button(clerk.desk, 'Turnar a la Subjefatura de Sistemas'));

    // Later: «Oficios», searched by a part of the sender's name, without its accent.
    await go(clerk.desk, clerk.desk.getByRole('link', { name: 'Oficios', exact: true }));
    await openFilters(clerk.desk);
    await clerk.desk.getByLabel('Remitente o área').fill('nunez');
    await go(clerk.desk, button(clerk.desk, 'Buscar'));
    const rows = clerk.desk.locator('table tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(rejectFolio);
    expect(await rows.first().textContent()).toContain('Núñez');
    await snap(clerk, 'oficios-busqueda');
  });

  it('2. the Subjefatura: the counter, the task, the scan in the case; rejects one oficio and fixes a taken name in the other', async () => {
    const sj = await signIn('sistemas');
    expect(new URL(sj.desk.url()).pathname).toBe('/bandeja');
    const menu = await sj.desk
      .getByRole('link', { name: /Bandeja/ })
      .first()
      .textContent();
    expect(menu).toMatch(/2/);
    await snap(sj, 'bandeja-subjefatura');

    const task = sj.desk.locator('tbody tr', { hasText: rejectFolio }).first();
    await go(sj.desk, task.getByRole('link').first());
    expect(caseIdOf(sj.desk)).toBe(rejectCase);
    const visor = sj.desk.locator('.visor-oficio');
    expect(await visor.count()).toBe(1);
    expect(await visor.getAttribute('src')).toBeTruthy();
    await go(sj.desk, button(sj.desk, 'Recibir oficio'));
    await snap(sj, 'tramite-recibido');
    // On the phone the scan opens in the phone's own viewer (no empty frame), and the diagram opens on the current step.
    expect(await sj.phone.locator('iframe.visor-oficio').isVisible()).toBe(false);
    expect(await sj.phone.getByRole('link', { name: 'Ver el oficio escaneado (PDF)' }).isVisible()).toBe(true);
    const stepInView = `(() => {
      const box = document.querySelector('.svg-caja[data-foco-x]');
      const img = box && box.querySelector('img');
      if (!img || !img.complete || img.offsetWidth <= box.clientWidth) return false;
      const x = Number(box.dataset.focoX) * img.offsetWidth;
      return x >= box.scrollLeft && x <= box.scrollLeft + box.clientWidth;
    })()`;
    // (Polled with evaluate: the pages' CSP refuses waitForFunction's eval.)
    const until = Date.now() + 10_000;
    while (!(await sj.phone.evaluate<boolean>(stepInView))) {
      if (Date.now() > until) throw new Error('el diagrama no muestra el paso actual en el teléfono');
      await sj.phone.waitForTimeout(200);
    }

    // The reject (CANCELAR with its reason): the case ends with the signed «rechazada» reply.
    const cancel = sj.desk.locator('details.accion-secundaria', { has: sj.desk.getByLabel('Motivo') }).first();
    await cancel.locator('summary').click();
    await cancel.getByLabel('Motivo').fill('El programa de lectura ya tiene una cuenta de servicio asignada.');
    await go(sj.desk, cancel.getByRole('button'));
    await settleUntil(sj.desk, sj.desk.locator('ul.documentos a', { hasText: 'Oficio de respuesta' }));
    expect((await caseOf(rejectCase)).state).toMatch(/rechaz|respuesta|envio/i);
    expect(await sj.desk.locator('.bitacora').textContent()).toContain('ya tiene una cuenta de servicio');
    await snap(sj, 'tramite-rechazado');

    // The other: a name free when asked for, taken (outside this system) before the queue provisions it.
    await sj.desk.goto(`${t.base}/tramites/${fixCase}`);
    await go(sj.desk, button(sj.desk, 'Recibir oficio'));
    const create = sj.desk.locator('#a-crear_cuenta');
    await create.getByLabel('Servicio').check();
    await create.getByLabel('CURP del trabajador').fill(taker.curp);
    await create.locator('input[name=localPart]').fill('becas.programa');
    await go(sj.desk, button(create, 'Crear cuenta'));
    await new LocalDirectoryProvider(ds()).create({
      address: 'becas.programa@colima.gob.mx',
      tipo: 'servicio',
      holder: {
        kind: 'trabajador',
        curp: otherWorker.curp,
        givenName: 'Héctor',
        familyName: 'Ramírez Ochoa',
        displayName: 'Becas (cuenta externa)',
      },
      password: 'nadie-la-conoce-xyz-123',
      changeAtNextLogin: false,
    });
    const fix = sj.desk.locator('form', { has: sj.desk.locator('input[name=evento][value=CORREGIR_NOMBRE]') });
    await settleUntil(sj.desk, fix);
    expect((await caseOf(fixCase)).state).toBe('incidente');
    expect(await fix.textContent()).toContain('El nombre «becas.programa» no se pudo usar.');
    await snap(sj, 'tramite-incidente-nombre');
    await fix.locator('input[name=localPart]').fill('becas.estatales');
    await go(sj.desk, fix.getByRole('button').last());
    await settleUntil(sj.desk, button(sj.desk, 'Enviar a la Subdirección'));
    expect((await caseOf(fixCase)).status).toBe('activo');
    expect((await ds().getRepository(Cuenta).findOneByOrFail({ titularCurp: taker.curp })).localPart).toBe(
      'becas.estatales',
    );
    await snap(sj, 'tramite-nombre-corregido');
  });

  it('3. a month later, the Nivel finds the rejection letter in «Mis oficios» under «el mes pasado», and opens it', async () => {
    // Move the rejected case along until it is the Nivel's: the Subjefatura sends it, the Subdirección channels it.
    const sj = await signIn('sistemas');
    await sj.desk.goto(`${t.base}/tramites/${rejectCase}`);
    await settleUntil(sj.desk, button(sj.desk, 'Enviar a la Subdirección'));
    await go(sj.desk, button(sj.desk, 'Enviar a la Subdirección'));
    await settle(t);
    const clerk = await signIn('oficialia');
    await clerk.desk.goto(`${t.base}/tramites/${rejectCase}`);
    await go(clerk.desk, button(clerk.desk, /^(Canalizar al nivel|Enviar al área o nivel solicitante)$/));
    await settle(t);

    // A month later: the application's clock (the process's Date, read by every service) moves to the 10th of the
    // next month in Colima; timers stay real, so the queue and the server run as before. The browser keeps its own
    // clock, as a person's computer would.
    const { recibidoAt } = await ds().getRepository(Oficio).findOneByOrFail({ caseId: rejectCase });
    const got = mexicoCityParts(recibidoAt);
    const nextMonth = got.year * 12 + got.month; // 0-based index of the month after
    const later = new Date(
      `${Math.floor(nextMonth / 12)}-${String((nextMonth % 12) + 1).padStart(2, '0')}-10T12:00:00-06:00`,
    );
    jest.useFakeTimers({ now: later, advanceTimers: true, doNotFake: NOT_DATE });
    try {
      expect(new Date().getTime()).toBeGreaterThanOrEqual(later.getTime());
      const nivel = await signIn('primaria');
      await go(nivel.desk, nivel.desk.getByRole('link', { name: 'Mis oficios' }));
      // This month's register does not hold it; «el mes pasado» does.
      expect(await nivel.desk.locator('table tbody tr', { hasText: rejectFolio }).count()).toBe(1);
      await go(nivel.desk, nivel.desk.getByRole('link', { name: 'este mes' }));
      expect(await nivel.desk.locator('table tbody tr', { hasText: rejectFolio }).count()).toBe(0);
      await go(nivel.desk, nivel.desk.getByRole('link', { name: /^el mes pasado/ }));
      const row = nivel.desk.locator('table tbody tr', { hasText: rejectFolio });
      expect(await row.count()).toBe(1);
      await snap(nivel, 'mis-oficios-nivel');
      await go(nivel.desk, row.getByRole('link').first());
      expect(caseIdOf(nivel.desk)).toBe(rejectCase);
      expect(await nivel.desk.locator('ul.documentos a', { hasText: 'Oficio de respuesta' }).count()).toBe(1);
      await snap(nivel, 'tramite-nivel');
    } finally {
      jest.useRealTimers();
    }
  });

  it('4. the administrator imports a catalog, adds a holiday and reads the dashboard', async () => {
    const admin = await signIn('admin');
    await admin.desk.goto(`${t.base}/admin/importaciones`);
    await snap(admin, 'importaciones');
    await admin.desk.getByLabel('Catálogo').selectOption('trabajadores');
    await admin.desk.getByLabel('El archivo es').selectOption('full');
    await admin.desk.locator('input[type=file][name=archivo]').setInputFiles({
      name: 'capital-humano.csv',
      mimeType: 'text/csv',
      buffer: workersCsv(Array.from({ length: 12 }, (_, i) => workerLine(i))),
    });
    await go(admin.desk, button(admin.desk, 'Importar'));
    expect(new URL(admin.desk.url()).pathname).toMatch(/^\/admin\/importaciones\/[0-9a-f-]{36}$/);
    const estado = admin.desk.locator('#estado');
    const until = Date.now() + 120_000;
    for (;;) {
      await t.app.get(CatalogImportJobs).idle();
      await admin.desk.reload();
      const now = (await estado.textContent())?.trim() ?? '';
      if (now === 'Espera confirmación') {
        await snap(admin, 'importacion-confirmar');
        await go(admin.desk, button(admin.desk, 'Confirmar e importar'));
        continue;
      }
      if (now === 'Terminada') break;
      if (Date.now() > until) throw new Error(`la importación sigue en «${now}»`);
      await admin.desk.waitForTimeout(500);
    }
    expect((await admin.desk.locator('#nuevas').textContent())?.trim()).toBe('12');
    await snap(admin, 'importacion-terminada');

    const nextYear = Number(new Date().getUTCFullYear()) + 1;
    // The first weekday from 10 March (a Saturday in some years: the calendar rightly refuses weekends).
    let day = new Date(`${nextYear}-03-10T12:00:00Z`);
    while (day.getUTCDay() === 0 || day.getUTCDay() === 6) day = new Date(day.getTime() + 86_400_000);
    const fecha = day.toISOString().slice(0, 10);
    await admin.desk.goto(`${t.base}/admin/calendario?anio=${nextYear}`);
    await admin.desk.getByLabel('Desde').fill(fecha);
    await admin.desk.getByLabel('Descripción').fill('Aniversario de la Secretaría');
    await go(admin.desk, button(admin.desk, 'Agregar al calendario'));
    expect(await admin.desk.locator('main').textContent()).toContain('Aniversario de la Secretaría');
    expect(await admin.desk.locator(`[data-fecha="${fecha}"]`).count()).toBe(1);
    await snap(admin, 'calendario');

    await go(admin.desk, admin.desk.getByRole('link', { name: 'Tablero' }));
    expect(new URL(admin.desk.url()).pathname).toBe('/tablero');
    const main = admin.desk.locator('main');
    expect(await main.locator('svg, img').count()).toBeGreaterThan(0);
    expect(await main.textContent()).toContain('Trámites recibidos por nivel');
    await snap(admin, 'tablero');
    // On the phone the charts are the narrow drawings, at about their own size: their text is not shrunk to a few pixels.
    const charts = await admin.phone.evaluate<{ visible: number; scale: number; angosta: boolean }[]>(
      `[...document.querySelectorAll('main svg.grafica')].map((s) => ({
        visible: s.getBoundingClientRect().width,
        scale: s.getBoundingClientRect().width / s.viewBox.baseVal.width,
        angosta: s.classList.contains('angosta'),
      })).filter((c) => c.visible > 0)`,
    );
    expect(charts.length).toBe(4);
    for (const c of charts) expect(c).toMatchObject({ angosta: true, scale: expect.any(Number) });
    expect(Math.min(...charts.map((c) => c.scale))).toBeGreaterThan(0.85);
  });
});
