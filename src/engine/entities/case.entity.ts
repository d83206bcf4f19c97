import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type CaseStatus = 'activo' | 'concluido' | 'incidente';

/** One running (or finished) procedure: the persisted XState snapshot plus the fields the inbox and searches need. */
@Entity('procedure_case')
@Index('idx_case_proc_status', ['procedureId', 'procedureVersion', 'status'])
// The dashboard's counts (/tablero): open cases by step, cases received and concluded in a period.
@Index('idx_case_open_step', ['status', 'procedureId', 'state', 'nivelClave'])
@Index('idx_case_created', ['createdAt', 'nivelClave', 'status'])
@Index('idx_case_closed', ['status', 'closedAt', 'procedureId', 'nivelClave', 'createdAt'])
// The dashboard's latest incidents.
@Index('idx_case_status_updated', ['status', 'updatedAt'])
export class ProcedureCase {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 40 })
  procedureId!: string;

  @Column({ type: 'int' })
  procedureVersion!: number;

  @Index('idx_case_folio')
  @Column({ type: 'varchar', length: 40, nullable: true })
  folio!: string | null;

  /** Dotted state path of the active leaf states ("recepcion.turnado"), for search and display. */
  @Column({ type: 'varchar', length: 200 })
  state!: string;

  @Column({ type: 'varchar', length: 12 })
  status!: CaseStatus;

  /** machine.getPersistedSnapshot() as JSON; never holds a password. */
  @Column({ type: 'text' })
  snapshot!: string;

  /** Optimistic version: every transition increments it; a stale writer gets 409. */
  @Column({ type: 'int' })
  version!: number;

  /**
   * How many movements the case has: the number of its last one. Every transition moves it with `version`; an act
   * that changes no state (a document downloaded) moves only this and the hash, so nobody's open form goes stale.
   */
  @Column({ type: 'int' })
  movementCount!: number;

  /** The hash of the case's last movement: the head of the case's own chain. */
  @Column({ type: 'varchar', length: 64 })
  lastMovementHash!: string;

  @Index('idx_case_nivel')
  @Column({ type: 'varchar', length: 40, nullable: true })
  nivelClave!: string | null;

  @Index('idx_case_cct')
  @Column({ type: 'varchar', length: 10, nullable: true })
  cct!: string | null;

  @Index('idx_case_curp')
  @Column({ type: 'varchar', length: 18, nullable: true })
  curp!: string | null;

  @Index('idx_case_cuenta')
  @Column({ type: 'varchar', length: 36, nullable: true })
  cuentaId!: string | null;

  /** The responsable (staff user) who sent the oficio: that user's inbox and case access are scoped to it. */
  @Index('idx_case_responsable')
  @Column({ type: 'varchar', length: 36, nullable: true })
  responsableId!: string | null;

  /** The final state's output.outcome once the case is concluded. */
  @Column({ type: 'varchar', length: 30, nullable: true })
  outcome!: string | null;

  @Column({ type: 'varchar', length: 400, nullable: true })
  incidentMessage!: string | null;

  @Column({ type: 'varchar', length: 36 })
  startedBy!: string;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;

  @Column({ type: 'datetime', nullable: true })
  closedAt!: Date | null;

  /** Business days from the day it was received to the day it concluded (the dashboard's resolution times). */
  @Column({ type: 'int', nullable: true })
  businessDays!: number | null;
}
