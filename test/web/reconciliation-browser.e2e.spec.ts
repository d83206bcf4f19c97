/**
 * The Subjefatura reviews reconciliation findings in a real browser (Debian's Chromium through playwright-core): a
 * full import of Capital Humano retires four workers with accounts; the Subjefatura opens «Conciliación» from the
 * menu, sees the four findings with their evidence, rejects one (a short reason first: the page says why), selects
 * the rest with «Seleccionar todos», accepts them, and sees the 5.5 cases opened (ReconciliationCaseOpener, the real
 * one) and linked. SQLite by default, MariaDB with TEST_DB=mariadb.
 */
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ConciliacionHallazgo } from '../../src/catalog/entities/conciliacion.entity';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { importCatalog } from '../../src/catalog/import/import.service';
import { catalogTable, toCsv } from '../../src/catalog/seed/catalog-csv';
import { type DemoCatalog, generateDemoCatalog } from '../../src/catalog/seed/demo-data';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { LocalDirectoryProvider } from '../../src/provisioning/providers/local/local-directory.provider';
import { addNiveles } from '../oficios/support';
import { launchBrowser } from '../support/browser';
import { createStaffCast, STAFF_PASSWORD } from '../support/staff';
import type { TestApp } from '../support/test-app';
import { createWebApp } from './support';

jest.setTimeout(180_000);

const SCREENS = 'tmp/screens';
const T1 = new Date('2026-08-03T15:00:00.000Z');
const T2 = new Date('2026-09-01T15:30:00.000Z');

describe('reconciliation review in a real browser (Chromium)', () => {
  let t: TestApp & { base: string };
  let browser: Browser;
  let context: BrowserContext;
  let demo: DemoCatalog;
  const ds = () => t.db.dataSource;
  const retired: { curp: string; direccion: string }[] = [];

  const workersCsv = (skip: ReadonlySet<string> = new Set()): Buffer => {
    const table = catalogTable('trabajadores', {
      ...demo,
      trabajadores: demo.trabajadores.filter((w) => !skip.has(w.curp)),
    });
    return toCsv(table.header, table.rows);
  };
  const go = async (page: Page, target: Locator): Promise<void> => {
    await Promise.all([page.waitForEvent('load'), target.click()]);
  };
  const row = (page: Page, direccion: string): Locator => page.locator(`tr[data-direccion="${direccion}"]`);

  beforeAll(async () => {
    mkdirSync(SCREENS, { recursive: true });
    t = await createWebApp({ RELAY_INTERVAL_MS: '150' });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'es-MX' });
    await addNiveles(ds());
    await createStaffCast(ds());
    const generated = generateDemoCatalog({ seed: 1414, centros: 10, trabajadores: 90 });
    demo = { ...generated, trabajadores: generated.trabajadores.filter((w) => w.activo).slice(0, 60) };
    const centros = catalogTable('centros', demo);
    await importCatalog(ds(), { kind: 'centros', content: toCsv(centros.header, centros.rows), now: T1 });
    await importCatalog(ds(), { kind: 'trabajadores', content: workersCsv(), now: T1 });
    // Four workers with a Personal account, in our table and in the (local) directory.
    const directory = new LocalDirectoryProvider(ds());
    for (const [i, w] of demo.trabajadores.slice(0, 4).entries()) {
      const localPart = `baja.${i + 1}`;
      const direccion = `${localPart}@colima.gob.mx`;
      await ds().getRepository(Cuenta).insert({
        id: randomUUID(),
        direccion,
        localPart,
        dominio: 'colima.gob.mx',
        tipo: 'personal',
        titularTipo: 'trabajador',
        titularCurp: w.curp,
        titularCct: null,
        estado: 'activa',
        proveedor: 'local',
        proveedorId: null,
      });
      await directory.create({
        address: direccion,
        tipo: 'personal',
        holder: {
          kind: 'trabajador',
          curp: w.curp,
          givenName: w.nombre,
          familyName: w.primerApellido,
          displayName: `${w.nombre} ${w.primerApellido}`,
        },
        password: 'nadie-la-conoce-xyz-123',
        changeAtNextLogin: false,
      });
      retired.push({ curp: w.curp, direccion });
    }
    // The next full export leaves them out (and one more, without an account): they are retired.
    const gone = new Set([...retired.map((r) => r.curp), demo.trabajadores[4].curp]);
    const summary = await importCatalog(ds(), { kind: 'trabajadores', content: workersCsv(gone), now: T2 });
    expect(summary.deactivated).toBe(5);
    expect(summary.conciliacion).toMatchObject({ nuevos: 4 });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
  });

  it('the Subjefatura rejects one finding with a reason, accepts the rest at once and sees their cases', async () => {
    const page = await context.newPage();
    await page.goto(`${t.base}/personal/entrar`);
    await page.fill('#f-usuario', 'sistemas');
    await page.fill('#f-contrasena', STAFF_PASSWORD);
    await go(page, page.getByRole('button', { name: 'Entrar' }));
    await go(page, page.getByRole('navigation', { name: 'Secciones' }).getByRole('link', { name: 'Conciliación' }));
    expect(new URL(page.url()).pathname).toBe('/conciliacion');
    await expect(page.locator('#total').textContent()).resolves.toBe('4 hallazgos, los más recientes arriba.');
    for (const r of retired) {
      const text = await row(page, r.direccion).textContent();
      expect(text).toContain('Cuenta personal de un trabajador dado de baja');
      expect(text).toContain(`Titular: ${r.curp}, dado de baja en Capital Humano`);
      // The import of 2026-09-01 15:30 UTC, in Mexico City.
      expect(text).toContain('Importación del catálogo: 01/09/2026 09:30');
      expect(text).toContain('Bloquear la cuenta (5.5)');
      expect(text).toContain('Pendiente');
    }
    const runs = await page.locator('#corridas').textContent();
    expect(runs).toContain('Tras importar trabajadores');
    await page.screenshot({ path: `${SCREENS}/personal-conciliacion.png`, fullPage: true });

    // Reject the first one: a two-letter reason is refused with the reason kept and the message beside it.
    const first = retired[0].direccion;
    await row(page, first).getByText('Rechazar', { exact: true }).first().click();
    const motivo = row(page, first).getByLabel('Motivo del rechazo');
    await motivo.fill('no');
    await go(page, row(page, first).getByRole('button', { name: 'Rechazar' }));
    await expect(row(page, first).locator('.campo-error').textContent()).resolves.toContain(
      'Escriba por qué se rechaza',
    );
    expect(await ds().getRepository(ConciliacionHallazgo).countBy({ estado: 'rechazado' })).toBe(0);
    await row(page, first).getByLabel('Motivo del rechazo').fill('Regresa de licencia el lunes; sigue laborando');
    await go(page, row(page, first).getByRole('button', { name: 'Rechazar' }));
    await expect(page.locator('p.ok').textContent()).resolves.toContain('Hallazgo rechazado');
    const rejected = await row(page, first).textContent();
    expect(rejected).toContain('Rechazado');
    expect(rejected).toContain('Motivo: Regresa de licencia el lunes; sigue laborando');
    expect(rejected).toContain('Jorge Alberto Mendoza Cruz');
    expect(await row(page, first).locator('input[name="ids"]').count()).toBe(0);

    // «Seleccionar todos» ticks the three still pending; accept them in one go.
    await page.getByLabel('Seleccionar todos los de esta página').check();
    const boxes = page.locator('input[name="ids"]');
    expect(await boxes.count()).toBe(3);
    for (const box of await boxes.all()) expect(await box.isChecked()).toBe(true);
    await go(page, page.getByRole('button', { name: 'Aceptar los seleccionados' }));
    await expect(page.locator('p.ok').textContent()).resolves.toContain('3 trámites abiertos, 0 sin cambios');
    await page.screenshot({ path: `${SCREENS}/personal-conciliacion-aceptados.png`, fullPage: true });

    const cases = await ds()
      .getRepository(ProcedureCase)
      .find({ where: { procedureId: 'cuenta-bloquear' } });
    expect(cases).toHaveLength(3);
    for (const r of retired.slice(1)) {
      const text = await row(page, r.direccion).textContent();
      expect(text).toContain('Aceptado');
      expect(text).toContain('Jorge Alberto Mendoza Cruz');
      const href = await row(page, r.direccion).getByRole('link', { name: 'Ver el trámite' }).getAttribute('href');
      const caseId = /^\/tramites\/([0-9a-f-]{36})$/.exec(href ?? '')?.[1];
      expect(cases.map((c) => c.id)).toContain(caseId);
    }
    // The cases run on their own (queue every 150 ms) and end with the accounts blocked; the rejected one stays active.
    const estados = () =>
      ds()
        .getRepository(Cuenta)
        .find({ order: { direccion: 'ASC' } })
        .then((cs) => cs.map((c) => [c.direccion, c.estado]));
    const until = Date.now() + 30_000;
    while ((await estados()).filter(([, e]) => e === 'bloqueada').length < 3 && Date.now() < until)
      await page.waitForTimeout(200);
    expect(await estados()).toEqual([
      ['baja.1@colima.gob.mx', 'activa'],
      ['baja.2@colima.gob.mx', 'bloqueada'],
      ['baja.3@colima.gob.mx', 'bloqueada'],
      ['baja.4@colima.gob.mx', 'bloqueada'],
    ]);
    // The link opens the case page.
    await go(page, row(page, retired[1].direccion).getByRole('link', { name: 'Ver el trámite' }));
    expect(new URL(page.url()).pathname).toMatch(/^\/tramites\/[0-9a-f-]{36}$/);
    expect(await page.locator('h1').textContent()).toBeTruthy();
    await page.screenshot({ path: `${SCREENS}/personal-conciliacion-tramite.png`, fullPage: true });
  });
});
