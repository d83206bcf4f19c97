import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Reconciliation runs and findings (issue 14, src/catalog/reconciliation/). */
export class ReconciliationSqlite1796472223636 implements MigrationInterface {
  name = 'ReconciliationSqlite1796472223636';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "conciliacion_corrida" ("id" varchar(36) PRIMARY KEY NOT NULL, "origen" varchar(20) NOT NULL, "importacion_at" datetime, "started_at" datetime NOT NULL, "finished_at" datetime, "estado" varchar(12) NOT NULL, "vigentes" integer NOT NULL DEFAULT (0), "nuevos" integer NOT NULL DEFAULT (0), "cerrados" integer NOT NULL DEFAULT (0), "error" varchar(500))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_conciliacion_corrida_inicio" ON "conciliacion_corrida" ("started_at") `);
    await queryRunner.query(
      `CREATE TABLE "conciliacion_hallazgo" ("id" varchar(36) PRIMARY KEY NOT NULL, "tipo" varchar(40) NOT NULL, "cuenta_id" varchar(36), "direccion" varchar(254) NOT NULL, "evidencia" text NOT NULL, "accion" varchar(20) NOT NULL, "estado" varchar(12) NOT NULL DEFAULT ('pendiente'), "vigente" boolean, "motivo" varchar(500), "decidido_por" varchar(120), "decidido_at" datetime, "case_id" varchar(36), "corrida_id" varchar(36) NOT NULL, "corrida_vista_id" varchar(36) NOT NULL, "detectado_at" datetime NOT NULL, "cerrado_at" datetime)`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_conciliacion_hallazgo_cuenta" ON "conciliacion_hallazgo" ("cuenta_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_conciliacion_hallazgo_vigente" ON "conciliacion_hallazgo" ("tipo", "direccion", "vigente") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_conciliacion_hallazgo_estado" ON "conciliacion_hallazgo" ("estado", "detectado_at") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_conciliacion_hallazgo_estado"`);
    await queryRunner.query(`DROP INDEX "uq_conciliacion_hallazgo_vigente"`);
    await queryRunner.query(`DROP INDEX "idx_conciliacion_hallazgo_cuenta"`);
    await queryRunner.query(`DROP TABLE "conciliacion_hallazgo"`);
    await queryRunner.query(`DROP INDEX "idx_conciliacion_corrida_inicio"`);
    await queryRunner.query(`DROP TABLE "conciliacion_corrida"`);
  }
}
