import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One reply letter per oficio for many schools (issue 14, part 2): each line records the result its case asked the
 * letter to give (`respuesta`) and the command that waits for the letter (`respuesta_outbox_id`); `oficio_respuesta`
 * names the oficio's one letter (its primary key: never two). Lines already answered by a letter of their own (before
 * this version) count as answered.
 */
export class OficioRespuestaMysql1796510000000 implements MigrationInterface {
  name = 'OficioRespuestaMysql1796510000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE `oficio_linea` ADD `respuesta` varchar(30) NULL, ADD `respuesta_outbox_id` varchar(36) NULL',
    );
    await queryRunner.query(
      'CREATE TABLE `oficio_respuesta` (`oficio_id` varchar(36) NOT NULL, `document_id` varchar(36) NOT NULL, `created_at` datetime NOT NULL, PRIMARY KEY (`oficio_id`)) ENGINE=InnoDB',
    );
    await queryRunner.query(
      "UPDATE `oficio_linea` l SET l.`respuesta` = 'emitida' WHERE EXISTS (SELECT 1 FROM `document` d WHERE d.`case_id` = l.`case_id` AND d.`kind` = 'respuesta')",
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE `oficio_respuesta`');
    await queryRunner.query('ALTER TABLE `oficio_linea` DROP COLUMN `respuesta_outbox_id`, DROP COLUMN `respuesta`');
  }
}
