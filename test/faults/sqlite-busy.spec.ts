import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/config';
import { SQLITE_BUSY_TIMEOUT_MS } from '../../src/config/db-timeouts';
import { createStaff, login } from '../support/staff';
import { createTestDb, type TestDb } from '../support/test-db';
import { reportFigures } from './report';

// Another process's connection to the same file (better-sqlite3 ships no type declarations).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Database = require('better-sqlite3') as new (file: string) => { exec(sql: string): void; close(): void };

/**
 * The embedded default: another process (an import, a CLI) holds SQLite's write lock. A write waits busy_timeout,
 * then answers 503 in Spanish with Retry-After — not a 500, and not an endless wait — and works once the lock is gone.
 */
describe('SQLite locked by another process', () => {
  let db: TestDb;
  let app: NestExpressApplication;
  let token: string;

  beforeAll(async () => {
    db = await createTestDb('sqlite');
    app = await createApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: db.dataDir }));
    await app.init();
    await createStaff(db.dataSource, 'admin.bloqueo', 'administrador');
    token = await login(app, 'admin.bloqueo');
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const create = (usuario: string): request.Test =>
    request(app.getHttpServer())
      .post('/api/admin/usuarios')
      .set('Authorization', `Bearer ${token}`)
      .send({ usuario, nombre: 'Usuaria de Prueba', rol: 'subdireccion' });

  it('a write answers 503 after busy_timeout while the lock is held, and succeeds once it is released', async () => {
    const other = new Database(db.sqliteFile!);
    try {
      other.exec('BEGIN IMMEDIATE'); // the write lock, as an import's transaction holds it
      const t0 = performance.now();
      const res = await create('durante.el.bloqueo').timeout(SQLITE_BUSY_TIMEOUT_MS * 4);
      const ms = Math.round(performance.now() - t0);
      reportFigures('sqlite bloqueado por otro proceso', { respuesta: res.status, ms });
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({
        error: 'BASE_DE_DATOS_NO_DISPONIBLE',
        mensaje: 'La base de datos no está disponible; intente de nuevo en unos momentos.',
      });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(ms).toBeLessThan(SQLITE_BUSY_TIMEOUT_MS * 3);
      // Reads go on meanwhile (WAL).
      expect(
        (await request(app.getHttpServer()).get('/api/admin/usuarios').set('Authorization', `Bearer ${token}`)).status,
      ).toBe(200);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((await create('despues.del.bloqueo')).status).toBe(201);
  });
});
