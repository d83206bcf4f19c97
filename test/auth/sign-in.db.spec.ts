import request from 'supertest';
import { StaffUser } from '../../src/auth/staff-user.entity';
import { createStaff, login, STAFF_PASSWORD } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * Sign-in defects of the review: lockout per user only (anyone could lock anyone), no per-IP limit, an admin reset
 * that did not clear the lockout, a first-login change that took the same password, a sign-in form without a token.
 * The app trusts X-Forwarded-For from loopback (a local proxy), so the tests speak from several addresses.
 */
describe('staff sign-in: limits per address and per user+address, reset, password change, form token', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());
  const ds = () => t.db.dataSource;
  const apiLogin = (usuario: string, contrasena: string, ip: string) =>
    http().post('/api/auth/login').set('X-Forwarded-For', ip).send({ usuario, contrasena });

  beforeAll(async () => {
    t = await createTestApp();
    await createStaff(ds(), 'admin', 'administrador');
    for (const u of ['victima', 'victima2', 'nuevo', 'cambia'])
      await createStaff(ds(), u, 'subjefatura', { mustChangePassword: u === 'nuevo' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('five failures lock the user only from that address: the attacker cannot lock the user out elsewhere', async () => {
    for (let i = 0; i < 5; i++) await apiLogin('victima', 'no-es-la-contrasena', '203.0.113.7').expect(401);
    const locked = await apiLogin('victima', STAFF_PASSWORD, '203.0.113.7').expect(429);
    expect(locked.body).toMatchObject({ error: 'DEMASIADOS_INTENTOS' });
    expect(locked.body.mensaje).toMatch(/Espere \d+ minutos?/);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    // The user, from their own office, signs in as usual.
    await apiLogin('victima', STAFF_PASSWORD, '198.51.100.20').expect(200);
  });

  it('one address cannot lock everyone: after 20 failures it waits, whoever it tries; other addresses do not', async () => {
    const ip = '203.0.113.99';
    for (let i = 0; i < 20; i++) await apiLogin(`adivinado${i}`, 'no-es-la-contrasena', ip).expect(401);
    const blocked = await apiLogin('victima2', STAFF_PASSWORD, ip).expect(429);
    expect(blocked.body.mensaje).toMatch(/conexión/);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    await apiLogin('victima2', STAFF_PASSWORD, '198.51.100.21').expect(200);
  });

  it('the sign-in page answers the limit as a page (HTML 429 with Retry-After)', async () => {
    const ip = '203.0.113.50';
    for (let i = 0; i < 5; i++) await apiLogin('cambia', 'no-es-la-contrasena', ip).expect(401);
    const form = await http().get('/personal/entrar').set('X-Forwarded-For', ip).expect(200);
    const cookie = ([] as string[])
      .concat(form.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0])
      .join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
    const res = await http()
      .post('/personal/entrar')
      .set('X-Forwarded-For', ip)
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrf, usuario: 'cambia', contrasena: STAFF_PASSWORD })
      .expect(429);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toMatch(/Demasiados intentos fallidos/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('an administrator’s password reset clears the lockout', async () => {
    const ip = '203.0.113.8';
    for (let i = 0; i < 5; i++) await apiLogin('cambia', 'no-es-la-contrasena', ip).expect(401);
    await apiLogin('cambia', STAFF_PASSWORD, ip).expect(429);
    const admin = await login(t.app, 'admin');
    const user = await ds().getRepository(StaffUser).findOneByOrFail({ usuario: 'cambia' });
    const reset = await http()
      .post(`/api/admin/usuarios/${user.id}/restablecer`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    await apiLogin('cambia', reset.body.contrasenaInicial as string, ip).expect(200);
  });

  it('refuses the same password as the current one, in Spanish (the forced first change and any later one)', async () => {
    const token = (await apiLogin('nuevo', STAFF_PASSWORD, '198.51.100.30').expect(200)).body.token as string;
    const same = await http()
      .post('/api/auth/contrasena')
      .set('Authorization', `Bearer ${token}`)
      .send({ actual: STAFF_PASSWORD, nueva: STAFF_PASSWORD })
      .expect(400);
    expect(same.body).toMatchObject({ error: 'CONTRASENA_REPETIDA' });
    expect(same.body.mensaje).toMatch(/distinta de la actual/);
    expect((await ds().getRepository(StaffUser).findOneByOrFail({ usuario: 'nuevo' })).mustChangePassword).toBe(true);
    await http()
      .post('/api/auth/contrasena')
      .set('Authorization', `Bearer ${token}`)
      .send({ actual: STAFF_PASSWORD, nueva: 'tejocote-marea-cedro-17' })
      .expect(204);
    const again = (await apiLogin('nuevo', 'tejocote-marea-cedro-17', '198.51.100.30').expect(200)).body
      .token as string;
    await http()
      .post('/api/auth/contrasena')
      .set('Authorization', `Bearer ${again}`)
      .send({ actual: 'tejocote-marea-cedro-17', nueva: 'tejocote-marea-cedro-17' })
      .expect(400);
  });

  it('the sign-in form carries a token and refuses a post without it (login CSRF)', async () => {
    const ip = '198.51.100.40';
    const forged = await http()
      .post('/personal/entrar')
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ usuario: 'admin', contrasena: STAFF_PASSWORD })
      .expect(403);
    expect(forged.headers['content-type']).toMatch(/text\/html/);
    expect(forged.text).toMatch(/formulario/i);
    expect(String(forged.headers['set-cookie'] ?? '')).not.toMatch(/mci_sesion=[^;]/);

    const form = await http().get('/personal/entrar').set('X-Forwarded-For', ip).expect(200);
    const cookie = ([] as string[])
      .concat(form.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0])
      .join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
    expect(csrf).not.toBe('');
    // The token of one browser does not work in another (it is bound to the browser's own pre-session cookie).
    const other = await http().get('/personal/entrar').expect(200);
    const otherCookie = ([] as string[])
      .concat(other.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0])
      .join('; ');
    await http()
      .post('/personal/entrar')
      .set('X-Forwarded-For', ip)
      .set('Cookie', otherCookie)
      .type('form')
      .send({ _csrf: csrf, usuario: 'admin', contrasena: STAFF_PASSWORD })
      .expect(403);
    // A browser that says the post comes from another site or port is refused even with a valid pair.
    await http()
      .post('/personal/entrar')
      .set('X-Forwarded-For', ip)
      .set('Cookie', cookie)
      .set('Sec-Fetch-Site', 'same-site')
      .type('form')
      .send({ _csrf: csrf, usuario: 'admin', contrasena: STAFF_PASSWORD })
      .expect(403);

    const ok = await http()
      .post('/personal/entrar')
      .set('X-Forwarded-For', ip)
      .set('Cookie', cookie)
      .set('Sec-Fetch-Site', 'same-origin')
      .type('form')
      .send({ _csrf: csrf, usuario: 'admin', contrasena: STAFF_PASSWORD })
      .expect(303);
    expect(String(ok.headers['set-cookie'])).toMatch(/mci_sesion=[^;]/);
  });
});
