import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The lease of the periodic maintenance: one process at a time runs it (src/queue/maintenance-lease.ts). */
export class ProcessLeaseSqlite1796410000000 implements MigrationInterface {
  name = 'ProcessLeaseSqlite1796410000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "process_lease" ("name" varchar(60) PRIMARY KEY NOT NULL, "holder" varchar(120) NOT NULL, "expires_at" datetime NOT NULL)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "process_lease"`);
  }
}
