import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type OutboxStatus = 'pendiente' | 'encolado' | 'hecho' | 'fallido' | 'cancelado';

/**
 * A side effect declared by a transition, written in the same transaction (transactional outbox). The relay moves
 * pending rows to the queues; the job id is the row id, so a crash between commit and enqueue never runs it twice.
 */
@Entity('outbox')
@Index('idx_outbox_status', ['status', 'availableAt'])
export class OutboxCommand {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('idx_outbox_case')
  @Column({ type: 'varchar', length: 36 })
  caseId!: string;

  @Column({ type: 'varchar', length: 30 })
  type!: string;

  /** Command params (JSON); never a password or a token. */
  @Column({ type: 'text' })
  payload!: string;

  @Index('uq_outbox_idem', { unique: true })
  @Column({ type: 'varchar', length: 120 })
  idempotencyKey!: string;

  @Column({ type: 'varchar', length: 12 })
  status!: OutboxStatus;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ type: 'datetime' })
  availableAt!: Date;

  @Column({ type: 'datetime' })
  createdAt!: Date;

  @Column({ type: 'datetime', nullable: true })
  enqueuedAt!: Date | null;

  @Column({ type: 'datetime', nullable: true })
  doneAt!: Date | null;

  @Column({ type: 'varchar', length: 400, nullable: true })
  lastError!: string | null;
}
