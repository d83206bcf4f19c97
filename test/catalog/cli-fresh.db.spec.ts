/**
 * A newcomer's first commands on an empty database (issue 12 §1): `import`, `audit:verify` and `seed:demo` migrate it
 * as `npm start` does instead of refusing it, and the seed ends with a readable block: where to go, the staff users
 * and a few CURP + CURT pairs of workers that really are in the catalog, to try self-service with.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { Trabajador } from '../../src/catalog/entities/trabajador.entity';
import { dataSourceOptions } from '../../src/entities';
import { generateCurp } from '../../src/validation/curp-generate';
import { TEST_DIALECT, TEST_MYSQL_URL } from '../support/test-db';

jest.setTimeout(180_000);

const ROOT = resolve(__dirname, '../..');

describe('CLIs on a database nobody has migrated yet', () => {
  let work: string;
  const databases: string[] = [];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'mci-fresh-'));
  });
  afterAll(async () => {
    if (databases.length) {
      const admin = new DataSource({ type: 'mysql', url: TEST_MYSQL_URL });
      await admin.initialize();
      for (const db of databases) await admin.query(`DROP DATABASE IF EXISTS \`${db}\``);
      await admin.destroy();
    }
    rmSync(work, { recursive: true, force: true });
  });

  /** A brand-new DATA_DIR (SQLite) or a database name that does not exist yet (MariaDB). */
  const fresh = (name: string): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATA_DIR: join(work, name),
    };
    delete env.DATABASE_URL;
    if (TEST_DIALECT === 'mysql') {
      const db = `mci_t_fresh_${name}_${process.pid}`;
      databases.push(db);
      env.DATABASE_URL = `${TEST_MYSQL_URL}/${db}`;
    }
    return env;
  };
  const cli = (env: NodeJS.ProcessEnv, script: string, args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        ['-r', './scripts/register.js', script, ...args],
        { cwd: ROOT, env, timeout: 120_000 },
        (err, stdout, stderr) =>
          done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
      );
    });
  const open = async (env: NodeJS.ProcessEnv): Promise<DataSource> => {
    const ds = new DataSource(dataSourceOptions({ dataDir: env.DATA_DIR!, databaseUrl: env.DATABASE_URL }));
    await ds.initialize();
    return ds;
  };

  it('import migrates the database and loads the file', async () => {
    const env = fresh('import');
    const curp = generateCurp({
      primerApellido: 'Peña',
      segundoApellido: 'Ibáñez',
      nombre: 'Begoña',
      fechaNacimiento: { year: 1983, month: 3, day: 9 },
      sexo: 'M',
      estado: 'CM',
    });
    const file = join(work, 'trabajadores.csv');
    writeFileSync(
      file,
      `curp,curt,nombre,primer_apellido,segundo_apellido,correo_alterno,cct,nivel,estatus\n${curp},ABCD123456,Begoña,Peña,Ibáñez,begona@example.test,,,activo\n`,
    );
    const run = await cli(env, 'src/cli/import.ts', ['trabajadores', file, '--parcial']);
    expect([run.code, run.stderr]).toEqual([0, expect.stringContaining('Migraciones aplicadas')]);
    const ds = await open(env);
    try {
      expect(await ds.getRepository(Trabajador).countBy({ curp })).toBe(1);
    } finally {
      await ds.destroy();
    }
  });

  it('audit:verify migrates the database and verifies its empty log', async () => {
    const run = await cli(fresh('audit'), 'src/cli/audit-verify.ts', []);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Bitácora íntegra: 0 movimientos verificados');
  });

  it('seed:demo ends with where to go, the staff users and CURP + CURT pairs that are in the catalog', async () => {
    const env = fresh('seed');
    const run = await cli(env, 'src/cli/seed-demo.ts', ['--seed', '7', '--centros', '10', '--trabajadores', '80']);
    expect(run.code).toBe(0);
    const tail = run.stdout.slice(run.stdout.indexOf('Listo.'));
    expect(tail).toMatch(/^Listo\. Con la aplicación en marcha \(npm start\), abra http:\/\/localhost:\d+\/$/m);
    expect(tail).toContain('/personal/entrar');
    expect(tail).toMatch(/^ {2}nivel\.primaria +\S{4}-\S{4}-\S{4}-\S{4} /m);
    const pairs = [...tail.matchAll(/^ {2}CURP ([A-Z0-9]{18}) {2}CURT (\S+) {2}(.+)$/gm)];
    expect(pairs).toHaveLength(4);
    expect(pairs[3][3]).toContain('sin correo alterno');
    const ds = await open(env);
    try {
      for (const [, curp, curt] of pairs) {
        const w = await ds.getRepository(Trabajador).findOneByOrFail({ curp });
        expect([w.curt, w.activo]).toEqual([curt, true]);
      }
    } finally {
      await ds.destroy();
    }
  });
});
