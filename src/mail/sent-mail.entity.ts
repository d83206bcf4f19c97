import { Column, Entity, PrimaryColumn } from 'typeorm';

/** 'enviando': a process claimed the message and may be talking to the server; 'enviado': the server accepted it. */
export type SentMailStatus = 'enviando' | 'enviado';

/**
 * One row per Message-ID the mailer has sent or is sending (SMTP or `.eml` outbox): what keeps a message from going
 * out twice (see SentMailLedger). Never the body — activation links and temporary passwords are secrets — nor the
 * recipients' addresses: a hash says whether a given address was among them.
 */
@Entity('sent_mail')
export class SentMail {
  /** RFC 5322 Message-ID with angle brackets, derived from the job's idempotency key. */
  @PrimaryColumn({ type: 'varchar', length: 255 })
  messageId!: string;

  @Column({ type: 'varchar', length: 10 })
  status!: SentMailStatus;

  /** Hex SHA-256 of the recipients, trimmed, lower-cased, sorted and joined with ",". */
  @Column({ type: 'varchar', length: 64 })
  recipientsHash!: string;

  @Column({ type: 'int' })
  recipients!: number;

  /** The subject, cut to 255 characters (subjects name the institutional address, never a secret). */
  @Column({ type: 'varchar', length: 255 })
  subject!: string;

  /** A random id per claim: only the claim's holder gives it up after a failed send. */
  @Column({ type: 'varchar', length: 36 })
  claimedBy!: string;

  @Column({ type: 'datetime' })
  claimedAt!: Date;

  /** Until when the claim holds; a claim still 'enviando' after it was left by a process that died mid-send. */
  @Column({ type: 'datetime' })
  leaseUntil!: Date;

  @Column({ type: 'datetime', nullable: true })
  sentAt!: Date | null;

  /** How many claims were made: above 1 only after an expired claim was taken over (possibly a resend). */
  @Column({ type: 'int' })
  claims!: number;
}
