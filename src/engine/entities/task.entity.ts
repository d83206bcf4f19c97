import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type TaskStatus = 'abierta' | 'cerrada';

/**
 * On SQLite the filter indexes hold open tasks only (migration OpenTaskIndexes): a closed task leaves them instead of
 * moving inside each. MySQL/MariaDB have no partial indexes and ignore this. SQLite's
 * planner matches the inbox's `status = ?` against it with the bound value (it re-prepares when a binding decides).
 */
const OPEN_ONLY = { where: "status = 'abierta'" };

/** A step that waits for a person: the inbox of a role (scoped by nivel or CCT where the role is). */
@Entity('task')
// The inbox pages by keyset in the order (due_at, priority, id) within (status, candidate_role): every filter and scope
// the inbox offers has an index of that shape with its column in between, so the matches and their order come from
// the index and a page reads 26 entries, whichever page (`npm run bench -- --solo bandeja`, EXPLAIN on both dialects).
@Index('idx_task_role_due', ['status', 'candidateRole', 'dueAt', 'priority', 'id'])
@Index('idx_task_nivel_due', ['status', 'candidateRole', 'nivelClave', 'dueAt', 'priority', 'id'], OPEN_ONLY)
@Index('idx_task_resp_due', ['status', 'candidateRole', 'responsableId', 'dueAt', 'priority', 'id'], OPEN_ONLY)
@Index('idx_task_cct_due', ['status', 'candidateRole', 'cct', 'dueAt', 'priority', 'id'], OPEN_ONLY)
@Index('idx_task_proc_due', ['status', 'candidateRole', 'procedureId', 'dueAt', 'priority', 'id'], OPEN_ONLY)
@Index('idx_task_step_due', ['status', 'candidateRole', 'stateId', 'dueAt', 'priority', 'id'], OPEN_ONLY)
@Index('idx_task_folio_due', ['status', 'candidateRole', 'folio', 'dueAt', 'priority', 'id'], OPEN_ONLY)
@Index('idx_task_curp_due', ['status', 'candidateRole', 'curp', 'dueAt', 'priority', 'id'], OPEN_ONLY)
@Index('idx_task_assignee_due', ['status', 'candidateRole', 'assigneeId', 'dueAt', 'priority', 'id'], OPEN_ONLY)
// The e-mail digest reads the open tasks of a role that arrived since a moment (InboxService.arrivals).
@Index('idx_task_role_created', ['status', 'candidateRole', 'createdAt'], OPEN_ONLY)
@Index('idx_task_case', ['caseId', 'status'])
// The reminder sweep (TaskReminderSweep) seeks the open tasks whose «falta poco» or due time has come and whose reminder
// or escalation is not queued yet; on SQLite these hold exactly those tasks (migration ReminderSweep).
@Index('idx_task_warn_pending', ['status', 'remindedAt', 'warnAt'], {
  where: "status = 'abierta' AND reminded_at IS NULL",
})
@Index('idx_task_due_pending', ['status', 'escalatedAt', 'dueAt'], {
  where: "status = 'abierta' AND escalated_at IS NULL",
})
export class Task {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

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

  /** When the reminder sweep queued its «falta poco» mail (once; null until warnAt has come and the sweep ran). */
  @Column({ type: 'datetime', nullable: true })
  remindedAt!: Date | null;

  /** When the sweep escalated it (priority alta, the overdue mail queued); null until dueAt has come. */
  @Column({ type: 'datetime', nullable: true })
  escalatedAt!: Date | null;

  @Column({ type: 'datetime', nullable: true })
  closedAt!: Date | null;

  @Column({ type: 'varchar', length: 60, nullable: true })
  closedBy!: string | null;
}
