/**
 * Documents kept in the database (DatabaseFileStore, the default on MySQL/MariaDB): the same contract as the files on
 * disk (content addressing, a second save renews the time, the sweep's guard), pieces under MySQL's BLOB limit, the
 * move between stores with every SHA-256 checked, and — on MariaDB — a scan registered through one web process served
 * by another that has no file of it. Runs on SQLite and, with TEST_DB=mariadb, on MariaDB.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { LessThan } from 'typeorm';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/config';
import { sha256 } from '../../src/letters/verification';
import { DatabaseFileStore, STORED_FILE_CHUNK_BYTES } from '../../src/oficios/database-file-store';
import { moveDocuments } from '../../src/oficios/document-move';
import { StoredFileChunk, StoredFileRow } from '../../src/oficios/entities/stored-file.entity';
import { Oficio } from '../../src/oficios/entities/oficio.entity';
import { LocalFileStore } from '../../src/oficios/file-store';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';
import { createTestDb, type TestDb } from '../support/test-db';
import { addNiveles, bloqueoFields, downloadScan, postOficio, scannedOficio, settle } from './support';

const T0 = new Date('2031-03-10T17:00:00Z');
const HOUR = 3_600_000;

describe('documents in the database', () => {
  let db: TestDb;
  let clock: Date;
  let store: DatabaseFileStore;
  beforeAll(async () => {
    db = await createTestDb();
    store = new DatabaseFileStore(db.dataSource, () => clock);
  });
  afterAll(async () => db?.close());
  beforeEach(() => {
    clock = T0;
  });
  const pieces = (key: string) => db.dataSource.getRepository(StoredFileChunk).countBy({ key });

  it('keeps any content byte for byte under the key the files on disk would have, in pieces under 64 KB', async () => {
    const local = new LocalFileStore(mkdtempSync(join(tmpdir(), 'mci-docs-')));
    try {
      for (const size of [0, 1, STORED_FILE_CHUNK_BYTES, STORED_FILE_CHUNK_BYTES + 1, 10 * 1024 * 1024]) {
        const data = randomBytes(size);
        const saved = await store.save(data);
        expect(saved).toEqual(await local.save(data));
        expect(saved).toEqual({
          key: `${sha256(data).slice(0, 2)}/${sha256(data)}`,
          sha256: sha256(data),
          bytes: size,
        });
        expect((await store.read(saved.key)).equals(data)).toBe(true);
        expect(await pieces(saved.key)).toBe(Math.max(1, Math.ceil(size / STORED_FILE_CHUNK_BYTES)));
      }
    } finally {
      rmSync(local.root, { recursive: true, force: true });
    }
  }, 60_000);

  it('stores the same content once, renews its time on a second save, and takes two saves at once', async () => {
    const data = randomBytes(150_000);
    const { key } = await store.save(data);
    clock = new Date(T0.getTime() + 2 * HOUR);
    const again = await Promise.all([store.save(data), store.save(data), store.save(data)]);
    expect(new Set(again.map((a) => a.key))).toEqual(new Set([key]));
    const rows = await db.dataSource.getRepository(StoredFileRow).findBy({ key });
    expect(rows).toHaveLength(1);
    expect(rows[0].savedAt.getTime()).toBe(clock.getTime());
    expect(await pieces(key)).toBe(3);
    expect((await store.read(key)).equals(data)).toBe(true);
  });

  it('answers a missing or malformed key with a Spanish 404', async () => {
    for (const key of ['ab/' + 'a'.repeat(64), '../secret.key', ''])
      await expect(store.read(key)).rejects.toMatchObject({ code: 'ARCHIVO_NO_ENCONTRADO', status: 404 });
  });

  it('sweeps what no row names once older than the grace, never what was saved again while it decided', async () => {
    // The files of the tests above are named by rows here (as scans and letters would be).
    const earlier = (await db.dataSource.getRepository(StoredFileRow).find({ select: { key: true } })).map(
      (r) => r.key,
    );
    const kept = await store.save(randomBytes(1000));
    const orphan = await store.save(randomBytes(70_000));
    const renewed = randomBytes(2000);
    const late = await store.save(renewed);
    const before = new Date(T0.getTime() + HOUR);
    const named = new Set([kept.key, ...earlier]);
    const old = (
      await db.dataSource
        .getRepository(StoredFileRow)
        .find({ where: { savedAt: LessThan(before) }, select: { key: true } })
    ).map((r) => r.key);
    expect(old).toEqual(expect.arrayContaining([kept.key, orphan.key, late.key]));
    const asked: string[][] = [];
    const removed: string[] = [];
    const pages = store.removeUnreferenced(
      before,
      async (keys) => {
        asked.push([...keys]);
        // Between the listing and the removal a registration saves the same content again.
        clock = new Date(T0.getTime() + 2 * HOUR);
        await store.save(renewed);
        return new Set(keys.filter((k) => named.has(k)));
      },
      2,
    );
    for await (const page of pages) removed.push(...page);
    expect(removed).toEqual([orphan.key]);
    // Pages of 2 rows at most, in key order, each old row asked about once (`late` only if listed before it was saved
    // again).
    expect(asked.length).toBeGreaterThanOrEqual(Math.ceil((old.length - 1) / 2));
    for (const page of asked) expect(page.length).toBeLessThanOrEqual(2);
    const notLate = (keys: string[]) => keys.filter((k) => k !== late.key);
    expect(notLate(asked.flat())).toEqual(notLate(old).sort());
    expect(await pieces(orphan.key)).toBe(0);
    await expect(store.read(orphan.key)).rejects.toMatchObject({ status: 404 });
    expect((await store.read(late.key)).equals(renewed)).toBe(true);
    expect(await store.read(kept.key)).toHaveLength(1000);
    // Nothing is older than T0: a sweep with that bound removes nothing, whatever the rows name.
    const none: string[][] = [];
    for await (const page of store.removeUnreferenced(T0, async () => new Set())) none.push(page);
    expect(none).toEqual([]);
  });

  it('moves files between the stores checking every SHA-256, re-runnable, listing what it cannot move', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mci-move-'));
    try {
      const local = new LocalFileStore(dir);
      const files = [randomBytes(10), randomBytes(200_000), randomBytes(3)];
      const keys = [];
      for (const f of files) keys.push((await local.save(f)).key);
      const absent = `ff/${'f'.repeat(64)}`;
      // One file altered on disk after it was saved: it no longer matches its key.
      const altered = (await local.save(randomBytes(50))).key;
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(local.root, altered), 'cambiado');
      const ticks: number[] = [];
      const target = new DatabaseFileStore(db.dataSource);
      const report = await moveDocuments([...keys, absent, altered], local, target, (done) => ticks.push(done));
      expect(report).toEqual({
        total: 5,
        copied: 3,
        present: 0,
        problems: [
          { key: altered, why: expect.stringMatching(/no coincide con su huella/) },
          { key: absent, why: 'no está en el almacén de origen' },
        ].sort((a, b) => a.key.localeCompare(b.key)),
      });
      expect(ticks).toEqual([1, 2, 3, 4, 5]);
      for (const [i, key] of keys.entries()) expect((await target.read(key)).equals(files[i])).toBe(true);
      const again = await moveDocuments(keys, local, target);
      expect(again).toMatchObject({ copied: 0, present: 3, problems: [] });
      // And back to files, from the database, into an empty folder.
      const back = new LocalFileStore(mkdtempSync(join(tmpdir(), 'mci-back-')));
      expect(await moveDocuments(keys, target, back)).toMatchObject({ copied: 3, problems: [] });
      rmSync(back.root, { recursive: true, force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('two web processes on one MariaDB: a document written by one is served by the other', () => {
  const mariadb = process.env.TEST_DB === 'mariadb';
  let t: TestApp | undefined;
  let other: NestExpressApplication | undefined;
  let otherDir: string | undefined;
  const SECRET_KEY = randomBytes(32).toString('hex');
  afterAll(async () => {
    await other?.close();
    await t?.close();
    if (otherDir) rmSync(otherDir, { recursive: true, force: true });
  });

  (mariadb ? it : it.skip)(
    'registers a scan through one and shows it through the other (no shared folder)',
    async () => {
      t = await createTestApp({ SECRET_KEY, RELAY_INTERVAL_MS: '60000' });
      expect(t.config.documentStore).toBe('base');
      await addNiveles(t.db.dataSource);
      await createStaff(t.db.dataSource, 'oficialia', 'subdireccion');
      const pdf = await scannedOficio('Oficio registrado en el primer proceso.');
      const res = await postOficio(t, await login(t.app, 'oficialia'), pdf, bloqueoFields('DA/77/2026')).expect(201);
      await settle(t);
      const oficio = await t.db.dataSource.getRepository(Oficio).findOneByOrFail({ id: res.body.id });
      expect(existsSync(join(t.db.dataDir, 'documentos'))).toBe(false);

      // A second web process: its own DATA_DIR (another host), the same database and secret key.
      otherDir = mkdtempSync(join(tmpdir(), 'mci-otro-web-'));
      other = await createApp(
        loadConfig({
          NODE_ENV: 'test',
          LOG_LEVEL: 'silent',
          DATA_DIR: otherDir,
          DATABASE_URL: t.db.databaseUrl!,
          SECRET_KEY,
          RELAY_INTERVAL_MS: '60000',
        }),
      );
      await other.init();
      const scan = await downloadScan(other, oficio.caseId, await login(other, 'oficialia'));
      expect(sha256(scan)).toBe(oficio.archivoSha256);
      expect(existsSync(join(otherDir, 'documentos'))).toBe(false);
    },
    60_000,
  );
});
