import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A document kept in the database (DatabaseFileStore): its key (`<first two hex>/<sha256>`, the same as on disk, so a
 * file keeps its key when it moves between stores), size and last save; the content is in stored_file_chunk.
 */
@Entity('stored_file')
export class StoredFileRow {
  @PrimaryColumn({ type: 'varchar', length: 67, name: 'file_key' })
  key!: string;

  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ type: 'int' })
  bytes!: number;

  @Column({ type: 'int' })
  chunks!: number;

  /** The last save of this content: the sweep's grace period counts from it. */
  @Index('idx_stored_file_saved')
  @Column({ type: 'datetime', name: 'saved_at' })
  savedAt!: Date;
}

/**
 * One piece of a stored document, at most STORED_FILE_CHUNK_BYTES (a MySQL BLOB holds 64 KB; SQLite's has no such
 * limit, the same pieces keep both dialects alike).
 */
@Entity('stored_file_chunk')
export class StoredFileChunk {
  @PrimaryColumn({ type: 'varchar', length: 67, name: 'file_key' })
  key!: string;

  @PrimaryColumn({ type: 'int' })
  seq!: number;

  @Column({ type: 'blob' })
  data!: Buffer;
}
