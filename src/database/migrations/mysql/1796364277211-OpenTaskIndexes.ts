import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * idx_task_case becomes (case_id, status), the engine's read of a case's open tasks on every transition (see the
 * SQLite migration of the same name, which also makes the inbox's filter indexes partial: MySQL/MariaDB have no
 * partial indexes, so here only this index changes).
 */
export class OpenTaskIndexesMysql1796364277211 implements MigrationInterface {
  name = 'OpenTaskIndexesMysql1796364277211';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE \`task\` DROP INDEX \`idx_task_case\`, ADD INDEX \`idx_task_case\` (\`case_id\`, \`status\`)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE \`task\` DROP INDEX \`idx_task_case\`, ADD INDEX \`idx_task_case\` (\`case_id\`)`,
    );
  }
}
