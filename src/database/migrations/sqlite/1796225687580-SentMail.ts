import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SentMailSqlite1796225687580 implements MigrationInterface {
  name = 'SentMailSqlite1796225687580';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sent_mail" ("message_id" varchar(255) PRIMARY KEY NOT NULL, "status" varchar(10) NOT NULL, "recipients_hash" varchar(64) NOT NULL, "recipients" integer NOT NULL, "subject" varchar(255) NOT NULL, "claimed_by" varchar(36) NOT NULL, "claimed_at" datetime NOT NULL, "lease_until" datetime NOT NULL, "sent_at" datetime, "claims" integer NOT NULL)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "sent_mail"`);
  }
}
