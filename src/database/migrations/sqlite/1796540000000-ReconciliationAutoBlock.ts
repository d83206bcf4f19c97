import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Reconciliation (issue 14): how many findings the automatic blocking policy accepted after each run. */
export class ReconciliationAutoBlockSqlite1796540000000 implements MigrationInterface {
  name = 'ReconciliationAutoBlockSqlite1796540000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "conciliacion_corrida" ADD COLUMN "automaticos" integer NOT NULL DEFAULT (0)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "conciliacion_corrida" DROP COLUMN "automaticos"`);
  }
}
