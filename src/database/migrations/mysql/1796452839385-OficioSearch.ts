import type { MigrationInterface, QueryRunner } from 'typeorm';
import { backfillOficioWords, backfillReceiptMonth } from '../backfill-oficio-search';

/**
 * The register's filters at national scale (issue 13): a word index of the oficios' sender and subject (`oficio_word`,
 * filled for the oficios already there), the month of receipt as a column, and the register's order within a status
 * and within a month. The words are plain ASCII (a-z, 0-9): stored as ascii_bin, a prefix is a range of bytes.
 */
export class OficioSearchMysql1796452839385 implements MigrationInterface {
  name = 'OficioSearchMysql1796452839385';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`oficio_word\` (\`field\` varchar(1) CHARACTER SET ascii COLLATE ascii_bin NOT NULL, \`word\` varchar(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL, \`folio_anio\` int NOT NULL, \`folio_numero\` int NOT NULL, PRIMARY KEY (\`field\`, \`word\`, \`folio_anio\`, \`folio_numero\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(`ALTER TABLE \`oficio\` ADD \`recibido_mes\` int NOT NULL DEFAULT '0'`);
    await backfillReceiptMonth(queryRunner, 'mysql');
    await backfillOficioWords(queryRunner, 'mysql');
    await queryRunner.query(
      `CREATE INDEX \`idx_oficio_mes_orden\` ON \`oficio\` (\`recibido_mes\`, \`folio_anio\`, \`folio_numero\`)`,
    );
    await queryRunner.query(
      `CREATE INDEX \`idx_oficio_estado_orden\` ON \`oficio\` (\`status\`, \`folio_anio\`, \`folio_numero\`)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`idx_oficio_estado_orden\` ON \`oficio\``);
    await queryRunner.query(`DROP INDEX \`idx_oficio_mes_orden\` ON \`oficio\``);
    await queryRunner.query(`ALTER TABLE \`oficio\` DROP COLUMN \`recibido_mes\``);
    await queryRunner.query(`DROP TABLE \`oficio_word\``);
  }
}
