/**
 * Another state can run it (issue 13): the institution's names (INSTITUTION_NAME, INSTITUTION_SHORT_NAME, STATE_NAME,
 * LETTERHEAD_AREA) and the entidad of its CCTs (CCT_STATE_CODE) are configuration; nothing set is Colima's CSEEE, 06.
 * A CCT of another state is refused where people type one — here the PII platform's call (Guía 5.2.2) — with a Spanish
 * reason, and taken with CCT_STATE_CODE set to that state; the public and staff pages and the API's description name
 * the configured institution. Runs on SQLite and, with TEST_DB=mariadb, on MariaDB.
 */
import request from 'supertest';
import { addNiveles, postOficio, scannedOficio } from '../oficios/support';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';

const KEY = 'clave-de-prueba-pii-123';
const NAYARIT = {
  CCT_STATE_CODE: '18',
  INSTITUTION_NAME: 'Servicios de Educación Pública del Estado de Nayarit',
  INSTITUTION_SHORT_NAME: 'SEPEN',
  STATE_NAME: 'Nayarit',
  LETTERHEAD_AREA: 'Dirección de Tecnologías de la Información',
};
const CSEEE = 'Coordinación de los Servicios Educativos del Estado de Colima';

describe('the configured institution', () => {
  let colima: TestApp;
  let nayarit: TestApp;
  const start = (env: Record<string, string>): Promise<TestApp> =>
    createTestApp({ RELAY_INTERVAL_MS: '60000', PII_API_KEY: KEY, ...env });
  const http = (t: TestApp) => request(t.app.getHttpServer());
  const ask = (t: TestApp, cct: string) =>
    http(t)
      .post(`/api/pii/centros/${cct}/restablecer-contrasena`)
      .set('X-Api-Key', KEY)
      .send({ contrasena: 'jacaranda-volcan-2026' });

  beforeAll(async () => {
    colima = await start({});
    nayarit = await start(NAYARIT);
  });
  afterAll(async () => {
    await colima?.close();
    await nayarit?.close();
  });

  it("refuses another state's CCT by default (Colima, 06) and takes it when CCT_STATE_CODE is that state's", async () => {
    const refused = await ask(colima, '18DPR0001Z').expect(400);
    expect(refused.body).toMatchObject({
      error: 'CCT_INVALIDO',
      mensaje: 'La CCT 18DPR0001Z es de otra entidad federativa («18»): las de este sistema empiezan con 06.',
    });
    // Colima's own CCT passes the check (the school has no account here: the answer is about that, not the CCT).
    expect((await ask(colima, '06DPR0001Z')).body.error).not.toBe('CCT_INVALIDO');

    const taken = await ask(nayarit, '18DPR0001Z');
    expect(taken.status).not.toBe(400);
    expect(taken.body.error).not.toBe('CCT_INVALIDO');
    expect((await ask(nayarit, '06DPR0001Z').expect(400)).body.mensaje).toMatch(
      /otra entidad federativa \(«06»\).*empiezan con 18/,
    );
  });

  it('refuses an oficio about a work centre of another state, and registers one about its own', async () => {
    await addNiveles(colima.db.dataSource);
    await createStaff(colima.db.dataSource, 'oficialia', 'subdireccion');
    const token = await login(colima.app, 'oficialia');
    const pdf = await scannedOficio('Oficio: cuenta de la escuela primaria.');
    const oficio = (numero: string, cct: string) =>
      postOficio(colima, token, pdf, {
        procedimiento: 'centro-trabajo-alta',
        numeroOficio: numero,
        fechaOficio: '2026-11-20',
        remitenteNombre: 'Profr. José Ángel Núñez Ceballos',
        remitenteCargo: 'Director de Educación Primaria',
        nivel: 'PRIMARIA',
        asunto: 'Cuenta de correo de la escuela',
        cct,
      });
    const refused = await oficio('DEP/0001/2026', '18DPR0001Z').expect(400);
    expect(refused.body.mensaje).toBe(
      'La CCT 18DPR0001Z es de otra entidad federativa («18»): las de este sistema empiezan con 06.',
    );
    await oficio('DEP/0002/2026', '06DPR0001Z').expect(201);
  });

  it('names it on the public pages, the staff sign-in page and the API description', async () => {
    const home = (await http(nayarit).get('/').expect(200)).text;
    expect(home).toContain(`<header><p>${NAYARIT.INSTITUTION_NAME}</p><p>${NAYARIT.LETTERHEAD_AREA} · `);
    expect(home).not.toMatch(/Colima|CSEEE/);
    const signIn = (await http(nayarit).get('/personal/entrar').expect(200)).text;
    expect(signIn).toContain('<small>SEPEN · Nayarit</small>');
    expect(signIn).toContain(`<footer class="pie">${NAYARIT.INSTITUTION_NAME} · ${NAYARIT.LETTERHEAD_AREA}</footer>`);
    expect(signIn).not.toMatch(/Colima|CSEEE/);
    // A page of the self-service and an error page before any route.
    expect((await http(nayarit).get('/correo').expect(200)).text).toContain(`<p>${NAYARIT.INSTITUTION_NAME}</p>`);
    const missing = await http(nayarit)
      .get('/activar/no-existe')
      .expect((r) => expect(r.status).toBeGreaterThan(399));
    expect(missing.text).toContain(`<p>${NAYARIT.INSTITUTION_NAME}</p>`);
    const docs = await http(nayarit).get('/api/docs-json').expect(200);
    expect(docs.body.info.description).toContain('(SEPEN Nayarit)');
  });

  it("keeps Colima's CSEEE with nothing set", async () => {
    const home = (await http(colima).get('/').expect(200)).text;
    expect(home).toContain(`de la Secretaría de Educación y la ${CSEEE}.</p>`);
    expect(home).toContain(`<header><p>${CSEEE}</p><p>Subdirección de Sistemas y Servicios Telemáticos · `);
    expect((await http(colima).get('/personal/entrar').expect(200)).text).toContain('<small>CSEEE · Colima</small>');
    const docs = await http(colima).get('/api/docs-json').expect(200);
    expect(docs.body.info.description).toContain('(CSEEE Colima)');
  });
});
