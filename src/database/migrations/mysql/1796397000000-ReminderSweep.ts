import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reminder sweep's indexes (see the SQLite migration of the same name). MySQL/MariaDB have no partial indexes: the
 * task's state and marker lead, so the sweep's `status = 'abierta' AND reminded_at IS NULL AND warn_at <= ?` is one range.
 */
export class ReminderSweepMysql1796397000000 implements MigrationInterface {
  name = 'ReminderSweepMysql1796397000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE `task` ADD INDEX `idx_task_warn_pending` (`status`, `reminded_at`, `warn_at`), ADD INDEX `idx_task_due_pending` (`status`, `escalated_at`, `due_at`)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `task` DROP INDEX `idx_task_warn_pending`, DROP INDEX `idx_task_due_pending`');
  }
}
