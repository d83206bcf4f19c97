import request from 'supertest';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';

describe('web application basics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers a load balancer on /health with up or down only (no counts, no details), with a request id', async () => {
    const res = await request(t.app.getHttpServer()).get('/health').expect(200);
    expect(res.body).toEqual({ estado: 'listo', baseDeDatos: { ok: true, ms: expect.any(Number) } });
    expect(res.headers['x-request-id']).toMatch(/^[\w-]{8,}$/);
    expect((await request(t.app.getHttpServer()).get('/health/vivo').expect(200)).body).toEqual({ estado: 'vivo' });
  });

  it('gives the detailed report to administrators only', async () => {
    await createStaff(t.db.dataSource, 'admin-salud', 'administrador');
    await createStaff(t.db.dataSource, 'sj-salud', 'subjefatura');
    const http = () => request(t.app.getHttpServer());
    expect((await http().get('/api/admin/salud').expect(401)).body.error).toBe('NO_AUTENTICADO');
    const sj = await login(t.app, 'sj-salud');
    await http().get('/api/admin/salud').set('Authorization', `Bearer ${sj}`).expect(403);
    const admin = await login(t.app, 'admin-salud');
    const res = await http().get('/api/admin/salud').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(res.body).toMatchObject({
      estado: 'ok',
      baseDeDatos: { ok: true, dialecto: t.db.dialect },
      colas: { bandejaDeSalida: { pendientes: 0, fallidos: 0 }, incidentes: 0 },
      certificado: { prueba: true },
    });
  });

  it('keeps a request id given by the proxy', async () => {
    const res = await request(t.app.getHttpServer()).get('/health').set('X-Request-Id', 'proxy-1234567');
    expect(res.headers['x-request-id']).toBe('proxy-1234567');
  });

  it('serves the OpenAPI document and sets security headers', async () => {
    const res = await request(t.app.getHttpServer()).get('/api/docs-json').expect(200);
    expect(res.body.paths['/health']).toBeDefined();
    const page = await request(t.app.getHttpServer()).get('/health');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers unknown routes in Spanish with 404', async () => {
    const res = await request(t.app.getHttpServer()).get('/no-existe').expect(404);
    expect(res.body).toEqual({ error: 'NO_ENCONTRADO', mensaje: 'No se encontró lo que busca.' });
  });

  it('reports Redis as down (503) when configured but unreachable, without saying where it looked', async () => {
    const other = await createTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const res = await request(other.app.getHttpServer()).get('/health').expect(503);
      expect(res.body).toEqual({
        estado: 'no_disponible',
        baseDeDatos: { ok: true, ms: expect.any(Number) },
        redis: { ok: false, ms: expect.any(Number) },
      });
      // Alive all the same: a supervisor must not restart a process because Redis is away.
      await request(other.app.getHttpServer()).get('/health/vivo').expect(200);
    } finally {
      await other.close();
    }
  });
});
