import type { MigrationInterface, QueryRunner } from 'typeorm';

/** See the MySQL twin (OficioRespuestaMysql1796510000000). */
export class OficioRespuestaSqlite1796510000000 implements MigrationInterface {
  name = 'OficioRespuestaSqlite1796510000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "oficio_linea" ADD COLUMN "respuesta" varchar(30)');
    await queryRunner.query('ALTER TABLE "oficio_linea" ADD COLUMN "respuesta_outbox_id" varchar(36)');
    await queryRunner.query(
      'CREATE TABLE "oficio_respuesta" ("oficio_id" varchar(36) PRIMARY KEY NOT NULL, "document_id" varchar(36) NOT NULL, "created_at" datetime NOT NULL)',
    );
    await queryRunner.query(
      `UPDATE "oficio_linea" SET "respuesta" = 'emitida' WHERE EXISTS (SELECT 1 FROM "document" d WHERE d."case_id" = "oficio_linea"."case_id" AND d."kind" = 'respuesta')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "oficio_respuesta"');
    await queryRunner.query('ALTER TABLE "oficio_linea" DROP COLUMN "respuesta_outbox_id"');
    await queryRunner.query('ALTER TABLE "oficio_linea" DROP COLUMN "respuesta"');
  }
}
