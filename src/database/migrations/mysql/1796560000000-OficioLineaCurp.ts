import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lines of an oficio for many Servicio accounts (issue 14, part 2, Guía 5.3.1): a line names the worker who will hold
 * the account (`curp`) and its type (`tipo_cuenta`: servicio, funcion) instead of a school, so `cct` becomes optional.
 */
export class OficioLineaCurpMysql1796560000000 implements MigrationInterface {
  name = 'OficioLineaCurpMysql1796560000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE `oficio_linea` MODIFY `cct` varchar(10) NULL, ADD `curp` varchar(18) NULL AFTER `cct`, ADD `tipo_cuenta` varchar(12) NULL AFTER `curp`',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // A Servicio line has no school: the downgrade keeps only the lines of school oficios.
    await queryRunner.query('DELETE FROM `oficio_linea` WHERE `cct` IS NULL');
    await queryRunner.query(
      'ALTER TABLE `oficio_linea` DROP COLUMN `tipo_cuenta`, DROP COLUMN `curp`, MODIFY `cct` varchar(10) NOT NULL',
    );
  }
}
