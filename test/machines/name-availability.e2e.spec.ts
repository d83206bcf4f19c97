/**
 * The 5.3.1 creation form in a real browser (Chromium): while the Subjefatura types the account name the page says
 * whether it is free (GET /api/cuentas/nombre-disponible, asked against the accounts and the directory), before
 * anything is submitted.
 */
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { addNiveles, postOficio, scannedOficio, settle } from '../oficios/support';
import { launchBrowser } from '../support/browser';
import { addWorker } from '../support/pipeline';
import { createStaff, login, STAFF_PASSWORD } from '../support/staff';
import type { TestApp } from '../support/test-app';
import { createWebApp } from '../web/support';

describe('the account name form says, as the name is typed, whether it is free', () => {
  let t: TestApp & { base: string };
  let browser: Browser;
  const ds = () => t.db.dataSource;

  beforeAll(async () => {
    t = await createWebApp({ RELAY_INTERVAL_MS: '60000' });
    browser = await launchBrowser();
    await addNiveles(ds());
    await createStaff(ds(), 'oficialia', 'subdireccion');
    await createStaff(ds(), 'sistemas', 'subjefatura');
    const holder = await addWorker(ds(), { nombre: 'Héctor', primerApellido: 'Ramírez' });
    await ds().getRepository(Cuenta).insert({
      id: '7b0a61a4-64c9-4c36-9d51-2f1b8f0e7a12',
      direccion: 'programa.lectura@colima.gob.mx',
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
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows «ya está en uso» for a taken name and «está disponible» for a free one, folded', async () => {
    const oficialia = await login(t.app, 'oficialia');
    const sistemas = await login(t.app, 'sistemas');
    const pdf = await scannedOficio('Oficio BE/0001/2026. Solicitud de cuenta de servicio.');
    const res = await postOficio(t, oficialia, pdf, {
      procedimiento: 'servicio-alta',
      numeroOficio: 'BE/0001/2026',
      fechaOficio: '2026-11-20',
      remitenteNombre: 'Mtra. Laura Elena Villalobos Cruz',
      remitenteCargo: 'Responsable del Programa de Becas',
      area: 'Programa de Becas',
      asunto: 'Solicitud de cuenta de correo para el programa de becas',
    }).expect(201);
    const caseId = res.body.tramite as string;
    await settle(t);
    for (const [token, tipo] of [
      [oficialia, 'TURNAR'],
      [sistemas, 'RECIBIR_TURNO'],
    ]) {
      const { version } = (
        await request(t.app.getHttpServer())
          .get(`/api/tramites/${caseId}`)
          .set('Authorization', `Bearer ${token}`)
          .expect(200)
      ).body as { version: number };
      await request(t.app.getHttpServer())
        .post(`/api/tramites/${caseId}/eventos`)
        .set('Authorization', `Bearer ${token}`)
        .send({ tipo, version })
        .expect(200);
    }

    const page: Page = await (await browser.newContext({ locale: 'es-MX' })).newPage();
    await page.goto(`${t.base}/personal/entrar`);
    await page.fill('#f-usuario', 'sistemas');
    await page.fill('#f-contrasena', STAFF_PASSWORD);
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Entrar' }).click()]);
    await page.goto(`${t.base}/tramites/${caseId}`);
    const status = page.locator('#a-crear_cuenta-localPart-disponible');
    expect(await status.getAttribute('aria-live')).toBe('polite');

    await page.fill('#a-crear_cuenta-localPart', 'programa.lectura');
    await page.waitForFunction(
      (el) => (el?.textContent ?? '').includes('ya está en uso'),
      await status.elementHandle(),
    );
    expect(await status.textContent()).toBe(
      'programa.lectura@colima.gob.mx ya está en uso; elija otro nombre de cuenta.',
    );
    expect(await status.getAttribute('class')).toBe('disponibilidad ocupado');

    await page.fill('#a-crear_cuenta-localPart', 'Lectura.Jóvenes');
    await page.waitForFunction((el) => (el?.textContent ?? '').includes('disponible'), await status.elementHandle());
    expect(await status.textContent()).toBe('lectura.jovenes@colima.gob.mx está disponible.');
    expect(await status.getAttribute('class')).toBe('disponibilidad libre');
  });
});
