/**
 * A web process (`npm start`) killed with SIGKILL while clerks register oficios at once: whatever it was doing, every
 * oficio it left has its case, every acknowledged registration is there, and the folios have no gap; the scans it left
 * without a row are what the sweep removes. Then a new web process registers the next number. Runs on SQLite and, with TEST_DB=mariadb, on MariaDB.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, QueryFailedError } from 'typeorm';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { FolioCounter } from '../../src/oficios/entities/folio-counter.entity';
import { Oficio } from '../../src/oficios/entities/oficio.entity';
import { DatabaseFileStore } from '../../src/oficios/database-file-store';
import { StoredFileRow } from '../../src/oficios/entities/stored-file.entity';
import { LocalFileStore } from '../../src/oficios/file-store';
import { StoredFileSweep, UNREFERENCED_FILE_GRACE_MS } from '../../src/oficios/file-sweep';
import { folioYear } from '../../src/oficios/folio';
import { createStaff, STAFF_PASSWORD } from '../support/staff';
import { createTestDb, type TestDb } from '../support/test-db';
import { addNiveles, scannedOficio } from './support';
import { startWeb, type WebProcess } from './web-process';

/** How many clerks register at once. */
const CLERKS = 6;
/** Registrations acknowledged before the test looks for a moment to kill. */
const WARM_UP = 4;
/**
 * If no such moment shows up before this many registrations, the test fails: it proved nothing. Generous: on a loaded
 * machine (CI's 2 cores, load 20) one look into MariaDB's INNODB_TRX can take longer than a registration's
 * transaction; 60 registrations once went by without a single look landing inside one, and 400 with a busy loop
 * beside a fresh-clone CI run (when each look also joined PROCESSLIST).
 */
const GIVE_UP_AFTER = 1500;

describe('oficios: a web process killed while registering leaves no oficio without its case', () => {
  let db: TestDb;
  let web: WebProcess | undefined;
  let pdf: Buffer;
  /** SQLite: a connection of its own that never waits for a lock. */
  let probe: DataSource | undefined;
  const ds = () => db.dataSource;

  beforeAll(async () => {
    db = await createTestDb();
    await addNiveles(ds());
    await createStaff(ds(), 'oficialia', 'subdireccion', { nombre: 'María Fernanda Ochoa Larios' });
    pdf = await scannedOficio('Oficio DA/0001/2026. Solicitud de bloqueo de cuenta.');
    if (db.sqliteFile)
      probe = await new DataSource({ type: 'better-sqlite3', database: db.sqliteFile, timeout: 0 }).initialize();
  });
  afterAll(async () => {
    await web?.kill();
    await probe?.destroy();
    await db?.close();
  });

  // The relay's first pass is a minute away: while the test runs, registrations are the only writers.
  const env = (): Record<string, string> => ({
    DATA_DIR: db.dataDir,
    RELAY_INTERVAL_MS: '60000',
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
  });

  const login = async (url: string): Promise<string> => {
    const res = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ usuario: 'oficialia', contrasena: STAFF_PASSWORD }),
    });
    if (res.status !== 200) throw new Error(`inicio de sesión: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  };

  /** One registration as the clerk's form sends it; its folio, or the HTTP status when refused. */
  const registerOver = async (
    url: string,
    token: string,
    n: number,
  ): Promise<{ folio: string } | { status: number; body: string }> => {
    const form = new FormData();
    const fields: Record<string, string> = {
      procedimiento: 'cuenta-bloquear',
      numeroOficio: `DA/${String(n).padStart(4, '0')}/2026`,
      fechaOficio: '2026-01-05',
      remitenteNombre: 'Lic. Ana Sofía Cárdenas Muñoz',
      remitenteCargo: 'Directora Administrativa',
      area: 'Dirección Administrativa',
      asunto: 'Solicitud de bloqueo de la cuenta programa.lectura@colima.gob.mx',
    };
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    // A scan of its own for each, so each registration writes its own file.
    form.append(
      'archivo',
      new Blob([Buffer.concat([pdf, Buffer.from(`%${n}\n`)])], { type: 'application/pdf' }),
      'oficio.pdf',
    );
    const res = await fetch(`${url}/api/oficios`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: form,
    });
    if (res.status === 201) return { folio: ((await res.json()) as { folio: string }).folio };
    return { status: res.status, body: await res.text() };
  };

  /** Oficios whose case does not exist: a registration cut in half. */
  const halfRegistered = async (): Promise<string[]> =>
    (
      await ds()
        .getRepository(Oficio)
        .createQueryBuilder('o')
        .select('o.folio', 'folio')
        .leftJoin(ProcedureCase, 'c', 'c.id = o.caseId')
        .where('c.id IS NULL')
        .getRawMany<{ folio: string }>()
    ).map((r) => r.folio);

  /** This database's connections, read again every 25 looks (writerActive). */
  let threads: string[] = [];
  let looks = 0;

  /**
   * Whether the web process is inside a transaction that has written and not committed: on MariaDB, a transaction of
   * this database with modified rows; on SQLite, the write lock held (our own BEGIN IMMEDIATE is refused at once).
   * The queue's relay is off, so the only writers are the registrations.
   */
  const writerActive = async (): Promise<boolean> => {
    if (db.dialect === 'mysql') {
      // This database's connections (other suites write to theirs meanwhile), read again every 25 looks as the web
      // process's pool grows; each look reads INNODB_TRX alone instead of joining PROCESSLIST every time.
      if (looks++ % 25 === 0)
        threads = (
          await ds().query<{ id: number | string }[]>(
            'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()',
          )
        ).map((r) => String(r.id));
      if (!threads.length) return false;
      const rows: { n: number | string }[] = await ds().query(
        `SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX WHERE trx_rows_modified > 0 AND trx_mysql_thread_id IN (${threads.map(() => '?').join(', ')})`,
        threads,
      );
      return Number(rows[0].n) > 0;
    }
    try {
      await probe!.query('BEGIN IMMEDIATE');
      await probe!.query('ROLLBACK');
      return false;
    } catch (e) {
      if (e instanceof QueryFailedError && (e.driverError as { code?: string }).code === 'SQLITE_BUSY') return true;
      throw e;
    }
  };

  it('SIGKILL during concurrent registrations: no oficio without its case, no gap, and the next start registers the next folio', async () => {
    web = await startWeb(env());
    const token = await login(web.url);
    const acknowledged: string[] = [];
    const refused: string[] = [];
    let next = 0;
    let killed = false;
    const clerk = async (): Promise<void> => {
      while (!killed) {
        const n = ++next;
        try {
          const r = await registerOver(web!.url, token, n);
          if ('folio' in r) acknowledged.push(r.folio);
          else refused.push(`${r.status} ${r.body}`);
        } catch {
          return; // the connection died with the process
        }
      }
    };
    const clerks = Array.from({ length: CLERKS }, () => clerk());
    // Kill at the worst moment this test can see: an oficio visible without its case (a registration cut in two), or a
    // registration's transaction open with rows written, once a few have gone through.
    let midTransaction = false;
    while ((await halfRegistered()).length === 0 && refused.length === 0 && acknowledged.length < GIVE_UP_AFTER) {
      if (acknowledged.length >= WARM_UP && (await writerActive())) {
        midTransaction = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    killed = true;
    await web.kill();
    await Promise.all(clerks);
    expect(refused).toEqual([]);

    expect(await halfRegistered()).toEqual([]);
    expect(midTransaction).toBe(true);
    const oficios = await ds().getRepository(Oficio).find();
    for (const folio of acknowledged) expect(oficios.map((o) => o.folio)).toContain(folio);
    const anio = folioYear(new Date());
    const numbers = oficios.map((o) => o.folioNumero).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: oficios.length }, (_, i) => i + 1));
    const counter = await ds().getRepository(FolioCounter).findOneByOrFail({ area: 'SSST', tipo: 'recepcion', anio });
    expect(counter.ultimo).toBe(oficios.length);

    // The scans of the registrations the kill cut short stay in the store with no row; the sweep removes exactly those.
    // The store the web process used: the database on MariaDB (DOCUMENT_STORE's default there), files on SQLite.
    const local = new LocalFileStore(db.dataDir);
    const store = db.dialect === 'mysql' ? new DatabaseFileStore(ds()) : local;
    const scans = new Set(oficios.map((o) => o.archivoKey));
    const stored = async (): Promise<string[]> =>
      db.dialect === 'mysql'
        ? (
            await ds()
              .getRepository(StoredFileRow)
              .find({ select: { key: true } })
          ).map((r) => r.key)
        : readdirSync(local.root).flatMap((dir) => readdirSync(join(local.root, dir)).map((f) => `${dir}/${f}`));
    // Usually the kill leaves some (a scan is stored before its transaction), but the kill may also land just after a
    // commit: the sweep must then remove nothing at all.
    const leftBehind = (await stored()).filter((k) => !scans.has(k));
    const removed: string[] = [];
    // In pages of 3, as the periodic sweep pages its files (it is more than one page whenever the kill left 4 or more).
    const pages = new StoredFileSweep(ds(), store).pages(new Date(Date.now() + UNREFERENCED_FILE_GRACE_MS + 60_000), 3);
    for await (const page of pages) removed.push(...page);
    expect(removed.sort()).toEqual(leftBehind.filter((k) => !k.endsWith('.tmp')).sort());
    expect((await stored()).sort()).toEqual([...scans].sort());

    // A new process after the crash: the next registration gets the next number.
    web = await startWeb(env());
    const after = await registerOver(web.url, await login(web.url), 9999);
    expect(after).toEqual({ folio: `SSST-${anio}-${String(oficios.length + 1).padStart(6, '0')}` });
    await web.kill();
  });
});
