import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The oficios for many schools with a line still open (the dashboard's «Oficios de varias cuentas en curso»): the
 * lines whose resultado IS NULL, read from this index alone, in oficio_id order.
 */
export class OficioLineaAbiertaMysql1796520000000 implements MigrationInterface {
  name = 'OficioLineaAbiertaMysql1796520000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX \`idx_oficio_linea_abierta\` ON \`oficio_linea\` (\`resultado\`, \`oficio_id\`)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`idx_oficio_linea_abierta\` ON \`oficio_linea\``);
  }
}
