import request from 'supertest';
import { createStaff, STAFF_PASSWORD } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * TRUST_PROXY decides whose X-Forwarded-For is believed. Here the proxy is another host (10.9.8.7), so a request that
 * comes from loopback and writes its own X-Forwarded-For is taken at its real address: it cannot pose as several
 * clients to get around the per-address limits. (With the default, loopback, the same header is believed: see
 * sign-in.db.spec.ts, which speaks from several addresses that way.)
 */
describe('TRUST_PROXY names the proxies whose X-Forwarded-For is believed', () => {
  let t: TestApp;
  const apiLogin = (contrasena: string, ip: string) =>
    request(t.app.getHttpServer())
      .post('/api/auth/login')
      .set('X-Forwarded-For', ip)
      .send({ usuario: 'usuaria', contrasena });

  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: '10.9.8.7' });
    await createStaff(t.db.dataSource, 'usuaria', 'subjefatura');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('ignores the header from a peer that is not a named proxy: the lock follows the real address', async () => {
    for (let i = 0; i < 5; i++) await apiLogin('no-es-la-contrasena', '203.0.113.7').expect(401);
    // Another claimed address, the same real one (loopback): still locked out.
    const locked = await apiLogin(STAFF_PASSWORD, '198.51.100.20').expect(429);
    expect(locked.body).toMatchObject({ error: 'DEMASIADOS_INTENTOS' });
  });
});
