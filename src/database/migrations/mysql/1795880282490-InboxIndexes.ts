import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InboxIndexesMysql1795880282490 implements MigrationInterface {
  name = 'InboxIndexesMysql1795880282490';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`idx_task_cct\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_curp\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_folio\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_nivel_due\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_role_due\` ON \`task\``);
    await queryRunner.query(`CREATE INDEX \`idx_task_cct\` ON \`task\` (\`cct\`, \`status\`, \`candidate_role\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_task_curp\` ON \`task\` (\`curp\`, \`status\`, \`candidate_role\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_task_folio\` ON \`task\` (\`folio\`, \`status\`, \`candidate_role\`)`);
    await queryRunner.query(
      `CREATE INDEX \`idx_task_nivel_due\` ON \`task\` (\`status\`, \`candidate_role\`, \`nivel_clave\`, \`due_at\`, \`priority\`, \`id\`)`,
    );
    await queryRunner.query(
      `CREATE INDEX \`idx_task_role_due\` ON \`task\` (\`status\`, \`candidate_role\`, \`due_at\`, \`priority\`, \`id\`)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`idx_task_role_due\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_nivel_due\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_folio\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_curp\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_cct\` ON \`task\``);
    await queryRunner.query(
      `CREATE INDEX \`idx_task_role_due\` ON \`task\` (\`status\`, \`candidate_role\`, \`due_at\`)`,
    );
    await queryRunner.query(
      `CREATE INDEX \`idx_task_nivel_due\` ON \`task\` (\`status\`, \`nivel_clave\`, \`due_at\`)`,
    );
    await queryRunner.query(`CREATE INDEX \`idx_task_folio\` ON \`task\` (\`folio\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_task_curp\` ON \`task\` (\`curp\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_task_cct\` ON \`task\` (\`cct\`)`);
  }
}
