import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ResponsableScopeMysql1795879516425 implements MigrationInterface {
  name = 'ResponsableScopeMysql1795879516425';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`procedure_case\` ADD \`responsable_id\` varchar(36) NULL`);
    await queryRunner.query(`ALTER TABLE \`task\` ADD \`responsable_id\` varchar(36) NULL`);
    await queryRunner.query(`CREATE INDEX \`idx_case_responsable\` ON \`procedure_case\` (\`responsable_id\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_task_responsable\` ON \`task\` (\`responsable_id\`, \`status\`)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`idx_task_responsable\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_case_responsable\` ON \`procedure_case\``);
    await queryRunner.query(`ALTER TABLE \`task\` DROP COLUMN \`responsable_id\``);
    await queryRunner.query(`ALTER TABLE \`procedure_case\` DROP COLUMN \`responsable_id\``);
  }
}
