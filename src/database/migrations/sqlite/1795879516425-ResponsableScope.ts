import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ResponsableScopeSqlite1795879516425 implements MigrationInterface {
  name = 'ResponsableScopeSqlite1795879516425';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_case_proc_status"`);
    await queryRunner.query(`DROP INDEX "idx_case_curp"`);
    await queryRunner.query(`DROP INDEX "idx_case_cct"`);
    await queryRunner.query(`DROP INDEX "idx_case_nivel"`);
    await queryRunner.query(`DROP INDEX "idx_case_folio"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_procedure_case" ("id" varchar(36) PRIMARY KEY NOT NULL, "procedure_id" varchar(40) NOT NULL, "procedure_version" integer NOT NULL, "folio" varchar(40), "state" varchar(200) NOT NULL, "status" varchar(12) NOT NULL, "snapshot" text NOT NULL, "version" integer NOT NULL, "nivel_clave" varchar(40), "cct" varchar(10), "curp" varchar(18), "cuenta_id" varchar(36), "outcome" varchar(30), "incident_message" varchar(400), "started_by" varchar(36) NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), "closed_at" datetime, "responsable_id" varchar(36))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_procedure_case"("id", "procedure_id", "procedure_version", "folio", "state", "status", "snapshot", "version", "nivel_clave", "cct", "curp", "cuenta_id", "outcome", "incident_message", "started_by", "created_at", "updated_at", "closed_at") SELECT "id", "procedure_id", "procedure_version", "folio", "state", "status", "snapshot", "version", "nivel_clave", "cct", "curp", "cuenta_id", "outcome", "incident_message", "started_by", "created_at", "updated_at", "closed_at" FROM "procedure_case"`,
    );
    await queryRunner.query(`DROP TABLE "procedure_case"`);
    await queryRunner.query(`ALTER TABLE "temporary_procedure_case" RENAME TO "procedure_case"`);
    await queryRunner.query(
      `CREATE INDEX "idx_case_proc_status" ON "procedure_case" ("procedure_id", "procedure_version", "status") `,
    );
    await queryRunner.query(`CREATE INDEX "idx_case_curp" ON "procedure_case" ("curp") `);
    await queryRunner.query(`CREATE INDEX "idx_case_cct" ON "procedure_case" ("cct") `);
    await queryRunner.query(`CREATE INDEX "idx_case_nivel" ON "procedure_case" ("nivel_clave") `);
    await queryRunner.query(`CREATE INDEX "idx_case_folio" ON "procedure_case" ("folio") `);
    await queryRunner.query(`DROP INDEX "idx_task_role_due"`);
    await queryRunner.query(`DROP INDEX "idx_task_nivel_due"`);
    await queryRunner.query(`DROP INDEX "idx_task_assignee"`);
    await queryRunner.query(`DROP INDEX "idx_task_proc"`);
    await queryRunner.query(`DROP INDEX "idx_task_folio"`);
    await queryRunner.query(`DROP INDEX "idx_task_curp"`);
    await queryRunner.query(`DROP INDEX "idx_task_cct"`);
    await queryRunner.query(`DROP INDEX "idx_task_case"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_task" ("id" varchar(36) PRIMARY KEY NOT NULL, "case_id" varchar(36) NOT NULL, "procedure_id" varchar(40) NOT NULL, "state_id" varchar(200) NOT NULL, "title" varchar(200) NOT NULL, "candidate_role" varchar(20) NOT NULL, "nivel_clave" varchar(40), "cct" varchar(10), "curp" varchar(18), "folio" varchar(40), "assignee_id" varchar(36), "status" varchar(10) NOT NULL, "priority" integer NOT NULL, "created_at" datetime NOT NULL, "warn_at" datetime NOT NULL, "due_at" datetime NOT NULL, "reminded_at" datetime, "escalated_at" datetime, "closed_at" datetime, "closed_by" varchar(60), "responsable_id" varchar(36))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_task"("id", "case_id", "procedure_id", "state_id", "title", "candidate_role", "nivel_clave", "cct", "curp", "folio", "assignee_id", "status", "priority", "created_at", "warn_at", "due_at", "reminded_at", "escalated_at", "closed_at", "closed_by") SELECT "id", "case_id", "procedure_id", "state_id", "title", "candidate_role", "nivel_clave", "cct", "curp", "folio", "assignee_id", "status", "priority", "created_at", "warn_at", "due_at", "reminded_at", "escalated_at", "closed_at", "closed_by" FROM "task"`,
    );
    await queryRunner.query(`DROP TABLE "task"`);
    await queryRunner.query(`ALTER TABLE "temporary_task" RENAME TO "task"`);
    await queryRunner.query(`CREATE INDEX "idx_task_role_due" ON "task" ("status", "candidate_role", "due_at") `);
    await queryRunner.query(`CREATE INDEX "idx_task_nivel_due" ON "task" ("status", "nivel_clave", "due_at") `);
    await queryRunner.query(`CREATE INDEX "idx_task_assignee" ON "task" ("assignee_id", "status") `);
    await queryRunner.query(`CREATE INDEX "idx_task_proc" ON "task" ("procedure_id", "status") `);
    await queryRunner.query(`CREATE INDEX "idx_task_folio" ON "task" ("folio") `);
    await queryRunner.query(`CREATE INDEX "idx_task_curp" ON "task" ("curp") `);
    await queryRunner.query(`CREATE INDEX "idx_task_cct" ON "task" ("cct") `);
    await queryRunner.query(`CREATE INDEX "idx_task_case" ON "task" ("case_id") `);
    await queryRunner.query(`CREATE INDEX "idx_case_responsable" ON "procedure_case" ("responsable_id") `);
    await queryRunner.query(`CREATE INDEX "idx_task_responsable" ON "task" ("responsable_id", "status") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_task_responsable"`);
    await queryRunner.query(`DROP INDEX "idx_case_responsable"`);
    await queryRunner.query(`DROP INDEX "idx_task_case"`);
    await queryRunner.query(`DROP INDEX "idx_task_cct"`);
    await queryRunner.query(`DROP INDEX "idx_task_curp"`);
    await queryRunner.query(`DROP INDEX "idx_task_folio"`);
    await queryRunner.query(`DROP INDEX "idx_task_proc"`);
    await queryRunner.query(`DROP INDEX "idx_task_assignee"`);
    await queryRunner.query(`DROP INDEX "idx_task_nivel_due"`);
    await queryRunner.query(`DROP INDEX "idx_task_role_due"`);
    await queryRunner.query(`ALTER TABLE "task" RENAME TO "temporary_task"`);
    await queryRunner.query(
      `CREATE TABLE "task" ("id" varchar(36) PRIMARY KEY NOT NULL, "case_id" varchar(36) NOT NULL, "procedure_id" varchar(40) NOT NULL, "state_id" varchar(200) NOT NULL, "title" varchar(200) NOT NULL, "candidate_role" varchar(20) NOT NULL, "nivel_clave" varchar(40), "cct" varchar(10), "curp" varchar(18), "folio" varchar(40), "assignee_id" varchar(36), "status" varchar(10) NOT NULL, "priority" integer NOT NULL, "created_at" datetime NOT NULL, "warn_at" datetime NOT NULL, "due_at" datetime NOT NULL, "reminded_at" datetime, "escalated_at" datetime, "closed_at" datetime, "closed_by" varchar(60))`,
    );
    await queryRunner.query(
      `INSERT INTO "task"("id", "case_id", "procedure_id", "state_id", "title", "candidate_role", "nivel_clave", "cct", "curp", "folio", "assignee_id", "status", "priority", "created_at", "warn_at", "due_at", "reminded_at", "escalated_at", "closed_at", "closed_by") SELECT "id", "case_id", "procedure_id", "state_id", "title", "candidate_role", "nivel_clave", "cct", "curp", "folio", "assignee_id", "status", "priority", "created_at", "warn_at", "due_at", "reminded_at", "escalated_at", "closed_at", "closed_by" FROM "temporary_task"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_task"`);
    await queryRunner.query(`CREATE INDEX "idx_task_case" ON "task" ("case_id") `);
    await queryRunner.query(`CREATE INDEX "idx_task_cct" ON "task" ("cct") `);
    await queryRunner.query(`CREATE INDEX "idx_task_curp" ON "task" ("curp") `);
    await queryRunner.query(`CREATE INDEX "idx_task_folio" ON "task" ("folio") `);
    await queryRunner.query(`CREATE INDEX "idx_task_proc" ON "task" ("procedure_id", "status") `);
    await queryRunner.query(`CREATE INDEX "idx_task_assignee" ON "task" ("assignee_id", "status") `);
    await queryRunner.query(`CREATE INDEX "idx_task_nivel_due" ON "task" ("status", "nivel_clave", "due_at") `);
    await queryRunner.query(`CREATE INDEX "idx_task_role_due" ON "task" ("status", "candidate_role", "due_at") `);
    await queryRunner.query(`DROP INDEX "idx_case_folio"`);
    await queryRunner.query(`DROP INDEX "idx_case_nivel"`);
    await queryRunner.query(`DROP INDEX "idx_case_cct"`);
    await queryRunner.query(`DROP INDEX "idx_case_curp"`);
    await queryRunner.query(`DROP INDEX "idx_case_proc_status"`);
    await queryRunner.query(`ALTER TABLE "procedure_case" RENAME TO "temporary_procedure_case"`);
    await queryRunner.query(
      `CREATE TABLE "procedure_case" ("id" varchar(36) PRIMARY KEY NOT NULL, "procedure_id" varchar(40) NOT NULL, "procedure_version" integer NOT NULL, "folio" varchar(40), "state" varchar(200) NOT NULL, "status" varchar(12) NOT NULL, "snapshot" text NOT NULL, "version" integer NOT NULL, "nivel_clave" varchar(40), "cct" varchar(10), "curp" varchar(18), "cuenta_id" varchar(36), "outcome" varchar(30), "incident_message" varchar(400), "started_by" varchar(36) NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), "closed_at" datetime)`,
    );
    await queryRunner.query(
      `INSERT INTO "procedure_case"("id", "procedure_id", "procedure_version", "folio", "state", "status", "snapshot", "version", "nivel_clave", "cct", "curp", "cuenta_id", "outcome", "incident_message", "started_by", "created_at", "updated_at", "closed_at") SELECT "id", "procedure_id", "procedure_version", "folio", "state", "status", "snapshot", "version", "nivel_clave", "cct", "curp", "cuenta_id", "outcome", "incident_message", "started_by", "created_at", "updated_at", "closed_at" FROM "temporary_procedure_case"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_procedure_case"`);
    await queryRunner.query(`CREATE INDEX "idx_case_folio" ON "procedure_case" ("folio") `);
    await queryRunner.query(`CREATE INDEX "idx_case_nivel" ON "procedure_case" ("nivel_clave") `);
    await queryRunner.query(`CREATE INDEX "idx_case_cct" ON "procedure_case" ("cct") `);
    await queryRunner.query(`CREATE INDEX "idx_case_curp" ON "procedure_case" ("curp") `);
    await queryRunner.query(
      `CREATE INDEX "idx_case_proc_status" ON "procedure_case" ("procedure_id", "procedure_version", "status") `,
    );
  }
}
