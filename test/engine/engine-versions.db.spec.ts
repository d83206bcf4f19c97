import { CalendarService } from '../../src/engine/calendar.service';
import { type Actor, SYSTEM_ACTOR } from '../../src/auth/actor';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Task } from '../../src/engine/entities/task.entity';
import { EngineService } from '../../src/engine/engine.service';
import { createTestDb, type TestDb } from '../support/test-db';
import { testProcedure } from '../support/test-machine';

const sub: Actor = { id: 'u-sub', role: 'subdireccion' };
const sj: Actor = { id: 'u-sj', role: 'subjefatura' };
const CURP = 'GOMC850315MCMRRR09';

describe('procedure versions side by side', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => db?.close());

  it('keeps open cases on version 1, starts new ones on version 2, completes both, and migrates where mapped', async () => {
    const v1only = new EngineService(db.dataSource, [testProcedure(1)], new CalendarService(db.dataSource));
    await v1only.syncCatalog(new Date('2026-01-01T00:00:00Z'));
    const old = await v1only.start('prueba', sub, {});
    await v1only.send(old.caseId, { type: 'TURNAR' }, sub);
    const toMigrate = await v1only.start('prueba', sub, {});
    await v1only.send(toMigrate.caseId, { type: 'TURNAR' }, sub);

    // Deploy version 2 while those cases are open.
    const both = new EngineService(
      db.dataSource,
      [testProcedure(1), testProcedure(2)],
      new CalendarService(db.dataSource),
    );
    await both.syncCatalog(new Date('2026-06-01T00:00:00Z'));
    const fresh = await both.start('prueba', sub, {}, { now: new Date('2026-06-02T00:00:00Z') });
    expect(
      (await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: fresh.caseId })).procedureVersion,
    ).toBe(2);
    expect((await both.send(fresh.caseId, { type: 'TURNAR' }, sub)).state).toBe('revision');

    // The version-1 case goes on with its own machine.
    expect((await both.send(old.caseId, { type: 'CREAR', curp: CURP }, sj)).state).toBe('provisionando');
    expect((await both.send(old.caseId, { type: 'PROVISION_OK', cuentaId: 'c-v1' }, SYSTEM_ACTOR)).outcome).toBe(
      'creada',
    );

    // Migration maps enSubjefatura → revision, moves the open task, and the case completes on version 2.
    const res = await both.migrateOpenCases('prueba', 1, { id: 'admin', role: 'administrador' });
    expect(res).toEqual({ target: 2, migrated: [toMigrate.caseId], unmapped: [] });
    const row = await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: toMigrate.caseId });
    expect(row).toMatchObject({ procedureVersion: 2, state: 'revision' });
    const open = await db.dataSource.getRepository(Task).findBy({ caseId: toMigrate.caseId, status: 'abierta' });
    expect(open.map((t) => t.stateId)).toEqual(['prueba.revision']);
    await both.send(toMigrate.caseId, { type: 'CREAR', curp: CURP }, sj);
    expect((await both.send(toMigrate.caseId, { type: 'PROVISION_OK', cuentaId: 'c-v2' }, SYSTEM_ACTOR)).outcome).toBe(
      'creada',
    );
  });

  it('lists the cases whose state the new version cannot map, and leaves them as they were', async () => {
    const v1only = new EngineService(db.dataSource, [testProcedure(1)], new CalendarService(db.dataSource));
    const c = await v1only.start('prueba', sub, {}, { now: new Date('2026-01-02T00:00:00Z') });
    await v1only.send(c.caseId, { type: 'TURNAR' }, sub);
    const v2NoMap = { ...testProcedure(2), migrateFrom: { version: 1, stateMap: {} } };
    const engine = new EngineService(db.dataSource, [testProcedure(1), v2NoMap], new CalendarService(db.dataSource));
    const res = await engine.migrateOpenCases('prueba', 1, { id: 'admin', role: 'administrador' });
    expect(res.unmapped).toEqual([{ caseId: c.caseId, state: 'enSubjefatura' }]);
    expect(await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: c.caseId })).toMatchObject({
      procedureVersion: 1,
      state: 'enSubjefatura',
    });
  });
});
