/**
 * `npm run reconcile` with RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS (issue 14): the command boots the application's
 * providers to open the 5.5 case as the page would, and says how many the policy accepted. The CLI reconciles at its
 * own time, so the finding is raised 31 days before it; an invalid value stops it with the Spanish message.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { ConciliacionHallazgo } from '../../src/catalog/entities/conciliacion.entity';
import { reconcileCatalog } from '../../src/catalog/reconciliation';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { testClockEnv } from '../support/clock-env';
import { workerAccount, workerInBaja } from '../support/reconciliation-fixtures';
import { createTestDb, type TestDb } from '../support/test-db';

// A CLI compiles its TypeScript as it starts, and this one boots the application's providers.
jest.setTimeout(600_000);

const ROOT = resolve(__dirname, '../..');
const CURP = 'CAHL900031HCMSRR05';

describe('npm run reconcile with the automatic blocking policy', () => {
  let db: TestDb;

  const reconcile = (dias: string): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((done) => {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        ...testClockEnv(),
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATA_DIR: db.dataDir,
        ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
        RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS: dias,
      };
      execFile(
        process.execPath,
        ['-r', './scripts/register.js', 'src/cli/reconcile.ts'],
        { cwd: ROOT, env, timeout: 300_000 },
        (err, stdout, stderr) =>
          done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    db = await createTestDb();
    const ds = db.dataSource;
    await workerInBaja(ds, CURP);
    await workerAccount(ds, { localPart: 'baja31', tipo: 'personal', curp: CURP });
    await reconcileCatalog(ds, { origen: 'manual', now: new Date(Date.now() - 31 * 86_400_000) });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('refuses an invalid number of days with the Spanish message, accepting nothing', async () => {
    const run = await reconcile('treinta');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS debe ser un número entero entre 1 y 3650 (recibido: "treinta")',
    );
    expect(
      (await db.dataSource.getRepository(ConciliacionHallazgo).findOneByOrFail({ direccion: 'baja31@colima.gob.mx' }))
        .estado,
    ).toBe('pendiente');
  });

  it('accepts the 31-day baja by the policy and opens its 5.5 case', async () => {
    const run = await reconcile('30');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Aceptados por la política de bloqueo automático (30 días de baja): 1');
    const h = await db.dataSource
      .getRepository(ConciliacionHallazgo)
      .findOneByOrFail({ direccion: 'baja31@colima.gob.mx' });
    expect([h.estado, h.decididoPor]).toEqual(['aceptado', 'política de bloqueo automático (30 días de baja)']);
    expect(await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: h.caseId! })).toMatchObject({
      procedureId: 'cuenta-bloquear',
      startedBy: 'política de bloqueo automático',
    });
  });
});
