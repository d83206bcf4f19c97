import request from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app';

describe('web application basics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports the database on /health with a request id', async () => {
    const res = await request(t.app.getHttpServer()).get('/health').expect(200);
    expect(res.body).toMatchObject({ estado: 'ok', baseDeDatos: { ok: true, dialecto: t.db.dialect } });
    expect(res.headers['x-request-id']).toMatch(/^[\w-]{8,}$/);
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

  it('reports Redis as down (503) when configured but unreachable', async () => {
    const other = await createTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const res = await request(other.app.getHttpServer()).get('/health').expect(503);
      expect(res.body.estado).toBe('degradado');
      expect(res.body.redis.ok).toBe(false);
    } finally {
      await other.close();
    }
  });
});
