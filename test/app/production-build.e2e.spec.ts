import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/entities';
import { startWeb, type WebProcess } from '../oficios/web-process';
import { cleanUp } from '../support/cleanup';
import { createStaff, login, STAFF_PASSWORD } from '../support/staff';
import { TEST_MYSQL_URL } from '../support/test-db';

/**
 * The production build (`npm run build`, then `npm run start:prod` / the Docker image) runs what the tests run from
 * the sources: tsc's output differs from the TypeScript the tests load (module interop, __dirname one folder deeper).
 * Built into a folder of its own, started on an empty MariaDB database: it migrates, answers, renders pages and
 * letters, and applies the password policy. Each of these failed once from dist/ only.
 */

const ROOT = join(__dirname, '..', '..');

const run = (args: string[], env: Record<string, string> = {}, timeout = 240_000): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, timeout },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`${args.join(' ')}: ${err.message}\n${stdout}${stderr}`))
          : resolve(`${stdout}${stderr}`),
    );
  });

describe('the production build (tsc output) on MariaDB', () => {
  // A folder under the product's own (tmp/ is ignored by git): the build finds templates/ and public/ from there.
  const out = join(ROOT, 'tmp', `dist-${randomBytes(4).toString('hex')}`);
  const database = `mci_t_build_${randomBytes(4).toString('hex')}`;
  const databaseUrl = `${TEST_MYSQL_URL.replace(/^mysql:/, 'mariadb:')}/${database}`;
  let dataDir: string | undefined;
  let web: WebProcess | undefined;
  let ds: DataSource | undefined;

  beforeAll(async () => {
    await run([require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out]);
    const admin = await createConnection(TEST_MYSQL_URL);
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.end();
    dataDir = mkdtempSync(join(tmpdir(), 'mci-build-'));
    web = await startWeb({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir }, 180_000, {
      entry: [join(out, 'src', 'main.js')],
    });
    ds = new DataSource(dataSourceOptions({ databaseUrl, dataDir }));
    await ds.initialize();
  }, 480_000);

  afterAll(async () => {
    await cleanUp([
      ['web', () => web?.kill()],
      ['base', () => ds?.destroy()],
      [
        'mariadb',
        async () => {
          const admin = await createConnection(TEST_MYSQL_URL);
          await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
          await admin.end();
        },
      ],
      ['build', () => rmSync(out, { recursive: true, force: true })],
      ['datos', () => dataDir && rmSync(dataDir, { recursive: true, force: true })],
    ]);
  }, 60_000);

  it('migrates the empty database and reports ready', async () => {
    await request(web!.url).get('/health').expect(200);
    const [row] = await ds!.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM migrations');
    expect(Number(row.n)).toBe(ds!.migrations.length);
  });

  it('serves the pages with their templates and static files', async () => {
    const page = await request(web!.url).get('/personal/entrar').expect(200);
    expect(page.text).toContain('<form');
    const css = /href="(\/personal\/recursos\/[^"]+\.css)"/.exec(page.text)?.[1];
    expect(css).toBeDefined();
    await request(web!.url).get(css!).expect(200);
  });

  it('refuses a common password (the blocklist is found)', async () => {
    await createStaff(ds!, 'construida', 'subjefatura');
    const token = await login(web!.url, 'construida');
    const res = await request(web!.url)
      .post('/api/auth/contrasena')
      .set('Authorization', `Bearer ${token}`)
      .send({ actual: STAFF_PASSWORD, nueva: 'password1234' })
      .expect(400);
    expect(JSON.stringify(res.body)).toMatch(/común|comun/i);
  });

  it('renders the letters from the templates folder', async () => {
    const previewDir = mkdtempSync(join(tmpdir(), 'mci-build-cartas-'));
    try {
      await run([join(out, 'src', 'cli', 'letters-preview.js')], { DATA_DIR: previewDir, NODE_ENV: 'test' });
      const pdfs = readdirSync(join(previewDir, 'preview')).filter((f) => f.endsWith('.pdf'));
      expect(pdfs.length).toBeGreaterThanOrEqual(8);
    } finally {
      rmSync(previewDir, { recursive: true, force: true });
    }
  }, 120_000);
});
