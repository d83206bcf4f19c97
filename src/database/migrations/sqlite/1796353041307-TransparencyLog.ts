import type { MigrationInterface, QueryRunner } from 'typeorm';
import { assertOldChainIntact, rechainPerCase, refuseDowngradeWithMovements } from '../convert-movement-chains';

const q = (id: string): string => `"${id}"`;

/**
 * Movements chained per case (no global lock) and the transparency log's tables. Written by hand around the generated
 * statements: the old chain is verified before anything changes, rechained, then the tables are rebuilt (SQLite).
 */
export class TransparencyLogSqlite1796353041307 implements MigrationInterface {
  name = 'TransparencyLogSqlite1796353041307';

  async up(queryRunner: QueryRunner): Promise<void> {
    await assertOldChainIntact(queryRunner, q);
    await queryRunner.query(
      `CREATE TABLE "log_node" ("level" integer NOT NULL, "node_index" integer NOT NULL, "hash" varchar(64) NOT NULL, PRIMARY KEY ("level", "node_index"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "tree_head" ("tree_size" integer PRIMARY KEY NOT NULL, "root_hash" varchar(64) NOT NULL, "timestamp" varchar(24) NOT NULL, "signature" text NOT NULL, "key_id" varchar(64) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "log_certificate" ("key_id" varchar(64) PRIMARY KEY NOT NULL, "der" text NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "log_state" ("id" integer PRIMARY KEY NOT NULL, "tree_size" integer NOT NULL, "frontier" text NOT NULL)`,
    );
    await queryRunner.query(`INSERT INTO "log_state" ("id", "tree_size", "frontier") VALUES (1, 0, '[]')`);
    await queryRunner.query(`ALTER TABLE "procedure_case" ADD COLUMN "movement_count" integer`);
    await queryRunner.query(`ALTER TABLE "procedure_case" ADD COLUMN "last_movement_hash" varchar(64)`);
    await queryRunner.query(`ALTER TABLE "movement" ADD COLUMN "case_seq" integer`);
    await queryRunner.query(`ALTER TABLE "movement" ADD COLUMN "leaf_index" integer`);
    await rechainPerCase(queryRunner, q);
    await queryRunner.query(`DROP INDEX "idx_case_responsable"`);
    await queryRunner.query(`DROP INDEX "idx_case_folio"`);
    await queryRunner.query(`DROP INDEX "idx_case_nivel"`);
    await queryRunner.query(`DROP INDEX "idx_case_cct"`);
    await queryRunner.query(`DROP INDEX "idx_case_curp"`);
    await queryRunner.query(`DROP INDEX "idx_case_proc_status"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_procedure_case" ("id" varchar(36) PRIMARY KEY NOT NULL, "procedure_id" varchar(40) NOT NULL, "procedure_version" integer NOT NULL, "folio" varchar(40), "state" varchar(200) NOT NULL, "status" varchar(12) NOT NULL, "snapshot" text NOT NULL, "version" integer NOT NULL, "nivel_clave" varchar(40), "cct" varchar(10), "curp" varchar(18), "cuenta_id" varchar(36), "outcome" varchar(30), "incident_message" varchar(400), "started_by" varchar(36) NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), "closed_at" datetime, "responsable_id" varchar(36), "movement_count" integer NOT NULL, "last_movement_hash" varchar(64) NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_procedure_case"("id", "procedure_id", "procedure_version", "folio", "state", "status", "snapshot", "version", "nivel_clave", "cct", "curp", "cuenta_id", "outcome", "incident_message", "started_by", "created_at", "updated_at", "closed_at", "responsable_id", "movement_count", "last_movement_hash") SELECT "id", "procedure_id", "procedure_version", "folio", "state", "status", "snapshot", "version", "nivel_clave", "cct", "curp", "cuenta_id", "outcome", "incident_message", "started_by", "created_at", "updated_at", "closed_at", "responsable_id", "movement_count", "last_movement_hash" FROM "procedure_case"`,
    );
    await queryRunner.query(`DROP TABLE "procedure_case"`);
    await queryRunner.query(`ALTER TABLE "temporary_procedure_case" RENAME TO "procedure_case"`);
    await queryRunner.query(`CREATE INDEX "idx_case_responsable" ON "procedure_case" ("responsable_id") `);
    await queryRunner.query(`CREATE INDEX "idx_case_folio" ON "procedure_case" ("folio") `);
    await queryRunner.query(`CREATE INDEX "idx_case_nivel" ON "procedure_case" ("nivel_clave") `);
    await queryRunner.query(`CREATE INDEX "idx_case_cct" ON "procedure_case" ("cct") `);
    await queryRunner.query(`CREATE INDEX "idx_case_curp" ON "procedure_case" ("curp") `);
    await queryRunner.query(
      `CREATE INDEX "idx_case_proc_status" ON "procedure_case" ("procedure_id", "procedure_version", "status") `,
    );
    await queryRunner.query(`DROP INDEX "idx_movement_case"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_movement" ("seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "case_id" varchar(36) NOT NULL, "procedure_id" varchar(40) NOT NULL, "procedure_version" integer NOT NULL, "actor_id" varchar(60) NOT NULL, "actor_role" varchar(20) NOT NULL, "at" varchar(24) NOT NULL, "from_state" varchar(200) NOT NULL, "to_state" varchar(200) NOT NULL, "event_type" varchar(60) NOT NULL, "data" text NOT NULL, "pasos" varchar(120) NOT NULL, "prev_hash" varchar(64) NOT NULL, "hash" varchar(64) NOT NULL, "case_seq" integer NOT NULL, "leaf_index" integer)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_movement"("seq", "case_id", "procedure_id", "procedure_version", "actor_id", "actor_role", "at", "from_state", "to_state", "event_type", "data", "pasos", "prev_hash", "hash", "case_seq", "leaf_index") SELECT "seq", "case_id", "procedure_id", "procedure_version", "actor_id", "actor_role", "at", "from_state", "to_state", "event_type", "data", "pasos", "prev_hash", "hash", "case_seq", "leaf_index" FROM "movement"`,
    );
    await queryRunner.query(`DROP TABLE "movement"`);
    await queryRunner.query(`ALTER TABLE "temporary_movement" RENAME TO "movement"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_movement_leaf" ON "movement" ("leaf_index") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_movement_case_seq" ON "movement" ("case_id", "case_seq") `);
    await queryRunner.query(`DROP TABLE "movement_head"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await refuseDowngradeWithMovements(queryRunner, q);
    await queryRunner.query(`DROP TABLE "log_node"`);
    await queryRunner.query(`DROP TABLE "tree_head"`);
    await queryRunner.query(`DROP TABLE "log_certificate"`);
    await queryRunner.query(`DROP TABLE "log_state"`);
    await queryRunner.query(`DROP INDEX "uq_movement_case_seq"`);
    await queryRunner.query(`DROP INDEX "uq_movement_leaf"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_movement" ("seq" integer PRIMARY KEY NOT NULL, "case_id" varchar(36) NOT NULL, "procedure_id" varchar(40) NOT NULL, "procedure_version" integer NOT NULL, "actor_id" varchar(60) NOT NULL, "actor_role" varchar(20) NOT NULL, "at" varchar(24) NOT NULL, "from_state" varchar(200) NOT NULL, "to_state" varchar(200) NOT NULL, "event_type" varchar(60) NOT NULL, "data" text NOT NULL, "pasos" varchar(120) NOT NULL, "prev_hash" varchar(64) NOT NULL, "hash" varchar(64) NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_movement"("seq", "case_id", "procedure_id", "procedure_version", "actor_id", "actor_role", "at", "from_state", "to_state", "event_type", "data", "pasos", "prev_hash", "hash") SELECT "seq", "case_id", "procedure_id", "procedure_version", "actor_id", "actor_role", "at", "from_state", "to_state", "event_type", "data", "pasos", "prev_hash", "hash" FROM "movement"`,
    );
    await queryRunner.query(`DROP TABLE "movement"`);
    await queryRunner.query(`ALTER TABLE "temporary_movement" RENAME TO "movement"`);
    await queryRunner.query(`CREATE INDEX "idx_movement_case" ON "movement" ("case_id") `);
    await queryRunner.query(`DROP INDEX "idx_case_responsable"`);
    await queryRunner.query(`DROP INDEX "idx_case_folio"`);
    await queryRunner.query(`DROP INDEX "idx_case_nivel"`);
    await queryRunner.query(`DROP INDEX "idx_case_cct"`);
    await queryRunner.query(`DROP INDEX "idx_case_curp"`);
    await queryRunner.query(`DROP INDEX "idx_case_proc_status"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_procedure_case" ("id" varchar(36) PRIMARY KEY NOT NULL, "procedure_id" varchar(40) NOT NULL, "procedure_version" integer NOT NULL, "folio" varchar(40), "state" varchar(200) NOT NULL, "status" varchar(12) NOT NULL, "snapshot" text NOT NULL, "version" integer NOT NULL, "nivel_clave" varchar(40), "cct" varchar(10), "curp" varchar(18), "cuenta_id" varchar(36), "outcome" varchar(30), "incident_message" varchar(400), "started_by" varchar(36) NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), "closed_at" datetime, "responsable_id" varchar(36))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_procedure_case"("id", "procedure_id", "procedure_version", "folio", "state", "status", "snapshot", "version", "nivel_clave", "cct", "curp", "cuenta_id", "outcome", "incident_message", "started_by", "created_at", "updated_at", "closed_at", "responsable_id") SELECT "id", "procedure_id", "procedure_version", "folio", "state", "status", "snapshot", "version", "nivel_clave", "cct", "curp", "cuenta_id", "outcome", "incident_message", "started_by", "created_at", "updated_at", "closed_at", "responsable_id" FROM "procedure_case"`,
    );
    await queryRunner.query(`DROP TABLE "procedure_case"`);
    await queryRunner.query(`ALTER TABLE "temporary_procedure_case" RENAME TO "procedure_case"`);
    await queryRunner.query(`CREATE INDEX "idx_case_responsable" ON "procedure_case" ("responsable_id") `);
    await queryRunner.query(`CREATE INDEX "idx_case_folio" ON "procedure_case" ("folio") `);
    await queryRunner.query(`CREATE INDEX "idx_case_nivel" ON "procedure_case" ("nivel_clave") `);
    await queryRunner.query(`CREATE INDEX "idx_case_cct" ON "procedure_case" ("cct") `);
    await queryRunner.query(`CREATE INDEX "idx_case_curp" ON "procedure_case" ("curp") `);
    await queryRunner.query(
      `CREATE INDEX "idx_case_proc_status" ON "procedure_case" ("procedure_id", "procedure_version", "status") `,
    );
    await queryRunner.query(
      `CREATE TABLE "movement_head" ("id" integer PRIMARY KEY NOT NULL, "last_seq" integer NOT NULL, "last_hash" varchar(64) NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "movement_head" (id, last_seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000')`,
    );
  }
}
