import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ProvisioningMysql1795877525415 implements MigrationInterface {
  name = 'ProvisioningMysql1795877525415';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`activation_token\` (\`token_hash\` varchar(64) NOT NULL, \`cuenta_id\` varchar(36) NOT NULL, \`case_id\` varchar(36) NULL, \`outbox_id\` varchar(36) NOT NULL, \`created_at\` datetime NOT NULL, \`expires_at\` datetime NOT NULL, \`used_at\` datetime NULL, INDEX \`idx_activation_cuenta\` (\`cuenta_id\`), UNIQUE INDEX \`uq_activation_outbox\` (\`outbox_id\`), PRIMARY KEY (\`token_hash\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`chosen_password\` (\`case_id\` varchar(36) NOT NULL, \`sealed\` varchar(600) NOT NULL, \`created_at\` datetime NOT NULL, PRIMARY KEY (\`case_id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`directorio_local\` (\`id\` varchar(36) NOT NULL, \`address\` varchar(254) NOT NULL, \`tipo\` varchar(20) NOT NULL, \`holder_kind\` varchar(12) NOT NULL, \`holder_curp\` varchar(18) NULL, \`holder_cct\` varchar(10) NULL, \`given_name\` varchar(120) NOT NULL, \`family_name\` varchar(160) NOT NULL, \`display_name\` varchar(300) NOT NULL, \`password_hash\` varchar(255) NOT NULL, \`suspended\` tinyint NOT NULL DEFAULT 0, \`must_change\` tinyint NOT NULL DEFAULT 0, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), UNIQUE INDEX \`uq_directorio_local_address\` (\`address\`), INDEX \`idx_directorio_local_holder_curp\` (\`holder_curp\`), INDEX \`idx_directorio_local_holder_cct\` (\`holder_cct\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(`ALTER TABLE \`staff_user\` ADD \`correo\` varchar(254) NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`staff_user\` DROP COLUMN \`correo\``);
    await queryRunner.query(`DROP INDEX \`idx_directorio_local_holder_cct\` ON \`directorio_local\``);
    await queryRunner.query(`DROP INDEX \`idx_directorio_local_holder_curp\` ON \`directorio_local\``);
    await queryRunner.query(`DROP INDEX \`uq_directorio_local_address\` ON \`directorio_local\``);
    await queryRunner.query(`DROP TABLE \`directorio_local\``);
    await queryRunner.query(`DROP TABLE \`chosen_password\``);
    await queryRunner.query(`DROP INDEX \`uq_activation_outbox\` ON \`activation_token\``);
    await queryRunner.query(`DROP INDEX \`idx_activation_cuenta\` ON \`activation_token\``);
    await queryRunner.query(`DROP TABLE \`activation_token\``);
  }
}
