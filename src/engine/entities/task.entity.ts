import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type TaskStatus = 'abierta' | 'cerrada';

/** A step that waits for a person: the inbox of a role (scoped by nivel or CCT where the role is). */
@Entity('task')
// The inbox pages ORDER BY due_at, priority, id: the indexes carry the whole order, so a page reads 25 rows instead
// of sorting every match (measured by `npm run bench -- --solo inbox`: 3 s → ms on 1M tasks on MariaDB).
@Index('idx_task_role_due', ['status', 'candidateRole', 'dueAt', 'priority', 'id'])
@Index('idx_task_nivel_due', ['status', 'candidateRole', 'nivelClave', 'dueAt', 'priority', 'id'])
// Searches lead with the searched column and repeat the inbox's equalities, so SQLite's planner prefers them even
// without ANALYZE statistics.
@Index('idx_task_folio', ['folio', 'status', 'candidateRole'])
@Index('idx_task_curp', ['curp', 'status', 'candidateRole'])
@Index('idx_task_cct', ['cct', 'status', 'candidateRole'])
@Index('idx_task_assignee', ['assigneeId', 'status'])
@Index('idx_task_proc', ['procedureId', 'status'])
@Index('idx_task_responsable', ['responsableId', 'status'])
export class Task {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('idx_task_case')
  @Column({ type: 'varchar', length: 36 })
  caseId!: string;

  @Column({ type: 'varchar', length: 40 })
  procedureId!: string;

  /** State node id of the machine that opened it. */
  @Column({ type: 'varchar', length: 200 })
  stateId!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'varchar', length: 20 })
  candidateRole!: string;

  @Column({ type: 'varchar', length: 40, nullable: true })
  nivelClave!: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  cct!: string | null;

  @Column({ type: 'varchar', length: 18, nullable: true })
  curp!: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  folio!: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  assigneeId!: string | null;

  /** Copied from the case: a responsable only sees the tasks of the oficios they sent. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  responsableId!: string | null;

  @Column({ type: 'varchar', length: 10 })
  status!: TaskStatus;

  /** 1 alta, 2 normal, 3 baja: sorts ascending. */
  @Column({ type: 'int' })
  priority!: number;

  @Column({ type: 'datetime' })
  createdAt!: Date;

  /** "falta poco" from here on. */
  @Column({ type: 'datetime' })
  warnAt!: Date;

  /** "vencido" from here on. */
  @Column({ type: 'datetime' })
  dueAt!: Date;

  @Column({ type: 'datetime', nullable: true })
  remindedAt!: Date | null;

  @Column({ type: 'datetime', nullable: true })
  escalatedAt!: Date | null;

  @Column({ type: 'datetime', nullable: true })
  closedAt!: Date | null;

  @Column({ type: 'varchar', length: 60, nullable: true })
  closedBy!: string | null;
}
