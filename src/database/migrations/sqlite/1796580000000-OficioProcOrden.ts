import type { MigrationInterface, QueryRunner } from 'typeorm';

/** See the MySQL twin (OficioProcOrdenMysql1796580000000). */
export class OficioProcOrdenSqlite1796580000000 implements MigrationInterface {
  name = 'OficioProcOrdenSqlite1796580000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "idx_oficio_proc_orden" ON "oficio" ("procedure_id", "folio_anio", "folio_numero") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_oficio_proc_orden"`);
  }
}
