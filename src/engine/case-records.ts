import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AnyMachineSnapshot } from 'xstate';
import { DataSource, type EntityManager, In } from 'typeorm';
import { RowSql } from '../database/row-sql';
import { EngineService } from './engine.service';
import type { CaseStatus, ProcedureCase } from './entities/case.entity';
import { ProcedureCase as CaseEntity } from './entities/case.entity';
import { Movement } from './entities/movement.entity';
import { Task } from './entities/task.entity';

/** A case as other modules read it: its columns and its machine context, parsed here (the engine owns the snapshot). */
export type CaseRecord = Omit<ProcedureCase, 'snapshot'> & { context: Record<string, unknown> };

/** A movement of a case as other modules read it. */
export interface MovementRecord {
  eventType: string;
  actorId: string;
  at: Date;
  data: Record<string, unknown>;
}

export type { CaseStatus };

/** Where a case stands for a register: its status and the open tasks (who holds them, until when). */
export interface CaseSummary {
  id: string;
  status: CaseStatus;
  state: string;
  outcome: string | null;
  tasks: Array<Pick<Task, 'title' | 'candidateRole' | 'nivelClave' | 'assigneeId' | 'dueAt'>>;
}

const CASE_SUMMARY = ['id', 'status', 'state', 'outcome'] as const;
const TASK_SUMMARY = ['id', 'caseId', 'title', 'candidateRole', 'nivelClave', 'assigneeId', 'dueAt'] as const;
const ACT = ['caseId', 'eventType', 'actorId', 'at'] as const;

/** A movement of one of several cases (who acted, when): the acknowledgements and forwards of a register page. */
export interface CaseAct {
  caseId: string;
  eventType: string;
  actorId: string;
  at: Date;
}

const OPEN: CaseStatus[] = ['activo', 'incidente'];

function record(row: ProcedureCase): CaseRecord {
  const { snapshot, ...columns } = row;
  const parsed = JSON.parse(snapshot) as { context?: Record<string, unknown> };
  return { ...columns, context: parsed.context ?? {} };
}

/**
 * The engine's read side for the other modules: cases, their movements and tasks are the engine's tables, and this is
 * how the rest of the product reads them (writes go through EngineService). Every method takes the caller's
 * EntityManager when it reads inside the caller's transaction.
 */
@Injectable()
export class CaseRecords {
  private sql?: { cases: RowSql<CaseEntity>; tasks: RowSql<Task>; moves: RowSql<Movement> };

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly engine: EngineService,
  ) {}

  private rowSql(): { cases: RowSql<CaseEntity>; tasks: RowSql<Task>; moves: RowSql<Movement> } {
    return (this.sql ??= {
      cases: new RowSql(this.ds, CaseEntity),
      tasks: new RowSql(this.ds, Task),
      moves: new RowSql(this.ds, Movement),
    });
  }

  /** A case with its restored snapshot and the events it accepts now, for a module that explains what comes next. */
  async inspect(id: string): Promise<{
    record: CaseRecord;
    snap: AnyMachineSnapshot;
    available: ReturnType<EngineService['availableEvents']>;
  } | null> {
    const row = await this.ds.getRepository(CaseEntity).findOne({ where: { id } });
    if (!row) return null;
    const snap = this.engine.load(this.engine.registry.get(row.procedureId, row.procedureVersion), row);
    return { record: record(row), snap, available: this.engine.availableEvents(snap, row) };
  }

  /** The acts of a step (a task's state id) as they apply to this case, without loading its snapshot. */
  async stepEvents(id: string, stateId: string): Promise<ReturnType<EngineService['stepEvents']>> {
    const row = await this.ds.getRepository(CaseEntity).findOne({
      select: { id: true, procedureId: true, nivelClave: true, responsableId: true, cct: true, curp: true },
      where: { id },
    });
    return row ? this.engine.stepEvents(row.procedureId, stateId, row) : [];
  }

  async find(id: string, em: EntityManager = this.ds.manager): Promise<CaseRecord | null> {
    const row = await em.findOne(CaseEntity, { where: { id } });
    return row ? record(row) : null;
  }

  /** Status and state only, without reading the snapshot (for the self-service polls). */
  async status(
    id: string,
    em: EntityManager = this.ds.manager,
  ): Promise<Pick<ProcedureCase, 'id' | 'status' | 'state'> | null> {
    return em.findOne(CaseEntity, { select: { id: true, status: true, state: true }, where: { id } });
  }

  /** The open (active or in incident) case of a procedure for a school, if any. */
  async openForCct(procedureId: string, cct: string, em: EntityManager = this.ds.manager): Promise<string | null> {
    const row = await em.findOne(CaseEntity, { select: { id: true }, where: { procedureId, cct, status: In(OPEN) } });
    return row?.id ?? null;
  }

  /** The open (active or in incident) case of one of these procedures about an account (its `cuentaId`), if any. */
  async openForAccount(
    procedureIds: readonly string[],
    cuentaId: string,
    em: EntityManager = this.ds.manager,
  ): Promise<string | null> {
    const row = await em.findOne(CaseEntity, {
      select: { id: true },
      where: { procedureId: In([...procedureIds]), cuentaId, status: In(OPEN) },
    });
    return row?.id ?? null;
  }

  /** The cases of a procedure for a school, newest first. */
  async ofCct(procedureId: string, cct: string, limit: number): Promise<CaseRecord[]> {
    const rows = await this.ds
      .getRepository(CaseEntity)
      .find({ where: { procedureId, cct }, order: { createdAt: 'DESC', id: 'DESC' }, take: limit });
    return rows.map(record);
  }

  /** The cases about an account (its `cuentaId`) and these other cases (its history names them), newest first. */
  async ofAccount(cuentaId: string, alsoIds: readonly string[], limit: number): Promise<CaseRecord[]> {
    const rows = await this.ds.getRepository(CaseEntity).find({
      where: [{ cuentaId }, ...(alsoIds.length ? [{ id: In([...alsoIds]) }] : [])],
      order: { createdAt: 'DESC' },
      take: limit,
    });
    return rows.map(record);
  }

  /** The active cases of a procedure waiting in a state (optionally, for one account): id, version and account. */
  async waitingIn(
    procedureId: string,
    state: string,
    where: { cuentaId?: string } = {},
  ): Promise<Array<Pick<ProcedureCase, 'id' | 'version' | 'cuentaId'>>> {
    return this.ds.getRepository(CaseEntity).find({
      select: { id: true, version: true, cuentaId: true },
      where: { procedureId, status: 'activo', state, ...(where.cuentaId ? { cuentaId: where.cuentaId } : {}) },
    });
  }

  /** The last movement of a type on a case, if any. */
  async lastMovement(caseId: string, eventType: string): Promise<MovementRecord | null> {
    const m = await this.ds.getRepository(Movement).findOne({ where: { caseId, eventType }, order: { seq: 'DESC' } });
    return m
      ? {
          eventType: m.eventType,
          actorId: m.actorId,
          at: new Date(m.at),
          data: JSON.parse(m.data) as Record<string, unknown>,
        }
      : null;
  }

  async hasMovement(caseId: string, eventType: string): Promise<boolean> {
    return this.ds.getRepository(Movement).exists({ where: { caseId, eventType } });
  }

  /**
   * The SELECT of the ids of the cases that ended with `outcome`, for a caller's `IN (…)`: the database joins it to the
   * caller's rows, never a list of ids carried through the process. Its one parameter is named `endedOutcome`.
   */
  endedWithQuery(outcome: string): { sql: string; params: Record<string, unknown> } {
    const qb = this.ds
      .getRepository(CaseEntity)
      .createQueryBuilder('ended')
      .select('ended.id')
      .where("ended.status = 'concluido' AND ended.outcome = :endedOutcome", { endedOutcome: outcome });
    return { sql: qb.getQuery(), params: qb.getParameters() };
  }

  /** Whether any of these cases has a movement of a type (500 ids a statement). */
  async hasAnyMovement(caseIds: readonly string[], eventType: string): Promise<boolean> {
    for (let i = 0; i < caseIds.length; i += 500)
      if (await this.ds.getRepository(Movement).exists({ where: { caseId: In(caseIds.slice(i, i + 500)), eventType } }))
        return true;
    return false;
  }

  /** Status and open tasks of the given cases (by primary key and idx_task_case), for a register page. */
  async summaries(caseIds: readonly string[]): Promise<Map<string, CaseSummary>> {
    const out = new Map<string, CaseSummary>();
    if (caseIds.length === 0) return out;
    // The cases and their open tasks are read at once: one round trip, not two. Hand-written statements, made once
    // (RowSql): a page's reads are a few index lookups each, and the query builder's rebuilding of each cost more.
    const sql = this.rowSql();
    const marks = caseIds.map(() => '?').join(', ');
    const [rows, tasks] = await Promise.all([
      sql.cases.find(this.ds.manager, {}, { select: CASE_SUMMARY, in: { column: 'id', values: caseIds } }),
      // The index named on MariaDB: thirteen indexes of the task table apply to status = 'abierta', and weighing them
      // cost 0.2 ms of this statement's 0.5 (a register page of 25 cases, 100,000-case bench base).
      sql.tasks.select(
        `SELECT ${sql.tasks.selectList(TASK_SUMMARY, 't')} FROM task t${sql.tasks.forceIndex('idx_task_case')} ` +
          `WHERE t.case_id IN (${marks}) AND t.status = 'abierta' ORDER BY t.due_at`,
        caseIds,
        TASK_SUMMARY,
      ),
    ]);
    for (const r of rows) out.set(r.id, { id: r.id, status: r.status, state: r.state, outcome: r.outcome, tasks: [] });
    for (const t of tasks) out.get(t.caseId)?.tasks.push(t);
    return out;
  }

  /** The movements of some types on the given cases (by uq_movement_case_seq), oldest first. */
  async actsOf(caseIds: readonly string[], eventTypes: readonly string[]): Promise<CaseAct[]> {
    if (caseIds.length === 0 || eventTypes.length === 0) return [];
    const { moves } = this.rowSql();
    const rows = await moves.select(
      `SELECT ${moves.selectList(ACT, 'm')} FROM movement m WHERE m.case_id IN (${caseIds.map(() => '?').join(', ')}) ` +
        `AND m.event_type IN (${eventTypes.map(() => '?').join(', ')}) ORDER BY m.seq`,
      [...caseIds, ...eventTypes],
      ACT,
    );
    return rows.map((m) => ({ caseId: m.caseId, eventType: m.eventType, actorId: m.actorId, at: new Date(m.at) }));
  }

  /** The due date of the first task a case opened in a state (the answer time promised to whoever asked). */
  async firstTaskDue(caseId: string, stateId: string): Promise<Date | null> {
    const task = await this.ds
      .getRepository(Task)
      .findOne({ where: { caseId, stateId }, order: { createdAt: 'ASC', dueAt: 'ASC' } });
    return task?.dueAt ?? null;
  }
}
