import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The administrators' pages read from indexes: an account's cases (procedure_case.cuenta_id, /admin/cuentas/:id) and
 * when the last full import of workers ran (MAX(trabajador.ultima_importacion), /admin/trabajadores).
 */
export class AdminPageIndexesMysql1796364281711 implements MigrationInterface {
  name = 'AdminPageIndexesMysql1796364281711';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX `idx_case_cuenta` ON `procedure_case` (`cuenta_id`)');
    await queryRunner.query('CREATE INDEX `idx_trabajador_ultima_importacion` ON `trabajador` (`ultima_importacion`)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX `idx_trabajador_ultima_importacion` ON `trabajador`');
    await queryRunner.query('DROP INDEX `idx_case_cuenta` ON `procedure_case`');
  }
}
