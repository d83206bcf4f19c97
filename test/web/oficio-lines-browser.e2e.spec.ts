/**
 * One oficio, many accounts (issue 14, part 2) in a real browser (Debian's Chromium through playwright-core): the
 * clerk types three schools in the table of the registration page (one row removed, one added with «Agregar
 * escuela»), one of them wrong; the page comes back with the error beside that line and the others kept; she fixes it
 * and registers the oficio with its three schools. Then she registers another from a 25-school CSV, once, and the
 * whole story follows as the users would do it in the browser: she turns the 25 lines at once from her inbox; the
 * Subjefatura receives them and creates the 25 accounts at once; the queues give every school its account and, once
 * all 25 have their result, ONE signed reply letter; the Subjefatura sends the 25 at once, the Subdirección turns
 * them at once, and the Nivel downloads the one letter from its register. Last, an area's oficio for two Servicio
 * accounts (5.3.1): choosing the procedure switches the table to CURP, cuenta and tipo. SQLite by default, MariaDB
 * with TEST_DB=mariadb.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { In } from 'typeorm';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { IssuedDocument } from '../../src/oficios/entities/document.entity';
import { Oficio } from '../../src/oficios/entities/oficio.entity';
import { OficioLinea } from '../../src/oficios/entities/oficio-linea.entity';
import { addCentros, addNiveles, pdfsig, pdfText, scannedOficio, settle, testCct as cct } from '../oficios/support';
import { launchBrowser } from '../support/browser';
import { addWorker } from '../support/pipeline';
import { createStaff, STAFF_PASSWORD } from '../support/staff';
import type { TestApp } from '../support/test-app';
import { until } from '../support/until';
import { createWebApp } from './support';

jest.setTimeout(180_000);

const SCREENS = 'tmp/screens';

describe('registration of an oficio for many schools in a real browser (Chromium)', () => {
  let t: TestApp & { base: string };
  let browser: Browser;
  let context: BrowserContext;
  let pdf: Buffer;
  const ds = () => t.db.dataSource;
  /** The other users, each in a browser of their own (their own session cookie). */
  const others: BrowserContext[] = [];
  /** The 25-school oficio, once registered: its folio and its lines' cases. */
  let folio25 = '';
  let cases25: string[] = [];
  const servicioHolders: { curp: string }[] = [];

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
    await createStaff(ds(), 'sistemas', 'subjefatura', { nombre: 'Luis Alberto Cárdenas Ríos' });
    await createStaff(ds(), 'primaria', 'nivel', { nombre: 'Ana Sofía Ramírez Ceballos', nivelClave: 'PRIMARIA' });
    // The catalog names the director of each school of the 25-school annex (5.2.1's CREAR_CUENTA takes them there).
    for (let n = 11; n <= 35; n++) {
      const d = await addWorker(ds(), { nombre: `Directora ${n}`, primerApellido: 'Peña' });
      await ds()
        .getRepository(CentroTrabajo)
        .update({ cct: cct(n) }, { directorCurp: d.curp });
    }
    // The holders of the Servicio accounts of the last test (5.3.1: active workers of Capital Humano).
    for (const nombre of ['Ana', 'Bruno'])
      servicioHolders.push(await addWorker(ds(), { nombre, primerApellido: 'Servín' }));
    pdf = await scannedOficio('Oficio DEP/0500/2026: alta de cuentas para los centros de trabajo del anexo.');
  });

  afterAll(async () => {
    for (const c of others) await c.close().catch(() => undefined);
    await context?.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  const signIn = async (page: Page, usuario: string): Promise<void> => {
    await page.goto(`${t.base}/personal/entrar`);
    await page.fill('#f-usuario', usuario);
    await page.fill('#f-contrasena', STAFF_PASSWORD);
    await go(page, button(page, 'Entrar'));
    expect(new URL(page.url()).pathname).not.toBe('/personal/entrar');
  };
  /** A signed-in page of another user, in a browser of their own, patient with a slow, loaded machine. */
  const pageOf = async (usuario: string): Promise<Page> => {
    const c = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'es-MX' });
    c.setDefaultTimeout(90_000);
    others.push(c);
    const page = await c.newPage();
    await signIn(page, usuario);
    return page;
  };
  /** The inbox filtered, with the form of the page, to one step of 5.2.1 and the 25-school oficio's folio. */
  const inboxAt = async (page: Page, paso: string): Promise<Locator> => {
    await page.goto(`${t.base}/bandeja`);
    await page.locator('details.filtros > summary').click();
    await page.selectOption('#f-paso', `centro-trabajo-alta.${paso}`);
    await page.fill('#f-folio', folio25);
    await go(page, button(page, 'Filtrar'));
    return page.locator('input[type=checkbox][name=ids][form=aplicar-seleccion]');
  };
  /** «Seleccionar todas las de esta página», then the step's act applied to the selection: all 25 advance. */
  const applyToAll = async (page: Page, paso: string, tipo: string, shot?: string): Promise<void> => {
    const boxes = await inboxAt(page, paso);
    expect(await boxes.count()).toBe(25);
    await page.check('#seleccionar-todas');
    expect(await page.locator('input[name=ids][form=aplicar-seleccion]:checked').count()).toBe(25);
    if (shot) await page.screenshot({ path: `${SCREENS}/${shot}.png`, fullPage: true });
    await go(page, page.locator(`#aplicar-seleccion button[name=tipo][value=${tipo}]`));
    expect(await page.textContent('#lote')).toContain('25 trámites atendidos, 0 con error.');
    expect(await inboxAt(page, paso).then((b) => b.count())).toBe(0);
  };
  /** The accounts of the 25 schools of the annex (06DPR0011A … 06DPR0035A). */
  const accounts25 = () =>
    ds()
      .getRepository(Cuenta)
      .findBy({ titularCct: In(Array.from({ length: 25 }, (_, i) => cct(11 + i))) });
  const states25 = async (): Promise<string[]> =>
    (
      await ds()
        .getRepository(ProcedureCase)
        .findBy({ id: In(cases25) })
    ).map((c) => c.state);

  it('three schools typed by hand, one wrong: the error beside that line, fixed, registered', async () => {
    const page = await context.newPage();
    await signIn(page, 'oficialia');

    await fillOficio(page, 'DEP/0500/2026');
    // Three blank rows to begin with; the script shows «Quitar» and «Agregar escuela».
    expect(await page.locator('#lineas-escuelas tbody tr').count()).toBe(3);
    await page.fill('#l1-cct', cct(1));
    await page.fill('#l1-nombre', 'Escuela Primaria Benito Juárez');
    await page.fill('#l2-cct', cct(2));
    await page.fill('#l2-nombre', 'Escuela Primaria Niños Héroes');
    await row(page, 3).getByRole('button', { name: 'Quitar' }).click();
    expect(await page.locator('#lineas-escuelas tbody tr').count()).toBe(2);
    await button(page, 'Agregar escuela').click();
    expect(await page.locator('#lineas-escuelas tbody tr').count()).toBe(3);
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
    const aviso = (await page.textContent('main [role=status]')) ?? '';
    expect(aviso).toContain(': 25 centros de trabajo, un trámite por centro.');
    folio25 = /folio (SSST-\d{4}-\d{6})/.exec(aviso)![1];
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
    cases25 = lines.map((l) => l.caseId);
  });

  it('the Subdirección turns the 25 lines at once; the Subjefatura receives them and creates the 25 accounts at once', async () => {
    expect(folio25).not.toBe('');
    const oficialia = await context.newPage();
    oficialia.setDefaultTimeout(90_000);
    await applyToAll(oficialia, 'turno', 'TURNAR', 'oficio-lineas-bandeja-25-seleccionadas');
    expect(await states25()).toEqual(cases25.map(() => 'recepcionSubjefatura'));

    const sistemas = await pageOf('sistemas');
    await applyToAll(sistemas, 'recepcionSubjefatura', 'RECIBIR_TURNO');
    expect(await states25()).toEqual(cases25.map(() => 'creacion'));
    await applyToAll(sistemas, 'creacion', 'CREAR_CUENTA', 'oficio-lineas-bandeja-crear-cuentas');
    expect(await states25()).toEqual(cases25.map(() => 'aprovisionamiento'));
  }, 300_000);

  it('the queues give the 25 accounts and, once all 25 have their result, ONE signed letter: 25 tasks «Revisar y enviar…»', async () => {
    await until(
      'las 25 líneas reciben su cuenta y el oficio de respuesta único',
      async () => {
        await settle(t);
        return (await states25()).every((s) => s === 'envioRespuesta');
      },
      { timeoutMs: 240_000, intervalMs: 250 },
    );
    const oficio = await ds().getRepository(Oficio).findOneByOrFail({ numeroRemitente: 'DEP/0501/2026' });
    expect(await ds().getRepository(IssuedDocument).countBy({ oficioId: oficio.id, kind: 'respuesta' })).toBe(1);
    const cuentas = await accounts25();
    expect(cuentas.map((c) => c.estado)).toEqual(cases25.map(() => 'activa'));

    const sistemas = await pageOf('sistemas');
    const boxes = await inboxAt(sistemas, 'envioRespuesta');
    expect(await boxes.count()).toBe(25);
    const titles = await sistemas.locator('main table a.tarea').allTextContents();
    expect(titles).toEqual(cases25.map(() => 'Revisar y enviar el oficio de respuesta a la Subdirección'));
    await sistemas.screenshot({ path: `${SCREENS}/oficio-lineas-bandeja-respuesta.png`, fullPage: true });

    // The register shows the oficio once, with its lines' progress and its one reply letter.
    await sistemas.goto(`${t.base}/oficios`);
    const row25 = sistemas.locator('main table tbody tr', { hasText: 'DEP/0501/2026' });
    expect(await row25.count()).toBe(1);
    expect(await row25.textContent()).toContain('de 25 concluidos');
    expect(await row25.locator('ul.documentos a', { hasText: 'Oficio de respuesta' }).count()).toBe(1);
    await sistemas.screenshot({ path: `${SCREENS}/oficio-lineas-registro-progreso.png`, fullPage: true });
  }, 300_000);

  it('sent and turned at once, the Nivel downloads the one letter from its register: 25 CCTs, «25 creadas», signed', async () => {
    const sistemas = await pageOf('sistemas');
    await applyToAll(sistemas, 'envioRespuesta', 'ENVIAR_RESPUESTA');
    const oficialia = await context.newPage();
    oficialia.setDefaultTimeout(90_000);
    await applyToAll(oficialia, 'recepcionRespuesta', 'TURNAR_RESPUESTA');
    // Each line now waits for the Nivel's acknowledgement of the one letter.
    expect(await states25()).toEqual(cases25.map(() => 'acuseRespuesta'));
    const oficio = await ds().getRepository(Oficio).findOneByOrFail({ numeroRemitente: 'DEP/0501/2026' });
    const letter = await ds().getRepository(IssuedDocument).findOneByOrFail({ oficioId: oficio.id, kind: 'respuesta' });

    const primaria = await pageOf('primaria');
    await primaria.goto(`${t.base}/oficios`);
    const row25 = primaria.locator('main table tbody tr', { hasText: 'DEP/0501/2026' });
    expect(await row25.count()).toBe(1);
    const reply = row25.locator('ul.documentos a', { hasText: 'Oficio de respuesta' });
    expect(await reply.count()).toBe(1);
    expect(await reply.getAttribute('href')).toBe(`/api/documentos/${letter.id}/pdf`);
    await primaria.screenshot({ path: `${SCREENS}/oficio-lineas-nivel-registro.png`, fullPage: true });
    const [download] = await Promise.all([primaria.waitForEvent('download'), reply.click()]);
    const file = readFileSync(await download.path());
    expect(file.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdfsig(file)).toContain('Signature is Valid.');
    const text = pdfText(file).replace(/\s+/g, ' ');
    expect(text).toContain('para 25 centros de trabajo');
    expect(text).toContain('25 creadas');
    for (let n = 11; n <= 35; n++) expect(text).toContain(cct(n));
    const cuentas = await accounts25();
    expect(cuentas).toHaveLength(25);
    for (const c of cuentas) expect(text).toContain(c.direccion);
    expect(text).not.toMatch(/contrase(ñ|n)a:/i);
    // The download is on the record: the register names who took it.
    await primaria.reload();
    expect(await row25.textContent()).toContain('Descargado 1 vez');
  }, 300_000);

  it('5.3.1: choosing «Alta de cuenta de servicio» switches the table; two accounts typed there are registered', async () => {
    const page = await pageOf('oficialia');
    await fillOficio(page, 'DB/0502/2026');
    expect(await page.isVisible('#lineas-servicio')).toBe(false);
    await page.selectOption('#f-procedimiento', 'servicio-alta');
    await page.selectOption('#f-nivel', '');
    await page.fill('#f-area', 'Dirección de Becas');
    expect(await page.isVisible('#lineas-escuelas')).toBe(false);
    expect(await page.locator('#lineas-servicio th').allTextContents()).toEqual([
      'Línea',
      'CURP del responsable',
      'Nombre de la cuenta (sin dominio)',
      'Tipo',
      'Quitar',
    ]);
    await page.getByLabel('CURP del responsable de la línea 1', { exact: true }).fill(servicioHolders[0].curp);
    await page.getByLabel('Nombre de la cuenta, sin dominio, de la línea 1', { exact: true }).fill('becas.colima');
    await page.fill('#s2-curp', servicioHolders[1].curp);
    await page.fill('#s2-cuenta', 'becas.manzanillo');
    await page.getByLabel('Tipo de cuenta de la línea 2', { exact: true }).selectOption({ label: 'Función' });
    await page.screenshot({ path: `${SCREENS}/oficio-lineas-servicio-tabla.png`, fullPage: true });
    await go(page, button(page, 'Registrar y emitir acuse'));

    expect(new URL(page.url()).pathname).toBe('/oficios');
    expect(await page.textContent('main [role=status]')).toMatch(
      /^Oficio registrado con el folio SSST-\d{4}-\d{6}: 2 cuentas de servicio o función, un trámite por cuenta\./,
    );
    const lines = await linesOf('DB/0502/2026');
    expect(lines.map((l) => [l.linea, l.curp, l.nombreCuenta, l.tipoCuenta])).toEqual([
      [1, servicioHolders[0].curp, 'becas.colima', 'servicio'],
      [2, servicioHolders[1].curp, 'becas.manzanillo', 'funcion'],
    ]);
    await page.screenshot({ path: `${SCREENS}/oficio-lineas-servicio.png`, fullPage: true });
  });
});
