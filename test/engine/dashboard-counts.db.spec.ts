/**
 * The dashboard's counters (src/engine/dashboard-counts.ts) at the moments test/engine/engine-paths.db.spec.ts does not
 * reach: the reminder sweep moving a task from «a tiempo» to «falta poco» to «vencida», the dashboard counting a task
 * whose time came before the sweep marked it, and the fold running while transitions append changes (on MariaDB, on
 * separate connections). Every test ends with the counters equal to those built from the rows.
 */
import { TaskReminderSweep } from '../../src/engine/effects/task-reminder-sweep';
import { Task } from '../../src/engine/entities/task.entity';
import { DashboardCounts } from '../../src/engine/dashboard-counts';
import { DashboardService, type TaskLoadRow } from '../../src/engine/dashboard.service';
import { buildPipeline } from '../support/pipeline';
import { counters, rebuiltCounters } from '../support/dashboard-counters';
import { createTestDb, type TestDb } from '../support/test-db';

const sub = { id: 'u-sub', role: 'subdireccion' as const };
const PERIOD = { desde: '2026-11-01', hasta: '2026-11-30', nivel: null };

describe('dashboard counters', () => {
  let db: TestDb;
  let p: ReturnType<typeof buildPipeline>;
  let sweep: TaskReminderSweep;
  let counts: DashboardCounts;
  let dashboard: DashboardService;
  beforeAll(async () => {
    db = await createTestDb();
    p = buildPipeline(db);
    sweep = new TaskReminderSweep(db.dataSource);
    counts = new DashboardCounts(db.dataSource);
    dashboard = new DashboardService(db.dataSource, p.engine, counts);
    await p.engine.syncCatalog(new Date('2026-01-01T00:00:00Z'));
  });
  afterAll(async () => {
    await p?.close();
    await db?.close();
  });
  afterEach(async () => {
    const live = await counters(db.dataSource);
    expect(await rebuiltCounters(db.dataSource, db.dialect)).toEqual(live);
  });

  /** Received and turned by the Subdirección: its two tasks close, the Subjefatura's opens. */
  const toSubjefatura = async (caseId: string, now: Date): Promise<void> => {
    await p.engine.send(caseId, { type: 'RECIBIR_OFICIO' }, sub, { now });
    await p.engine.send(caseId, { type: 'TURNAR' }, sub, { now });
  };

  const load = async (now: Date): Promise<TaskLoadRow | undefined> =>
    (await dashboard.data(PERIOD, now)).tareas.find((t) => t.rol === 'subdireccion');

  it('counts a task as «falta poco» and overdue when its time comes, before and after the sweep marks it', async () => {
    const start = new Date('2026-11-23T16:00:00Z'); // Monday
    const c = await p.engine.start(
      'cuenta-bloquear',
      sub,
      { oficio: { folio: 'DRH/45/2026', asunto: 'Bloqueo' } },
      { now: start },
    );
    const task = await db.dataSource.getRepository(Task).findOneByOrFail({ caseId: c.caseId, status: 'abierta' });
    expect(await load(start)).toEqual({ rol: 'subdireccion', abiertas: 1, vencidas: 0, faltaPoco: 0 });
    const counter = async () => Object.entries(await counters(db.dataSource)).filter(([k]) => k.startsWith('tarea|'));

    const warn = new Date(task.warnAt.getTime() + 60_000);
    // Not swept yet: the counter still says «a tiempo», the dashboard says what the clock says.
    expect(await counter()).toEqual([['tarea|||subdireccion|a_tiempo|', 1]]);
    expect(await load(warn)).toEqual({ rol: 'subdireccion', abiertas: 1, vencidas: 0, faltaPoco: 1 });
    expect(await sweep.sweep(warn)).toBe(1);
    expect(await counter()).toEqual([['tarea|||subdireccion|falta_poco|', 1]]);
    expect(await load(warn)).toEqual({ rol: 'subdireccion', abiertas: 1, vencidas: 0, faltaPoco: 1 });

    const late = new Date(task.dueAt.getTime() + 60_000);
    expect(await load(late)).toEqual({ rol: 'subdireccion', abiertas: 1, vencidas: 1, faltaPoco: 0 });
    expect((await dashboard.data(PERIOD, late)).vencidas.map((v) => v.caseId)).toEqual([c.caseId]);
    expect(await sweep.sweep(late)).toBe(1);
    expect(await counter()).toEqual([['tarea|||subdireccion|vencida|', 1]]);
    expect(await load(late)).toEqual({ rol: 'subdireccion', abiertas: 1, vencidas: 1, faltaPoco: 0 });

    // Received and turned: the overdue task closes and leaves the counters; the Subjefatura's is «a tiempo».
    await toSubjefatura(c.caseId, late);
    expect(await load(late)).toBeUndefined();
    expect(await counter()).toEqual([['tarea|||subjefatura|a_tiempo|', 1]]);
    expect((await dashboard.data(PERIOD, late)).abiertos).toEqual([
      expect.objectContaining({ procedimiento: 'cuenta-bloquear', enCurso: 1, incidentes: 0 }),
    ]);
    expect((await dashboard.data(PERIOD, late)).niveles).toEqual([
      { nivel: null, recibidos: 1, abiertos: 1, concluidos: 0 },
    ]);
  });

  it('loses no change and counts none twice when the fold runs while transitions commit', async () => {
    const start = new Date('2026-11-24T16:00:00Z');
    const cases = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        p.engine.start(
          'cuenta-bloquear',
          sub,
          { oficio: { folio: `DRH/${200 + i}/2026`, asunto: 'Bloqueo' } },
          { now: start },
        ),
      ),
    );
    let folding = true;
    let folds = 0;
    const folder = (async () => {
      while (folding) {
        await counts.fold();
        folds++;
      }
    })();
    await Promise.all(cases.map((c) => toSubjefatura(c.caseId, start)));
    folding = false;
    await folder;
    expect(folds).toBeGreaterThan(0);
    const tasks = Object.entries(await counters(db.dataSource)).filter(([k]) => k.startsWith('tarea|'));
    // The 30 turned, and the one of the test before.
    expect(tasks).toEqual([['tarea|||subjefatura|a_tiempo|', 31]]);
    await counts.fold();
    expect(await db.dataSource.query('SELECT id FROM dashboard_delta')).toEqual([]);
  }, 60_000);
});
