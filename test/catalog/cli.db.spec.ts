import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as argon2 from 'argon2';
import iconv from 'iconv-lite';
import { DataSource } from 'typeorm';
import { StaffUser } from '../../src/auth/staff-user.entity';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { Trabajador } from '../../src/catalog/entities/trabajador.entity';
import { generateCurp } from '../../src/validation/curp-generate';
import { dataSourceOptions } from '../../src/entities';
import { createTestDb, TEST_DIALECT, type TestDb } from '../support/test-db';

const ROOT = resolve(__dirname, '../..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The CLIs as an operator runs them (`npm run import -- ...` is this same command), against the suite's database:
 * on SQLite the default file under DATA_DIR, on MariaDB the suite's own database through DATABASE_URL.
 */
// Several CLI starts per test, each up to the execFile bound below on a loaded machine.
jest.setTimeout(900_000);

describe('catalog CLIs', () => {
  let db: TestDb | undefined;
  let ds: DataSource;
  let env: NodeJS.ProcessEnv;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'mci-cli-'));
    const base: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' };
    delete base.DATABASE_URL;
    if (TEST_DIALECT === 'sqlite') {
      const dataDir = join(work, 'data');
      ds = new DataSource(dataSourceOptions({ dataDir }));
      await ds.initialize();
      await ds.runMigrations({ transaction: 'each' });
      env = { ...base, DATA_DIR: dataDir };
    } else {
      db = await createTestDb();
      ds = db.dataSource;
      env = { ...base, DATA_DIR: db.dataDir, DATABASE_URL: db.databaseUrl };
    }
  });
  afterAll(async () => {
    if (db) await db.close();
    else if (ds?.isInitialized) await ds.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  const cli = (script: string, args: string[]): Promise<Run> =>
    new Promise((done) => {
      execFile(
        process.execPath,
        ['-r', './scripts/register.js', script, ...args],
        // A CLI compiles its TypeScript as it starts: a minute of CPU time is seconds, but on a shared 2-core machine
        // with a load of 20 one start took over a minute of wall time (CI, 2026-12-05).
        { cwd: ROOT, env, timeout: 300_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
          done({ code, stdout, stderr });
        },
      );
    });

  const file = (name: string, content: Buffer): string => {
    const path = join(work, name);
    writeFileSync(path, content);
    return path;
  };

  const curp = (ap1: string, ap2: string, nombre: string, year: number) =>
    generateCurp({
      primerApellido: ap1,
      segundoApellido: ap2,
      nombre,
      fechaNacimiento: { year, month: 3, day: 9 },
      sexo: 'M',
      estado: 'CM',
    });
  const A = curp('Peña', 'Ibáñez', 'Begoña', 1983);
  const B = curp('Núñez', 'Cañedo', 'Inés', 1990);
  const B_TYPO = B.slice(0, 17) + String((Number(B[17]) + 1) % 10);

  it('imports a Windows-1252 file, lists rejected rows and prints the summary', async () => {
    const path = file(
      'trabajadores.csv',
      iconv.encode(
        [
          'CURP;CURT;Nombre;Primer apellido;Segundo apellido;Estatus',
          `${A};K1;Begoña;Peña;Ibáñez;ACTIVO`,
          `${B_TYPO};K2;Inés;Núñez;Cañedo;ACTIVO`,
          `${B};K2;Inés;Núñez;Cañedo;ACTIVO`,
        ].join('\r\n'),
        'win1252',
      ),
    );
    const r = await cli('src/cli/import.ts', ['trabajadores', path]);
    expect(r.stderr).toBe(''); // not a terminal: no progress bar
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`línea 3 \\(${B_TYPO}\\): .*dígito verificador`));
    expect(r.stdout).toMatch(/Windows-1252, separador «;»/);
    expect(r.stdout).toMatch(/Insertados: +2\n/);
    expect(r.stdout).toMatch(/Rechazados: +1\n/);
    expect(r.stdout).toMatch(/registros\/s/);
    expect(await ds.getRepository(Trabajador).findOneByOrFail({ curp: A })).toMatchObject({
      nombre: 'Begoña',
      primerApellido: 'Peña',
      segundoApellido: 'Ibáñez',
    });

    // --parcial with only one of them deactivates nobody; without it, the other one would go inactive: 1 of 2 active
    // workers is more than 10 %, so it asks for --confirmar first and changes nothing.
    const one = file('uno.csv', Buffer.from(`curp,curt,nombre,primer_apellido\n${A},K1,Begoña,Peña\n`));
    const partial = await cli('src/cli/import.ts', ['trabajadores', one, '--parcial']);
    expect(partial.stdout).toMatch(/Desactivados: +0\n/);
    const unconfirmed = await cli('src/cli/import.ts', ['trabajadores', one]);
    expect(unconfirmed).toMatchObject({ code: 1, stdout: '' });
    expect(unconfirmed.stderr).toMatch(
      /No se importó nada: La importación completa dejaría inactivos 1 de 2 trabajadores activos \(50 %\)/,
    );
    expect(unconfirmed.stderr).toMatch(/npm run import -- trabajadores ARCHIVO\.csv --confirmar/);
    expect((await ds.getRepository(Trabajador).findOneByOrFail({ curp: B })).activo).toBe(true);
    const full = await cli('src/cli/import.ts', ['trabajadores', one, '--confirmar']);
    expect(full.code).toBe(0);
    expect(full.stdout).toMatch(/Desactivados: +1\n/);
    // The reconciliation that follows a full import (no accounts here: nothing to find).
    expect(full.stdout).toMatch(/Conciliación: +0 hallazgos nuevos, 0 cerrados, 0 vigentes/);
    expect((await ds.getRepository(Trabajador).findOneByOrFail({ curp: B })).activo).toBe(false);
    // On demand; an unknown option is refused with the usage.
    const reconcile = await cli('src/cli/reconcile.ts', []);
    expect(reconcile.code).toBe(0);
    expect(reconcile.stdout).toMatch(/Conciliación con los catálogos\n +Hallazgos nuevos: +0\n/);
    const wrong = await cli('src/cli/reconcile.ts', ['--todo']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/Opción no reconocida: --todo[\s\S]*Uso: npm run reconcile/);
  });

  it('fails with a Spanish message and exit code 1, loading nothing', async () => {
    const before = await ds.getRepository(Trabajador).count();
    const missing = await cli('src/cli/import.ts', ['trabajadores', join(work, 'no-existe.csv')]);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/No se encontró el archivo «.*no-existe\.csv»/);

    const kind = await cli('src/cli/import.ts', ['escuelas', join(work, 'no-existe.csv')]);
    expect(kind.code).toBe(1);
    expect(kind.stderr).toMatch(/No se reconoce el tipo de catálogo «escuelas»; use trabajadores o centros/);

    const noHeader = await cli('src/cli/import.ts', [
      'trabajadores',
      file('malo.csv', Buffer.from(`curp,nombre\n${A},Begoña\n`)),
    ]);
    expect(noHeader.code).toBe(1);
    expect(noHeader.stderr).toMatch(/No se importó nada: .*faltan las columnas «curt», «primer_apellido»/);

    // A workers file given as centros (cct, nombre and nivel are in both headers) is recognized and refused.
    const workersFile = file(
      'capital-humano.csv',
      Buffer.from(`curp,curt,nombre,primer_apellido,cct,nivel\n${A},K1,Begoña,Peña,06DPR0001Z,Primaria\n`),
    );
    const wrongKind = await cli('src/cli/import.ts', ['centros', workersFile]);
    expect(wrongKind).toMatchObject({ code: 1, stdout: '' });
    expect(wrongKind.stderr).toMatch(
      /No se importó nada: El archivo parece de trabajadores .*«curp», «curt», «primer_apellido».*npm run import -- trabajadores ARCHIVO\.csv/,
    );
    expect(await ds.getRepository(CentroTrabajo).count()).toBe(0);

    const usage = await cli('src/cli/import.ts', []);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(
      /Uso: npm run import -- <trabajadores\|centros> ARCHIVO\.csv \[--parcial \| --confirmar\]/,
    );
    expect(await ds.getRepository(Trabajador).count()).toBe(before);
  });

  it('seed:demo prints each first-login password once, and they verify', async () => {
    const first = await cli('src/cli/seed-demo.ts', ['--seed', '11', '--centros', '12', '--trabajadores', '60']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Centros de trabajo: 12 nuevos/);
    const creds = [
      ...first.stdout.matchAll(/^ {2}(\S+) +([A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}) /gm),
    ].map((m) => [m[1], m[2]]);
    expect(creds.map(([u]) => u).sort()).toEqual([
      'administrador',
      'nivel.media_superior',
      'nivel.preescolar',
      'nivel.primaria',
      'nivel.secundaria',
      'nivel.superior',
      'responsable',
      'subdireccion',
      'subjefatura',
    ]);
    const [usuario, password] = creds[0];
    const user = await ds.getRepository(StaffUser).findOneByOrFail({ usuario });
    expect(await argon2.verify(user.passwordHash, password)).toBe(true);

    const second = await cli('src/cli/seed-demo.ts', ['--seed', '11', '--centros', '12', '--trabajadores', '60']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/Trabajadores: 0 nuevos, 0 actualizados, 60 ya estaban/);
    expect(second.stdout).not.toMatch(/[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}/);
    expect(second.stdout).toMatch(/su contraseña no cambia/);
  });
});
