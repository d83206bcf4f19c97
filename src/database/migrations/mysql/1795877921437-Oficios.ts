import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OficiosMysql1795877921437 implements MigrationInterface {
  name = 'OficiosMysql1795877921437';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`document\` (\`id\` varchar(36) NOT NULL, \`kind\` varchar(12) NOT NULL, \`case_id\` varchar(36) NOT NULL, \`oficio_id\` varchar(36) NULL, \`outbox_id\` varchar(36) NOT NULL, \`folio\` varchar(40) NOT NULL, \`numero_oficio\` varchar(40) NULL, \`codigo\` varchar(16) NOT NULL, \`sha256\` varchar(64) NOT NULL, \`content_digest\` varchar(64) NOT NULL, \`cadena_original\` varchar(400) NOT NULL, \`sello\` text NOT NULL, \`asunto\` varchar(500) NOT NULL, \`firmante_nombre\` varchar(200) NOT NULL, \`certificado_serie\` varchar(80) NOT NULL, \`signed_at\` datetime NOT NULL, \`paginas\` int NOT NULL, \`bytes\` int NOT NULL, \`prueba\` tinyint NOT NULL DEFAULT 0, \`status\` varchar(12) NOT NULL, \`cancelado_at\` datetime NULL, \`nivel_clave\` varchar(40) NULL, \`area\` varchar(200) NULL, \`responsable_id\` varchar(36) NULL, \`destinatario\` varchar(340) NOT NULL, \`storage_key\` varchar(120) NOT NULL, \`created_at\` datetime NOT NULL, INDEX \`idx_document_case\` (\`case_id\`), INDEX \`idx_document_oficio\` (\`oficio_id\`), UNIQUE INDEX \`uq_document_outbox\` (\`outbox_id\`), INDEX \`idx_document_folio\` (\`folio\`), UNIQUE INDEX \`uq_document_codigo\` (\`codigo\`), INDEX \`idx_document_nivel\` (\`nivel_clave\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`document_download\` (\`id\` varchar(36) NOT NULL, \`document_id\` varchar(36) NOT NULL, \`user_id\` varchar(36) NOT NULL, \`user_role\` varchar(20) NOT NULL, \`at\` datetime NOT NULL, INDEX \`idx_document_download_document\` (\`document_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`folio_counter\` (\`area\` varchar(20) NOT NULL, \`tipo\` varchar(20) NOT NULL, \`anio\` int NOT NULL, \`ultimo\` int NOT NULL, PRIMARY KEY (\`area\`, \`tipo\`, \`anio\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`oficio\` (\`id\` varchar(36) NOT NULL, \`folio\` varchar(40) NOT NULL, \`folio_anio\` int NOT NULL, \`folio_numero\` int NOT NULL, \`numero_remitente\` varchar(80) NOT NULL, \`numero_normalizado\` varchar(80) NOT NULL, \`remitente_clave\` varchar(220) NOT NULL, \`fecha_oficio\` varchar(10) NOT NULL, \`remitente_nombre\` varchar(160) NOT NULL, \`remitente_cargo\` varchar(160) NOT NULL, \`nivel_clave\` varchar(40) NULL, \`area\` varchar(200) NULL, \`responsable_id\` varchar(36) NULL, \`asunto\` varchar(500) NOT NULL, \`procedure_id\` varchar(40) NOT NULL, \`case_id\` varchar(36) NOT NULL, \`cct\` varchar(10) NULL, \`concierne\` text NOT NULL, \`fojas\` int NOT NULL, \`anexos\` varchar(400) NULL, \`archivo_sha256\` varchar(64) NOT NULL, \`archivo_mime\` varchar(40) NOT NULL, \`archivo_bytes\` int NOT NULL, \`archivo_key\` varchar(120) NOT NULL, \`archivo_nombre\` varchar(200) NULL, \`recibido_at\` datetime NOT NULL, \`recibido_por\` varchar(36) NOT NULL, \`recibido_por_nombre\` varchar(160) NOT NULL, \`status\` varchar(12) NOT NULL, \`cancelado_at\` datetime NULL, \`cancelado_por\` varchar(36) NULL, \`motivo_cancelacion\` varchar(400) NULL, \`created_at\` datetime NOT NULL, UNIQUE INDEX \`uq_oficio_folio\` (\`folio\`), INDEX \`idx_oficio_anio\` (\`folio_anio\`), INDEX \`idx_oficio_nivel\` (\`nivel_clave\`), UNIQUE INDEX \`uq_oficio_case\` (\`case_id\`), INDEX \`idx_oficio_duplicado\` (\`numero_normalizado\`, \`remitente_clave\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`idx_oficio_duplicado\` ON \`oficio\``);
    await queryRunner.query(`DROP INDEX \`uq_oficio_case\` ON \`oficio\``);
    await queryRunner.query(`DROP INDEX \`idx_oficio_nivel\` ON \`oficio\``);
    await queryRunner.query(`DROP INDEX \`idx_oficio_anio\` ON \`oficio\``);
    await queryRunner.query(`DROP INDEX \`uq_oficio_folio\` ON \`oficio\``);
    await queryRunner.query(`DROP TABLE \`oficio\``);
    await queryRunner.query(`DROP TABLE \`folio_counter\``);
    await queryRunner.query(`DROP INDEX \`idx_document_download_document\` ON \`document_download\``);
    await queryRunner.query(`DROP TABLE \`document_download\``);
    await queryRunner.query(`DROP INDEX \`idx_document_nivel\` ON \`document\``);
    await queryRunner.query(`DROP INDEX \`uq_document_codigo\` ON \`document\``);
    await queryRunner.query(`DROP INDEX \`idx_document_folio\` ON \`document\``);
    await queryRunner.query(`DROP INDEX \`uq_document_outbox\` ON \`document\``);
    await queryRunner.query(`DROP INDEX \`idx_document_oficio\` ON \`document\``);
    await queryRunner.query(`DROP INDEX \`idx_document_case\` ON \`document\``);
    await queryRunner.query(`DROP TABLE \`document\``);
  }
}
