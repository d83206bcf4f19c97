import type { DataSource } from 'typeorm';
import { LessThan, MoreThan } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { inTransaction } from '../database/transaction';
import { isUniqueViolation } from '../database/unique-violation';
import { sha256 } from '../letters/verification';
import { StoredFileChunk, StoredFileRow } from './entities/stored-file.entity';
import {
  FILE_KEY,
  type FileStore,
  type ReferencedAmong,
  removeByPages,
  type StoredFile,
  SWEEP_PAGE,
} from './file-store';

/** A piece of a document: under MySQL's BLOB limit (65 535 bytes). */
export const STORED_FILE_CHUNK_BYTES = 64_000;
/** Pieces per INSERT: about 1 MB per statement, far below any max_allowed_packet. */
const CHUNKS_PER_INSERT = 16;

/**
 * Documents in the database (the default on MySQL/MariaDB): every web and worker process reads what another wrote,
 * and a backup of the database holds them. Keys, content addressing, the renewed time of a second save and the
 * sweep's rules are those of LocalFileStore. A document is written in one transaction (its row and its pieces), so a
 * reader finds all of it or nothing.
 */
export class DatabaseFileStore implements FileStore {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async save(data: Buffer): Promise<StoredFile> {
    const digest = sha256(data);
    const key = `${digest.slice(0, 2)}/${digest}`;
    const stored = { key, sha256: digest, bytes: data.length };
    const at = this.clock();
    if (await this.renew(key, at)) return stored;
    const chunks: StoredFileChunk[] = [];
    for (let seq = 0, off = 0; off < data.length || seq === 0; seq++, off += STORED_FILE_CHUNK_BYTES)
      chunks.push({ key, seq, data: data.subarray(off, off + STORED_FILE_CHUNK_BYTES) });
    try {
      await inTransaction(this.ds, async (em) => {
        await em.insert(StoredFileRow, { key, sha256: digest, bytes: data.length, chunks: chunks.length, savedAt: at });
        for (let i = 0; i < chunks.length; i += CHUNKS_PER_INSERT)
          await em.insert(StoredFileChunk, chunks.slice(i, i + CHUNKS_PER_INSERT));
      });
    } catch (e) {
      // The same content saved by another process meanwhile: the same bytes, already there; renew its time.
      if (!isUniqueViolation(e)) throw e;
      await this.renew(key, at);
    }
    return stored;
  }

  private async renew(key: string, at: Date): Promise<boolean> {
    const res = await this.ds.getRepository(StoredFileRow).update({ key }, { savedAt: at });
    return Boolean(res.affected);
  }

  async read(key: string): Promise<Buffer> {
    const row = FILE_KEY.test(key) ? await this.ds.getRepository(StoredFileRow).findOne({ where: { key } }) : null;
    if (!row)
      throw new DomainError(
        'ARCHIVO_NO_ENCONTRADO',
        'El archivo solicitado no existe en el almacén de documentos.',
        404,
      );
    const pieces = await this.ds
      .getRepository(StoredFileChunk)
      .find({ where: { key }, order: { seq: 'ASC' }, select: { seq: true, data: true } });
    return Buffer.concat(pieces.map((p) => p.data));
  }

  removeUnreferenced(before: Date, referenced: ReferencedAmong, pageSize = SWEEP_PAGE): AsyncGenerator<string[]> {
    return removeByPages(
      this.oldKeys(before, pageSize),
      referenced,
      async (key) =>
        // Only if not saved again since the listing (its new row may commit any moment): the guard is in the DELETE.
        inTransaction(this.ds, async (em) => {
          const res = await em.delete(StoredFileRow, { key, savedAt: LessThan(before) });
          if (!res.affected) return false;
          await em.delete(StoredFileChunk, { key });
          return true;
        }),
      pageSize,
    );
  }

  /** The keys saved before `before`, in key order, read `pageSize` rows at a time (the primary key, after the last). */
  private async *oldKeys(before: Date, pageSize: number): AsyncGenerator<string> {
    for (let after = ''; ;) {
      const rows = await this.ds.getRepository(StoredFileRow).find({
        where: { key: MoreThan(after), savedAt: LessThan(before) },
        select: { key: true },
        order: { key: 'ASC' },
        take: pageSize,
      });
      for (const { key } of rows) yield key;
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1].key;
    }
  }
}
