import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * How far each staff user's e-mail digest of new tasks has got (TaskDigestScheduler): the tasks created up to
 * `sentUntil` were considered for a digest already. Moved on, conditionally on the value read, in the transaction that
 * writes the digest's outbox command: one digest per window, whichever process gets there first.
 */
@Entity('task_digest')
export class TaskDigest {
  /** The staff user's id. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'datetime' })
  sentUntil!: Date;
}
