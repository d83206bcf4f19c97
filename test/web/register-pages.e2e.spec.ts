/**
 * «Mis oficios» and the scanned oficio in a real browser (Chromium), on a desktop and on a phone: a Nivel signs in,
 * opens «Mis oficios» from the menu, finds its oficio with its step and its acuse, and opens the case, where the scan
 * the clerk uploaded is shown inside the page. Nothing is wider than the screen.
 */
import { mkdirSync } from 'node:fs';
import request from 'supertest';
import { SESSION_COOKIE } from '../../src/auth/auth.guard';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { addNiveles, postOficio, scannedOficio } from '../oficios/support';
import { createStaff, login, STAFF_PASSWORD } from '../support/staff';
import type { TestApp } from '../support/test-app';
import { createWebApp } from './support';

jest.setTimeout(180_000);

const SCREENS = 'tmp/screens';

describe('«Mis oficios» and the scanned oficio in the browser', () => {
  let t: TestApp & { base: string };
  let browser: Browser;
  let folio = '';
  let caseId = '';

  beforeAll(async () => {
    t = await createWebApp({ RELAY_INTERVAL_MS: '200' });
    const ds = t.db.dataSource;
    await addNiveles(ds);
    await createStaff(ds, 'oficialia', 'subdireccion');
    await createStaff(ds, 'primaria', 'nivel', { nivelClave: 'PRIMARIA', nombre: 'Profra. Lucía Ramírez' });
    const res = await postOficio(t, await login(t.app, 'oficialia'), await scannedOficio('Solicitud de cuenta.'), {
      procedimiento: 'centro-trabajo-alta',
      numeroOficio: 'DEP/0457/2026',
      fechaOficio: '2026-11-20',
      remitenteNombre: 'Profr. José Ángel Núñez Ceballos',
      remitenteCargo: 'Director de Educación Primaria',
      nivel: 'PRIMARIA',
      asunto: 'Solicitud de cuenta de correo institucional para la escuela primaria «Benito Juárez»',
    }).expect(201);
    folio = res.body.folio as string;
    caseId = res.body.tramite as string;
    browser = await launchBrowser();
    mkdirSync(SCREENS, { recursive: true });
    // The acuse is drawn by the queue: wait for it before looking.
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      const docs = await ds.query<unknown[]>('SELECT id FROM document WHERE case_id = ?', [caseId]);
      if (docs.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const signIn = async (viewport: { width: number; height: number }): Promise<Page> => {
    const page = await browser.newPage({ viewport, locale: 'es-MX' });
    await page.goto(`${t.base}/personal/entrar`);
    await page.fill('#f-usuario', 'primaria');
    await page.fill('#f-contrasena', STAFF_PASSWORD);
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Entrar' }).click()]);
    return page;
  };
  const fits = async (page: Page, width: number) =>
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);

  it.each([
    ['escritorio', { width: 1280, height: 860 }],
    ['telefono', { width: 390, height: 844 }],
  ])('on a %s: the Nivel finds its oficio in «Mis oficios» and sees the scan on the case', async (name, viewport) => {
    const page = await signIn(viewport);
    await Promise.all([page.waitForEvent('load'), page.getByRole('link', { name: 'Mis oficios' }).click()]);
    expect(new URL(page.url()).pathname).toBe('/oficios');
    const row = page.locator('tbody tr', { hasText: folio });
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain('Acuse de recibo (PDF)');
    expect(await row.textContent()).toContain('Subdirección de Sistemas y Servicios Telemáticos · vence');
    await fits(page, viewport.width);
    await page.screenshot({ path: `${SCREENS}/mis-oficios-${name}.png`, fullPage: true });

    await Promise.all([page.waitForEvent('load'), row.getByRole('link', { name: folio }).click()]);
    expect(new URL(page.url()).pathname).toBe(`/tramites/${caseId}`);
    const frame = page.locator('iframe.visor-oficio');
    expect(await frame.getAttribute('src')).toBe(`/tramites/${caseId}/oficio`);
    // The frame's document is the PDF as stored, served inline to this session.
    const scan = await page.request.get(`${t.base}/tramites/${caseId}/oficio`);
    expect([scan.status(), scan.headers()['content-type'], scan.headers()['content-disposition']]).toEqual([
      200,
      'application/pdf',
      expect.stringMatching(/^inline;/),
    ]);
    await fits(page, viewport.width);
    await page.screenshot({ path: `${SCREENS}/tramite-escaneo-${name}.png`, fullPage: true });
    await page.close();
  });

  it('a Nivel of another level does not get the scan', async () => {
    await createStaff(t.db.dataSource, 'secundaria', 'nivel', { nivelClave: 'SECUNDARIA' });
    const tok = await login(t.app, 'secundaria');
    await request(t.app.getHttpServer())
      .get(`/tramites/${caseId}/oficio`)
      .set('Cookie', `${SESSION_COOKIE}=${tok}`)
      .expect(404);
  });
});
