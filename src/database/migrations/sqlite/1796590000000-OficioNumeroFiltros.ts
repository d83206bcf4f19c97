import type { MigrationInterface, QueryRunner } from 'typeorm';

/** See the MySQL twin (OficioNumeroFiltrosMysql1796590000000). */
export class OficioNumeroFiltrosSqlite1796590000000 implements MigrationInterface {
  name = 'OficioNumeroFiltrosSqlite1796590000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "idx_oficio_numero_filtros" ON "oficio" ("numero_normalizado", "folio_anio", "folio_numero", "recibido_mes", "status", "nivel_clave", "procedure_id", "responsable_id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_oficio_numero_filtros"`);
  }
}
