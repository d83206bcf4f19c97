import type { MigrationInterface, QueryRunner } from 'typeorm';

export class FileKeyIndexesMysql1796453259445 implements MigrationInterface {
  name = 'FileKeyIndexesMysql1796453259445';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX \`idx_document_storage\` ON \`document\` (\`storage_key\`)`);
    await queryRunner.query(`CREATE INDEX \`idx_oficio_archivo\` ON \`oficio\` (\`archivo_key\`)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`idx_oficio_archivo\` ON \`oficio\``);
    await queryRunner.query(`DROP INDEX \`idx_document_storage\` ON \`document\``);
  }
}
