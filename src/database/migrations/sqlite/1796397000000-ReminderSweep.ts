import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Task reminders are queued by a sweep when their time comes, no longer as two delayed outbox rows written by the
 * transition that opens the task (src/engine/effects/task-reminder-sweep.ts). The sweep seeks, by these indexes, the
 * open tasks whose «falta poco» (warn_at) or due time has come and whose reminder or escalation is not queued yet.
 * Partial: they hold only those tasks, so a task leaves them when it closes or when its reminder is queued.
 * Delayed rows written before this migration still run; the sweep uses the same idempotency key and adds none twice.
 */
export class ReminderSweepSqlite1796397000000 implements MigrationInterface {
  name = 'ReminderSweepSqlite1796397000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "idx_task_warn_pending" ON "task" ("status", "reminded_at", "warn_at") WHERE status = 'abierta' AND reminded_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_task_due_pending" ON "task" ("status", "escalated_at", "due_at") WHERE status = 'abierta' AND escalated_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_task_due_pending"`);
    await queryRunner.query(`DROP INDEX "idx_task_warn_pending"`);
  }
}
