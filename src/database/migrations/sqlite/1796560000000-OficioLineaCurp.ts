import type { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS = `"oficio_id", "linea", "cct", "nombre_cuenta", "case_id", "resultado", "respuesta", "respuesta_outbox_id"`;

/**
 * See the MySQL twin (OficioLineaCurpMysql1796560000000). SQLite cannot change a column's NOT NULL: the table is
 * rebuilt with its primary key and both indexes.
 */
export class OficioLineaCurpSqlite1796560000000 implements MigrationInterface {
  name = 'OficioLineaCurpSqlite1796560000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await rebuild(queryRunner, '"cct" varchar(10), "curp" varchar(18), "tipo_cuenta" varchar(12)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // A Servicio line has no school: the downgrade keeps only the lines of school oficios.
    await rebuild(queryRunner, '"cct" varchar(10) NOT NULL', 'WHERE "cct" IS NOT NULL');
  }
}

async function rebuild(queryRunner: QueryRunner, cctColumns: string, where = ''): Promise<void> {
  await queryRunner.query(`DROP INDEX "uq_oficio_linea_case"`);
  await queryRunner.query(`DROP INDEX "idx_oficio_linea_abierta"`);
  await queryRunner.query(
    `CREATE TABLE "temporary_oficio_linea" ("oficio_id" varchar(36) NOT NULL, "linea" integer NOT NULL, ${cctColumns}, "nombre_cuenta" varchar(120) NOT NULL, "case_id" varchar(36) NOT NULL, "resultado" varchar(30), "respuesta" varchar(30), "respuesta_outbox_id" varchar(36), PRIMARY KEY ("oficio_id", "linea"))`,
  );
  await queryRunner.query(
    `INSERT INTO "temporary_oficio_linea"(${COLUMNS}) SELECT ${COLUMNS} FROM "oficio_linea" ${where}`,
  );
  await queryRunner.query(`DROP TABLE "oficio_linea"`);
  await queryRunner.query(`ALTER TABLE "temporary_oficio_linea" RENAME TO "oficio_linea"`);
  await queryRunner.query(`CREATE UNIQUE INDEX "uq_oficio_linea_case" ON "oficio_linea" ("case_id") `);
  await queryRunner.query(`CREATE INDEX "idx_oficio_linea_abierta" ON "oficio_linea" ("resultado", "oficio_id") `);
}
