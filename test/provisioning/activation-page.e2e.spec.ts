import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { ActivationService } from '../../src/provisioning/activation.service';
import { LocalDirectoryProvider } from '../../src/provisioning/providers/local/local-directory.provider';
import { launchBrowser } from '../support/browser';
import { addWorker } from '../support/pipeline';
import { createTestApp, type TestApp } from '../support/test-app';

describe('public pages in a real browser: self-service and activation', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp({ RELAY_INTERVAL_MS: '200' });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lets the holder set a password: refuses a weak one with the reason, accepts a good one, then the link is spent', async () => {
    const ds = t.db.dataSource;
    const w = await addWorker(ds, { nombre: 'Itzel', primerApellido: 'Cárdenas' });
    const cuentaId = '22222222-2222-4222-a222-222222222222';
    await ds.getRepository(Cuenta).insert({
      id: cuentaId,
      direccion: 'itzel.cardenas@colima.gob.mx',
      localPart: 'itzel.cardenas',
      dominio: 'colima.gob.mx',
      tipo: 'personal',
      titularTipo: 'trabajador',
      titularCurp: w.curp,
      titularCct: null,
      estado: 'activa',
      proveedor: 'local',
      proveedorId: null,
    });
    const local = new LocalDirectoryProvider(ds);
    await local.create({
      address: 'itzel.cardenas@colima.gob.mx',
      tipo: 'personal',
      holder: {
        kind: 'trabajador',
        curp: w.curp,
        givenName: 'Itzel',
        familyName: 'Cárdenas Ochoa',
        displayName: 'Itzel Cárdenas Ochoa',
      },
      password: 'nadie-la-conoce-xyz-123',
      changeAtNextLogin: false,
    });
    const { url } = await t.app.get(ActivationService).issue(cuentaId, null, '33333333-3333-4333-a333-333333333333');
    const path = new URL(url).pathname;

    const page = await browser.newPage();
    await page.goto(base + path);
    expect(await page.textContent('h1')).toBe('Establezca su contraseña');
    expect(await page.textContent('body')).toContain('itzel.cardenas@colima.gob.mx');
    await page.fill('#contrasena', 'itzel-cardenas-1');
    await page.fill('#confirmacion', 'itzel-cardenas-1');
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    expect(await page.textContent('.error')).toMatch(/nombre|correo/i);

    await page.fill('#contrasena', 'tamarindo-faro-lluvia-42');
    await page.fill('#confirmacion', 'tamarindo-faro-lluvia-42');
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Contraseña establecida');
    await page.screenshot({ path: 'tmp/screens/activacion.png', fullPage: true });
    expect(await local.verifyPassword('itzel.cardenas@colima.gob.mx', 'tamarindo-faro-lluvia-42')).toBe('ok');

    await page.goto(base + path);
    expect(await page.textContent('.error')).toMatch(/ya se usó o venció/);
    await page.close();
  });

  it('5.1.1 in the portal: wrong CURT, retry, confirm, then the result page once the account exists', async () => {
    const w = await addWorker(t.db.dataSource, { nombre: 'Guadalupe', primerApellido: 'Ñáñez' });
    const page = await browser.newPage();
    await page.goto(`${base}/correo`);
    await Promise.all([page.waitForURL('**/correo/alta'), page.click('text=Obtener mi correo institucional')]);
    await page.fill('#curp', w.curp.toLowerCase());
    await page.fill('#curt', 'CURTEQUIVOCADA');
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Los datos no coinciden');
    await page.fill('#curp', w.curp);
    await page.fill('#curt', w.curt);
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Confirme sus datos');
    expect(await page.textContent('dl')).toContain('Guadalupe Ñáñez Ochoa');
    await Promise.all([page.waitForLoadState('load'), page.click('button[value=si]')]);
    // The in-process queue creates the account; the page refreshes itself until it is done.
    await page.locator('h1', { hasText: /^Listo$/ }).waitFor({ timeout: 15_000 });
    expect(await page.textContent('.ok')).toMatch(/Su cuenta fue creada/);
    expect(await page.textContent('body')).toContain('guadalupe.nanez@colima.gob.mx');
    await page.screenshot({ path: 'tmp/screens/autoservicio.png', fullPage: true }); // tmp/ is git-ignored: look at it
    await page.close();
  });
});
