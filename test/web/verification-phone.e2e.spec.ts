import type { Browser } from 'playwright-core';
import type { CaseInclusion } from '../../src/engine/transparency/transparency-log';
import { renderVerificationPage } from '../../src/oficios/verification-page';
import { launchBrowser } from '../support/browser';

const PHONE = { width: 390, height: 844 };
const hex = (n: number, seed: string) => seed.repeat(Math.ceil(n / seed.length)).slice(0, n);

/**
 * The page the QR of every letter opens, read on a phone (390 px): the hashes wrap inside their box instead of
 * squeezing their column to one character a line.
 */
describe('verification page on a phone (Chromium, 390 px)', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('is as tall as its content and never wider than the screen', async () => {
    const log = {
      head: { treeSize: 1_234_567, timestamp: Date.UTC(2026, 10, 30, 17, 5), rootHash: hex(64, '9f3ab27c') },
      movements: Array.from({ length: 12 }, (_, i) => ({ caseSeq: i + 1 })),
      pending: 2,
    } as unknown as CaseInclusion;
    const html = renderVerificationPage(
      {
        codigo: 'Q7xJ2m9KpL4nR8sT1vW3yZ5a',
        tipo: 'Oficio de respuesta',
        folio: 'SSST-2026-000123',
        numeroOficio: 'SSST/0123/2026',
        emitido: '2026-11-30T17:05:00.000Z',
        fecha: '30 de noviembre de 2026, 11:05',
        firmante: 'MTRO. JOSÉ ÁNGEL NÚÑEZ CEBALLOS',
        certificadoSerie: hex(40, '3230303031303030'),
        estado: 'vigente',
        prueba: true,
        sha256: hex(64, 'e3b0c44298fc1c14'),
        paginas: 2,
      },
      { coincide: false, sha256: hex(64, '5feceb66ffc86f38') },
      log,
    );
    const page = await (await browser.newContext({ viewport: PHONE, isMobile: true, locale: 'es-MX' })).newPage();
    await page.setContent(html);
    const size = await page.evaluate<{ height: number; width: number }>(
      '({ height: document.documentElement.scrollHeight, width: document.documentElement.scrollWidth })',
    );
    expect(size.width).toBeLessThanOrEqual(PHONE.width);
    expect(size.height).toBeLessThan(2_500);
    // A hash keeps lines of many characters (not one a line) and stays inside the screen.
    const box = (await page.locator('dd.huella').last().boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    expect(box.width).toBeGreaterThan(PHONE.width / 2);
    expect(box.height).toBeLessThan(120);
    await page.screenshot({ path: 'tmp/screens/verificacion-telefono.png', fullPage: true });
  });
});
