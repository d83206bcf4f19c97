/**
 * Stored files with no row: a scan or a letter is written before the row that names it commits, so a refused or failed
 * registration, or a killed process, leaves it behind. The sweep removes such a file once it is older than the grace
 * period, never one a row references, and never one saved again meanwhile. Runs on SQLite and, with TEST_DB=mariadb,
 * on MariaDB.
 */
import { existsSync, readdirSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROCEDURES } from '../../machines';
import type { EngineProcedure } from '../../src/engine/procedure-registry';
import { sha256 } from '../../src/letters/verification';
import { IssuedDocument } from '../../src/oficios/entities/document.entity';
import { Oficio } from '../../src/oficios/entities/oficio.entity';
import { FILE_STORE, LocalFileStore } from '../../src/oficios/file-store';
import { QueueRuntime } from '../../src/queue/queue-runtime.service';
import { StoredFileSweep, UNREFERENCED_FILE_GRACE_MS } from '../../src/oficios/file-sweep';
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

    await expect(sweep.sweep(after(59 * MINUTE))).resolves.toEqual([]);
    expect(existsSync(path(orphan))).toBe(true);
    expect(existsSync(path(tmp))).toBe(true);

    await expect(sweep.sweep(after(61 * MINUTE))).resolves.toEqual([orphan]);
    expect(existsSync(path(orphan))).toBe(false);
    expect(existsSync(path(tmp))).toBe(false);
    // The oficio's scan and its acuse, just as old, are still there byte for byte.
    for (const key of [kept.scan, kept.acuse]) expect(sha256(await store.read(key))).toBe(key.split('/')[1]);
    await expect(sweep.sweep(after(24 * 60 * MINUTE))).resolves.toEqual([]);
  });

  it('counts a file saved again as new: the same scan uploaded again is not swept from under its registration', async () => {
    const pdf = await scannedOficio('El mismo oficio, escaneado y enviado dos veces.');
    const { key } = await store.save(pdf);
    age(key, T0);
    // Two hours later the clerk sends the same scan again: same content, same key, nothing written.
    clock = after(120 * MINUTE);
    await store.save(pdf);
    await expect(sweep.sweep(after(150 * MINUTE))).resolves.toEqual([]);
    expect(existsSync(path(key))).toBe(true);
    await expect(sweep.sweep(after(181 * MINUTE))).resolves.toEqual([key]);
  });

  it('keeps a file saved again while the sweep decides (the registration that saved it commits after the sweep read the rows)', async () => {
    const pdf = await scannedOficio('Un escaneo que vuelve a llegar mientras se barre el almacén.');
    const { key } = await store.save(pdf);
    age(key, T0);
    const now = after(120 * MINUTE);
    // Between the sweep's read of the referenced keys and its removal, a registration saves the same scan.
    const internals = sweep as unknown as { referencedKeys: () => Promise<Set<string>> };
    const real = internals.referencedKeys.bind(sweep);
    const referenced = jest.spyOn(internals, 'referencedKeys').mockImplementationOnce(async () => {
      const keys = await real();
      clock = now;
      await store.save(pdf);
      return keys;
    });
    try {
      await expect(sweep.sweep(now)).resolves.toEqual([]);
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
    await expect(sweep.sweep(after(10 * MINUTE))).resolves.toEqual([]);
    expect(existsSync(path(key))).toBe(true);
    expect(existsSync(path(aside))).toBe(false);
    await expect(sweep.sweep(after(61 * MINUTE))).resolves.toEqual([key]);
  });

  it('sweepIfDue, for the periodic job: at most one sweep an hour in a process, and a failing sweep does not throw', async () => {
    const periodic = new StoredFileSweep(ds(), store);
    const runs = jest.spyOn(periodic, 'sweep');
    await periodic.sweepIfDue(T0);
    await periodic.sweepIfDue(after(59 * MINUTE));
    expect(runs).toHaveBeenCalledTimes(1);
    jest.spyOn(store, 'removeUnreferenced').mockRejectedValueOnce(new Error('EIO: el volumen compartido no responde'));
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
});
