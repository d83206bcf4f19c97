import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Reconciliation runs and findings (issue 14, src/catalog/reconciliation/). */
export class ReconciliationMysql1796472223636 implements MigrationInterface {
  name = 'ReconciliationMysql1796472223636';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`conciliacion_corrida\` (\`id\` varchar(36) NOT NULL, \`origen\` varchar(20) NOT NULL, \`importacion_at\` datetime NULL, \`started_at\` datetime NOT NULL, \`finished_at\` datetime NULL, \`estado\` varchar(12) NOT NULL, \`vigentes\` int NOT NULL DEFAULT 0, \`nuevos\` int NOT NULL DEFAULT 0, \`cerrados\` int NOT NULL DEFAULT 0, \`error\` varchar(500) NULL, INDEX \`idx_conciliacion_corrida_inicio\` (\`started_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`conciliacion_hallazgo\` (\`id\` varchar(36) NOT NULL, \`tipo\` varchar(40) NOT NULL, \`cuenta_id\` varchar(36) NULL, \`direccion\` varchar(254) NOT NULL, \`evidencia\` text NOT NULL, \`accion\` varchar(20) NOT NULL, \`estado\` varchar(12) NOT NULL DEFAULT 'pendiente', \`vigente\` tinyint NULL, \`motivo\` varchar(500) NULL, \`decidido_por\` varchar(120) NULL, \`decidido_at\` datetime NULL, \`case_id\` varchar(36) NULL, \`corrida_id\` varchar(36) NOT NULL, \`corrida_vista_id\` varchar(36) NOT NULL, \`detectado_at\` datetime NOT NULL, \`cerrado_at\` datetime NULL, INDEX \`idx_conciliacion_hallazgo_cuenta\` (\`cuenta_id\`), UNIQUE INDEX \`uq_conciliacion_hallazgo_vigente\` (\`tipo\`, \`direccion\`, \`vigente\`), INDEX \`idx_conciliacion_hallazgo_estado\` (\`estado\`, \`detectado_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE \`conciliacion_hallazgo\``);
    await queryRunner.query(`DROP TABLE \`conciliacion_corrida\``);
  }
}
