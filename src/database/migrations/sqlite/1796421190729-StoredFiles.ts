import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Documents kept in the database (src/oficios/database-file-store.ts): one row per file, its content in pieces. */
export class StoredFilesSqlite1796421190729 implements MigrationInterface {
  name = 'StoredFilesSqlite1796421190729';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "stored_file" ("file_key" varchar(67) PRIMARY KEY NOT NULL, "sha256" varchar(64) NOT NULL, "bytes" integer NOT NULL, "chunks" integer NOT NULL, "saved_at" datetime NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "idx_stored_file_saved" ON "stored_file" ("saved_at") `);
    await queryRunner.query(
      `CREATE TABLE "stored_file_chunk" ("file_key" varchar(67) NOT NULL, "seq" integer NOT NULL, "data" blob NOT NULL, PRIMARY KEY ("file_key", "seq"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "stored_file_chunk"`);
    await queryRunner.query(`DROP INDEX "idx_stored_file_saved"`);
    await queryRunner.query(`DROP TABLE "stored_file"`);
  }
}
