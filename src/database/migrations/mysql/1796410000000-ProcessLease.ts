import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The lease of the periodic maintenance: one process at a time runs it (src/queue/maintenance-lease.ts). */
export class ProcessLeaseMysql1796410000000 implements MigrationInterface {
  name = 'ProcessLeaseMysql1796410000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`process_lease\` (\`name\` varchar(60) NOT NULL, \`holder\` varchar(120) NOT NULL, \`expires_at\` datetime NOT NULL, PRIMARY KEY (\`name\`)) ENGINE=InnoDB`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE \`process_lease\``);
  }
}
