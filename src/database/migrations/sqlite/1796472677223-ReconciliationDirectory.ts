import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Directory reconciliation (issue 14): the run's progress and heartbeat, and the addresses a run saw. */
export class ReconciliationDirectorySqlite1796472677223 implements MigrationInterface {
  name = 'ReconciliationDirectorySqlite1796472677223';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "conciliacion_corrida" ADD COLUMN "procesados" integer NOT NULL DEFAULT (0)`);
    await queryRunner.query(`ALTER TABLE "conciliacion_corrida" ADD COLUMN "latido_at" datetime`);
    await queryRunner.query(
      `CREATE TABLE "conciliacion_visto" ("corrida_id" varchar(36) NOT NULL, "direccion" varchar(254) NOT NULL, PRIMARY KEY ("corrida_id", "direccion"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "conciliacion_visto"`);
    await queryRunner.query(`ALTER TABLE "conciliacion_corrida" DROP COLUMN "latido_at"`);
    await queryRunner.query(`ALTER TABLE "conciliacion_corrida" DROP COLUMN "procesados"`);
  }
}
