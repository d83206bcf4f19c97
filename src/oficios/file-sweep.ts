import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type ObjectLiteral } from 'typeorm';
import { IssuedDocument } from './entities/document.entity';
import { Oficio } from './entities/oficio.entity';
import { LetterSettings } from './entities/letter-settings.entity';
import { FILE_STORE, type FileStore, SWEEP_PAGE } from './file-store';

/** How long a stored file may stay without a row: longer than any registration or letter takes to commit its row. */
export const UNREFERENCED_FILE_GRACE_MS = 60 * 60_000;
/** How often a process sweeps (the periodic job calls sweepIfDue every minute). */
export const FILE_SWEEP_EVERY_MS = 60 * 60_000;

/**
 * Files under `documentos/` are written before the row that names them commits (a scan before its oficio, a letter
 * before its document): a refused or failed registration, or a process killed meanwhile, leaves a file no row
 * references. This removes them once they are older than UNREFERENCED_FILE_GRACE_MS.
 */
@Injectable()
export class StoredFileSweep {
  private readonly log = new Logger('Documentos');
  private lastRun = Number.NEGATIVE_INFINITY;
  private running = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(FILE_STORE) private readonly files: FileStore,
  ) {}

  /** For the periodic job: one sweep an hour at most in this process, one at a time; a failure is logged, never thrown. */
  async sweepIfDue(now = new Date()): Promise<void> {
    if (this.running || now.getTime() - this.lastRun < FILE_SWEEP_EVERY_MS) return;
    this.running = true;
    this.lastRun = now.getTime();
    try {
      await this.sweep(now);
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'No se pudo limpiar el almacén de documentos; se reintentará');
    } finally {
      this.running = false;
    }
  }

  /** Removes the stored files no row references, older than the grace period: how many went (see pages). */
  async sweep(now = new Date(), pageSize = SWEEP_PAGE): Promise<number> {
    let removed = 0;
    for await (const page of this.pages(now, pageSize)) removed += page.length;
    return removed;
  }

  /**
   * The sweep, page by page: the store walks its files older than the grace period `pageSize` at a time and asks the
   * database which of those a row names; each page's removed keys are logged and yielded. Memory stays within a page
   * however many files and rows there are.
   */
  async *pages(now = new Date(), pageSize = SWEEP_PAGE): AsyncGenerator<string[]> {
    const before = new Date(now.getTime() - UNREFERENCED_FILE_GRACE_MS);
    for await (const removed of this.files.removeUnreferenced(before, (keys) => this.referencedAmong(keys), pageSize)) {
      this.log.log({ archivos: removed }, 'Archivos sin registro eliminados del almacén de documentos');
      yield removed;
    }
  }

  private referencedAmong(keys: readonly string[]): Promise<Set<string>> {
    return referencedAmong(this.ds, keys);
  }
}

/** The rows that name stored files: oficio scans, issued documents (both columns indexed), the letterhead's logo (one row). */
const FILE_REFERENCES = [
  [Oficio, 'archivoKey'],
  [IssuedDocument, 'storageKey'],
  [LetterSettings, 'logoKey'],
] as const;

/** The keys named by some row in `column` (all of them, or those among `among`): distinct, so at most `among`'s. */
function keysIn(ds: DataSource, [entity, column]: (typeof FILE_REFERENCES)[number], among?: readonly string[]) {
  const q = ds
    .getRepository<ObjectLiteral>(entity)
    .createQueryBuilder('r')
    .select(`r.${column}`, 'k')
    .distinct(true)
    .where(`r.${column} IS NOT NULL`);
  if (among) q.andWhere(`r.${column} IN (:...among)`, { among });
  return q.getRawMany<{ k: string }>();
}

/**
 * Which of `keys` a row names: one indexed `IN (…)` lookup per table (oficio.archivo_key, document.storage_key,
 * letter_settings.logo_key), each asking only about the keys not found yet. The answer is at most `keys`.
 */
export async function referencedAmong(ds: DataSource, keys: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const reference of FILE_REFERENCES) {
    const ask = keys.filter((k) => !found.has(k));
    if (ask.length === 0) break;
    for (const { k } of await keysIn(ds, reference, ask)) found.add(k);
  }
  return found;
}

/** Every stored file a row names (documents:move copies them all; the sweep asks page by page: referencedAmong). */
export async function referencedFileKeys(ds: DataSource): Promise<Set<string>> {
  const all = new Set<string>();
  for (const reference of FILE_REFERENCES) for (const { k } of await keysIn(ds, reference)) all.add(k);
  return all;
}
