import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import request from 'supertest';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { HealthService } from '../../src/health/health.service';
import { type DirectoryAccount, ProviderError } from '../../src/provisioning/providers/directory-provider';
import { LocalDirectoryProvider } from '../../src/provisioning/providers/local/local-directory.provider';
import { addWorker, buildPipeline, confirmPersonalAlta } from '../support/pipeline';
import { createStaff, login } from '../support/staff';
import { createTestApp } from '../support/test-app';
import { createTestDb, type TestDb } from '../support/test-db';

/** A directory that refuses every new account for good (e.g. the address is taken by hand meanwhile). */
class RefusingDirectory extends LocalDirectoryProvider {
  override create(): Promise<DirectoryAccount> {
    return Promise.reject(new ProviderError('permanent', 'duplicate'));
  }
}

describe('a job that fails for good is not silent', () => {
  let db: TestDb;
  let p: ReturnType<typeof buildPipeline>;
  beforeAll(async () => {
    db = await createTestDb();
    p = buildPipeline(db, { directory: new RefusingDirectory(db.dataSource) });
    await p.engine.syncCatalog(new Date('2026-01-01T00:00:00Z'));
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await p?.close();
    await db?.close();
  });

  it('logs the failed outbox row and the incident at error/warn, and /health says degraded', async () => {
    const health = new HealthService(db.dataSource, p.config);
    expect(await health.check()).toMatchObject({ estado: 'ok', avisos: [] });

    const error = jest.spyOn(Logger.prototype, 'error');
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const w = await addWorker(db.dataSource);
    const c = await confirmPersonalAlta(p.engine, w);
    await p.drain();

    const row = await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: c.caseId });
    expect(row.status).toBe('incidente');
    const cmd = await db.dataSource
      .getRepository(OutboxCommand)
      .findOneByOrFail({ caseId: c.caseId, type: 'provision' });
    expect(cmd.status).toBe('fallido');

    const logged = [...error.mock.calls, ...warn.mock.calls].map(([obj, msg]) => ({
      obj: obj as Record<string, unknown>,
      msg: String(msg),
    }));
    expect(logged).toContainEqual({
      obj: expect.objectContaining({ outboxId: cmd.id, type: 'provision', caseId: c.caseId }),
      msg: expect.stringMatching(/fallido/i),
    });
    expect(logged).toContainEqual({
      obj: expect.objectContaining({ caseId: c.caseId }),
      msg: expect.stringMatching(/incidente/i),
    });

    const report = await health.check();
    expect(report.estado).toBe('degradado');
    expect(report.colas).toMatchObject({ bandejaDeSalida: { fallidos: 1 }, incidentes: 1 });
    expect(report.avisos).toEqual([
      expect.stringMatching(/1 trabajo fallido/),
      expect.stringMatching(/1 trámite en incidente/),
    ]);
  });
});

describe('GET /api/admin/salud', () => {
  it('answers 200 "degradado" (not 503: the service still serves) while a job has failed', async () => {
    const t = await createTestApp();
    try {
      await createStaff(t.db.dataSource, 'admin-fallido', 'administrador');
      const token = await login(t.app, 'admin-fallido');
      const http = () => ({
        get: (path: string) => request(t.app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`),
      });
      expect((await http().get('/api/admin/salud').expect(200)).body).toMatchObject({
        estado: 'ok',
        avisos: [],
        certificado: { prueba: true },
      });
      const now = new Date();
      await t.db.dataSource.getRepository(OutboxCommand).insert({
        id: randomUUID(),
        caseId: randomUUID(),
        type: 'renderAcuse',
        payload: '{}',
        idempotencyKey: randomUUID(),
        status: 'fallido',
        attempts: 1,
        availableAt: now,
        createdAt: now,
        enqueuedAt: now,
        doneAt: null,
        lastError: 'x',
      });
      const res = await http().get('/api/admin/salud').expect(200);
      expect(res.body).toMatchObject({
        estado: 'degradado',
        baseDeDatos: { ok: true },
        colas: { bandejaDeSalida: { fallidos: 1 } },
      });
      expect(res.body.avisos).toEqual([expect.stringMatching(/1 trabajo fallido/)]);
      // The load balancer's answer does not change: the service still serves.
      expect((await request(t.app.getHttpServer()).get('/health').expect(200)).body.estado).toBe('listo');
    } finally {
      await t.close();
    }
  });
});
