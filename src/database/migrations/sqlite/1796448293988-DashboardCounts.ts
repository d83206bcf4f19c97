import type { MigrationInterface, QueryRunner } from 'typeorm';
import { backfillDashboardCounts } from '../backfill-dashboard-counts';

/** The dashboard's counters (src/engine/dashboard-counts.ts), built from the rows already there. */
export class DashboardCountsSqlite1796448293988 implements MigrationInterface {
  name = 'DashboardCountsSqlite1796448293988';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "dashboard_count" ("kind" varchar(12) NOT NULL, "dia" varchar(10) NOT NULL, "nivel" varchar(40) NOT NULL, "a" varchar(40) NOT NULL, "b" varchar(200) NOT NULL, "c" varchar(30) NOT NULL, "n" bigint NOT NULL, PRIMARY KEY ("kind", "dia", "nivel", "a", "b", "c"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "dashboard_delta" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "kind" varchar(12) NOT NULL, "dia" varchar(10) NOT NULL, "nivel" varchar(40) NOT NULL, "a" varchar(40) NOT NULL, "b" varchar(200) NOT NULL, "c" varchar(30) NOT NULL, "n" integer NOT NULL)`,
    );
    await queryRunner.query(`ALTER TABLE "procedure_case" ADD COLUMN "business_days" integer`);
    await queryRunner.query(`CREATE INDEX "idx_case_status_updated" ON "procedure_case" ("status", "updated_at")`);
    await backfillDashboardCounts(queryRunner, 'sqlite');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_case_status_updated"`);
    await queryRunner.query(`ALTER TABLE "procedure_case" DROP COLUMN "business_days"`);
    await queryRunner.query(`DROP TABLE "dashboard_delta"`);
    await queryRunner.query(`DROP TABLE "dashboard_count"`);
  }
}
