import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OficiosSqlite1795877921437 implements MigrationInterface {
  name = 'OficiosSqlite1795877921437';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "document" ("id" varchar(36) PRIMARY KEY NOT NULL, "kind" varchar(12) NOT NULL, "case_id" varchar(36) NOT NULL, "oficio_id" varchar(36), "outbox_id" varchar(36) NOT NULL, "folio" varchar(40) NOT NULL, "numero_oficio" varchar(40), "codigo" varchar(16) NOT NULL, "sha256" varchar(64) NOT NULL, "content_digest" varchar(64) NOT NULL, "cadena_original" varchar(400) NOT NULL, "sello" text NOT NULL, "asunto" varchar(500) NOT NULL, "firmante_nombre" varchar(200) NOT NULL, "certificado_serie" varchar(80) NOT NULL, "signed_at" datetime NOT NULL, "paginas" integer NOT NULL, "bytes" integer NOT NULL, "prueba" boolean NOT NULL DEFAULT (0), "status" varchar(12) NOT NULL, "cancelado_at" datetime, "nivel_clave" varchar(40), "area" varchar(200), "responsable_id" varchar(36), "destinatario" varchar(340) NOT NULL, "storage_key" varchar(120) NOT NULL, "created_at" datetime NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "idx_document_case" ON "document" ("case_id") `);
    await queryRunner.query(`CREATE INDEX "idx_document_oficio" ON "document" ("oficio_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_document_outbox" ON "document" ("outbox_id") `);
    await queryRunner.query(`CREATE INDEX "idx_document_folio" ON "document" ("folio") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_document_codigo" ON "document" ("codigo") `);
    await queryRunner.query(`CREATE INDEX "idx_document_nivel" ON "document" ("nivel_clave") `);
    await queryRunner.query(
      `CREATE TABLE "document_download" ("id" varchar(36) PRIMARY KEY NOT NULL, "document_id" varchar(36) NOT NULL, "user_id" varchar(36) NOT NULL, "user_role" varchar(20) NOT NULL, "at" datetime NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "idx_document_download_document" ON "document_download" ("document_id") `);
    await queryRunner.query(
      `CREATE TABLE "folio_counter" ("area" varchar(20) NOT NULL, "tipo" varchar(20) NOT NULL, "anio" integer NOT NULL, "ultimo" integer NOT NULL, PRIMARY KEY ("area", "tipo", "anio"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "oficio" ("id" varchar(36) PRIMARY KEY NOT NULL, "folio" varchar(40) NOT NULL, "folio_anio" integer NOT NULL, "folio_numero" integer NOT NULL, "numero_remitente" varchar(80) NOT NULL, "numero_normalizado" varchar(80) NOT NULL, "remitente_clave" varchar(220) NOT NULL, "fecha_oficio" varchar(10) NOT NULL, "remitente_nombre" varchar(160) NOT NULL, "remitente_cargo" varchar(160) NOT NULL, "nivel_clave" varchar(40), "area" varchar(200), "responsable_id" varchar(36), "asunto" varchar(500) NOT NULL, "procedure_id" varchar(40) NOT NULL, "case_id" varchar(36) NOT NULL, "cct" varchar(10), "concierne" text NOT NULL, "fojas" integer NOT NULL, "anexos" varchar(400), "archivo_sha256" varchar(64) NOT NULL, "archivo_mime" varchar(40) NOT NULL, "archivo_bytes" integer NOT NULL, "archivo_key" varchar(120) NOT NULL, "archivo_nombre" varchar(200), "recibido_at" datetime NOT NULL, "recibido_por" varchar(36) NOT NULL, "recibido_por_nombre" varchar(160) NOT NULL, "status" varchar(12) NOT NULL, "cancelado_at" datetime, "cancelado_por" varchar(36), "motivo_cancelacion" varchar(400), "created_at" datetime NOT NULL)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_oficio_folio" ON "oficio" ("folio") `);
    await queryRunner.query(`CREATE INDEX "idx_oficio_anio" ON "oficio" ("folio_anio") `);
    await queryRunner.query(`CREATE INDEX "idx_oficio_nivel" ON "oficio" ("nivel_clave") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_oficio_case" ON "oficio" ("case_id") `);
    await queryRunner.query(
      `CREATE INDEX "idx_oficio_duplicado" ON "oficio" ("numero_normalizado", "remitente_clave") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_oficio_duplicado"`);
    await queryRunner.query(`DROP INDEX "uq_oficio_case"`);
    await queryRunner.query(`DROP INDEX "idx_oficio_nivel"`);
    await queryRunner.query(`DROP INDEX "idx_oficio_anio"`);
    await queryRunner.query(`DROP INDEX "uq_oficio_folio"`);
    await queryRunner.query(`DROP TABLE "oficio"`);
    await queryRunner.query(`DROP TABLE "folio_counter"`);
    await queryRunner.query(`DROP INDEX "idx_document_download_document"`);
    await queryRunner.query(`DROP TABLE "document_download"`);
    await queryRunner.query(`DROP INDEX "idx_document_nivel"`);
    await queryRunner.query(`DROP INDEX "uq_document_codigo"`);
    await queryRunner.query(`DROP INDEX "idx_document_folio"`);
    await queryRunner.query(`DROP INDEX "uq_document_outbox"`);
    await queryRunner.query(`DROP INDEX "idx_document_oficio"`);
    await queryRunner.query(`DROP INDEX "idx_document_case"`);
    await queryRunner.query(`DROP TABLE "document"`);
  }
}
