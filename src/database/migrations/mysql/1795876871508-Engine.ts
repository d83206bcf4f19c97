import type { MigrationInterface, QueryRunner } from 'typeorm';

export class EngineMysql1795876871508 implements MigrationInterface {
  name = 'EngineMysql1795876871508';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`staff_session\` (\`token_hash\` varchar(64) NOT NULL, \`user_id\` varchar(36) NOT NULL, \`created_at\` datetime NOT NULL, \`expires_at\` datetime NOT NULL, INDEX \`idx_staff_session_user\` (\`user_id\`), PRIMARY KEY (\`token_hash\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`procedure_case\` (\`id\` varchar(36) NOT NULL, \`procedure_id\` varchar(40) NOT NULL, \`procedure_version\` int NOT NULL, \`folio\` varchar(40) NULL, \`state\` varchar(200) NOT NULL, \`status\` varchar(12) NOT NULL, \`snapshot\` text NOT NULL, \`version\` int NOT NULL, \`nivel_clave\` varchar(40) NULL, \`cct\` varchar(10) NULL, \`curp\` varchar(18) NULL, \`cuenta_id\` varchar(36) NULL, \`outcome\` varchar(30) NULL, \`incident_message\` varchar(400) NULL, \`started_by\` varchar(36) NOT NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), \`closed_at\` datetime NULL, INDEX \`idx_case_folio\` (\`folio\`), INDEX \`idx_case_nivel\` (\`nivel_clave\`), INDEX \`idx_case_cct\` (\`cct\`), INDEX \`idx_case_curp\` (\`curp\`), INDEX \`idx_case_proc_status\` (\`procedure_id\`, \`procedure_version\`, \`status\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`dia_inhabil\` (\`fecha\` varchar(10) NOT NULL, \`descripcion\` varchar(120) NOT NULL, PRIMARY KEY (\`fecha\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`movement\` (\`seq\` int NOT NULL, \`case_id\` varchar(36) NOT NULL, \`procedure_id\` varchar(40) NOT NULL, \`procedure_version\` int NOT NULL, \`actor_id\` varchar(60) NOT NULL, \`actor_role\` varchar(20) NOT NULL, \`at\` varchar(24) NOT NULL, \`from_state\` varchar(200) NOT NULL, \`to_state\` varchar(200) NOT NULL, \`event_type\` varchar(60) NOT NULL, \`data\` text NOT NULL, \`pasos\` varchar(120) NOT NULL, \`prev_hash\` varchar(64) NOT NULL, \`hash\` varchar(64) NOT NULL, INDEX \`idx_movement_case\` (\`case_id\`), PRIMARY KEY (\`seq\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`movement_head\` (\`id\` int NOT NULL, \`last_seq\` int NOT NULL, \`last_hash\` varchar(64) NOT NULL, PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`outbox\` (\`id\` varchar(36) NOT NULL, \`case_id\` varchar(36) NOT NULL, \`type\` varchar(30) NOT NULL, \`payload\` text NOT NULL, \`idempotency_key\` varchar(120) NOT NULL, \`status\` varchar(12) NOT NULL, \`attempts\` int NOT NULL DEFAULT '0', \`available_at\` datetime NOT NULL, \`created_at\` datetime NOT NULL, \`enqueued_at\` datetime NULL, \`done_at\` datetime NULL, \`last_error\` varchar(400) NULL, INDEX \`idx_outbox_case\` (\`case_id\`), UNIQUE INDEX \`uq_outbox_idem\` (\`idempotency_key\`), INDEX \`idx_outbox_status\` (\`status\`, \`available_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`procedure_version\` (\`procedure_id\` varchar(40) NOT NULL, \`version\` int NOT NULL, \`title\` varchar(200) NOT NULL, \`guide_section\` varchar(30) NOT NULL, \`guide_version\` varchar(10) NOT NULL, \`valid_from\` datetime NOT NULL, PRIMARY KEY (\`procedure_id\`, \`version\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`task\` (\`id\` varchar(36) NOT NULL, \`case_id\` varchar(36) NOT NULL, \`procedure_id\` varchar(40) NOT NULL, \`state_id\` varchar(200) NOT NULL, \`title\` varchar(200) NOT NULL, \`candidate_role\` varchar(20) NOT NULL, \`nivel_clave\` varchar(40) NULL, \`cct\` varchar(10) NULL, \`curp\` varchar(18) NULL, \`folio\` varchar(40) NULL, \`assignee_id\` varchar(36) NULL, \`status\` varchar(10) NOT NULL, \`priority\` int NOT NULL, \`created_at\` datetime NOT NULL, \`warn_at\` datetime NOT NULL, \`due_at\` datetime NOT NULL, \`reminded_at\` datetime NULL, \`escalated_at\` datetime NULL, \`closed_at\` datetime NULL, \`closed_by\` varchar(60) NULL, INDEX \`idx_task_case\` (\`case_id\`), INDEX \`idx_task_cct\` (\`cct\`), INDEX \`idx_task_curp\` (\`curp\`), INDEX \`idx_task_folio\` (\`folio\`), INDEX \`idx_task_proc\` (\`procedure_id\`, \`status\`), INDEX \`idx_task_assignee\` (\`assignee_id\`, \`status\`), INDEX \`idx_task_nivel_due\` (\`status\`, \`nivel_clave\`, \`due_at\`), INDEX \`idx_task_role_due\` (\`status\`, \`candidate_role\`, \`due_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    // The chain starts from a genesis head: seq 0, hash of zeros.
    await queryRunner.query(
      `INSERT INTO \`movement_head\` (id, last_seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`idx_task_role_due\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_nivel_due\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_assignee\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_proc\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_folio\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_curp\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_cct\` ON \`task\``);
    await queryRunner.query(`DROP INDEX \`idx_task_case\` ON \`task\``);
    await queryRunner.query(`DROP TABLE \`task\``);
    await queryRunner.query(`DROP TABLE \`procedure_version\``);
    await queryRunner.query(`DROP INDEX \`idx_outbox_status\` ON \`outbox\``);
    await queryRunner.query(`DROP INDEX \`uq_outbox_idem\` ON \`outbox\``);
    await queryRunner.query(`DROP INDEX \`idx_outbox_case\` ON \`outbox\``);
    await queryRunner.query(`DROP TABLE \`outbox\``);
    await queryRunner.query(`DROP TABLE \`movement_head\``);
    await queryRunner.query(`DROP INDEX \`idx_movement_case\` ON \`movement\``);
    await queryRunner.query(`DROP TABLE \`movement\``);
    await queryRunner.query(`DROP TABLE \`dia_inhabil\``);
    await queryRunner.query(`DROP INDEX \`idx_case_proc_status\` ON \`procedure_case\``);
    await queryRunner.query(`DROP INDEX \`idx_case_curp\` ON \`procedure_case\``);
    await queryRunner.query(`DROP INDEX \`idx_case_cct\` ON \`procedure_case\``);
    await queryRunner.query(`DROP INDEX \`idx_case_nivel\` ON \`procedure_case\``);
    await queryRunner.query(`DROP INDEX \`idx_case_folio\` ON \`procedure_case\``);
    await queryRunner.query(`DROP TABLE \`procedure_case\``);
    await queryRunner.query(`DROP INDEX \`idx_staff_session_user\` ON \`staff_session\``);
    await queryRunner.query(`DROP TABLE \`staff_session\``);
  }
}
