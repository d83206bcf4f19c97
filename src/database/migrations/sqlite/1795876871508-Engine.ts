import type { MigrationInterface, QueryRunner } from 'typeorm';

export class EngineSqlite1795876871508 implements MigrationInterface {
  name = 'EngineSqlite1795876871508';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "staff_session" ("token_hash" varchar(64) PRIMARY KEY NOT NULL, "user_id" varchar(36) NOT NULL, "created_at" datetime NOT NULL, "expires_at" datetime NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "idx_staff_session_user" ON "staff_session" ("user_id") `);
    await queryRunner.query(
      `CREATE TABLE "procedure_case" ("id" varchar(36) PRIMARY KEY NOT NULL, "procedure_id" varchar(40) NOT NULL, "procedure_version" integer NOT NULL, "folio" varchar(40), "state" varchar(200) NOT NULL, "status" varchar(12) NOT NULL, "snapshot" text NOT NULL, "version" integer NOT NULL, "nivel_clave" varchar(40), "cct" varchar(10), "curp" varchar(18), "cuenta_id" varchar(36), "outcome" varchar(30), "incident_message" varchar(400), "started_by" varchar(36) NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), "closed_at" datetime)`,
    );
    await queryRunner.query(`CREATE INDEX "idx_case_folio" ON "procedure_case" ("folio") `);
    await queryRunner.query(`CREATE INDEX "idx_case_nivel" ON "procedure_case" ("nivel_clave") `);
    await queryRunner.query(`CREATE INDEX "idx_case_cct" ON "procedure_case" ("cct") `);
    await queryRunner.query(`CREATE INDEX "idx_case_curp" ON "procedure_case" ("curp") `);
    await queryRunner.query(
      `CREATE INDEX "idx_case_proc_status" ON "procedure_case" ("procedure_id", "procedure_version", "status") `,
    );
    await queryRunner.query(
      `CREATE TABLE "dia_inhabil" ("fecha" varchar(10) PRIMARY KEY NOT NULL, "descripcion" varchar(120) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "movement" ("seq" integer PRIMARY KEY NOT NULL, "case_id" varchar(36) NOT NULL, "procedure_id" varchar(40) NOT NULL, "procedure_version" integer NOT NULL, "actor_id" varchar(60) NOT NULL, "actor_role" varchar(20) NOT NULL, "at" varchar(24) NOT NULL, "from_state" varchar(200) NOT NULL, "to_state" varchar(200) NOT NULL, "event_type" varchar(60) NOT NULL, "data" text NOT NULL, "pasos" varchar(120) NOT NULL, "prev_hash" varchar(64) NOT NULL, "hash" varchar(64) NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "idx_movement_case" ON "movement" ("case_id") `);
    await queryRunner.query(
      `CREATE TABLE "movement_head" ("id" integer PRIMARY KEY NOT NULL, "last_seq" integer NOT NULL, "last_hash" varchar(64) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "outbox" ("id" varchar(36) PRIMARY KEY NOT NULL, "case_id" varchar(36) NOT NULL, "type" varchar(30) NOT NULL, "payload" text NOT NULL, "idempotency_key" varchar(120) NOT NULL, "status" varchar(12) NOT NULL, "attempts" integer NOT NULL DEFAULT (0), "available_at" datetime NOT NULL, "created_at" datetime NOT NULL, "enqueued_at" datetime, "done_at" datetime, "last_error" varchar(400))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_outbox_case" ON "outbox" ("case_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_outbox_idem" ON "outbox" ("idempotency_key") `);
    await queryRunner.query(`CREATE INDEX "idx_outbox_status" ON "outbox" ("status", "available_at") `);
    await queryRunner.query(
      `CREATE TABLE "procedure_version" ("procedure_id" varchar(40) NOT NULL, "version" integer NOT NULL, "title" varchar(200) NOT NULL, "guide_section" varchar(30) NOT NULL, "guide_version" varchar(10) NOT NULL, "valid_from" datetime NOT NULL, PRIMARY KEY ("procedure_id", "version"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "task" ("id" varchar(36) PRIMARY KEY NOT NULL, "case_id" varchar(36) NOT NULL, "procedure_id" varchar(40) NOT NULL, "state_id" varchar(200) NOT NULL, "title" varchar(200) NOT NULL, "candidate_role" varchar(20) NOT NULL, "nivel_clave" varchar(40), "cct" varchar(10), "curp" varchar(18), "folio" varchar(40), "assignee_id" varchar(36), "status" varchar(10) NOT NULL, "priority" integer NOT NULL, "created_at" datetime NOT NULL, "warn_at" datetime NOT NULL, "due_at" datetime NOT NULL, "reminded_at" datetime, "escalated_at" datetime, "closed_at" datetime, "closed_by" varchar(60))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_task_case" ON "task" ("case_id") `);
    await queryRunner.query(`CREATE INDEX "idx_task_cct" ON "task" ("cct") `);
    await queryRunner.query(`CREATE INDEX "idx_task_curp" ON "task" ("curp") `);
    await queryRunner.query(`CREATE INDEX "idx_task_folio" ON "task" ("folio") `);
    await queryRunner.query(`CREATE INDEX "idx_task_proc" ON "task" ("procedure_id", "status") `);
    await queryRunner.query(`CREATE INDEX "idx_task_assignee" ON "task" ("assignee_id", "status") `);
    await queryRunner.query(`CREATE INDEX "idx_task_nivel_due" ON "task" ("status", "nivel_clave", "due_at") `);
    await queryRunner.query(`CREATE INDEX "idx_task_role_due" ON "task" ("status", "candidate_role", "due_at") `);
    // The chain starts from a genesis head: seq 0, hash of zeros.
    await queryRunner.query(
      `INSERT INTO "movement_head" (id, last_seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_task_role_due"`);
    await queryRunner.query(`DROP INDEX "idx_task_nivel_due"`);
    await queryRunner.query(`DROP INDEX "idx_task_assignee"`);
    await queryRunner.query(`DROP INDEX "idx_task_proc"`);
    await queryRunner.query(`DROP INDEX "idx_task_folio"`);
    await queryRunner.query(`DROP INDEX "idx_task_curp"`);
    await queryRunner.query(`DROP INDEX "idx_task_cct"`);
    await queryRunner.query(`DROP INDEX "idx_task_case"`);
    await queryRunner.query(`DROP TABLE "task"`);
    await queryRunner.query(`DROP TABLE "procedure_version"`);
    await queryRunner.query(`DROP INDEX "idx_outbox_status"`);
    await queryRunner.query(`DROP INDEX "uq_outbox_idem"`);
    await queryRunner.query(`DROP INDEX "idx_outbox_case"`);
    await queryRunner.query(`DROP TABLE "outbox"`);
    await queryRunner.query(`DROP TABLE "movement_head"`);
    await queryRunner.query(`DROP INDEX "idx_movement_case"`);
    await queryRunner.query(`DROP TABLE "movement"`);
    await queryRunner.query(`DROP TABLE "dia_inhabil"`);
    await queryRunner.query(`DROP INDEX "idx_case_proc_status"`);
    await queryRunner.query(`DROP INDEX "idx_case_curp"`);
    await queryRunner.query(`DROP INDEX "idx_case_cct"`);
    await queryRunner.query(`DROP INDEX "idx_case_nivel"`);
    await queryRunner.query(`DROP INDEX "idx_case_folio"`);
    await queryRunner.query(`DROP TABLE "procedure_case"`);
    await queryRunner.query(`DROP INDEX "idx_staff_session_user"`);
    await queryRunner.query(`DROP TABLE "staff_session"`);
  }
}
