import { PROCEDURES, type ProcedureDefinition } from '../../machines';
import { CalendarService } from '../../src/engine/calendar.service';
import { EngineService } from '../../src/engine/engine.service';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { IdleCaseExpiry } from '../../src/engine/idle-expiry';
import { addWorker, asWorker } from '../support/pipeline';
import { createTestDb, type TestDb } from '../support/test-db';

const identify = (w: { curp: string; nombre: string }) => ({
  startEvent: { curp: w.curp, found: true, active: true, hasAlternateEmail: true, nombre: w.nombre, cuentaId: null },
});
const MINUTE = 60_000;

/** The catalog with personal-alta's idle expiry replaced (undefined: none declared). */
const withAltaExpiry = (idleExpiryMs: number | undefined): ProcedureDefinition[] =>
  PROCEDURES.map((d) => (d.id === 'personal-alta' ? { ...d, idleExpiryMs } : d));

describe('idle expiry: declared by the procedure catalog (machines/), applied by the engine', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
    await new EngineService(db.dataSource, PROCEDURES, new CalendarService(db.dataSource)).syncCatalog(
      new Date('2026-01-01T00:00:00Z'),
    );
  });
  afterAll(async () => {
    await db?.close();
  });

  /** An engine over `catalog`, its expiry, and a personal-alta case the worker left at the confirmation. */
  async function openCase(catalog: ProcedureDefinition[]) {
    const engine = new EngineService(db.dataSource, catalog, new CalendarService(db.dataSource));
    const w = await addWorker(db.dataSource);
    const c = await engine.start('personal-alta', asWorker(w.curp), {}, identify(w));
    const status = async () =>
      (await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: c.caseId })).status;
    return { expiry: new IdleCaseExpiry(db.dataSource, engine), status };
  }

  it('the self-service procedures, and only they, expire after an hour without the worker', () => {
    const declared = PROCEDURES.filter((d) => d.idleExpiryMs !== undefined).map((d) => [d.id, d.idleExpiryMs]);
    expect(declared).toEqual([
      ['personal-alta', 60 * MINUTE],
      ['personal-restablecer', 60 * MINUTE],
    ]);
  });

  it('follows the declared time', async () => {
    const { expiry, status } = await openCase(withAltaExpiry(10 * MINUTE));
    expect(await expiry.expire(new Date(Date.now() + 5 * MINUTE))).toBe(0);
    expect(await status()).toBe('activo');
    expect(await expiry.expire(new Date(Date.now() + 15 * MINUTE))).toBe(1);
    expect(await status()).toBe('concluido');
  });

  it('leaves a procedure that declares none waiting, however long', async () => {
    const { expiry, status } = await openCase(withAltaExpiry(undefined));
    expect(await expiry.expire(new Date(Date.now() + 48 * 60 * MINUTE))).toBe(0);
    expect(await status()).toBe('activo');
  });
});
