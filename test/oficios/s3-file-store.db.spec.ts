/**
 * Documents in an S3-compatible bucket (S3FileStore, DOCUMENT_STORE=s3) against the S3 server of the tests
 * (test/support/s3-server.ts, which checks every request's SigV4 signature with its own code): the contract of the
 * other stores (content addressing, a second save renews the time, the sweep's guard), the SHA-256 of what comes back,
 * clear Spanish errors without the secret, the move base → s3 → base, and the application storing an uploaded scan in
 * the bucket. Runs on SQLite and, with TEST_DB=mariadb, on MariaDB.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import type { S3Settings } from '../../src/config/s3-settings';
import { sha256 } from '../../src/letters/verification';
import { DatabaseFileStore } from '../../src/oficios/database-file-store';
import { moveDocuments } from '../../src/oficios/document-move';
import { Oficio } from '../../src/oficios/entities/oficio.entity';
import { StoredFileChunk, StoredFileRow } from '../../src/oficios/entities/stored-file.entity';
import { FILE_STORE, type FileStore } from '../../src/oficios/file-store';
import { S3FileStore } from '../../src/oficios/s3-file-store';
import { type FakeS3, startS3Server } from '../support/s3-server';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';
import { createTestDb, type TestDb } from '../support/test-db';
import { addNiveles, bloqueoFields, downloadScan, postOficio, scannedOficio, settle } from './support';

const T0 = new Date('2031-03-10T17:00:00Z');
const HOUR = 3_600_000;
const BUCKET = 'mci-documentos';
const PREFIX = 'mci/docs/';

const settingsOf = (s3: FakeS3, over: Partial<S3Settings> = {}): S3Settings => ({
  endpoint: s3.endpoint,
  bucket: BUCKET,
  region: s3.region,
  accessKeyId: s3.accessKeyId,
  secretAccessKey: s3.secretAccessKey,
  forcePathStyle: true,
  prefix: PREFIX,
  ...over,
});
const keyOf = (data: Buffer): string => `${sha256(data).slice(0, 2)}/${sha256(data)}`;

/** The keys a sweep removed, all its pages. */
async function drain(pages: AsyncIterable<string[]>): Promise<string[]> {
  const removed: string[] = [];
  for await (const page of pages) removed.push(...page);
  return removed;
}

/** The error a promise rejects with (its message and code). */
async function failure(p: Promise<unknown>): Promise<{ code?: string; status?: number; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; status?: number; message: string };
  }
  throw new Error('no falló');
}

describe('documents in an S3-compatible bucket', () => {
  let s3: FakeS3;
  let clock: Date;
  let store: S3FileStore;
  const objects = () => s3.buckets.get(BUCKET)!;
  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [BUCKET], maxKeys: 3 });
    s3.now = () => clock;
    store = new S3FileStore(settingsOf(s3), { listPage: 1000 });
  });
  afterAll(async () => s3?.close());
  beforeEach(() => {
    clock = T0;
    s3.requests.length = 0;
  });

  it('keeps any content byte for byte under its content address, the body’s SHA-256 signed with the PUT', async () => {
    for (const size of [0, 1, 70_000, 6 * 1024 * 1024]) {
      const data = randomBytes(size);
      const saved = await store.save(data);
      expect(saved).toEqual({ key: keyOf(data), sha256: sha256(data), bytes: size });
      expect(
        objects()
          .get(PREFIX + saved.key)!
          .data.equals(data),
      ).toBe(true);
      expect((await store.read(saved.key)).equals(data)).toBe(true);
    }
    const puts = s3.requests.filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(4);
    for (const p of puts) {
      expect(p.status).toBe(200);
      expect(p.headers['x-amz-content-sha256']).toBe(p.key.split('/').pop());
      expect(p.headers['content-md5']).toBeDefined();
    }
  }, 60_000);

  it('sends the same content once: a second save only renews its time (a copy onto itself, no body)', async () => {
    const data = randomBytes(150_000);
    const { key } = await store.save(data);
    clock = new Date(T0.getTime() + 2 * HOUR);
    s3.requests.length = 0;
    const again = await Promise.all([store.save(data), store.save(data)]);
    expect(again.map((a) => a.key)).toEqual([key, key]);
    const puts = s3.requests.filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(2);
    for (const p of puts) expect(p.headers['x-amz-copy-source']).toBe(`/${BUCKET}/${PREFIX}${key}`);
    expect(objects().get(PREFIX + key)!.lastModified).toEqual(clock);
    expect((await store.read(key)).equals(data)).toBe(true);
  });

  it('refuses an object whose content no longer matches its key, and answers a missing key with a 404', async () => {
    const data = randomBytes(5000);
    const { key } = await store.save(data);
    objects().get(PREFIX + key)!.data = Buffer.concat([data.subarray(0, 4999), Buffer.from('x')]);
    const e = await failure(store.read(key));
    expect(e).toMatchObject({ code: 'ARCHIVO_ALTERADO', status: 503 });
    expect(e.message).toMatch(/no coincide con su huella SHA-256/);
    for (const missing of ['ab/' + 'a'.repeat(64), '../secret.key', ''])
      await expect(store.read(missing)).rejects.toMatchObject({ code: 'ARCHIVO_NO_ENCONTRADO', status: 404 });
  });

  it('sweeps, page by page, what no row names once older than the grace, never what was saved again meanwhile', async () => {
    objects().clear();
    const paged = new S3FileStore(settingsOf(s3), { listPage: 2 }); // the server gives at most 3 a page anyway
    const kept = await paged.save(randomBytes(100));
    const orphans = [];
    for (let i = 0; i < 7; i++) orphans.push((await paged.save(randomBytes(200 + i))).key);
    const renewed = randomBytes(300);
    const late = await paged.save(renewed);
    // Objects that are not documents of this store: another application's, and one under the prefix.
    objects().set('otra-app/ab/' + 'a'.repeat(64), { data: Buffer.from('x'), lastModified: T0, contentType: '' });
    objects().set(PREFIX + 'LEAME.txt', { data: Buffer.from('x'), lastModified: T0, contentType: '' });
    clock = new Date(T0.getTime() + 90 * 60_000);
    const young = await paged.save(randomBytes(400)); // within the grace: kept
    s3.requests.length = 0;
    const before = new Date(T0.getTime() + HOUR);
    const asked: string[][] = [];
    const removed = await drain(
      paged.removeUnreferenced(
        before,
        async (keys) => {
          asked.push([...keys]);
          // Between the listing and the removal a registration saves the same content again.
          clock = new Date(T0.getTime() + 2 * HOUR);
          await paged.save(renewed);
          return new Set(keys.filter((k) => k === kept.key));
        },
        4,
      ),
    );
    // 9 old documents (8 once `late` is saved again before the listing reaches it), 4 a page, each asked once.
    expect(asked.length).toBeGreaterThanOrEqual(2);
    for (const page of asked) expect(page.length).toBeLessThanOrEqual(4);
    expect(new Set(asked.flat()).size).toBe(asked.flat().length);
    expect(asked.flat()).toEqual(expect.arrayContaining([kept.key, ...orphans]));
    expect(removed.sort()).toEqual(orphans.sort());
    const lists = s3.requests.filter((r) => r.method === 'GET' && r.key === '');
    expect(lists.length).toBe(6); // 11 objects under the prefix, 2 a page
    expect(lists.slice(1).every((r) => r.query['continuation-token'])).toBe(true);
    expect(lists.every((r) => r.query.prefix === PREFIX)).toBe(true);
    expect([...objects().keys()].sort()).toEqual(
      [
        'otra-app/ab/' + 'a'.repeat(64),
        PREFIX + 'LEAME.txt',
        PREFIX + kept.key,
        PREFIX + late.key,
        PREFIX + young.key,
      ].sort(),
    );
    for (const key of orphans) await expect(paged.read(key)).rejects.toMatchObject({ status: 404 });
    expect((await paged.read(late.key)).equals(renewed)).toBe(true);
    // Nothing is older than T0: a sweep with that bound removes nothing, whatever the rows name.
    await expect(drain(paged.removeUnreferenced(T0, async () => new Set()))).resolves.toEqual([]);
  });

  it('says in Spanish what to check — keys and region, bucket, endpoint — and never shows the secret', async () => {
    const wrongSecret = 'clave-equivocada-' + randomBytes(8).toString('hex');
    const data = randomBytes(10);
    const signature = await failure(new S3FileStore(settingsOf(s3, { secretAccessKey: wrongSecret })).save(data));
    expect(signature).toMatchObject({ code: 'ALMACEN_S3_CREDENCIALES', status: 503 });
    expect(signature.message).toMatch(
      /SignatureDoesNotMatch.*Revise S3_SECRET_ACCESS_KEY, S3_ACCESS_KEY_ID y S3_REGION/,
    );
    expect(s3.requests.at(-1)?.status).toBe(403);
    const keyId = await failure(new S3FileStore(settingsOf(s3, { accessKeyId: 'NOEXISTE' })).read(keyOf(data)));
    expect(keyId.message).toMatch(/InvalidAccessKeyId.*Revise S3_ACCESS_KEY_ID/);
    const region = await failure(new S3FileStore(settingsOf(s3, { region: 'eu-west-1' })).save(data));
    expect(region.message).toMatch(/Revise S3_REGION/);
    const bucket = await failure(new S3FileStore(settingsOf(s3, { bucket: 'no-existe' })).save(data));
    expect(bucket).toMatchObject({ code: 'ALMACEN_S3_SIN_BUCKET' });
    expect(bucket.message).toMatch(/el bucket «no-existe» no existe \(NoSuchBucket\)\. Créelo/);

    // An endpoint nobody listens on, and one that accepts the connection but never answers.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await failure(
      new S3FileStore(settingsOf(s3, { endpoint: `http://127.0.0.1:${port}` })).read(keyOf(data)),
    );
    expect(refused).toMatchObject({ code: 'ALMACEN_S3_INACCESIBLE', status: 503 });
    expect(refused.message).toMatch(/no responde \(ECONNREFUSED\)\. Revise S3_ENDPOINT/);
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const endpoint = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
      const slow = await failure(new S3FileStore(settingsOf(s3, { endpoint }), { timeoutMs: 300 }).save(data));
      expect(slow.message).toMatch(/no respondió en 0[.,]3 s\. Revise S3_ENDPOINT/);
    } finally {
      silent.close();
    }
    for (const e of [signature, keyId, region, bucket, refused])
      expect(JSON.stringify(e) + e.message).not.toMatch(new RegExp(`${wrongSecret}|${s3.secretAccessKey}`));
  });
});

describe('moving documents between the database and the bucket', () => {
  let db: TestDb;
  let s3: FakeS3;
  beforeAll(async () => {
    db = await createTestDb();
    s3 = await startS3Server({ buckets: [BUCKET], maxKeys: 3 });
  });
  afterAll(async () => {
    await s3?.close();
    await db?.close();
  });

  it('copies base → s3 → base checking every SHA-256, re-runnable, listing what it cannot move', async () => {
    const base = new DatabaseFileStore(db.dataSource);
    const bucket = new S3FileStore(settingsOf(s3));
    const files = [randomBytes(10), randomBytes(200_000), randomBytes(3)];
    const keys: string[] = [];
    for (const f of files) keys.push((await base.save(f)).key);
    const absent = `ff/${'f'.repeat(64)}`;
    const ticks: number[] = [];
    const report = await moveDocuments([...keys, absent], base, bucket, (done) => ticks.push(done));
    expect(report).toEqual({
      total: 4,
      copied: 3,
      present: 0,
      problems: [{ key: absent, why: 'no está en el almacén de origen' }],
    });
    expect(ticks).toEqual([1, 2, 3, 4]);
    for (const [i, key] of keys.entries())
      expect(
        s3.buckets
          .get(BUCKET)!
          .get(PREFIX + key)!
          .data.equals(files[i]),
      ).toBe(true);
    expect(await moveDocuments(keys, base, bucket)).toMatchObject({ copied: 0, present: 3, problems: [] });

    // Back into an empty database, from the bucket, where one object was altered meanwhile.
    const target = await createTestDb();
    try {
      const altered = s3.buckets.get(BUCKET)!.get(PREFIX + keys[2])!;
      altered.data = Buffer.from('cambiado');
      const back = await moveDocuments(keys, bucket, new DatabaseFileStore(target.dataSource));
      expect(back).toEqual({
        total: 3,
        copied: 2,
        present: 0,
        problems: [{ key: keys[2], why: 'su contenido en el origen no coincide con su huella SHA-256' }],
      });
      const rows = await target.dataSource.getRepository(StoredFileRow).find({ select: { key: true } });
      expect(rows.map((r) => r.key).sort()).toEqual([keys[0], keys[1]].sort());
    } finally {
      await target.close();
    }
  });

  it('npm run documents:move -- --a s3 copies what the rows name from the configured store, then --a base back', async () => {
    const app = await createTestApp({ DOCUMENT_STORE: 'base' });
    try {
      await addNiveles(app.db.dataSource);
      await createStaff(app.db.dataSource, 'oficialia', 'subdireccion');
      const pdf = await scannedOficio('Oficio que se mudará al bucket.');
      const res = await postOficio(app, await login(app.app, 'oficialia'), pdf, bloqueoFields('DA/81/2026')).expect(
        201,
      );
      await settle(app);
      const oficio = await app.db.dataSource.getRepository(Oficio).findOneByOrFail({ id: res.body.id });
      const env = {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATA_DIR: app.db.dataDir,
        ...(app.db.databaseUrl ? { DATABASE_URL: app.db.databaseUrl } : {}),
        DOCUMENT_STORE: 'base',
        S3_ENDPOINT: s3.endpoint,
        S3_BUCKET: BUCKET,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        S3_PREFIX: 'mudanza',
      };
      // Asynchronous: the S3 server of the test answers from this process.
      const cli = (...args: string[]) =>
        new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
          const child = spawn(process.execPath, ['-r', './scripts/register.js', 'src/cli/documents-move.ts', ...args], {
            cwd: join(__dirname, '..', '..'),
            env,
          });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
          child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
          child.on('error', reject);
          child.on('close', (status) => resolve({ status, stdout, stderr }));
        });
      const there = await cli('--a', 's3');
      expect(there.stderr).toBe('');
      expect(there.stdout).toMatch(/de «base» a «s3»/);
      expect(there.stdout).toMatch(/Listo: \d+ copiado\(s\), 0 ya estaban en «s3», 0 con problema\(s\)/);
      expect(there.stdout).toMatch(/Ahora defina DOCUMENT_STORE=s3/);
      expect(there.status).toBe(0);
      expect(s3.buckets.get(BUCKET)!.get(`mudanza/${oficio.archivoKey}`)!.data.equals(pdf)).toBe(true);
      expect(there.stdout + there.stderr).not.toContain(s3.secretAccessKey);

      // Back: the rows' files are gone from the database, the bucket has them.
      await app.db.dataSource.getRepository(StoredFileChunk).delete({ key: oficio.archivoKey });
      await app.db.dataSource.getRepository(StoredFileRow).delete({ key: oficio.archivoKey });
      const back = await cli('--a=base', '--de=s3');
      expect(back.stdout).toMatch(/de «s3» a «base»/);
      expect(back.stdout).toMatch(/Listo: 1 copiado\(s\)/);
      expect(back.status).toBe(0);
      expect((await new DatabaseFileStore(app.db.dataSource).read(oficio.archivoKey)).equals(pdf)).toBe(true);

      const same = await cli('--a', 'base', '--de', 'base');
      expect(same.status).toBe(2);
      expect(same.stderr).toMatch(/Uso: npm run documents:move -- --a base\|archivos\|s3/);
    } finally {
      await app.close();
    }
  }, 120_000);
});

describe('the application with DOCUMENT_STORE=s3', () => {
  let t: TestApp | undefined;
  let s3: FakeS3;
  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [BUCKET] });
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  it('stores an oficio’s uploaded scan in the bucket and serves it back; the secret is nowhere in salud', async () => {
    t = await createTestApp({
      DOCUMENT_STORE: 's3',
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: BUCKET,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_PREFIX: PREFIX,
      RELAY_INTERVAL_MS: '60000',
    });
    expect(t.app.get<FileStore>(FILE_STORE)).toBeInstanceOf(S3FileStore);
    await addNiveles(t.db.dataSource);
    await createStaff(t.db.dataSource, 'oficialia', 'subdireccion');
    await createStaff(t.db.dataSource, 'admin', 'administrador');
    const pdf = await scannedOficio('Oficio guardado en el bucket S3.');
    const res = await postOficio(t, await login(t.app, 'oficialia'), pdf, bloqueoFields('DA/78/2026')).expect(201);
    await settle(t);
    const oficio = await t.db.dataSource.getRepository(Oficio).findOneByOrFail({ id: res.body.id });
    expect(
      s3.buckets
        .get(BUCKET)!
        .get(PREFIX + oficio.archivoKey)!
        .data.equals(pdf),
    ).toBe(true);
    expect(await t.db.dataSource.getRepository(StoredFileRow).count()).toBe(0);
    expect(existsSync(join(t.db.dataDir, 'documentos'))).toBe(false);

    const scan = await downloadScan(t.app, oficio.caseId, await login(t.app, 'oficialia'));
    expect(sha256(scan)).toBe(oficio.archivoSha256);
    expect(s3.requests.some((r) => r.method === 'GET' && r.key === PREFIX + oficio.archivoKey)).toBe(true);

    const salud = await request(t.app.getHttpServer())
      .get('/api/admin/salud')
      .set('Authorization', `Bearer ${await login(t.app, 'admin')}`)
      .expect(200);
    expect(JSON.stringify(salud.body)).not.toContain(s3.secretAccessKey);
  }, 60_000);
});
