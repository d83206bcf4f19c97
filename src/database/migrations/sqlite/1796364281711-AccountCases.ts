import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The account page (/admin/cuentas/:id) lists the cases of an account: by procedure_case.cuenta_id, from an index. */
export class AccountCasesSqlite1796364281711 implements MigrationInterface {
  name = 'AccountCasesSqlite1796364281711';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "idx_case_cuenta" ON "procedure_case" ("cuenta_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_case_cuenta"`);
  }
}
