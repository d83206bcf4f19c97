import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config';
import { MAILER, type Mailer } from '../../src/mail/mailer';
import { FILE_STORE, type FileStore } from '../../src/oficios/file-store';
import { createTestApp } from '../support/test-app';
import { createTestDb } from '../support/test-db';

/** Every folder and file under `dir`, with its permission bits. */
function modes(dir: string): Array<{ path: string; mode: string; dir: boolean }> {
  const out: Array<{ path: string; mode: string; dir: boolean }> = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      out.push({ path: p.slice(dir.length + 1), mode: (st.mode & 0o777).toString(8), dir: st.isDirectory() });
      if (st.isDirectory()) walk(p);
    }
  };
  out.push({ path: '.', mode: (statSync(dir).mode & 0o777).toString(8), dir: true });
  walk(dir);
  return out;
}

describe('DATA_DIR holds personal data and keys: only the product user reads it', () => {
  it('a fresh DATA_DIR is 0700 and everything the app writes in it is 0600 (folders 0700)', async () => {
    const base = await createTestDb();
    const dataDir = join(base.dataDir, 'nuevo', 'datos');
    const t = await createTestApp({ DATA_DIR: dataDir });
    try {
      await t.app.get<FileStore>(FILE_STORE).save(Buffer.from('%PDF-1.4 oficio escaneado'));
      await t.app.get<Mailer>(MAILER).send({
        to: ['persona@colima.gob.mx'],
        subject: 'Prueba',
        text: 'Hola',
        html: '<p>Hola</p>',
        idempotencyKey: 'permisos-1',
      });
      const found = modes(dataDir);
      const names = found.map((f) => f.path);
      // What a boot and a day of work leave: the database (WAL), the secret key, the test certificate, documents, mail.
      if (t.db.dialect === 'sqlite')
        expect(names).toEqual(expect.arrayContaining(['mci.sqlite', 'mci.sqlite-wal', 'mci.sqlite-shm']));
      expect(names).toEqual(
        expect.arrayContaining(['secret.key', 'firma', join('firma', 'firma-prueba.pem'), 'outbox']),
      );
      // Documents are files on the embedded default (rows of the database on MariaDB).
      if (t.config.documentStore === 'archivos') expect(names).toContain('documentos');
      expect(names.some((n) => n.endsWith('.eml'))).toBe(true);
      const loose = found.filter((f) => f.mode !== (f.dir ? '700' : '600'));
      expect(loose).toEqual([]);
    } finally {
      await t.close();
      await base.close();
    }
  });

  it('an existing DATA_DIR open to others is tightened to 0700', async () => {
    const base = await createTestDb();
    try {
      const dataDir = join(base.dataDir, 'abierto');
      mkdirSync(dataDir);
      chmodSync(dataDir, 0o755);
      loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir });
      expect((statSync(dataDir).mode & 0o777).toString(8)).toBe('700');
    } finally {
      await base.close();
    }
  });
});
