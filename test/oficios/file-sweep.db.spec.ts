/**
 * Stored files with no row: a scan or a letter is written before the row that names it commits, so a refused or failed
 * registration, or a killed process, leaves it behind. The sweep removes such a file once it is older than the grace
 * period, never one a row references, and never one saved again meanwhile. Runs on SQLite and, with TEST_DB=mariadb,
 * on MariaDB.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROCEDURES } from '../../machines';
import type { EngineProcedure } from '../../src/engine/procedure-registry';
import { sha256 } from '../../src/letters/verification';
import { IssuedDocument } from '../../src/oficios/entities/document.entity';
import { Oficio } from '../../src/oficios/entities/oficio.entity';
import { LetterSettings } from '../../src/oficios/entities/letter-settings.entity';
import { StoredFileChunk, StoredFileRow } from '../../src/oficios/entities/stored-file.entity';
import { DatabaseFileStore } from '../../src/oficios/database-file-store';
import { FILE_STORE, type FileStore, LocalFileStore } from '../../src/oficios/file-store';
import { S3FileStore } from '../../src/oficios/s3-file-store';
import { QueueRuntime } from '../../src/queue/queue-runtime.service';
import { StoredFileSweep, UNREFERENCED_FILE_GRACE_MS } from '../../src/oficios/file-sweep';
import { type FakeS3, startS3Server } from '../support/s3-server';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';
import { addNiveles, bloqueoFields, postOficio, scannedOficio, settle } from './support';

const MINUTE = 60_000;
/** The sweep's clock and the store's: a fixed instant, nothing here reads the wall clock. */
const T0 = new Date('2031-03-10T17:00:00Z');

describe('oficios: stored files no row references are swept after the grace period', () => {
  let t: TestApp;
  let token: string;
  let clock: Date;
  let store: LocalFileStore;
  let sweep: StoredFileSweep;
  const ds = () => t.db.dataSource;
  const path = (key: string) => join(store.root, key);
  /** Sets a stored file's modification time, as if it had been written then. */
  const age = (key: string, at: Date) => utimesSync(path(key), at, at);
  const after = (ms: number) => new Date(T0.getTime() + ms);
  /** A sweep run to its end: the keys it removed, page after page. */
  const swept = async (at: Date, pageSize?: number, by = sweep): Promise<string[]> => {
    const removed: string[] = [];
    for await (const page of by.pages(at, pageSize)) removed.push(...page);
    return removed;
  };

  beforeAll(async () => {
    // The files on disk, on either dialect (the database's own store has its tests: database-file-store.db.spec.ts).
    t = await createTestApp(
      { RELAY_INTERVAL_MS: '60000', DOCUMENT_STORE: 'archivos' },
      { procedures: PROCEDURES as unknown as EngineProcedure[] },
    );
    await addNiveles(ds());
    await createStaff(ds(), 'oficialia', 'subdireccion');
    token = await login(t.app, 'oficialia');
    store = new LocalFileStore(t.db.dataDir, () => clock);
    sweep = new StoredFileSweep(ds(), store);
  });
  afterAll(async () => t?.close());
  beforeEach(() => {
    clock = T0;
  });

  let n = 0;
  /** A registered oficio (its scan) with its acuse issued (a document): both stored files have their row. */
  const registered = async (): Promise<{ scan: string; acuse: string }> => {
    n += 1;
    const pdf = await scannedOficio(`Oficio DA/${n}/2026, registrado.`);
    const res = await postOficio(t, token, pdf, bloqueoFields(`DA/${n}/2026`)).expect(201);
    await settle(t);
    const oficio = await ds().getRepository(Oficio).findOneByOrFail({ id: res.body.id });
    const acuse = await ds().getRepository(IssuedDocument).findOneByOrFail({ oficioId: oficio.id, kind: 'acuse' });
    return { scan: oficio.archivoKey, acuse: acuse.storageKey };
  };

  it('removes an unreferenced file only once it is older than the grace period; referenced files stay however old', async () => {
    expect(UNREFERENCED_FILE_GRACE_MS).toBe(60 * MINUTE);
    const kept = await registered();
    const orphan = (await store.save(await scannedOficio('Un oficio cuyo registro no llegó a guardarse.'))).key;
    for (const key of [kept.scan, kept.acuse, orphan]) age(key, T0);
    // A write cut by a kill between its temporary file and the rename.
    const tmp = `${orphan}.0123456789ab.tmp`;
    writeFileSync(path(tmp), 'medio archivo');
    age(tmp, T0);

    await expect(swept(after(59 * MINUTE))).resolves.toEqual([]);
    expect(existsSync(path(orphan))).toBe(true);
    expect(existsSync(path(tmp))).toBe(true);

    await expect(swept(after(61 * MINUTE))).resolves.toEqual([orphan]);
    expect(existsSync(path(orphan))).toBe(false);
    expect(existsSync(path(tmp))).toBe(false);
    // The oficio's scan and its acuse, just as old, are still there byte for byte.
    for (const key of [kept.scan, kept.acuse]) expect(sha256(await store.read(key))).toBe(key.split('/')[1]);
    await expect(sweep.sweep(after(24 * 60 * MINUTE))).resolves.toBe(0);
  });

  it('counts a file saved again as new: the same scan uploaded again is not swept from under its registration', async () => {
    const pdf = await scannedOficio('El mismo oficio, escaneado y enviado dos veces.');
    const { key } = await store.save(pdf);
    age(key, T0);
    // Two hours later the clerk sends the same scan again: same content, same key, nothing written.
    clock = after(120 * MINUTE);
    await store.save(pdf);
    await expect(swept(after(150 * MINUTE))).resolves.toEqual([]);
    expect(existsSync(path(key))).toBe(true);
    await expect(swept(after(181 * MINUTE))).resolves.toEqual([key]);
  });

  it('keeps a file saved again while the sweep decides (the registration that saved it commits after the sweep read the rows)', async () => {
    const pdf = await scannedOficio('Un escaneo que vuelve a llegar mientras se barre el almacén.');
    const { key } = await store.save(pdf);
    age(key, T0);
    const now = after(120 * MINUTE);
    // Between the sweep's read of the referenced keys and its removal, a registration saves the same scan.
    const internals = sweep as unknown as { referencedAmong: (keys: readonly string[]) => Promise<Set<string>> };
    const real = internals.referencedAmong.bind(sweep);
    const referenced = jest.spyOn(internals, 'referencedAmong').mockImplementationOnce(async (keys) => {
      const named = await real(keys);
      clock = now;
      await store.save(pdf);
      return named;
    });
    try {
      await expect(swept(now)).resolves.toEqual([]);
    } finally {
      referenced.mockRestore();
    }
    expect(existsSync(path(key))).toBe(true);
    // Nothing else of it is left in its folder (no copy set aside by the sweep).
    const [dir, name] = key.split('/');
    expect(readdirSync(join(store.root, dir)).filter((f) => f.startsWith(name))).toEqual([name]);
  });

  it('puts back a file a killed sweep had set aside, and removes it later only if still unreferenced', async () => {
    const { key } = await store.save(await scannedOficio('Un escaneo que el barrido apartó antes de morir.'));
    const aside = `${key}.fedcba987654.sweep`;
    renameSync(path(key), path(aside));
    clock = after(10 * MINUTE);
    await expect(swept(after(10 * MINUTE))).resolves.toEqual([]);
    expect(existsSync(path(key))).toBe(true);
    expect(existsSync(path(aside))).toBe(false);
    await expect(swept(after(61 * MINUTE))).resolves.toEqual([key]);
  });

  it('sweepIfDue, for the periodic job: at most one sweep an hour in a process, and a failing sweep does not throw', async () => {
    const periodic = new StoredFileSweep(ds(), store);
    const runs = jest.spyOn(periodic, 'sweep');
    await periodic.sweepIfDue(T0);
    await periodic.sweepIfDue(after(59 * MINUTE));
    expect(runs).toHaveBeenCalledTimes(1);
    jest.spyOn(store, 'removeUnreferenced').mockImplementationOnce(async function* () {
      yield* [];
      throw new Error('EIO: el volumen compartido no responde');
    });
    await expect(periodic.sweepIfDue(after(60 * MINUTE))).resolves.toBeUndefined();
    expect(runs).toHaveBeenCalledTimes(2);
    await periodic.sweepIfDue(after(120 * MINUTE));
    expect(runs).toHaveBeenCalledTimes(3);
  });

  it('runs from the periodic job of the process that runs the queues', async () => {
    const appStore = t.app.get<LocalFileStore>(FILE_STORE);
    const orphan = await appStore.save(Buffer.from(`sin registro ${Date.now()}`));
    const twoHoursAgo = new Date(Date.now() - 2 * UNREFERENCED_FILE_GRACE_MS);
    utimesSync(join(appStore.root, orphan.key), twoHoursAgo, twoHoursAgo);
    await t.app.get(QueueRuntime).periodic();
    expect(existsSync(join(appStore.root, orphan.key))).toBe(false);
  });

  describe('page by page: the rows are asked only about each page of old files, whatever the store', () => {
    const BUCKET = 'mci-barrido';
    let s3: FakeS3;
    beforeAll(async () => {
      s3 = await startS3Server({ buckets: [BUCKET], maxKeys: 3 });
      s3.now = () => clock;
    });
    afterAll(async () => s3?.close());

    /** An empty store of each kind, its clock the test's. */
    const emptyStore = async (kind: 'archivos' | 'base' | 's3'): Promise<FileStore> => {
      if (kind === 'archivos') return new LocalFileStore(join(t.db.dataDir, `paginas-${++n}`), () => clock);
      if (kind === 'base') {
        await ds().getRepository(StoredFileRow).clear();
        await ds().getRepository(StoredFileChunk).clear();
        return new DatabaseFileStore(ds(), () => clock);
      }
      s3.buckets.get(BUCKET)!.clear();
      const settings = { endpoint: s3.endpoint, bucket: BUCKET, region: s3.region, forcePathStyle: true, prefix: '' };
      return new S3FileStore({ ...settings, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
    };

    it.each(['archivos', 'base', 's3'] as const)(
      '%s: pages of 2 keys, exactly the unreferenced files removed, a file saved again during the sweep kept',
      async (kind) => {
        const paged = await emptyStore(kind);
        const appStore = t.app.get<FileStore>(FILE_STORE);
        // Files rows name: two oficios' scans and acuses, and the letterhead's logo; the same content in this store.
        const named: string[] = [];
        for (const r of [await registered(), await registered()]) named.push(r.scan, r.acuse);
        const logo = (await paged.save(randomBytes(300))).key;
        named.push(logo);
        for (const key of named.slice(0, 4)) await paged.save(await appStore.read(key));
        const orphans: string[] = [];
        for (let i = 0; i < 5; i++) orphans.push((await paged.save(randomBytes(100 + i))).key);
        const renewedContent = randomBytes(99);
        const renewed = (await paged.save(renewedContent)).key;
        const settings = ds().getRepository(LetterSettings);
        const membrete = await settings.findOneBy({ id: 'membrete' });
        if (membrete) await settings.update({ id: 'membrete' }, { logoKey: logo });
        else
          await settings.insert({
            id: 'membrete',
            logoKey: logo,
            direccion: 'Calle Prueba 1',
            leyenda: '2031',
            firmanteTitulo: 'Mtra.',
            firmanteNombre: 'Firmante de Prueba',
            firmanteCargo: 'Subdirectora',
            updatedBy: 'prueba',
            updatedByNombre: 'Prueba',
            updatedAt: T0,
          });

        const paging = new StoredFileSweep(ds(), paged);
        const internals = paging as unknown as { referencedAmong: (k: readonly string[]) => Promise<Set<string>> };
        const real = internals.referencedAmong.bind(paging);
        const asked: string[][] = [];
        const now = after(120 * MINUTE);
        jest.spyOn(internals, 'referencedAmong').mockImplementation(async (keys) => {
          asked.push([...keys]);
          // Meanwhile a registration saves one orphan's content again (on whatever page it comes): it stays.
          if (asked.length === 1) {
            clock = now;
            await paged.save(renewedContent);
            clock = T0;
          }
          return real(keys);
        });
        try {
          const removed = await swept(now, 2, paging);
          // 10 old files (11 while the renewed one is not listed yet), 2 a page: every one asked about once.
          for (const page of asked) expect(page.length).toBeLessThanOrEqual(2);
          expect(asked.length).toBeGreaterThanOrEqual(5);
          const once = asked.flat();
          expect(new Set(once).size).toBe(once.length);
          expect(once.filter((k) => k !== renewed).sort()).toEqual([...named, ...orphans].sort());
          expect(removed.sort()).toEqual([...orphans].sort());
          for (const key of orphans) await expect(paged.read(key)).rejects.toMatchObject({ status: 404 });
          for (const key of named) expect(sha256(await paged.read(key))).toBe(key.slice(3));
          expect((await paged.read(renewed)).equals(renewedContent)).toBe(true);
          // The next sweep finds only the renewed file old enough once its own grace is over.
          await expect(swept(after(181 * MINUTE), 2, paging)).resolves.toEqual([renewed]);
        } finally {
          if (membrete) await settings.update({ id: 'membrete' }, { logoKey: membrete.logoKey });
          else await settings.delete({ id: 'membrete' });
        }
      },
      120_000,
    );
  });
});
