import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SentMailMysql1796225687580 implements MigrationInterface {
  name = 'SentMailMysql1796225687580';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`sent_mail\` (\`message_id\` varchar(255) NOT NULL, \`status\` varchar(10) NOT NULL, \`recipients_hash\` varchar(64) NOT NULL, \`recipients\` int NOT NULL, \`subject\` varchar(255) NOT NULL, \`claimed_by\` varchar(36) NOT NULL, \`claimed_at\` datetime NOT NULL, \`lease_until\` datetime NOT NULL, \`sent_at\` datetime NULL, \`claims\` int NOT NULL, PRIMARY KEY (\`message_id\`)) ENGINE=InnoDB`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE \`sent_mail\``);
  }
}
