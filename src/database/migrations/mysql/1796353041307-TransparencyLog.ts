import type { MigrationInterface, QueryRunner } from 'typeorm';
import { assertOldChainIntact, rechainPerCase, refuseDowngradeWithMovements } from '../convert-movement-chains';

const q = (id: string): string => `\`${id}\``;

/**
 * Movements chained per case (no global lock) and the transparency log's tables. Written by hand around the generated
 * statements: the old chain is verified before anything changes (MySQL commits each DDL statement), then rechained.
 */
export class TransparencyLogMysql1796353041307 implements MigrationInterface {
  name = 'TransparencyLogMysql1796353041307';

  async up(queryRunner: QueryRunner): Promise<void> {
    await assertOldChainIntact(queryRunner, q);
    await queryRunner.query(
      `CREATE TABLE \`log_node\` (\`level\` int NOT NULL, \`node_index\` int NOT NULL, \`hash\` varchar(64) NOT NULL, PRIMARY KEY (\`level\`, \`node_index\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`tree_head\` (\`tree_size\` int NOT NULL, \`root_hash\` varchar(64) NOT NULL, \`timestamp\` varchar(24) NOT NULL, \`signature\` text NOT NULL, \`key_id\` varchar(64) NOT NULL, PRIMARY KEY (\`tree_size\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`log_certificate\` (\`key_id\` varchar(64) NOT NULL, \`der\` text NOT NULL, PRIMARY KEY (\`key_id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`log_state\` (\`id\` int NOT NULL, \`tree_size\` int NOT NULL, \`frontier\` text NOT NULL, PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(`INSERT INTO \`log_state\` (\`id\`, \`tree_size\`, \`frontier\`) VALUES (1, 0, '[]')`);
    await queryRunner.query(
      `ALTER TABLE \`procedure_case\` ADD \`movement_count\` int NULL, ADD \`last_movement_hash\` varchar(64) NULL`,
    );
    await queryRunner.query(`ALTER TABLE \`movement\` ADD \`case_seq\` int NULL, ADD \`leaf_index\` int NULL`);
    await rechainPerCase(queryRunner, q);
    await queryRunner.query(
      `ALTER TABLE \`procedure_case\` MODIFY \`movement_count\` int NOT NULL, MODIFY \`last_movement_hash\` varchar(64) NOT NULL`,
    );
    await queryRunner.query(`ALTER TABLE \`movement\` MODIFY \`case_seq\` int NOT NULL`);
    await queryRunner.query(`ALTER TABLE \`movement\` MODIFY \`seq\` int NOT NULL AUTO_INCREMENT`);
    await queryRunner.query(`DROP INDEX \`idx_movement_case\` ON \`movement\``);
    await queryRunner.query(`CREATE UNIQUE INDEX \`uq_movement_leaf\` ON \`movement\` (\`leaf_index\`)`);
    await queryRunner.query(`CREATE UNIQUE INDEX \`uq_movement_case_seq\` ON \`movement\` (\`case_id\`, \`case_seq\`)`);
    await queryRunner.query(`DROP TABLE \`movement_head\``);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await refuseDowngradeWithMovements(queryRunner, q);
    await queryRunner.query(`DROP TABLE \`log_node\``);
    await queryRunner.query(`DROP TABLE \`tree_head\``);
    await queryRunner.query(`DROP TABLE \`log_certificate\``);
    await queryRunner.query(`DROP TABLE \`log_state\``);
    await queryRunner.query(`DROP INDEX \`uq_movement_case_seq\` ON \`movement\``);
    await queryRunner.query(`DROP INDEX \`uq_movement_leaf\` ON \`movement\``);
    await queryRunner.query(`CREATE INDEX \`idx_movement_case\` ON \`movement\` (\`case_id\`)`);
    await queryRunner.query(`ALTER TABLE \`movement\` MODIFY \`seq\` int NOT NULL`);
    await queryRunner.query(`ALTER TABLE \`movement\` DROP COLUMN \`case_seq\`, DROP COLUMN \`leaf_index\``);
    await queryRunner.query(
      `ALTER TABLE \`procedure_case\` DROP COLUMN \`movement_count\`, DROP COLUMN \`last_movement_hash\``,
    );
    await queryRunner.query(
      `CREATE TABLE \`movement_head\` (\`id\` int NOT NULL, \`last_seq\` int NOT NULL, \`last_hash\` varchar(64) NOT NULL, PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `INSERT INTO \`movement_head\` (id, last_seq, last_hash) VALUES (1, 0, '${'0'.repeat(64)}')`,
    );
  }
}
