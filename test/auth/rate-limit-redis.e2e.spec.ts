import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import Redis from 'ioredis';
import request from 'supertest';
import { createApp } from '../../src/bootstrap';
import { StaffUser } from '../../src/auth/staff-user.entity';
import { RedisRateLimitStore } from '../../src/common/rate-limit';
import { createStaff, login, STAFF_PASSWORD } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Two web processes behind one balancer: with REDIS_URL the limits are counted in Redis, so a client that spreads
 * its requests over both gets no more than the limit. Real Redis on 127.0.0.1:6379, a key prefix of its own.
 */
describe('rate limits shared through Redis by two web processes', () => {
  const prefix = `mci-t-limite-${randomBytes(4).toString('hex')}`;
  let a: TestApp;
  let b: NestExpressApplication;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect().catch((e: Error) => {
      throw new Error(`Redis no responde en ${REDIS_URL} (${e.message}). Inicie redis-server o defina TEST_REDIS_URL.`);
    });
    a = await createTestApp({ REDIS_URL, QUEUE_PREFIX: prefix, RELAY_INTERVAL_MS: '60000' });
    // The second process: the same configuration, database and Redis.
    b = await createApp(a.config);
    await b.init();
    await createStaff(a.db.dataSource, 'admin', 'administrador');
    await createStaff(a.db.dataSource, 'compartida', 'subjefatura');
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    if (redis?.status === 'ready') {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  });

  it('the self-service limit (20 a minute per address) counts across both processes', async () => {
    const ip = '203.0.113.40';
    const post = (app: NestExpressApplication, from = ip) =>
      request(app.getHttpServer())
        .post('/api/autoservicio/alta')
        .set('X-Forwarded-For', from)
        .send({ curp: 'X', curt: 'Y' });
    for (let i = 0; i < 10; i++) await post(a.app).expect(400);
    for (let i = 0; i < 10; i++) await post(b).expect(400);
    const limited = await post(a.app).expect(429);
    expect(limited.body.mensaje).toMatch(/Espere/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await post(b).expect(429);
    await post(b, '203.0.113.41').expect(400);
    expect((await redis.keys(`${prefix}:*`)).length).toBeGreaterThan(0);
  });

  it('sign-in failures on either process lock the user+address on both; an admin reset on one clears it for both', async () => {
    const ip = '203.0.113.42';
    const signIn = (app: NestExpressApplication, contrasena: string) =>
      request(app.getHttpServer())
        .post('/api/auth/login')
        .set('X-Forwarded-For', ip)
        .send({ usuario: 'compartida', contrasena });
    for (let i = 0; i < 3; i++) await signIn(a.app, 'no-es-la-contrasena').expect(401);
    for (let i = 0; i < 2; i++) await signIn(b, 'no-es-la-contrasena').expect(401);
    await signIn(a.app, STAFF_PASSWORD).expect(429);
    await signIn(b, STAFF_PASSWORD).expect(429);
    const user = await a.db.dataSource.getRepository(StaffUser).findOneByOrFail({ usuario: 'compartida' });
    const reset = await request(b.getHttpServer())
      .post(`/api/admin/usuarios/${user.id}/restablecer`)
      .set('Authorization', `Bearer ${await login(b, 'admin')}`)
      .expect(200);
    await signIn(a.app, reset.body.contrasenaInicial as string).expect(200);
  });

  it('with Redis unreachable the limits let requests through (counted as nothing) instead of failing them', async () => {
    const store = new RedisRateLimitStore('redis://127.0.0.1:1', `${prefix}:`);
    try {
      const t0 = Date.now();
      expect(await store.hit('x', 60_000)).toEqual({ count: 0, resetInMs: 0 });
      expect(await store.peek('x')).toEqual({ count: 0, resetInMs: 0 });
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      store.close();
    }
  });
});
