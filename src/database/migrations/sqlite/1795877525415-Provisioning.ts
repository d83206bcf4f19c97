import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ProvisioningSqlite1795877525415 implements MigrationInterface {
  name = 'ProvisioningSqlite1795877525415';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "activation_token" ("token_hash" varchar(64) PRIMARY KEY NOT NULL, "cuenta_id" varchar(36) NOT NULL, "case_id" varchar(36), "outbox_id" varchar(36) NOT NULL, "created_at" datetime NOT NULL, "expires_at" datetime NOT NULL, "used_at" datetime)`,
    );
    await queryRunner.query(`CREATE INDEX "idx_activation_cuenta" ON "activation_token" ("cuenta_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_activation_outbox" ON "activation_token" ("outbox_id") `);
    await queryRunner.query(
      `CREATE TABLE "chosen_password" ("case_id" varchar(36) PRIMARY KEY NOT NULL, "sealed" varchar(600) NOT NULL, "created_at" datetime NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "directorio_local" ("id" varchar(36) PRIMARY KEY NOT NULL, "address" varchar(254) NOT NULL, "tipo" varchar(20) NOT NULL, "holder_kind" varchar(12) NOT NULL, "holder_curp" varchar(18), "holder_cct" varchar(10), "given_name" varchar(120) NOT NULL, "family_name" varchar(160) NOT NULL, "display_name" varchar(300) NOT NULL, "password_hash" varchar(255) NOT NULL, "suspended" boolean NOT NULL DEFAULT (0), "must_change" boolean NOT NULL DEFAULT (0), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_directorio_local_address" ON "directorio_local" ("address") `);
    await queryRunner.query(`CREATE INDEX "idx_directorio_local_holder_curp" ON "directorio_local" ("holder_curp") `);
    await queryRunner.query(`CREATE INDEX "idx_directorio_local_holder_cct" ON "directorio_local" ("holder_cct") `);
    await queryRunner.query(`DROP INDEX "uq_staff_user_usuario"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_staff_user" ("id" varchar(36) PRIMARY KEY NOT NULL, "usuario" varchar(60) NOT NULL, "nombre" varchar(160) NOT NULL, "rol" varchar(20) NOT NULL, "nivel_clave" varchar(40), "password_hash" varchar(255) NOT NULL, "must_change_password" boolean NOT NULL DEFAULT (1), "activo" boolean NOT NULL DEFAULT (1), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), "correo" varchar(254))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_staff_user"("id", "usuario", "nombre", "rol", "nivel_clave", "password_hash", "must_change_password", "activo", "created_at", "updated_at") SELECT "id", "usuario", "nombre", "rol", "nivel_clave", "password_hash", "must_change_password", "activo", "created_at", "updated_at" FROM "staff_user"`,
    );
    await queryRunner.query(`DROP TABLE "staff_user"`);
    await queryRunner.query(`ALTER TABLE "temporary_staff_user" RENAME TO "staff_user"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_staff_user_usuario" ON "staff_user" ("usuario") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_staff_user_usuario"`);
    await queryRunner.query(`ALTER TABLE "staff_user" RENAME TO "temporary_staff_user"`);
    await queryRunner.query(
      `CREATE TABLE "staff_user" ("id" varchar(36) PRIMARY KEY NOT NULL, "usuario" varchar(60) NOT NULL, "nombre" varchar(160) NOT NULL, "rol" varchar(20) NOT NULL, "nivel_clave" varchar(40), "password_hash" varchar(255) NOT NULL, "must_change_password" boolean NOT NULL DEFAULT (1), "activo" boolean NOT NULL DEFAULT (1), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(
      `INSERT INTO "staff_user"("id", "usuario", "nombre", "rol", "nivel_clave", "password_hash", "must_change_password", "activo", "created_at", "updated_at") SELECT "id", "usuario", "nombre", "rol", "nivel_clave", "password_hash", "must_change_password", "activo", "created_at", "updated_at" FROM "temporary_staff_user"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_staff_user"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_staff_user_usuario" ON "staff_user" ("usuario") `);
    await queryRunner.query(`DROP INDEX "idx_directorio_local_holder_cct"`);
    await queryRunner.query(`DROP INDEX "idx_directorio_local_holder_curp"`);
    await queryRunner.query(`DROP INDEX "uq_directorio_local_address"`);
    await queryRunner.query(`DROP TABLE "directorio_local"`);
    await queryRunner.query(`DROP TABLE "chosen_password"`);
    await queryRunner.query(`DROP INDEX "uq_activation_outbox"`);
    await queryRunner.query(`DROP INDEX "idx_activation_cuenta"`);
    await queryRunner.query(`DROP TABLE "activation_token"`);
  }
}
