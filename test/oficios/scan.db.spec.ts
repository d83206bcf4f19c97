/**
 * The scanned oficio on the case page (issue 12 §1): whoever may see the case sees the scan the clerk uploaded, served
 * as it was stored (its detected type, inline, nosniff, not cached) and shown inside the page: a PDF in a frame, an
 * image as an image. Anyone else gets what they get for the case itself: 404 (signed in) or the sign-in page.
 */
import request from 'supertest';
import { SESSION_COOKIE } from '../../src/auth/auth.guard';
import { Oficio } from '../../src/oficios/entities/oficio.entity';
import { binary } from '../support/app-flows';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';
import { addNiveles, alterStoredFile, postOficio, scannedOficio } from './support';

jest.setTimeout(60_000);

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('oficios: the scanned oficio on the case page', () => {
  let t: TestApp;
  let pdf: Buffer;
  const tok: Record<string, string> = {};
  const http = () => request(t.app.getHttpServer());
  const FIELDS = {
    procedimiento: 'servicio-alta',
    fechaOficio: '2026-11-20',
    remitenteNombre: 'Profra. Ramona Íñiguez',
    remitenteCargo: 'Directora de Educación Primaria',
    nivel: 'PRIMARIA',
    asunto: 'Cuenta de servicio para la biblioteca',
  };
  const scan = (who: string, caseId: string) =>
    http().get(`/tramites/${caseId}/oficio`).set('Cookie', `${SESSION_COOKIE}=${tok[who]}`).buffer(true).parse(binary);
  let pdfCase: string;

  beforeAll(async () => {
    t = await createTestApp({ RELAY_INTERVAL_MS: '60000' });
    await addNiveles(t.db.dataSource);
    await createStaff(t.db.dataSource, 'oficialia', 'subdireccion');
    await createStaff(t.db.dataSource, 'sistemas', 'subjefatura');
    await createStaff(t.db.dataSource, 'primaria', 'nivel', { nivelClave: 'PRIMARIA' });
    await createStaff(t.db.dataSource, 'secundaria', 'nivel', { nivelClave: 'SECUNDARIA' });
    await createStaff(t.db.dataSource, 'becas', 'responsable');
    await createStaff(t.db.dataSource, 'admin', 'administrador');
    for (const u of ['oficialia', 'sistemas', 'primaria', 'secundaria', 'becas', 'admin'])
      tok[u] = await login(t.app, u);
    pdf = await scannedOficio('Oficio escaneado: solicitud de cuenta.');
    pdfCase = (await postOficio(t, tok.oficialia, pdf, { ...FIELDS, numeroOficio: 'PRIM/0100/2026' }).expect(201)).body
      .tramite as string;
  });
  afterAll(async () => t?.close());

  it.each(['oficialia', 'sistemas', 'admin', 'primaria'])(
    'serves the PDF to %s, who may see the case: its type, inline, nosniff, not cached, the very bytes',
    async (who) => {
      const res = await scan(who, pdfCase).expect(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toBe(`inline; filename="oficio.pdf"; filename*=UTF-8''oficio.pdf`);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('private, no-store');
      expect(Buffer.compare(res.body as Buffer, pdf)).toBe(0);
    },
  );

  it('answers 404 to a Nivel of another level and to a responsable the oficio is not addressed to, and sends the anonymous to sign in', async () => {
    for (const who of ['secundaria', 'becas']) {
      const res = await scan(who, pdfCase);
      expect([who, res.status]).toEqual([who, 404]);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
    }
    const anon = await http().get(`/tramites/${pdfCase}/oficio`);
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toMatch(/^\/personal\/entrar/);
  });

  it('shows the PDF inside the case page in a frame; an image as an image', async () => {
    const page = async (caseId: string) =>
      (await http().get(`/tramites/${caseId}`).set('Cookie', `${SESSION_COOKIE}=${tok.sistemas}`).expect(200)).text;
    expect(await page(pdfCase)).toContain(
      `<iframe class="visor-oficio" src="/tramites/${pdfCase}/oficio" title="Oficio escaneado PRIM/0100/2026`,
    );
    const png = await http()
      .post('/api/oficios')
      .set('Authorization', `Bearer ${tok.oficialia}`)
      .field({ ...FIELDS, numeroOficio: 'PRIM/0101/2026' })
      .attach('archivo', PNG, { filename: 'escaneo (1).png', contentType: 'image/png' })
      .expect(201);
    const pngCase = png.body.tramite as string;
    const html = await page(pngCase);
    expect(html).toContain(`<img class="visor-oficio" src="/tramites/${pngCase}/oficio" alt="Oficio escaneado`);
    expect(html).not.toContain('<iframe class="visor-oficio"');
    const res = await scan('primaria', pngCase).expect(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['content-disposition']).toBe(
      `inline; filename="escaneo (1).png"; filename*=UTF-8''escaneo%20%281%29.png`,
    );
  });

  it('keeps a file name with accents as the browser sent it (UTF-8), not as latin1', async () => {
    const name = 'Oficio Núñez (firmado).png';
    const res = await http()
      .post('/api/oficios')
      .set('Authorization', `Bearer ${tok.oficialia}`)
      .field({ ...FIELDS, numeroOficio: 'PRIM/0103/2026' })
      .attach('archivo', PNG, { filename: name, contentType: 'image/png' })
      .expect(201);
    const caseId = res.body.tramite as string;
    const row = await t.db.dataSource.getRepository(Oficio).findOneByOrFail({ caseId });
    expect(row.archivoNombre).toBe(name);
    expect((await scan('primaria', caseId).expect(200)).headers['content-disposition']).toBe(
      `inline; filename="Oficio Nunez (firmado).png"; filename*=UTF-8''Oficio%20N%C3%BA%C3%B1ez%20%28firmado%29.png`,
    );
  });

  it('does not serve a stored scan that no longer matches its SHA-256', async () => {
    const res = await postOficio(t, tok.oficialia, await scannedOficio('Otro oficio.'), {
      ...FIELDS,
      numeroOficio: 'PRIM/0102/2026',
    }).expect(201);
    const row = await t.db.dataSource.getRepository(Oficio).findOneByOrFail({ caseId: res.body.tramite as string });
    await alterStoredFile(t, row.archivoKey, Buffer.from('%PDF-1.4 alterado'));
    const r = await scan('oficialia', row.caseId);
    expect(r.status).toBe(503);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
  });
});
