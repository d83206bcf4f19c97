import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The register's search by the sender's number with any other condition (issue 13): the number's index with the
 * columns those conditions and a role's scope check (month of receipt, status, Nivel, procedure, responsable), so a
 * number's matches are filtered on the index's own entries. Before, «PRI/12» in a month looked each of its 6,276
 * matches up in the month's index: 11 ms for the count alone at national scale.
 */
export class OficioNumeroFiltrosMysql1796590000000 implements MigrationInterface {
  name = 'OficioNumeroFiltrosMysql1796590000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX `idx_oficio_numero_filtros` ON `oficio` (`numero_normalizado`, `folio_anio`, `folio_numero`, `recibido_mes`, `status`, `nivel_clave`, `procedure_id`, `responsable_id`)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX `idx_oficio_numero_filtros` ON `oficio`');
  }
}
