import { randomBytes } from 'node:crypto';
import { type Dir, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { opendir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DomainError } from '../common/domain-error';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../config/config';
import { sha256 } from '../letters/verification';

/** Port: where scanned oficios and issued PDFs live. Keys are content addresses, so saving twice stores once. */
export interface FileStore {
  save(data: Buffer): Promise<StoredFile>;
  read(key: string): Promise<Buffer>;
  /**
   * Removes the files last saved before `before` that no row names, and the temporary files of writes a kill cut
   * short; never a file saved again meanwhile. Walks those files in pages of `pageSize` keys: each page, once listed,
   * goes to `referenced`, the rest of it is removed and its removed keys are yielded (none when nothing went). Nothing
   * is held beyond a page, whatever the number of files.
   */
  removeUnreferenced(before: Date, referenced: ReferencedAmong, pageSize?: number): AsyncGenerator<string[]>;
}

/** Which of the keys asked some row names (the sweep asks one page of old files at a time). */
export type ReferencedAmong = (keys: readonly string[]) => Promise<ReadonlySet<string>>;

/** Old files per page of a sweep: one `IN (…)` list of this many keys per table that names files. */
export const SWEEP_PAGE = 500;

/**
 * The sweep's loop, the same in every store: `old` lists the files saved before the sweep's bound, one key at a time;
 * they are taken `pageSize` at a time, `referenced` is asked about each page after it is listed (a row committed
 * before that answer is seen), and `remove` is called for every key of the page no row names. `remove` decides with
 * the store's own guard (false: saved again since the bound, or already gone) so a row that names a file after the
 * answer still finds it. Yields each page's removed keys.
 */
export async function* removeByPages(
  old: AsyncIterable<string>,
  referenced: ReferencedAmong,
  remove: (key: string) => Promise<boolean>,
  pageSize = SWEEP_PAGE,
): AsyncGenerator<string[]> {
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new RangeError(`Sweep page size must be ≥ 1 (got ${pageSize}).`);
  let page: string[] = [];
  const settle = async (): Promise<string[]> => {
    const keep = await referenced(page);
    const removed: string[] = [];
    for (const key of page) if (!keep.has(key) && (await remove(key))) removed.push(key);
    page = [];
    return removed;
  };
  for await (const key of old) {
    page.push(key);
    if (page.length < pageSize) continue;
    const removed = await settle();
    if (removed.length) yield removed;
  }
  if (page.length === 0) return;
  const removed = await settle();
  if (removed.length) yield removed;
}

export interface StoredFile {
  key: string;
  sha256: string;
  bytes: number;
}

export const FILE_STORE = Symbol('FILE_STORE');

/**
 * A store that checks what it reads (S3FileStore) found content that no longer matches its key: a 503 for the
 * reader; the move between stores reads the content and lists it as altered.
 */
export class AlteredFileError extends DomainError {
  readonly #content: Buffer;

  constructor(
    readonly key: string,
    content: Buffer,
    message: string,
  ) {
    super('ARCHIVO_ALTERADO', message, 503);
    this.#content = content;
  }

  /** What the store holds under the key (not its content any more). */
  get content(): Buffer {
    return this.#content;
  }
}

/** A stored file's key: `<first two hex of its SHA-256>/<SHA-256>`, the same in every store. */
export const FILE_KEY = /^[0-9a-f]{2}\/[0-9a-f]{64}$/;
/** A write in progress or cut short (`.tmp`), or a file the sweep set aside (`.sweep`). */
const LEFTOVER = /^([0-9a-f]{64})\.[0-9a-f]{12}\.(tmp|sweep)$/;

/**
 * Files under `<dataDir>/documentos/<first two hex>/<sha256>`. Writes go to a temporary name and are renamed, so a
 * reader never sees half a file; several web and worker processes must share this folder (one volume).
 */
export class LocalFileStore implements FileStore {
  readonly root: string;

  constructor(
    dataDir: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.root = join(dataDir, 'documentos');
  }

  /**
   * Saving content already stored only renews its time: the sweep's grace period counts from the last save, so a scan
   * uploaded again is not removed before the row that now names it commits.
   */
  save(data: Buffer): Promise<StoredFile> {
    const digest = sha256(data);
    const key = `${digest.slice(0, 2)}/${digest}`;
    const file = join(this.root, key);
    const at = this.clock();
    if (!touched(file, at)) {
      ensurePrivateDir(dirname(file));
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        writeFileSync(tmp, data, { mode: PRIVATE_FILE_MODE });
        utimesSync(tmp, at, at);
        renameSync(tmp, file);
      } finally {
        rmSync(tmp, { force: true });
      }
    }
    return Promise.resolve({ key, sha256: digest, bytes: data.length });
  }

  /**
   * A file to remove is first renamed aside, then its time read again: a save that renewed it before the rename (its
   * row may commit any moment) puts it back; a save after the rename finds no file and writes it anew. Either way the
   * row finds its file. Set-aside files a killed sweep left are put back (or dropped when the file is there again).
   */
  removeUnreferenced(before: Date, referenced: ReferencedAmong, pageSize?: number): AsyncGenerator<string[]> {
    return removeByPages(
      this.oldFiles(before),
      referenced,
      (key) => this.removeUnlessSavedSince(key, before),
      pageSize,
    );
  }

  /**
   * The files saved before `before`, read folder by folder as a stream (a folder holds 1/256 of the store; its names are
   * not gathered). Removing files while a folder is read is allowed (POSIX: a removed or added name may or may not be
   * returned, no other is skipped); a name set aside meanwhile and seen here is put back or already gone.
   */
  private async *oldFiles(before: Date): AsyncGenerator<string> {
    for (let i = 0; i < 256; i++) {
      const dir = i.toString(16).padStart(2, '0');
      const folder = await openFolder(join(this.root, dir));
      if (!folder) continue;
      for await (const entry of folder) {
        const name = entry.name;
        const file = join(this.root, dir, name);
        const leftover = LEFTOVER.exec(name);
        if (leftover?.[2] === 'sweep') {
          await putBack(file, join(this.root, dir, leftover[1]));
          continue;
        }
        const at = await modifiedAt(file);
        if (at === null || at >= before) continue;
        if (leftover)
          await rm(file, { force: true }); // a write cut short
        else if (FILE_KEY.test(`${dir}/${name}`)) yield `${dir}/${name}`;
      }
    }
  }

  private async removeUnlessSavedSince(key: string, before: Date): Promise<boolean> {
    const file = join(this.root, key);
    const aside = `${file}.${randomBytes(6).toString('hex')}.sweep`;
    try {
      await rename(file, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false; // another process swept it
      throw e;
    }
    const at = await modifiedAt(aside);
    if (at === null) return false; // another sweep put it back meanwhile
    if (at >= before) {
      await putBack(aside, file);
      return false;
    }
    await rm(aside, { force: true });
    return true;
  }

  async read(key: string): Promise<Buffer> {
    if (!FILE_KEY.test(key)) throw new DomainError('ARCHIVO_NO_ENCONTRADO', 'El archivo solicitado no existe.', 404);
    try {
      return await readFile(join(this.root, key));
    } catch {
      throw new DomainError(
        'ARCHIVO_NO_ENCONTRADO',
        'El archivo solicitado no existe en el almacén de documentos.',
        404,
      );
    }
  }
}

/** A folder opened to be read entry by entry (closed when the loop over it ends); null when it does not exist. */
async function openFolder(dir: string): Promise<Dir | null> {
  try {
    return await opendir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** When a file was last written (or saved again); null when it is gone. */
async function modifiedAt(file: string): Promise<Date | null> {
  try {
    return (await stat(file)).mtime;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Renews a stored file's time; false when there is no such file. */
function touched(file: string, at: Date): boolean {
  try {
    utimesSync(file, at, at);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** A file set aside goes back under its name; when a save wrote it again meanwhile (same content), the copy goes. */
async function putBack(aside: string, file: string): Promise<void> {
  if ((await modifiedAt(file)) !== null) {
    await rm(aside, { force: true });
    return;
  }
  try {
    await rename(aside, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // another sweep put it back first
  }
}
