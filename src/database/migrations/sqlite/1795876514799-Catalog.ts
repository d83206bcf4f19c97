import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CatalogSqlite1795876514799 implements MigrationInterface {
  name = 'CatalogSqlite1795876514799';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "staff_user" ("id" varchar(36) PRIMARY KEY NOT NULL, "usuario" varchar(60) NOT NULL, "nombre" varchar(160) NOT NULL, "rol" varchar(20) NOT NULL, "nivel_clave" varchar(40), "password_hash" varchar(255) NOT NULL, "must_change_password" boolean NOT NULL DEFAULT (1), "activo" boolean NOT NULL DEFAULT (1), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_staff_user_usuario" ON "staff_user" ("usuario") `);
    await queryRunner.query(
      `CREATE TABLE "centro_trabajo" ("cct" varchar(10) PRIMARY KEY NOT NULL, "nombre" varchar(200) NOT NULL, "nivel_clave" varchar(40) NOT NULL, "director_curp" varchar(18), "correo" varchar(254), "estatus" varchar(10) NOT NULL DEFAULT ('activo'), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_centro_nivel" ON "centro_trabajo" ("nivel_clave") `);
    await queryRunner.query(`CREATE INDEX "idx_centro_director" ON "centro_trabajo" ("director_curp") `);
    await queryRunner.query(
      `CREATE TABLE "cuenta" ("id" varchar(36) PRIMARY KEY NOT NULL, "direccion" varchar(254) NOT NULL, "local_part" varchar(64) NOT NULL, "dominio" varchar(190) NOT NULL, "tipo" varchar(20) NOT NULL, "titular_tipo" varchar(12) NOT NULL, "titular_curp" varchar(18), "titular_cct" varchar(10), "estado" varchar(12) NOT NULL DEFAULT ('activa'), "proveedor" varchar(20) NOT NULL, "proveedor_id" varchar(120), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_cuenta_direccion" ON "cuenta" ("direccion") `);
    await queryRunner.query(`CREATE INDEX "idx_cuenta_titular_curp" ON "cuenta" ("titular_curp") `);
    await queryRunner.query(`CREATE INDEX "idx_cuenta_titular_cct" ON "cuenta" ("titular_cct") `);
    await queryRunner.query(
      `CREATE TABLE "cuenta_historial" ("id" varchar(36) PRIMARY KEY NOT NULL, "cuenta_id" varchar(36) NOT NULL, "evento" varchar(30) NOT NULL, "detalle" varchar(400), "case_id" varchar(36), "at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_cuenta_historial_cuenta" ON "cuenta_historial" ("cuenta_id") `);
    await queryRunner.query(
      `CREATE TABLE "nivel" ("clave" varchar(40) PRIMARY KEY NOT NULL, "nombre" varchar(120) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "trabajador" ("curp" varchar(18) PRIMARY KEY NOT NULL, "curt" varchar(30) NOT NULL, "nombre" varchar(120) NOT NULL, "primer_apellido" varchar(80) NOT NULL, "segundo_apellido" varchar(80), "correo_alterno" varchar(254), "cct" varchar(10), "nivel_clave" varchar(40), "activo" boolean NOT NULL DEFAULT (1), "ultima_importacion" datetime, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_trabajador_curt" ON "trabajador" ("curt") `);
    await queryRunner.query(`CREATE INDEX "idx_trabajador_cct" ON "trabajador" ("cct") `);
    await queryRunner.query(`CREATE INDEX "idx_trabajador_nivel" ON "trabajador" ("nivel_clave") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_trabajador_nivel"`);
    await queryRunner.query(`DROP INDEX "idx_trabajador_cct"`);
    await queryRunner.query(`DROP INDEX "idx_trabajador_curt"`);
    await queryRunner.query(`DROP TABLE "trabajador"`);
    await queryRunner.query(`DROP TABLE "nivel"`);
    await queryRunner.query(`DROP INDEX "idx_cuenta_historial_cuenta"`);
    await queryRunner.query(`DROP TABLE "cuenta_historial"`);
    await queryRunner.query(`DROP INDEX "idx_cuenta_titular_cct"`);
    await queryRunner.query(`DROP INDEX "idx_cuenta_titular_curp"`);
    await queryRunner.query(`DROP INDEX "uq_cuenta_direccion"`);
    await queryRunner.query(`DROP TABLE "cuenta"`);
    await queryRunner.query(`DROP INDEX "idx_centro_director"`);
    await queryRunner.query(`DROP INDEX "idx_centro_nivel"`);
    await queryRunner.query(`DROP TABLE "centro_trabajo"`);
    await queryRunner.query(`DROP INDEX "uq_staff_user_usuario"`);
    await queryRunner.query(`DROP TABLE "staff_user"`);
  }
}
