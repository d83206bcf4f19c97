/**
 * The task table has twelve indexes that start with (status, candidate_role). Left to choose, MariaDB's planner spent
 * 2.3 ms optimizing the dashboard's five-role union on a 100,000-case bench base and read one role from the school's
 * index, then sorted. The statements of the dashboard and of the menu's count name the index they are written for
 * (RowSql.forceIndex, MariaDB only); here each plan is read back, on the suite's dialect, and every read of the task
 * table must be through that index (or the primary key, for the rows kept).
 */
import type { DataSource } from 'typeorm';
import { TASK_ROLES } from '../../machines/types';
import type { Actor } from '../../src/auth/actor';
import { RowSql } from '../../src/database/row-sql';
import { DashboardCounts } from '../../src/engine/dashboard-counts';
import { DashboardService } from '../../src/engine/dashboard.service';
import { Task } from '../../src/engine/entities/task.entity';
import { InboxService } from '../../src/engine/inbox.service';
import { buildPipeline } from '../support/pipeline';
import { taskRow } from '../support/task-row';
import { type SentStatement, statementsOf } from '../support/statements';
import { createTestDb, TEST_DIALECT, type TestDb } from '../support/test-db';

jest.setTimeout(60_000);

const NOW = new Date('2026-11-30T18:00:00Z');
const hoursAgo = (h: number): Date => new Date(NOW.getTime() - h * 3_600_000);
const NIVELES = ['PRIMARIA', 'SECUNDARIA', 'PREESCOLAR'];

/** The indexes a statement's plan reads the task table (alias `t`) through; PRIMARY for its primary key. */
async function taskIndexesOf(ds: DataSource, s: SentStatement): Promise<string[]> {
  if (TEST_DIALECT === 'sqlite') {
    const plan = await ds.query<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${s.sql}`, s.params);
    return plan
      .map((p) => p.detail)
      .filter((d) => /^(SCAN|SEARCH) t\b/.test(d))
      .map((d) => {
        const m = /USING (?:COVERING )?INDEX (\S+)/.exec(d);
        if (!m) return /USING PRIMARY KEY/.test(d) ? 'PRIMARY' : `sin índice: ${d}`;
        return m[1].startsWith('sqlite_autoindex_task_') ? 'PRIMARY' : m[1];
      });
  }
  const plan = await ds.query<{ table: string; key: string | null }[]>(`EXPLAIN ${s.sql}`, s.params);
  return plan.filter((p) => p.table === 't').map((p) => p.key ?? 'sin índice');
}

describe('the task table’s indexes, named where MariaDB would weigh them all', () => {
  let db: TestDb;
  let p: ReturnType<typeof buildPipeline>;
  let dashboard: DashboardService;
  let inbox: InboxService;

  beforeAll(async () => {
    db = await createTestDb();
    p = buildPipeline(db);
    dashboard = new DashboardService(db.dataSource, p.engine, new DashboardCounts(db.dataSource));
    inbox = new InboxService(db.dataSource);
    // Open tasks of every role, Nivel, school, responsable, procedure and step, some due, some past their warning and
    // not reminded, some reminded and escalated; and closed ones. Enough rows that every index has something to offer.
    const rows: Task[] = [];
    for (let i = 0; i < 600; i++) {
      const due = 300 - i;
      rows.push(
        taskRow({
          candidateRole: TASK_ROLES[i % TASK_ROLES.length],
          nivelClave: NIVELES[i % NIVELES.length],
          cct: `06DPR${String(i % 40).padStart(4, '0')}A`,
          responsableId: `resp-${i % 7}`,
          assigneeId: i % 4 ? null : `u-${i % 9}`,
          curp: `GOMA8001${String(i).padStart(2, '0').slice(-2)}HCMRRN09`,
          folio: `SSST-2026-${String(i).padStart(6, '0')}`,
          procedureId: ['cuenta-bloquear', 'personal-alta', 'servicio-alta'][i % 3],
          stateId: ['revision', 'turno', 'respuesta'][i % 3],
          status: i % 10 === 9 ? 'cerrada' : 'abierta',
          createdAt: hoursAgo(1000 - i),
          warnAt: hoursAgo(due + 24),
          dueAt: hoursAgo(due),
          remindedAt: i % 2 ? hoursAgo(due + 20) : null,
          escalatedAt: i % 3 ? null : hoursAgo(due - 1),
        }),
      );
    }
    await db.dataSource.getRepository(Task).insert(rows);
    if (TEST_DIALECT === 'sqlite') await db.dataSource.query('ANALYZE');
    else await db.dataSource.query('ANALYZE TABLE task');
  });
  afterAll(async () => {
    await p?.close();
    await db?.close();
  });

  it.each([
    ['every Nivel', null, 'idx_task_role_due'],
    ['one Nivel', 'PRIMARIA', 'idx_task_nivel_due'],
  ])(
    'the dashboard (%s) reads its task lists through the inbox’s and the sweep’s indexes',
    async (_, nivel, inboxIndex) => {
      const seen = await statementsOf(db.dataSource, () =>
        dashboard.data({ desde: '2026-11-01', hasta: '2026-11-30', nivel }, NOW),
      );
      const overdue = seen.filter((s) => s.sql.includes('UNION ALL') && /FROM task t\b/.test(s.sql));
      const unswept = seen.filter((s) => s.sql.includes('reminded_at IS NULL'));
      expect([overdue.length, unswept.length]).toEqual([1, 1]);
      // On a base this small MariaDB picks these indexes by itself; what the hint saves (weighing the twelve, a wrong
      // pick at 100,000 cases) shows only on the bench's base. So the statements must name them.
      if (TEST_DIALECT !== 'sqlite') {
        expect(overdue[0].sql.split(`FORCE INDEX (\`${inboxIndex}\`)`)).toHaveLength(TASK_ROLES.length + 1);
        expect(unswept[0].sql).toContain('FORCE INDEX (`idx_task_warn_pending`)');
        expect(unswept[0].sql).toContain('FORCE INDEX (`idx_task_due_pending`)');
      }
      // One seek per role into the role's (and Nivel's) inbox index, then the 15 kept read by primary key.
      const overdueReads = await taskIndexesOf(db.dataSource, overdue[0]);
      expect(overdueReads.filter((k) => k !== 'PRIMARY')).toEqual(TASK_ROLES.map(() => inboxIndex));
      expect(overdueReads).toContain('PRIMARY');
      // Each half of the not-yet-swept tasks through the sweep's own index.
      expect(new Set(await taskIndexesOf(db.dataSource, unswept[0]))).toEqual(
        new Set(['idx_task_warn_pending', 'idx_task_due_pending']),
      );
    },
  );

  // SQLite is not told (its planner is cheap): for a role without scope it may count from idx_task_role_created,
  // the partial index of open tasks that also starts with status and role.
  it.each<[string, Actor, string]>([
    [
      'subjefatura',
      { id: 'u-1', role: 'subjefatura' },
      TEST_DIALECT === 'sqlite' ? 'idx_task_role_created' : 'idx_task_role_due',
    ],
    ['nivel', { id: 'u-2', role: 'nivel', nivelClave: 'PRIMARIA' }, 'idx_task_nivel_due'],
    ['responsable', { id: 'resp-3', role: 'responsable' }, 'idx_task_resp_due'],
    ['centro_trabajo', { id: 'u-4', role: 'centro_trabajo', cct: '06DPR0003A' }, 'idx_task_cct_due'],
  ])('the menu’s count for %s reads the index of its own inbox', async (_, actor, index) => {
    const seen = await statementsOf(db.dataSource, () => inbox.pendingCount(actor));
    expect(seen).toHaveLength(1);
    expect(await taskIndexesOf(db.dataSource, seen[0])).toEqual([index]);
    expect(await inbox.pendingCount(actor)).toBeGreaterThan(0);
  });

  it('names an index only the entity declares, and only for MariaDB', () => {
    const sql = new RowSql(db.dataSource, Task);
    expect(() => sql.forceIndex('idx_task_no_existe')).toThrow('Task no declara el índice idx_task_no_existe');
    expect(sql.forceIndex('idx_task_role_due')).toBe(
      TEST_DIALECT === 'sqlite' ? '' : ' FORCE INDEX (`idx_task_role_due`)',
    );
  });
});
