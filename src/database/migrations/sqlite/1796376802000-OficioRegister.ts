import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The oficio register of each role pages by keyset on (folio_anio, folio_numero), newest first: one index per scope
 * (every oficio, a Nivel's, a responsable's) gives both the matches and their order. The single-column indexes on
 * folio_anio and nivel_clave are prefixes of the new ones.
 */
export class OficioRegisterSqlite1796376802000 implements MigrationInterface {
  name = 'OficioRegisterSqlite1796376802000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_oficio_nivel"`);
    await queryRunner.query(`DROP INDEX "idx_oficio_anio"`);
    await queryRunner.query(
      `CREATE INDEX "idx_oficio_resp_orden" ON "oficio" ("responsable_id", "folio_anio", "folio_numero") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_oficio_nivel_orden" ON "oficio" ("nivel_clave", "folio_anio", "folio_numero") `,
    );
    await queryRunner.query(`CREATE INDEX "idx_oficio_orden" ON "oficio" ("folio_anio", "folio_numero") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_oficio_orden"`);
    await queryRunner.query(`DROP INDEX "idx_oficio_nivel_orden"`);
    await queryRunner.query(`DROP INDEX "idx_oficio_resp_orden"`);
    await queryRunner.query(`CREATE INDEX "idx_oficio_anio" ON "oficio" ("folio_anio") `);
    await queryRunner.query(`CREATE INDEX "idx_oficio_nivel" ON "oficio" ("nivel_clave") `);
  }
}
