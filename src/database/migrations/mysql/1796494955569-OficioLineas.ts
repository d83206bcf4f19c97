import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One oficio, many accounts (issue 14, part 2): the lines of an oficio that asks for many school accounts, each with
 * its child 5.2.1 case (unique: the link child → parent) and the case's outcome once it concluded.
 */
export class OficioLineasMysql1796494955569 implements MigrationInterface {
  name = 'OficioLineasMysql1796494955569';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`oficio_linea\` (\`oficio_id\` varchar(36) NOT NULL, \`linea\` int NOT NULL, \`cct\` varchar(10) NOT NULL, \`nombre_cuenta\` varchar(120) NOT NULL, \`case_id\` varchar(36) NOT NULL, \`resultado\` varchar(30) NULL, UNIQUE INDEX \`uq_oficio_linea_case\` (\`case_id\`), PRIMARY KEY (\`oficio_id\`, \`linea\`)) ENGINE=InnoDB`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE \`oficio_linea\``);
  }
}
