import type { MigrationInterface, QueryRunner } from 'typeorm';

/** See the MySQL twin (OficioNumeroOrdenMysql1796570000000). */
export class OficioNumeroOrdenSqlite1796570000000 implements MigrationInterface {
  name = 'OficioNumeroOrdenSqlite1796570000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "idx_oficio_numero_orden" ON "oficio" ("numero_normalizado", "folio_anio", "folio_numero") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_oficio_numero_orden"`);
  }
}
