import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Directory reconciliation (issue 14): the run's progress and heartbeat, and the addresses a run saw. */
export class ReconciliationDirectoryMysql1796472677223 implements MigrationInterface {
  name = 'ReconciliationDirectoryMysql1796472677223';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE \`conciliacion_corrida\` ADD \`procesados\` int NOT NULL DEFAULT 0, ADD \`latido_at\` datetime NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE \`conciliacion_visto\` (\`corrida_id\` varchar(36) NOT NULL, \`direccion\` varchar(254) NOT NULL, PRIMARY KEY (\`corrida_id\`, \`direccion\`)) ENGINE=InnoDB`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE \`conciliacion_visto\``);
    await queryRunner.query(
      `ALTER TABLE \`conciliacion_corrida\` DROP COLUMN \`latido_at\`, DROP COLUMN \`procesados\``,
    );
  }
}
