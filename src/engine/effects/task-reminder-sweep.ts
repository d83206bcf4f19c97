import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull, LessThanOrEqual } from 'typeorm';
import { inTransaction } from '../../database/transaction';
import { taskCountStatement } from '../dashboard-counts';
import { outboxRow, TASK_REMINDER } from '../engine.service';
import { OutboxCommand } from '../entities/outbox.entity';
import { Task } from '../entities/task.entity';

export type ReminderKind = 'recordatorio' | 'vencimiento';

/** Tasks claimed per transaction; a pass goes on while a batch comes back full. */
const BATCH = 200;

const KINDS: Record<ReminderKind, { marker: 'remindedAt' | 'escalatedAt'; at: 'warnAt' | 'dueAt' }> = {
  recordatorio: { marker: 'remindedAt', at: 'warnAt' },
  vencimiento: { marker: 'escalatedAt', at: 'dueAt' },
};

/**
 * The inbox's reminders ("falta poco") and escalations (overdue: priority raised, the role and the Subdirección told),
 * queued when their time comes by the periodic job instead of as two delayed outbox rows written by the transition
 * that opens the task. Most tasks close long before either time, so they never cost a row, and a transition writes two
 * fewer outbox rows (with their four indexes each): the task's own warn_at and due_at are the schedule.
 *
 * Exactly once: a task is claimed by `UPDATE … SET reminded_at = now WHERE … reminded_at IS NULL` (escalated_at for an
 * escalation, with the priority raised in the same statement), and its outbox row is written in the same transaction
 * under the key `<task>:<kind>`, the key the delayed rows of before used (INSERT that ignores a key already there): two
 * processes sweeping at once claim each task once; the outbox runs the mail once (src/engine/effects/job-runner.service.ts).
 */
@Injectable()
export class TaskReminderSweep {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** One pass; how many reminders and escalations it queued. */
  async sweep(now = new Date()): Promise<number> {
    let queued = 0;
    for (const kind of Object.keys(KINDS) as ReminderKind[]) {
      for (;;) {
        const [claimed, seen] = await inTransaction(this.ds, (em) => this.batch(em, kind, now));
        queued += claimed;
        if (seen < BATCH) break;
      }
    }
    return queued;
  }

  /** Claims up to BATCH tasks whose `kind` is due; [claimed, looked at]. */
  private async batch(em: EntityManager, kind: ReminderKind, now: Date): Promise<[number, number]> {
    const { marker, at } = KINDS[kind];
    const due = await em.getRepository(Task).find({
      select: { id: true, caseId: true },
      where: { status: 'abierta', [marker]: IsNull(), [at]: LessThanOrEqual(now) },
      order: { [at]: 'ASC' },
      take: BATCH,
    });
    const rows: OutboxCommand[] = [];
    for (const t of due) {
      const res = await em
        .createQueryBuilder()
        .update(Task)
        .set(kind === 'vencimiento' ? { escalatedAt: now, priority: 1 } : { remindedAt: now })
        .where({ id: t.id, status: 'abierta', [marker]: IsNull() })
        .execute();
      if (!res.affected) continue;
      // The task moves from the reminder state it had to the one its markers now say (the UPDATE holds its row).
      const unmarked = kind === 'vencimiento' ? 'escalated_at' : 'reminded_at';
      for (const stmt of [taskCountStatement([t.id], -1, { unmarked }), taskCountStatement([t.id], 1)])
        if (stmt) await em.query(stmt.text, stmt.params);
      rows.push(outboxRow(t.caseId, TASK_REMINDER, { taskId: t.id, kind }, `${t.id}:${kind}`, now, now));
    }
    if (rows.length) await em.createQueryBuilder().insert().into(OutboxCommand).values(rows).orIgnore().execute();
    return [rows.length, due.length];
  }
}
