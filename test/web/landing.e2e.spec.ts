/**
 * The front door (issue 12 §1, a newcomer's first minutes): `/` is a Spanish page, clean on a phone and on a desktop,
 * that leads to the worker's self-service («Obtener mi correo institucional») and to the staff sign-in («Personal»).
 */
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import type { TestApp } from '../support/test-app';
import { createWebApp } from './support';

jest.setTimeout(120_000);

const SCREENS = 'tmp/screens';

describe('the front door (/)', () => {
  let t: TestApp & { base: string };
  let browser: Browser;

  beforeAll(async () => {
    t = await createWebApp();
    browser = await launchBrowser();
    mkdirSync(SCREENS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it.each([
    ['escritorio', { width: 1280, height: 860 }],
    ['telefono', { width: 390, height: 844 }],
  ])('on a %s: a Spanish page with both ways in, nothing wider than the screen', async (name, viewport) => {
    const page = await browser.newPage({ viewport, locale: 'es-MX' });
    const res = await page.goto(`${t.base}/`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-type']).toMatch(/^text\/html/);
    expect(await page.getAttribute('html', 'lang')).toBe('es-MX');
    expect(await page.textContent('h1')).toBe('Mi Correo Institucional');
    // Evaluated in the page (a string: the test code has no DOM types).
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(viewport.width);
    await page.screenshot({ path: `${SCREENS}/inicio-${name}.png`, fullPage: true });

    await Promise.all([page.waitForURL('**/correo/alta'), page.click('text=Obtener mi correo institucional')]);
    expect(await page.locator('input[name=curp]').count()).toBe(1);
    await page.goto(`${t.base}/`);
    await Promise.all([page.waitForURL('**/personal/entrar**'), page.click('a:text-is("Personal")')]);
    expect(await page.locator('input[name=usuario]').count()).toBe(1);
    await page.close();
  });
});
