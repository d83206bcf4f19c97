import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The inbox's filter indexes other than the role's (idx_task_role_due stays whole: it serves «cerrada» listings). */
const FILTER_INDEXES: [string, string][] = [
  ['idx_task_nivel_due', 'nivel_clave'],
  ['idx_task_resp_due', 'responsable_id'],
  ['idx_task_cct_due', 'cct'],
  ['idx_task_proc_due', 'procedure_id'],
  ['idx_task_step_due', 'state_id'],
  ['idx_task_folio_due', 'folio'],
  ['idx_task_curp_due', 'curp'],
  ['idx_task_assignee_due', 'assignee_id'],
];

/**
 * idx_task_case becomes (case_id, status): the engine reads a case's open tasks (`case_id = ? AND status = ?`) on every
 * transition, and with the partial indexes below SQLite's planner, when it has no statistics yet (a new database),
 * took one of them for `status = ?` and read every open task instead of the case's own (measured: 3× slower per event).
 * Two equalities on one index leave it no doubt. Same change on MySQL/MariaDB.
 */
async function caseStatusIndex(queryRunner: QueryRunner, columns: string[]): Promise<void> {
  await queryRunner.query(`DROP INDEX "idx_task_case"`);
  await queryRunner.query(`CREATE INDEX "idx_task_case" ON "task" (${columns.map((c) => `"${c}"`).join(', ')})`);
}

/**
 * Then, SQLite only (MySQL/MariaDB have no partial indexes; their schema does not change): the inbox's filter indexes hold
 * open tasks only (`WHERE status = 'abierta'`). Every transition closes a task and opens another; with whole indexes the
 * closed one moved to a new place in each of the nine (a delete and an insert), and the table's indexes grew with
 * history nobody filters. Now a closed task only leaves them: the task writes of an event go from ~29 index entries to
 * ~21, and SQLite's commit writes fewer pages (bench, `npm run bench -- --solo motor`). The columns are the same as on
 * MySQL, so both dialects keep the same index names and columns. SQLite's planner matches the inbox's `status = ?`
 * with its bound value against the index's WHERE.
 */
export class OpenTaskIndexesSqlite1796364277211 implements MigrationInterface {
  name = 'OpenTaskIndexesSqlite1796364277211';

  async up(queryRunner: QueryRunner): Promise<void> {
    await caseStatusIndex(queryRunner, ['case_id', 'status']);
    for (const [name, column] of FILTER_INDEXES) {
      await queryRunner.query(`DROP INDEX "${name}"`);
      await queryRunner.query(
        `CREATE INDEX "${name}" ON "task" ("status", "candidate_role", "${column}", "due_at", "priority", "id") WHERE status = 'abierta'`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await caseStatusIndex(queryRunner, ['case_id']);
    for (const [name, column] of FILTER_INDEXES) {
      await queryRunner.query(`DROP INDEX "${name}"`);
      await queryRunner.query(
        `CREATE INDEX "${name}" ON "task" ("status", "candidate_role", "${column}", "due_at", "priority", "id")`,
      );
    }
  }
}
