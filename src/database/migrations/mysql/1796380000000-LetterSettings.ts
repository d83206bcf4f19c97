import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The membrete and signer of the letters, set at /admin/membrete (one row). */
export class LetterSettingsMysql1796380000000 implements MigrationInterface {
  name = 'LetterSettingsMysql1796380000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`letter_settings\` (\`id\` varchar(20) NOT NULL, \`logo_key\` varchar(120) NULL, \`direccion\` varchar(240) NOT NULL, \`leyenda\` varchar(160) NOT NULL, \`firmante_titulo\` varchar(20) NOT NULL, \`firmante_nombre\` varchar(120) NOT NULL, \`firmante_cargo\` varchar(160) NOT NULL, \`updated_by\` varchar(36) NOT NULL, \`updated_by_nombre\` varchar(200) NOT NULL, \`updated_at\` datetime NOT NULL, PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE \`letter_settings\``);
  }
}
