import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { StaffUser } from '../../src/auth/staff-user.entity';
import { Oficio } from '../../src/oficios/entities/oficio.entity';
import { escapeHtml as esc } from '../../src/render/handlebars';
import { addNiveles, scannedOficio } from '../oficios/support';
import { launchBrowser } from '../support/browser';
import { createStaff, STAFF_PASSWORD } from '../support/staff';
import type { TestApp } from '../support/test-app';
import { createWebApp } from './support';

/**
 * The review's attack, replayed in a real Chromium: a page served from another port of the same host (same site, so
 * the SameSite=strict session cookie goes along) makes the signed-in administrator's browser post to the JSON API.
 */
describe('CSRF against the JSON API from another port of the same host (Chromium)', () => {
  let t: TestApp & { base: string };
  let browser: Browser;
  let evil: Server;
  let evilBase = '';
  const pages = new Map<string, string>();
  const contexts: BrowserContext[] = [];
  const ds = () => t.db.dataSource;

  const signIn = async (usuario: string): Promise<Page> => {
    const c = await browser.newContext({ locale: 'es-MX' });
    contexts.push(c);
    const page = await c.newPage();
    await page.goto(`${t.base}/personal/entrar`);
    await page.fill('#f-usuario', usuario);
    await page.fill('#f-contrasena', STAFF_PASSWORD);
    await Promise.all([page.waitForEvent('load'), page.click('button[type=submit]')]);
    expect(new URL(page.url()).pathname).not.toBe('/personal/entrar');
    return page;
  };

  /** Serves `html` at a path of the attacker's server and returns its URL. */
  const attackPage = (path: string, html: string): string => {
    pages.set(path, `<!doctype html><html><head><meta charset="utf-8"></head><body>${html}</body></html>`);
    return `${evilBase}${path}`;
  };

  const autoSubmittedForm = (
    action: string,
    fields: Record<string, string>,
    enctype = 'application/x-www-form-urlencoded',
  ): string =>
    `<form method="post" action="${esc(action)}" enctype="${enctype}">${Object.entries(fields)
      .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
      .join('')}</form><script>document.forms[0].submit()</script>`;

  beforeAll(async () => {
    t = await createWebApp({ RELAY_INTERVAL_MS: '60000' });
    await addNiveles(ds());
    await createStaff(ds(), 'admin', 'administrador', { nombre: 'Adriana Torres Vizcaíno' });
    await createStaff(ds(), 'oficialia', 'subdireccion', { nombre: 'María Fernanda Ochoa Larios' });
    evil = createServer((req, res) => {
      const html = pages.get(req.url ?? '');
      res.writeHead(html ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(html ?? '');
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilBase = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
    expect(evilBase).not.toBe(t.base);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await new Promise<void>((resolve) => (evil ? evil.close(() => resolve()) : resolve()));
    await t?.close();
  });

  it('an auto-submitted form cannot create an administrator with the admin’s cookie', async () => {
    const page = await signIn('admin');
    const url = attackPage(
      '/premio.html',
      autoSubmittedForm(`${t.base}/api/admin/usuarios`, {
        usuario: 'intruso',
        nombre: 'Intruso de Prueba',
        rol: 'administrador',
      }),
    );
    await Promise.all([page.waitForURL(`${t.base}/api/admin/usuarios`), page.goto(url)]);
    const answer = await page.textContent('body');
    expect(answer).not.toContain('contrasenaInicial');
    expect(
      await ds()
        .getRepository(StaffUser)
        .exists({ where: { usuario: 'intruso' } }),
    ).toBe(false);
  });

  it('a fetch with credentials (no-cors, form body) cannot create one either', async () => {
    const page = await signIn('admin');
    const url = attackPage(
      '/fetch.html',
      `<script>fetch(${JSON.stringify(`${t.base}/api/admin/usuarios`)}, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'usuario=intruso2&nombre=Intruso+de+Prueba&rol=administrador' }).then(() => { document.title = 'enviado'; }, () => { document.title = 'enviado'; });</script>`,
    );
    await page.goto(url);
    await page.waitForFunction("document.title === 'enviado'");
    expect(
      await ds()
        .getRepository(StaffUser)
        .exists({ where: { usuario: 'intruso2' } }),
    ).toBe(false);
  });

  it('a multipart fetch with a scanned PDF cannot register an oficio with the Subdirección’s cookie', async () => {
    const page = await signIn('oficialia');
    const fields = {
      procedimiento: 'cuenta-bloquear',
      numeroOficio: 'FALSO/0001/2026',
      fechaOficio: '2026-11-20',
      remitenteNombre: 'Nadie',
      remitenteCargo: 'Nadie',
      area: 'Ninguna',
      asunto: 'Bloqueo de la cuenta programa.lectura@colima.gob.mx',
    };
    const pdf = (await scannedOficio('Oficio FALSO/0001/2026')).toString('base64');
    const url = attackPage(
      '/oficio.html',
      `<script>
const f = new FormData();
for (const [k, v] of Object.entries(${JSON.stringify(fields)})) f.append(k, v);
f.append('archivo', new Blob([Uint8Array.from(atob('${pdf}'), (c) => c.charCodeAt(0))], { type: 'application/pdf' }), 'oficio.pdf');
fetch(${JSON.stringify(`${t.base}/api/oficios`)}, { method: 'POST', mode: 'no-cors', credentials: 'include', body: f }).then(() => { document.title = 'enviado'; }, () => { document.title = 'enviado'; });
</script>`,
    );
    await page.goto(url);
    await page.waitForFunction("document.title === 'enviado'");
    expect(
      await ds()
        .getRepository(Oficio)
        .exists({ where: { numeroRemitente: 'FALSO/0001/2026' } }),
    ).toBe(false);
  });

  it('the staff pages themselves still work with the same cookie (their forms carry the token)', async () => {
    const page = await signIn('admin');
    await page.goto(`${t.base}/admin/usuarios`);
    await page.fill('#f-usuario', 'legitimo');
    await page.fill('#f-nombre', 'Usuario Legítimo de Prueba');
    await page.selectOption('#f-rol', 'subjefatura');
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: /Crear usuario/ }).click()]);
    expect(
      await ds()
        .getRepository(StaffUser)
        .exists({ where: { usuario: 'legitimo' } }),
    ).toBe(true);
  });
});
