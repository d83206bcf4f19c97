/**
 * The dashboard's «most overdue tasks»: the 15 open tasks whose due time passed longest ago, across every role's inbox
 * (and one Nivel's, when filtered). Each role's 15 are read from its index and merged in the statement; only the 15
 * kept are read whole. Tasks are written straight to the table here (the counters are not what is checked).
 */
import { randomUUID } from 'node:crypto';
import { Task } from '../../src/engine/entities/task.entity';
import { DashboardCounts } from '../../src/engine/dashboard-counts';
import { DashboardService } from '../../src/engine/dashboard.service';
import { buildPipeline } from '../support/pipeline';
import { createTestDb, type TestDb } from '../support/test-db';

jest.setTimeout(60_000);

const NOW = new Date('2026-11-30T18:00:00Z');
const hoursAgo = (h: number): Date => new Date(NOW.getTime() - h * 3_600_000);

describe('the dashboard’s most overdue tasks', () => {
  let db: TestDb;
  let p: ReturnType<typeof buildPipeline>;
  let dashboard: DashboardService;
  /** Folio of each task written, by how many hours ago it fell due. */
  const task = (
    folio: string,
    role: string,
    dueHoursAgo: number,
    extra: Partial<Pick<Task, 'status' | 'nivelClave'>> = {},
  ): Task => ({
    id: randomUUID(),
    caseId: randomUUID(),
    procedureId: 'cuenta-bloquear',
    stateId: 'revision',
    title: `Tarea ${folio}`,
    candidateRole: role,
    nivelClave: 'PRIMARIA',
    cct: null,
    curp: null,
    folio,
    assigneeId: null,
    responsableId: null,
    status: 'abierta',
    priority: 2,
    createdAt: hoursAgo(1000),
    warnAt: hoursAgo(dueHoursAgo + 24),
    dueAt: hoursAgo(dueHoursAgo),
    remindedAt: null,
    escalatedAt: null,
    closedAt: null,
    closedBy: null,
    ...extra,
  });

  beforeAll(async () => {
    db = await createTestDb();
    p = buildPipeline(db);
    dashboard = new DashboardService(db.dataSource, p.engine, new DashboardCounts(db.dataSource));
    const rows: Task[] = [];
    // 12 overdue tasks in each of three roles, interleaved by due time: the 15 oldest are spread over all three, so
    // the merge of the roles' lists decides which are kept, not any one role's order.
    const roles = ['subjefatura', 'subdireccion', 'nivel'];
    for (let i = 0; i < 36; i++) rows.push(task(`F-${String(i).padStart(2, '0')}`, roles[i % 3], 500 - i * 10));
    // Older still, but closed, or of another Nivel (shown only unfiltered); and one not due yet.
    rows.push(task('CERRADA', 'subjefatura', 900, { status: 'cerrada' }));
    rows.push(task('SECUNDARIA', 'nivel', 800, { nivelClave: 'SECUNDARIA' }));
    rows.push(task('AUN-NO', 'subjefatura', -5));
    await db.dataSource.getRepository(Task).insert(rows);
  });
  afterAll(async () => {
    await p?.close();
    await db?.close();
  });

  it('keeps the 15 overdue longest of every role, oldest first, and only one Nivel’s when filtered', async () => {
    const all = await dashboard.data({ desde: '2026-11-01', hasta: '2026-11-30', nivel: null }, NOW);
    const expected = Array.from({ length: 14 }, (_, i) => `F-${String(i).padStart(2, '0')}`);
    expect(all.vencidas.map((v) => v.folio)).toEqual(['SECUNDARIA', ...expected]);
    expect(all.vencidas[1]).toMatchObject({
      folio: 'F-00',
      rol: 'subjefatura',
      titulo: 'Tarea F-00',
      vence: hoursAgo(500),
    });
    const primaria = await dashboard.data({ desde: '2026-11-01', hasta: '2026-11-30', nivel: 'PRIMARIA' }, NOW);
    expect(primaria.vencidas.map((v) => v.folio)).toEqual([...expected, 'F-14']);
  });
});
