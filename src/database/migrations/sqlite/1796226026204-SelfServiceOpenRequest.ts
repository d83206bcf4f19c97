import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SelfServiceOpenRequestSqlite1796226026204 implements MigrationInterface {
  name = 'SelfServiceOpenRequestSqlite1796226026204';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "autoservicio_abierto" ("procedure_id" varchar(40) NOT NULL, "curp" varchar(18) NOT NULL, "case_id" varchar(36) NOT NULL, "created_at" datetime NOT NULL, PRIMARY KEY ("procedure_id", "curp"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_autoservicio_abierto_caso" ON "autoservicio_abierto" ("case_id") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_autoservicio_abierto_caso"`);
    await queryRunner.query(`DROP TABLE "autoservicio_abierto"`);
  }
}
