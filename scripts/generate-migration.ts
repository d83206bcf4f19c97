/**
 * Writes one migration per dialect from the difference between the entities and the schema the existing
 * migrations build: `node -r ./scripts/register.js scripts/generate-migration.ts Name`.
 * Needs the MariaDB server of the tests (TEST_MYSQL_URL, default mysql://root@127.0.0.1:3306).
 */
import 'reflect-metadata';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/entities';
import { type Dialect } from '../src/database/data-source-options';

async function generate(dialect: Dialect, name: string, stamp: number): Promise<void> {
  let ds: DataSource;
  let dropDb: (() => Promise<void>) | undefined;
  if (dialect === 'sqlite') {
    ds = new DataSource(dataSourceOptions({ dataDir: mkdtempSync(join(tmpdir(), 'mci-gen-')) }));
  } else {
    const server = (process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/^mysql:/, 'mariadb:');
    const db = `mci_gen_${process.pid}`;
    const admin = new DataSource({ type: 'mysql', url: server.replace(/^mariadb:/, 'mysql:') });
    await admin.initialize();
    await admin.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    dropDb = async () => {
      await admin.query(`DROP DATABASE \`${db}\``);
      await admin.destroy();
    };
    ds = new DataSource(dataSourceOptions({ databaseUrl: `${server}/${db}`, dataDir: tmpdir() }));
  }
  await ds.initialize();
  await ds.runMigrations();
  const sql = await ds.driver.createSchemaBuilder().log();
  await ds.destroy();
  await dropDb?.();
  if (sql.upQueries.length === 0) {
    console.log(`${dialect}: nothing to generate`);
    return;
  }
  const q = (s: string): string => '`' + s.replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
  const cls = `${name}${dialect === 'sqlite' ? 'Sqlite' : 'Mysql'}${stamp}`;
  const body = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${cls} implements MigrationInterface {
  name = '${cls}';

  async up(queryRunner: QueryRunner): Promise<void> {
${sql.upQueries.map((x) => `    await queryRunner.query(${q(x.query)});`).join('\n')}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${sql.downQueries
  .reverse()
  .map((x) => `    await queryRunner.query(${q(x.query)});`)
  .join('\n')}
  }
}
`;
  const file = join(__dirname, '..', 'src', 'database', 'migrations', dialect, `${stamp}-${name}.ts`);
  writeFileSync(file, body);
  console.log(`${dialect}: wrote ${file} (${sql.upQueries.length} statements); add ${cls} to migrations/index.ts`);
}

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) throw new Error('usage: generate-migration.ts PascalCaseName');
  const stamp = Date.now();
  await generate('sqlite', name, stamp);
  await generate('mysql', name, stamp);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
