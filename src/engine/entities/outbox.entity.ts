import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * pendiente → encolado (a job carries it) → en_curso (one execution holds its lease) → hecho / fallido; a transient
 * failure goes back to encolado with its retry job, a dead worker's expired lease back to pendiente (recovery).
 * en_espera: its execution found that the effect waits for others (the combined reply letter of an oficio for many
 * schools waits for every line) and parked it, in the transaction that said so; whoever completes the wait puts it
 * back to pendiente (`wakeParked`), and it runs again. No job carries a parked command and recovery leaves it alone.
 */
export type OutboxStatus = 'pendiente' | 'encolado' | 'en_curso' | 'en_espera' | 'hecho' | 'fallido' | 'cancelado';

/**
 * A side effect declared by a transition, written in the same transaction (transactional outbox). The relay moves
 * pending rows to the queues; the job id is the row id and its try, so a crash between commit and enqueue never runs
 * it twice. The lease (status en_curso, leaseOwner, leaseUntil) is the one truth about who executes it now: see
 * JobRunner.
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

  /** Failed executions (transient errors retried, MAX_ATTEMPTS at most); a re-delivery after a crash is not one. */
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

  /** The execution holding the lease (a random token per run) while status is en_curso. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  leaseOwner!: string | null;

  /** Until when that execution is presumed alive; its heartbeat moves it on, and past it another may take over. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  leaseUntil!: Date | null;

  /**
   * What the effect ended with, written as soon as it ends (JSON: the final status and the event for the case): a
   * delivery after a crash before the result was committed reports this instead of performing the effect again.
   */
  @Column({ type: 'text', nullable: true })
  result!: string | null;
}

/** A command as it enters the outbox: pending, never tried, nothing enqueued, leased or ended yet. */
export function pendingCommand(
  fields: Pick<OutboxCommand, 'id' | 'caseId' | 'type' | 'payload' | 'idempotencyKey' | 'availableAt' | 'createdAt'>,
): OutboxCommand {
  return {
    ...fields,
    status: 'pendiente',
    attempts: 0,
    enqueuedAt: null,
    doneAt: null,
    lastError: null,
    leaseOwner: null,
    leaseUntil: null,
    result: null,
  };
}
