import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SelfServiceOpenRequestMysql1796226026204 implements MigrationInterface {
  name = 'SelfServiceOpenRequestMysql1796226026204';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`autoservicio_abierto\` (\`procedure_id\` varchar(40) NOT NULL, \`curp\` varchar(18) NOT NULL, \`case_id\` varchar(36) NOT NULL, \`created_at\` datetime NOT NULL, INDEX \`idx_autoservicio_abierto_caso\` (\`case_id\`), PRIMARY KEY (\`procedure_id\`, \`curp\`)) ENGINE=InnoDB`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`idx_autoservicio_abierto_caso\` ON \`autoservicio_abierto\``);
    await queryRunner.query(`DROP TABLE \`autoservicio_abierto\``);
  }
}
