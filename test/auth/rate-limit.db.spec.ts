import request from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app';

/** The public routes' limit per address (embedded default: counted in memory): 429, Spanish, Retry-After; pages as HTML. */
describe('public rate limits answer 429 in Spanish with Retry-After, pages as a page', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the self-service page: the 21st try in a minute gets an HTML page', async () => {
    const ip = '203.0.113.60';
    for (let i = 0; i < 20; i++)
      await http()
        .post('/correo/alta')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ curp: 'X', curt: 'Y' })
        .expect(400);
    const res = await http()
      .post('/correo/alta')
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ curp: 'X', curt: 'Y' })
      .expect(429);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toMatch(/Demasiados intentos desde su conexión/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    await http()
      .post('/correo/alta')
      .set('X-Forwarded-For', '203.0.113.61')
      .type('form')
      .send({ curp: 'X', curt: 'Y' })
      .expect(400);
  });

  it('the self-service API: JSON 429 with Retry-After', async () => {
    const ip = '203.0.113.62';
    for (let i = 0; i < 20; i++)
      await http().post('/api/autoservicio/alta').set('X-Forwarded-For', ip).send({ curp: 'X', curt: 'Y' }).expect(400);
    const res = await http()
      .post('/api/autoservicio/alta')
      .set('X-Forwarded-For', ip)
      .send({ curp: 'X', curt: 'Y' })
      .expect(429);
    expect(res.body).toMatchObject({ error: 'DEMASIADAS_SOLICITUDES' });
    expect(res.body.mensaje).toMatch(/Espere/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});
