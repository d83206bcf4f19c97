import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OutboxLeaseSqlite1796225937910 implements MigrationInterface {
  name = 'OutboxLeaseSqlite1796225937910';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_outbox_status"`);
    await queryRunner.query(`DROP INDEX "uq_outbox_idem"`);
    await queryRunner.query(`DROP INDEX "idx_outbox_case"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_outbox" ("id" varchar(36) PRIMARY KEY NOT NULL, "case_id" varchar(36) NOT NULL, "type" varchar(30) NOT NULL, "payload" text NOT NULL, "idempotency_key" varchar(120) NOT NULL, "status" varchar(12) NOT NULL, "attempts" integer NOT NULL DEFAULT (0), "available_at" datetime NOT NULL, "created_at" datetime NOT NULL, "enqueued_at" datetime, "done_at" datetime, "last_error" varchar(400), "lease_owner" varchar(36), "lease_until" datetime(3), "result" text)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_outbox"("id", "case_id", "type", "payload", "idempotency_key", "status", "attempts", "available_at", "created_at", "enqueued_at", "done_at", "last_error") SELECT "id", "case_id", "type", "payload", "idempotency_key", "status", "attempts", "available_at", "created_at", "enqueued_at", "done_at", "last_error" FROM "outbox"`,
    );
    await queryRunner.query(`DROP TABLE "outbox"`);
    await queryRunner.query(`ALTER TABLE "temporary_outbox" RENAME TO "outbox"`);
    await queryRunner.query(`CREATE INDEX "idx_outbox_status" ON "outbox" ("status", "available_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_outbox_idem" ON "outbox" ("idempotency_key") `);
    await queryRunner.query(`CREATE INDEX "idx_outbox_case" ON "outbox" ("case_id") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_outbox_case"`);
    await queryRunner.query(`DROP INDEX "uq_outbox_idem"`);
    await queryRunner.query(`DROP INDEX "idx_outbox_status"`);
    await queryRunner.query(`ALTER TABLE "outbox" RENAME TO "temporary_outbox"`);
    await queryRunner.query(
      `CREATE TABLE "outbox" ("id" varchar(36) PRIMARY KEY NOT NULL, "case_id" varchar(36) NOT NULL, "type" varchar(30) NOT NULL, "payload" text NOT NULL, "idempotency_key" varchar(120) NOT NULL, "status" varchar(12) NOT NULL, "attempts" integer NOT NULL DEFAULT (0), "available_at" datetime NOT NULL, "created_at" datetime NOT NULL, "enqueued_at" datetime, "done_at" datetime, "last_error" varchar(400))`,
    );
    await queryRunner.query(
      `INSERT INTO "outbox"("id", "case_id", "type", "payload", "idempotency_key", "status", "attempts", "available_at", "created_at", "enqueued_at", "done_at", "last_error") SELECT "id", "case_id", "type", "payload", "idempotency_key", "status", "attempts", "available_at", "created_at", "enqueued_at", "done_at", "last_error" FROM "temporary_outbox"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_outbox"`);
    await queryRunner.query(`CREATE INDEX "idx_outbox_case" ON "outbox" ("case_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_outbox_idem" ON "outbox" ("idempotency_key") `);
    await queryRunner.query(`CREATE INDEX "idx_outbox_status" ON "outbox" ("status", "available_at") `);
  }
}
