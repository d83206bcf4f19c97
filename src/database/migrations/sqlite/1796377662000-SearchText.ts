import type { MigrationInterface, QueryRunner } from 'typeorm';
import { backfillSearchText } from '../backfill-search-text';

/**
 * Search as people type: a folded copy (no accents, lower case) of the worker's and the school's name and of the
 * oficio's sender and subject, filled for the rows already there, indexed where the catalog searches read it; and an
 * index for a folio searched by its number alone.
 */
export class SearchTextSqlite1796377662000 implements MigrationInterface {
  name = 'SearchTextSqlite1796377662000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "centro_trabajo" ADD COLUMN "nombre_busqueda" varchar(200) NOT NULL DEFAULT ('')`,
    );
    await queryRunner.query(`ALTER TABLE "trabajador" ADD COLUMN "nombre_busqueda" varchar(300) NOT NULL DEFAULT ('')`);
    await queryRunner.query(`ALTER TABLE "oficio" ADD COLUMN "remitente_busqueda" varchar(600) NOT NULL DEFAULT ('')`);
    await queryRunner.query(`ALTER TABLE "oficio" ADD COLUMN "asunto_busqueda" varchar(500) NOT NULL DEFAULT ('')`);
    await backfillSearchText(queryRunner, (n) => `"${n}"`);
    await queryRunner.query(`CREATE INDEX "idx_centro_busqueda" ON "centro_trabajo" ("nombre_busqueda", "cct") `);
    await queryRunner.query(`CREATE INDEX "idx_trabajador_busqueda" ON "trabajador" ("nombre_busqueda", "curp") `);
    await queryRunner.query(`CREATE INDEX "idx_oficio_numero" ON "oficio" ("folio_numero") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_oficio_numero"`);
    await queryRunner.query(`DROP INDEX "idx_trabajador_busqueda"`);
    await queryRunner.query(`DROP INDEX "idx_centro_busqueda"`);
    await queryRunner.query(`ALTER TABLE "oficio" DROP COLUMN "asunto_busqueda"`);
    await queryRunner.query(`ALTER TABLE "oficio" DROP COLUMN "remitente_busqueda"`);
    await queryRunner.query(`ALTER TABLE "trabajador" DROP COLUMN "nombre_busqueda"`);
    await queryRunner.query(`ALTER TABLE "centro_trabajo" DROP COLUMN "nombre_busqueda"`);
  }
}
