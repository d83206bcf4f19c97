import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A single-use link to set an account's password: only the SHA-256 of the token is stored (24 h, used once). */
@Entity('activation_token')
export class ActivationToken {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  tokenHash!: string;

  @Index('idx_activation_cuenta')
  @Column({ type: 'varchar', length: 36 })
  cuentaId!: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  caseId!: string | null;

  /** Which outbox command produced it: a replayed job finds its own token instead of making a second one. */
  @Index('uq_activation_outbox', { unique: true })
  @Column({ type: 'varchar', length: 36 })
  outboxId!: string;

  @Column({ type: 'datetime' })
  createdAt!: Date;

  @Column({ type: 'datetime' })
  expiresAt!: Date;

  @Column({ type: 'datetime', nullable: true })
  usedAt!: Date | null;
}
