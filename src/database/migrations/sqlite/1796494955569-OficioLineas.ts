import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One oficio, many accounts (issue 14, part 2): the lines of an oficio that asks for many school accounts, each with
 * its child 5.2.1 case (unique: the link child → parent) and the case's outcome once it concluded.
 */
export class OficioLineasSqlite1796494955569 implements MigrationInterface {
  name = 'OficioLineasSqlite1796494955569';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "oficio_linea" ("oficio_id" varchar(36) NOT NULL, "linea" integer NOT NULL, "cct" varchar(10) NOT NULL, "nombre_cuenta" varchar(120) NOT NULL, "case_id" varchar(36) NOT NULL, "resultado" varchar(30), PRIMARY KEY ("oficio_id", "linea"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_oficio_linea_case" ON "oficio_linea" ("case_id") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_oficio_linea_case"`);
    await queryRunner.query(`DROP TABLE "oficio_linea"`);
  }
}
