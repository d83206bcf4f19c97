import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CatalogMysql1795876514799 implements MigrationInterface {
  name = 'CatalogMysql1795876514799';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`staff_user\` (\`id\` varchar(36) NOT NULL, \`usuario\` varchar(60) NOT NULL, \`nombre\` varchar(160) NOT NULL, \`rol\` varchar(20) NOT NULL, \`nivel_clave\` varchar(40) NULL, \`password_hash\` varchar(255) NOT NULL, \`must_change_password\` tinyint NOT NULL DEFAULT 1, \`activo\` tinyint NOT NULL DEFAULT 1, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), UNIQUE INDEX \`uq_staff_user_usuario\` (\`usuario\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`centro_trabajo\` (\`cct\` varchar(10) NOT NULL, \`nombre\` varchar(200) NOT NULL, \`nivel_clave\` varchar(40) NOT NULL, \`director_curp\` varchar(18) NULL, \`correo\` varchar(254) NULL, \`estatus\` varchar(10) NOT NULL DEFAULT 'activo', \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), INDEX \`idx_centro_nivel\` (\`nivel_clave\`), INDEX \`idx_centro_director\` (\`director_curp\`), PRIMARY KEY (\`cct\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`cuenta\` (\`id\` varchar(36) NOT NULL, \`direccion\` varchar(254) NOT NULL, \`local_part\` varchar(64) NOT NULL, \`dominio\` varchar(190) NOT NULL, \`tipo\` varchar(20) NOT NULL, \`titular_tipo\` varchar(12) NOT NULL, \`titular_curp\` varchar(18) NULL, \`titular_cct\` varchar(10) NULL, \`estado\` varchar(12) NOT NULL DEFAULT 'activa', \`proveedor\` varchar(20) NOT NULL, \`proveedor_id\` varchar(120) NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), UNIQUE INDEX \`uq_cuenta_direccion\` (\`direccion\`), INDEX \`idx_cuenta_titular_curp\` (\`titular_curp\`), INDEX \`idx_cuenta_titular_cct\` (\`titular_cct\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`cuenta_historial\` (\`id\` varchar(36) NOT NULL, \`cuenta_id\` varchar(36) NOT NULL, \`evento\` varchar(30) NOT NULL, \`detalle\` varchar(400) NULL, \`case_id\` varchar(36) NULL, \`at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), INDEX \`idx_cuenta_historial_cuenta\` (\`cuenta_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`nivel\` (\`clave\` varchar(40) NOT NULL, \`nombre\` varchar(120) NOT NULL, PRIMARY KEY (\`clave\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`trabajador\` (\`curp\` varchar(18) NOT NULL, \`curt\` varchar(30) NOT NULL, \`nombre\` varchar(120) NOT NULL, \`primer_apellido\` varchar(80) NOT NULL, \`segundo_apellido\` varchar(80) NULL, \`correo_alterno\` varchar(254) NULL, \`cct\` varchar(10) NULL, \`nivel_clave\` varchar(40) NULL, \`activo\` tinyint NOT NULL DEFAULT 1, \`ultima_importacion\` datetime NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), INDEX \`idx_trabajador_curt\` (\`curt\`), INDEX \`idx_trabajador_cct\` (\`cct\`), INDEX \`idx_trabajador_nivel\` (\`nivel_clave\`), PRIMARY KEY (\`curp\`)) ENGINE=InnoDB`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`idx_trabajador_nivel\` ON \`trabajador\``);
    await queryRunner.query(`DROP INDEX \`idx_trabajador_cct\` ON \`trabajador\``);
    await queryRunner.query(`DROP INDEX \`idx_trabajador_curt\` ON \`trabajador\``);
    await queryRunner.query(`DROP TABLE \`trabajador\``);
    await queryRunner.query(`DROP TABLE \`nivel\``);
    await queryRunner.query(`DROP INDEX \`idx_cuenta_historial_cuenta\` ON \`cuenta_historial\``);
    await queryRunner.query(`DROP TABLE \`cuenta_historial\``);
    await queryRunner.query(`DROP INDEX \`idx_cuenta_titular_cct\` ON \`cuenta\``);
    await queryRunner.query(`DROP INDEX \`idx_cuenta_titular_curp\` ON \`cuenta\``);
    await queryRunner.query(`DROP INDEX \`uq_cuenta_direccion\` ON \`cuenta\``);
    await queryRunner.query(`DROP TABLE \`cuenta\``);
    await queryRunner.query(`DROP INDEX \`idx_centro_director\` ON \`centro_trabajo\``);
    await queryRunner.query(`DROP INDEX \`idx_centro_nivel\` ON \`centro_trabajo\``);
    await queryRunner.query(`DROP TABLE \`centro_trabajo\``);
    await queryRunner.query(`DROP INDEX \`uq_staff_user_usuario\` ON \`staff_user\``);
    await queryRunner.query(`DROP TABLE \`staff_user\``);
  }
}
