import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The e-mail digest of new tasks: each staff user's watermark (task_digest), and the index that finds the open tasks of
 * a role that arrived since a moment.
 */
export class TaskDigestMysql1796400000000 implements MigrationInterface {
  name = 'TaskDigestMysql1796400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`task_digest\` (\`user_id\` varchar(36) NOT NULL, \`sent_until\` datetime NOT NULL, PRIMARY KEY (\`user_id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE INDEX \`idx_task_role_created\` ON \`task\` (\`status\`, \`candidate_role\`, \`created_at\`)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`idx_task_role_created\` ON \`task\``);
    await queryRunner.query(`DROP TABLE \`task_digest\``);
  }
}
