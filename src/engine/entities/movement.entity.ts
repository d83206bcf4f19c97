import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * "Guarda en base de datos la información del movimiento": one append-only row per transition. Each case's movements
 * form a hash chain (hash = sha256(prevHash + canonical row), the case row keeps the last hash under the lock its
 * version-checked UPDATE already takes), and the sequencer later integrates every movement as a leaf of the
 * transparency log (a Merkle tree with signed heads, see engine/transparency). No transition takes a global lock.
 */
@Entity('movement')
@Index('uq_movement_case_seq', ['caseId', 'caseSeq'], { unique: true })
export class Movement {
  /** Insertion order (auto-increment: gaps where a transaction rolled back). Not covered by the hash. */
  @PrimaryGeneratedColumn({ type: 'int' })
  seq!: number;

  @Column({ type: 'varchar', length: 36 })
  caseId!: string;

  /** Position in the case's chain, 1 for the case's first movement (the case row's movementCount after it). */
  @Column({ type: 'int' })
  caseSeq!: number;

  @Column({ type: 'varchar', length: 40 })
  procedureId!: string;

  @Column({ type: 'int' })
  procedureVersion!: number;

  @Column({ type: 'varchar', length: 60 })
  actorId!: string;

  @Column({ type: 'varchar', length: 20 })
  actorRole!: string;

  /** ISO-8601 UTC with milliseconds, kept as text so the hash is recomputed from exactly what was stored. */
  @Column({ type: 'varchar', length: 24 })
  at!: string;

  @Column({ type: 'varchar', length: 200 })
  fromState!: string;

  @Column({ type: 'varchar', length: 200 })
  toState!: string;

  @Column({ type: 'varchar', length: 60 })
  eventType!: string;

  /** Event data without secrets (JSON). */
  @Column({ type: 'text' })
  data!: string;

  /** Guide steps performed, e.g. "5.2.1:3,4". */
  @Column({ type: 'varchar', length: 120 })
  pasos!: string;

  /** The hash of the case's previous movement (64 zeros for the first). */
  @Column({ type: 'varchar', length: 64 })
  prevHash!: string;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;

  /** Position in the transparency log, set once by the sequencer; null until integrated. Not covered by the hash. */
  @Index('uq_movement_leaf', { unique: true })
  @Column({ type: 'int', nullable: true })
  leafIndex!: number | null;
}
