import type { MigrationInterface, QueryRunner } from 'typeorm';
import { backfillDashboardCounts } from '../backfill-dashboard-counts';

/** The dashboard's counters (src/engine/dashboard-counts.ts), built from the rows already there. */
export class DashboardCountsMysql1796448293988 implements MigrationInterface {
  name = 'DashboardCountsMysql1796448293988';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`dashboard_count\` (\`kind\` varchar(12) NOT NULL, \`dia\` varchar(10) NOT NULL, \`nivel\` varchar(40) NOT NULL, \`a\` varchar(40) NOT NULL, \`b\` varchar(200) NOT NULL, \`c\` varchar(30) NOT NULL, \`n\` bigint NOT NULL, PRIMARY KEY (\`kind\`, \`dia\`, \`nivel\`, \`a\`, \`b\`, \`c\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`dashboard_delta\` (\`id\` int NOT NULL AUTO_INCREMENT, \`kind\` varchar(12) NOT NULL, \`dia\` varchar(10) NOT NULL, \`nivel\` varchar(40) NOT NULL, \`a\` varchar(40) NOT NULL, \`b\` varchar(200) NOT NULL, \`c\` varchar(30) NOT NULL, \`n\` int NOT NULL, PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(`ALTER TABLE \`procedure_case\` ADD \`business_days\` int NULL`);
    await queryRunner.query(
      `CREATE INDEX \`idx_case_status_updated\` ON \`procedure_case\` (\`status\`, \`updated_at\`)`,
    );
    await backfillDashboardCounts(queryRunner, 'mysql');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`idx_case_status_updated\` ON \`procedure_case\``);
    await queryRunner.query(`ALTER TABLE \`procedure_case\` DROP COLUMN \`business_days\``);
    await queryRunner.query(`DROP TABLE \`dashboard_delta\``);
    await queryRunner.query(`DROP TABLE \`dashboard_count\``);
  }
}
