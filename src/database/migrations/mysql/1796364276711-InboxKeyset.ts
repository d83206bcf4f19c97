import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbox pages by keyset on (due_at, priority, id): one index (status, candidate_role, <filter>, due_at, priority,
 * id) per filter and scope it offers, so the filter and the order both come from the index. The single-column search
 * indexes they replace are dropped (nothing else reads the task table by those columns).
 */
export class InboxKeysetMysql1796364276711 implements MigrationInterface {
  name = 'InboxKeysetMysql1796364276711';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX \`idx_task_resp_due\` ON \`task\` (\`status\`, \`candidate_role\`, \`responsable_id\`, \`due_at\`, \`priority\`, \`id\`)`,
    );
    await queryRunner.query(
      `CREATE INDEX \`idx_task_cct_due\` ON \`task\` (\`status\`, \`candidate_role\`, \`cct\`, \`due_at\`, \`priority\`, \`id\`)`,
    );
    await queryRunner.query(
      `CREATE INDEX \`idx_task_proc_due\` ON \`task\` (\`status\`, \`candidate_role\`, \`procedure_id\`, \`due_at\`, \`priority\`, \`id\`)`,
    );
    await queryRunner.query(
      `CREATE INDEX \`idx_task_step_due\` ON \`task\` (\`status\`, \`candidate_role\`, \`state_id\`, \`due_at\`, \`priority\`, \`id\`)`,
    );
    await queryRunner.query(
      `CREATE INDEX \`idx_task_folio_due\` ON \`task\` (\`status\`, \`candidate_role\`, \`folio\`, \`due_at\`, \`priority\`, \`id\`)`,
    );
    await queryRunner.query(
      `CREATE INDEX \`idx_task_curp_due\` ON \`task\` (\`status\`, \`candidate_role\`, \`curp\`, \`due_at\`, \`priority\`, \`id\`)`,
    );
    await queryRunner.query(
      `CREATE INDEX \`idx_task_assignee_due\` ON \`task\` (\`status\`, \`candidate_role\`, \`assignee_id\`, \`due_at\`, \`priority\`, \`id\`)`,
    );
    await queryRunner.query(`DROP INDEX \`idx_task_folio\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_curp\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_cct\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_assignee\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_proc\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_responsable\` ON \`task\``);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX \`idx_task_responsable\` ON \`task\` (\`responsable_id\`, \`status\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_task_proc\` ON \`task\` (\`procedure_id\`, \`status\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_task_assignee\` ON \`task\` (\`assignee_id\`, \`status\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_task_cct\` ON \`task\` (\`cct\`, \`status\`, \`candidate_role\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_task_curp\` ON \`task\` (\`curp\`, \`status\`, \`candidate_role\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_task_folio\` ON \`task\` (\`folio\`, \`status\`, \`candidate_role\`)`);
    await queryRunner.query(`DROP INDEX \`idx_task_assignee_due\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_curp_due\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_folio_due\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_step_due\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_proc_due\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_cct_due\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_resp_due\` ON \`task\``);
  }
}
