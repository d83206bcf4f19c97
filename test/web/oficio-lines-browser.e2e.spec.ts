/**
 * One oficio, many accounts (issue 14, part 2) in a real browser (Debian's Chromium through playwright-core): the
 * clerk types three schools in the table of the registration page (one row removed, one added with «Agregar
 * escuela»), one of them wrong; the page comes back with the error beside that line and the others kept; she fixes it
 * and registers the oficio with its three schools. Then she registers another from a 25-school CSV, once. SQLite by
 * default, MariaDB with TEST_DB=mariadb.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { Oficio } from '../../src/oficios/entities/oficio.entity';
import { OficioLinea } from '../../src/oficios/entities/oficio-linea.entity';
import { addCentros, addNiveles, scannedOficio, testCct as cct } from '../oficios/support';
import { launchBrowser } from '../support/browser';
import { createStaff, STAFF_PASSWORD } from '../support/staff';
import type { TestApp } from '../support/test-app';
import { createWebApp } from './support';

jest.setTimeout(180_000);

const SCREENS = 'tmp/screens';

describe('registration of an oficio for many schools in a real browser (Chromium)', () => {
  let t: TestApp & { base: string };
  let browser: Browser;
  let context: BrowserContext;
  let pdf: Buffer;
  const ds = () => t.db.dataSource;

  const go = async (page: Page, target: Locator): Promise<void> => {
    await Promise.all([page.waitForEvent('load'), target.click()]);
  };
  const button = (page: Page, name: string): Locator => page.getByRole('button', { name, exact: true });
  const row = (page: Page, n: number): Locator => page.locator(`tr[data-linea="${n}"]`);
  const linesOf = async (numeroOficio: string) => {
    const oficios = await ds().getRepository(Oficio).findBy({ numeroRemitente: numeroOficio });
    expect(oficios).toHaveLength(1);
    return ds()
      .getRepository(OficioLinea)
      .find({ where: { oficioId: oficios[0].id }, order: { linea: 'ASC' } });
  };
  const fillOficio = async (page: Page, numero: string): Promise<void> => {
    await page.goto(`${t.base}/oficios/nuevo`);
    await page.selectOption('#f-procedimiento', 'centro-trabajo-alta');
    await page.fill('#f-numeroOficio', numero);
    await page.fill('#f-remitenteNombre', 'Profr. José Ángel Núñez Ceballos');
    await page.fill('#f-remitenteCargo', 'Director de Educación Primaria');
    await page.selectOption('#f-nivel', 'PRIMARIA');
    await page.fill('#f-asunto', 'Alta de cuentas de correo para los centros de trabajo del anexo');
    await page.setInputFiles('#f-archivo', { name: 'oficio.pdf', mimeType: 'application/pdf', buffer: pdf });
  };

  beforeAll(async () => {
    mkdirSync(SCREENS, { recursive: true });
    t = await createWebApp({ RELAY_INTERVAL_MS: '60000' });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'es-MX' });
    await addNiveles(ds());
    await addCentros(ds(), 40);
    await createStaff(ds(), 'oficialia', 'subdireccion', { nombre: 'María Fernanda Ochoa Larios' });
    pdf = await scannedOficio('Oficio DEP/0500/2026: alta de cuentas para los centros de trabajo del anexo.');
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('three schools typed by hand, one wrong: the error beside that line, fixed, registered', async () => {
    const page = await context.newPage();
    await page.goto(`${t.base}/personal/entrar`);
    await page.fill('#f-usuario', 'oficialia');
    await page.fill('#f-contrasena', STAFF_PASSWORD);
    await go(page, button(page, 'Entrar'));

    await fillOficio(page, 'DEP/0500/2026');
    // Three blank rows to begin with; the script shows «Quitar» and «Agregar escuela».
    expect(await page.locator('table.lineas tbody tr').count()).toBe(3);
    await page.fill('#l1-cct', cct(1));
    await page.fill('#l1-nombre', 'Escuela Primaria Benito Juárez');
    await page.fill('#l2-cct', cct(2));
    await page.fill('#l2-nombre', 'Escuela Primaria Niños Héroes');
    await row(page, 3).getByRole('button', { name: 'Quitar' }).click();
    expect(await page.locator('table.lineas tbody tr').count()).toBe(2);
    await button(page, 'Agregar escuela').click();
    expect(await page.locator('table.lineas tbody tr').count()).toBe(3);
    expect(await page.evaluate('document.activeElement.id')).toBe('l3-cct');
    await page.keyboard.type('06DPR0999A');
    await page.fill('#l3-nombre', 'Escuela Primaria Ignacio Zaragoza');
    await go(page, button(page, 'Registrar y emitir acuse'));

    expect(new URL(page.url()).pathname).toBe('/oficios/nuevo');
    expect(await page.textContent('#errores')).toContain(
      'Una escuela tiene errores y no se registró nada: corrija las líneas señaladas y envíe de nuevo.',
    );
    expect(await row(page, 3).locator('.campo-error').textContent()).toBe(
      'Error: La CCT 06DPR0999A no está en el catálogo de centros de trabajo.',
    );
    expect(await page.getAttribute('#l3-cct', 'aria-invalid')).toBe('true');
    expect(await row(page, 1).locator('.campo-error').count()).toBe(0);
    expect(await page.inputValue('#l2-nombre')).toBe('Escuela Primaria Niños Héroes');
    expect(await page.inputValue('#f-numeroOficio')).toBe('DEP/0500/2026');
    expect(await ds().getRepository(Oficio).count()).toBe(0);
    await page.screenshot({ path: `${SCREENS}/oficio-lineas-error.png`, fullPage: true });

    // The link of the summary takes her to the lines; she fixes the third one; the scan is kept.
    await page.locator('#errores').getByRole('link').first().click();
    await page.fill('#l3-cct', cct(3));
    await go(page, button(page, 'Registrar y emitir acuse'));

    expect(new URL(page.url()).pathname).toBe('/oficios');
    const aviso = await page.textContent('main [role=status]');
    expect(aviso).toMatch(
      /^Oficio registrado con el folio SSST-\d{4}-\d{6}: 3 centros de trabajo, un trámite por centro\./,
    );
    expect(await page.locator('main table').textContent()).toContain('0 de 3 concluidos');
    const lines = await linesOf('DEP/0500/2026');
    expect(lines.map((l) => [l.linea, l.cct, l.nombreCuenta])).toEqual([
      [1, cct(1), 'Escuela Primaria Benito Juárez'],
      [2, cct(2), 'Escuela Primaria Niños Héroes'],
      [3, cct(3), 'Escuela Primaria Ignacio Zaragoza'],
    ]);
    await page.screenshot({ path: `${SCREENS}/oficio-lineas-registrado.png`, fullPage: true });
  });

  it('a 25-school CSV («;», accents) registers one oficio with 25 lines, once', async () => {
    const page = await context.newPage();
    await fillOficio(page, 'DEP/0501/2026');
    const csv = Buffer.from(
      `\uFEFFCCT;Nombre de la cuenta\r\n${Array.from({ length: 25 }, (_, i) => `${cct(11 + i)};Escuela Primaria Núñez y Peña ${i + 1}`).join('\r\n')}\r\n`,
      'utf8',
    );
    await page.setInputFiles('#f-lineasCsv', { name: 'anexo.csv', mimeType: 'text/csv', buffer: csv });
    await go(page, button(page, 'Registrar y emitir acuse'));

    expect(new URL(page.url()).pathname).toBe('/oficios');
    expect(await page.textContent('main [role=status]')).toContain(': 25 centros de trabajo, un trámite por centro.');
    expect(await page.locator('main table').textContent()).toContain('0 de 25 concluidos');
    const lines = await linesOf('DEP/0501/2026');
    expect(lines).toHaveLength(25);
    expect([lines[0].cct, lines[0].nombreCuenta, lines[24].cct, lines[24].nombreCuenta]).toEqual([
      cct(11),
      'Escuela Primaria Núñez y Peña 1',
      cct(35),
      'Escuela Primaria Núñez y Peña 25',
    ]);
    // Going back and reloading the register does not register it again.
    await page.reload();
    expect(await ds().getRepository(Oficio).countBy({ numeroRemitente: 'DEP/0501/2026' })).toBe(1);
    await page.screenshot({ path: `${SCREENS}/oficio-lineas-csv.png`, fullPage: true });
  });
});
