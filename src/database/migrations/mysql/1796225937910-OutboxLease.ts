import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OutboxLeaseMysql1796225937910 implements MigrationInterface {
  name = 'OutboxLeaseMysql1796225937910';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`outbox\` ADD \`lease_owner\` varchar(36) NULL`);
    await queryRunner.query(`ALTER TABLE \`outbox\` ADD \`lease_until\` datetime(3) NULL`);
    await queryRunner.query(`ALTER TABLE \`outbox\` ADD \`result\` text NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`outbox\` DROP COLUMN \`result\``);
    await queryRunner.query(`ALTER TABLE \`outbox\` DROP COLUMN \`lease_until\``);
    await queryRunner.query(`ALTER TABLE \`outbox\` DROP COLUMN \`lease_owner\``);
  }
}
