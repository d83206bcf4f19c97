import type { MigrationInterface, QueryRunner } from 'typeorm';
import { backfillOficioWords, backfillReceiptMonth } from '../backfill-oficio-search';

/**
 * The register's filters at national scale (issue 13): a word index of the oficios' sender and subject (`oficio_word`,
 * filled for the oficios already there), the month of receipt as a column, and the register's order within a status
 * and within a month.
 */
export class OficioSearchSqlite1796452839385 implements MigrationInterface {
  name = 'OficioSearchSqlite1796452839385';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "oficio_word" ("field" varchar(1) NOT NULL, "word" varchar(40) NOT NULL, "folio_anio" integer NOT NULL, "folio_numero" integer NOT NULL, PRIMARY KEY ("field", "word", "folio_anio", "folio_numero"))`,
    );
    await queryRunner.query(`ALTER TABLE "oficio" ADD COLUMN "recibido_mes" integer NOT NULL DEFAULT (0)`);
    await backfillReceiptMonth(queryRunner, 'sqlite');
    await backfillOficioWords(queryRunner, 'sqlite');
    await queryRunner.query(
      `CREATE INDEX "idx_oficio_mes_orden" ON "oficio" ("recibido_mes", "folio_anio", "folio_numero") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_oficio_estado_orden" ON "oficio" ("status", "folio_anio", "folio_numero") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_oficio_estado_orden"`);
    await queryRunner.query(`DROP INDEX "idx_oficio_mes_orden"`);
    await queryRunner.query(`ALTER TABLE "oficio" DROP COLUMN "recibido_mes"`);
    await queryRunner.query(`DROP TABLE "oficio_word"`);
  }
}
