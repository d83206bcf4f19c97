import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * "Guarda en base de datos la información del movimiento": one append-only row per transition, hash-chained across
 * all cases (hash = sha256(prevHash + canonical row)), so an edited, deleted or reordered row is detected.
 */
@Entity('movement')
export class Movement {
  /** Global, gap-free sequence assigned under the chain-head lock. */
  @PrimaryColumn({ type: 'int' })
  seq!: number;

  @Index('idx_movement_case')
  @Column({ type: 'varchar', length: 36 })
  caseId!: string;

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

  @Column({ type: 'varchar', length: 64 })
  prevHash!: string;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;
}

/** The head of the hash chain: one row, locked by every transition that appends a movement. */
@Entity('movement_head')
export class MovementHead {
  @PrimaryColumn({ type: 'int' })
  id!: number;

  @Column({ type: 'int' })
  lastSeq!: number;

  @Column({ type: 'varchar', length: 64 })
  lastHash!: string;
}
