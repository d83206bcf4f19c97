import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { DirectorioLocal } from '../../src/provisioning/providers/local/directorio-local.entity';
import { LocalDirectoryProvider } from '../../src/provisioning/providers/local/local-directory.provider';
import { createTestApp, type TestApp } from '../support/test-app';
import { eightProcedures, inProcessPeriodicWork, type ProcedureHarness } from './eight-procedures';
import { settle } from '../support/app-flows';

/**
 * Done-when of issue 4 on the embedded default: the in-process queue, the `local` directory and the .eml outbox, on
 * SQLite and again with TEST_DB=mariadb. The relay never fires by itself here: the Servicio acts when a step settles
 * the queue, so every assertion sees a finished effect.
 */
describe('the eight procedures end to end over HTTP on the embedded default (local directory, .eml outbox)', () => {
  let t: TestApp | undefined;
  let harness: ProcedureHarness;

  beforeAll(async () => {
    const piiKey = 'clave-de-prueba-pii-e2e-8';
    t = await createTestApp({
      RELAY_INTERVAL_MS: '60000',
      PUBLIC_BASE_URL: 'https://correo.example.test',
      PII_API_KEY: piiKey,
    });
    const app = t.app;
    const ds = t.db.dataSource;
    const local = new LocalDirectoryProvider(ds);
    harness = {
      server: app,
      ds,
      dataDir: t.db.dataDir,
      piiKey,
      served: async (caseId, estado) => {
        await settle(app);
        const c = await ds.getRepository(ProcedureCase).findOneByOrFail({ id: caseId });
        if (c.state !== estado)
          throw new Error(
            `se esperaba «${estado}» y el trámite está en «${c.state}» (${c.status}: ${c.incidentMessage ?? ''})`,
          );
      },
      signIn: async (address, password) => {
        const r = await local.verifyPassword(address, password);
        if (r === 'must_change') throw new Error(`${address}: la contraseña pide cambio al entrar, y nadie lo pidió`);
        return r;
      },
      directory: async (address) => {
        const row = await ds.getRepository(DirectorioLocal).findOneBy({ address });
        return row && { holderCurp: row.holderCurp, holderCct: row.holderCct, suspended: row.suspended };
      },
      ...inProcessPeriodicWork(app),
    };
  });
  afterAll(async () => t?.close());

  eightProcedures(() => harness);
});
