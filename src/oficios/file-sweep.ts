import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IssuedDocument } from './entities/document.entity';
import { Oficio } from './entities/oficio.entity';
import { LetterSettings } from './entities/letter-settings.entity';
import { FILE_STORE, type FileStore } from './file-store';

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

  /** Removes the stored files no oficio or document references, older than the grace period; the keys removed. */
  async sweep(now = new Date()): Promise<string[]> {
    const removed = await this.files.removeUnreferenced(new Date(now.getTime() - UNREFERENCED_FILE_GRACE_MS), () =>
      this.referencedKeys(),
    );
    if (removed.length)
      this.log.log({ archivos: removed }, 'Archivos sin registro eliminados del almacén de documentos');
    return removed;
  }

  private referencedKeys(): Promise<Set<string>> {
    return referencedFileKeys(this.ds);
  }
}

/** Every stored file a row names: oficio scans, issued documents, the letterhead's logo. */
export async function referencedFileKeys(ds: DataSource): Promise<Set<string>> {
  const scans = await ds
    .getRepository(Oficio)
    .createQueryBuilder('o')
    .select('o.archivoKey', 'k')
    .getRawMany<{ k: string }>();
  const documents = await ds
    .getRepository(IssuedDocument)
    .createQueryBuilder('d')
    .select('d.storageKey', 'k')
    .getRawMany<{ k: string }>();
  const logos = await ds
    .getRepository(LetterSettings)
    .createQueryBuilder('s')
    .select('s.logoKey', 'k')
    .where('s.logoKey IS NOT NULL')
    .getRawMany<{ k: string }>();
  return new Set([...scans, ...documents, ...logos].map((r) => r.k));
}
