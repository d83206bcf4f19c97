import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Documents kept in the database (src/oficios/database-file-store.ts): one row per file, its content in pieces. */
export class StoredFilesMysql1796421190729 implements MigrationInterface {
  name = 'StoredFilesMysql1796421190729';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`stored_file\` (\`file_key\` varchar(67) NOT NULL, \`sha256\` varchar(64) NOT NULL, \`bytes\` int NOT NULL, \`chunks\` int NOT NULL, \`saved_at\` datetime NOT NULL, INDEX \`idx_stored_file_saved\` (\`saved_at\`), PRIMARY KEY (\`file_key\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`stored_file_chunk\` (\`file_key\` varchar(67) NOT NULL, \`seq\` int NOT NULL, \`data\` blob NOT NULL, PRIMARY KEY (\`file_key\`, \`seq\`)) ENGINE=InnoDB`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE \`stored_file_chunk\``);
    await queryRunner.query(`DROP INDEX \`idx_stored_file_saved\` ON \`stored_file\``);
    await queryRunner.query(`DROP TABLE \`stored_file\``);
  }
}
