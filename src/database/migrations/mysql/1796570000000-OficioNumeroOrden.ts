import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The register's search by the sender's number (issue 13): the number with the folio's year and number, so the
 * oficios whose number begins with what was typed are read from the index alone (a range of it), without one row read
 * per match. idx_oficio_duplicado (number and sender) stays for duplicate detection.
 */
export class OficioNumeroOrdenMysql1796570000000 implements MigrationInterface {
  name = 'OficioNumeroOrdenMysql1796570000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX `idx_oficio_numero_orden` ON `oficio` (`numero_normalizado`, `folio_anio`, `folio_numero`)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX `idx_oficio_numero_orden` ON `oficio`');
  }
}
