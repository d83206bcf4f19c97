import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import request from 'supertest';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('queue operations with Redis: Bull Board and queue metrics for administrators, readiness on /health', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());
  beforeAll(async () => {
    // A prefix of its own: the shared Redis of this machine is never disturbed.
    t = await createTestApp({
      REDIS_URL,
      QUEUE_PREFIX: `mci-t-${randomBytes(4).toString('hex')}`,
      RELAY_INTERVAL_MS: '60000',
    });
    await createStaff(t.db.dataSource, 'admin-colas', 'administrador');
    await createStaff(t.db.dataSource, 'sj-colas', 'subjefatura');
  });
  afterAll(async () => t?.close());
  let adminToken: string | undefined;
  /** The administrators' health report (one sign-in for the whole file). */
  const report = async (): Promise<request.Response> =>
    http()
      .get('/api/admin/salud')
      .set('Authorization', `Bearer ${(adminToken ??= await login(t.app, 'admin-colas'))}`);

  it('reports Redis and the queues to an administrator (fails with what to start when Redis is down)', async () => {
    const res = await report();
    if (res.status !== 200)
      throw new Error(
        `Redis no responde en ${REDIS_URL}: inicie redis-server o defina TEST_REDIS_URL. Respuesta: ${JSON.stringify(res.body)}`,
      );
    expect(res.body.redis.ok).toBe(true);
    expect(res.body.colas).toMatchObject({
      driver: 'bull',
      bandejaDeSalida: { pendientes: 0, fallidos: 0 },
      incidentes: 0,
    });
    expect(Object.keys(res.body.colas.trabajos).sort()).toEqual([
      'letters',
      'notifications',
      'provisioning',
      'reminders',
    ]);
  });

  it('answers the load balancer from the connections the queues hold: /health opens no Redis connection', async () => {
    await http().get('/health').expect(200);
    const connect = jest.spyOn(IORedis.prototype, 'connect');
    try {
      for (let i = 0; i < 20; i++) {
        const res = await http().get('/health').expect(200);
        expect(res.body).toEqual({
          estado: 'listo',
          baseDeDatos: { ok: true, ms: expect.any(Number) },
          redis: { ok: true, ms: expect.any(Number) },
        });
      }
      expect(connect).not.toHaveBeenCalled();
    } finally {
      connect.mockRestore();
    }
  });

  it('serves Bull Board only to a signed-in administrator', async () => {
    await http().get('/admin/colas').expect(404);
    const sj = await login(t.app, 'sj-colas');
    await http().get('/admin/colas').set('Cookie', `mci_sesion=${sj}`).expect(404);
    const admin = await login(t.app, 'admin-colas');
    const page = await http().get('/admin/colas').set('Cookie', `mci_sesion=${admin}`).expect(200);
    expect(page.text).toMatch(/<html/i);
    const api = await http().get('/admin/colas/api/queues').set('Cookie', `mci_sesion=${admin}`).expect(200);
    expect(JSON.stringify(api.body)).toContain('provisioning');
  });

  it('refuses a change to the queues that the browser says comes from another site or port (CSRF)', async () => {
    const admin = await login(t.app, 'admin-colas');
    const counts = async (): Promise<string> => JSON.stringify((await report()).body.colas.trabajos);
    const before = await counts();
    for (const site of ['same-site', 'cross-site']) {
      const res = await http()
        .post('/admin/colas/api/queues/provisioning/add')
        .set('Cookie', `mci_sesion=${admin}`)
        .set('Sec-Fetch-Site', site)
        .type('form')
        .send({ name: 'x', data: '{}' });
      expect(res.status).toBe(403);
      expect(res.body.mensaje).toMatch(/otro sitio/);
    }
    const pause = await http()
      .put('/admin/colas/api/queues/provisioning/pause')
      .set('Cookie', `mci_sesion=${admin}`)
      .set('Sec-Fetch-Site', 'same-site');
    expect(pause.status).toBe(403);
    expect(await counts()).toBe(before);
    // The board's own page (same origin) still works.
    await http()
      .put('/admin/colas/api/queues/provisioning/pause')
      .set('Cookie', `mci_sesion=${admin}`)
      .set('Sec-Fetch-Site', 'same-origin')
      .expect(200);
    await http()
      .put('/admin/colas/api/queues/provisioning/resume')
      .set('Cookie', `mci_sesion=${admin}`)
      .set('Sec-Fetch-Site', 'same-origin')
      .expect(200);
  });
});
