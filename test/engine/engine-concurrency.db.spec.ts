import { PROCEDURES } from '../../machines';
import type { Actor } from '../../src/auth/actor';
import { verifyMovementLog } from '../../src/engine/audit';
import { CalendarService } from '../../src/engine/calendar.service';
import { EngineService } from '../../src/engine/engine.service';
import { Task } from '../../src/engine/entities/task.entity';
import { createTestDb, type TestDb } from '../support/test-db';

const OFICIALIA: Actor = { id: 'u-oficialia', role: 'subdireccion' };

/**
 * Without the global lock of the old movement chain, transitions of different cases run at once for real: nothing they
 * write may lock a range another case's transition writes into (on MariaDB a range lock there ends in a deadlock).
 */
describe('the engine with many cases moving at once', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => db?.close());

  it('opens and moves 40 oficio cases at the same time: no deadlock, every task and chain in place', async () => {
    const engine = new EngineService(db.dataSource, PROCEDURES, new CalendarService(db.dataSource));
    await engine.syncCatalog(new Date('2026-01-01T00:00:00Z'));
    const open = (n: number) =>
      engine.start(
        'cuenta-bloquear',
        OFICIALIA,
        { oficio: { folio: `DEP/${n}/2026`, fecha: '2026-11-25', asunto: 'Bloqueo de una cuenta' } },
        { folio: `MCI-2026-${String(n).padStart(6, '0')}` },
      );
    for (let round = 0; round < 3; round++) {
      const started = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => open(round * 100 + i)));
      const failed = started.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(failed.map((f) => String(f.reason))).toEqual([]);
      const ids = started.map((r) => (r as PromiseFulfilledResult<{ caseId: string }>).value.caseId);
      const moved = await Promise.allSettled(ids.map((id) => engine.send(id, { type: 'RECIBIR_OFICIO' }, OFICIALIA)));
      expect(moved.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([]);
    }
    const openTasks = await db.dataSource.getRepository(Task).countBy({ status: 'abierta' });
    expect(openTasks).toBe(120);
    expect((await verifyMovementLog(db.dataSource, { trusted: [] })).problems).toEqual([]);
  });
});
