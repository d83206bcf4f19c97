import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dashboard (/tablero) counts cases from indexes only: open cases by status, procedure, step and nivel; cases
 * received in a period by nivel; cases concluded in a period with their procedure, nivel and both instants.
 */
export class DashboardIndexesMysql1796364280711 implements MigrationInterface {
  name = 'DashboardIndexesMysql1796364280711';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX \`idx_case_open_step\` ON \`procedure_case\` (\`status\`, \`procedure_id\`, \`state\`, \`nivel_clave\`)`,
    );
    await queryRunner.query(
      `CREATE INDEX \`idx_case_created\` ON \`procedure_case\` (\`created_at\`, \`nivel_clave\`, \`status\`)`,
    );
    await queryRunner.query(
      `CREATE INDEX \`idx_case_closed\` ON \`procedure_case\` (\`status\`, \`closed_at\`, \`procedure_id\`, \`nivel_clave\`, \`created_at\`)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`idx_case_closed\` ON \`procedure_case\``);
    await queryRunner.query(`DROP INDEX \`idx_case_created\` ON \`procedure_case\``);
    await queryRunner.query(`DROP INDEX \`idx_case_open_step\` ON \`procedure_case\``);
  }
}
