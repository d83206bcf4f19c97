import type { MigrationInterface, QueryRunner } from 'typeorm';

/** See the MySQL twin (OficioLineaAbiertaMysql1796520000000). */
export class OficioLineaAbiertaSqlite1796520000000 implements MigrationInterface {
  name = 'OficioLineaAbiertaSqlite1796520000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "idx_oficio_linea_abierta" ON "oficio_linea" ("resultado", "oficio_id") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_oficio_linea_abierta"`);
  }
}
