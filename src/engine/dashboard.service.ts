import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { DataSource } from 'typeorm';
import { type StepMeta, TASK_ROLES } from '../../machines/types';
import { statePath, statesOf } from '../../machines/guide';
import { ALL_NIVELES, type CountRow, DashboardCounts } from './dashboard-counts';
import { RowSql } from '../database/row-sql';

export { businessDaysBetween } from './business-calendar';
import { EngineService } from './engine.service';
import { ProcedureCase } from './entities/case.entity';
import { Task } from './entities/task.entity';
import type { EngineProcedure } from './procedure-registry';

const UNSWEPT = ['id', 'candidateRole', 'warnAt', 'dueAt', 'remindedAt', 'escalatedAt'] as const;
type UnsweptTask = Pick<Task, (typeof UNSWEPT)[number]>;
const OVERDUE = ['id', 'caseId', 'folio', 'title', 'candidateRole', 'nivelClave', 'dueAt'] as const;
const INCIDENT = ['id', 'folio', 'procedureId', 'incidentMessage', 'updatedAt'] as const;

/** What the dashboard is asked for: a period of local dates (both included) and, optionally, one Nivel. */
export interface DashboardFilter {
  desde: string;
  hasta: string;
  nivel: string | null;
}

export interface OpenStepRow {
  procedimiento: string;
  titulo: string;
  estado: string;
  paso: string;
  enCurso: number;
  incidentes: number;
}

export interface NivelRow {
  nivel: string | null;
  recibidos: number;
  abiertos: number;
  concluidos: number;
}

export interface ResolutionRow {
  procedimiento: string;
  titulo: string;
  casos: number;
  /** Business days, from the day it was received to the day it concluded. */
  mediana: number;
  p90: number;
  /** The procedure's service level: the sum of its steps' plazos, in business days. */
  nivelServicio: number;
  /** Share (0–100) of the cases concluded within the service level. */
  enPlazo: number;
}

export interface TaskLoadRow {
  rol: string;
  abiertas: number;
  vencidas: number;
  faltaPoco: number;
}

export interface OverdueTask {
  caseId: string;
  folio: string | null;
  titulo: string;
  rol: string;
  nivel: string | null;
  vence: Date;
}

export interface IncidentRow {
  caseId: string;
  folio: string | null;
  titulo: string;
  mensaje: string | null;
  desde: Date;
}

export interface DashboardData {
  filtro: DashboardFilter;
  generado: Date;
  abiertos: OpenStepRow[];
  niveles: NivelRow[];
  resolucion: ResolutionRow[];
  tareas: TaskLoadRow[];
  vencidas: OverdueTask[];
  incidentes: IncidentRow[];
  totalIncidentes: number;
}

/**
 * The median (mean of the two middle values when even) and the 90th percentile (nearest rank) of the values a histogram
 * (value → how many times) holds.
 */
export function histogramMedianAndP90(hist: ReadonlyMap<number, number>): { mediana: number; p90: number } {
  const bins = [...hist.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = bins.reduce((t, [, n]) => t + n, 0);
  if (!total) return { mediana: 0, p90: 0 };
  /** The value at 1-based rank r. */
  const at = (r: number): number => {
    let seen = 0;
    for (const [v, n] of bins) if ((seen += n) >= r) return v;
    return bins[bins.length - 1][0];
  };
  const mid = Math.floor(total / 2);
  const mediana = total % 2 ? at(mid + 1) : (at(mid) + at(mid + 1)) / 2;
  return { mediana, p90: at(Math.ceil(0.9 * total)) };
}

/** A machine's states, and each by its dotted path: walked once per machine (a page labels every row). */
const statesOfMachine = new WeakMap<AnyStateMachine, { all: AnyStateNode[]; byPath: Map<string, AnyStateNode> }>();

function machineStates(machine: AnyStateMachine): { all: AnyStateNode[]; byPath: Map<string, AnyStateNode> } {
  let known = statesOfMachine.get(machine);
  if (!known) {
    const all = statesOf(machine);
    known = { all, byPath: new Map(all.map((n) => [statePath(n), n])) };
    statesOfMachine.set(machine, known);
  }
  return known;
}

/**
 * The numbers of the dashboard (/tablero). Every count reads the case and task tables through an index (the
 * DashboardIndexes migration for cases, the inbox's for open tasks); the movement table is never read.
 */
@Injectable()
export class DashboardService {
  private taskSql?: RowSql<Task>;
  private caseSql?: RowSql<ProcedureCase>;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly engine: EngineService,
    private readonly counts: DashboardCounts,
  ) {}

  /**
   * Four statements whatever the size, run at once: every counter (one statement), the tasks the reminder sweep has
   * not marked yet, the latest incidents and the most overdue tasks.
   */
  async data(filtro: DashboardFilter, now = new Date()): Promise<DashboardData> {
    const f = filtro;
    const nivelOnly = f.nivel ? { nivel: f.nivel } : {};
    const period = { desde: f.desde, hasta: f.hasta };
    const [[caso, recibido, resuelto, tarea], unswept, incidentes, vencidas] = await Promise.all([
      this.counts.readAll([
        { kind: 'caso', by: ['a', 'b', 'c'], where: nivelOnly },
        { kind: 'recibido', by: ['nivel', 'c'], where: { ...period, ...(f.nivel ? nivelOnly : { eachNivel: true }) } },
        { kind: 'resuelto', by: ['a', 'c'], where: { ...period, nivel: f.nivel ?? ALL_NIVELES } },
        { kind: 'tarea', by: ['a', 'b'], where: nivelOnly },
      ]),
      this.unswept(f, now),
      this.incidents(f),
      this.overdue(f, now),
    ]);
    const abiertos = this.openByStep(caso);
    const niveles = this.byNivel(recibido);
    const resolucion = this.resolution(resuelto);
    const tareas = this.taskLoad(tarea, unswept, now);
    return {
      filtro,
      generado: now,
      abiertos,
      niveles,
      resolucion,
      tareas,
      vencidas,
      incidentes,
      totalIncidentes: abiertos.reduce((n, r) => n + r.incidentes, 0),
    };
  }

  private latest(procedureId: string): EngineProcedure | undefined {
    return this.engine.registry.versions(procedureId).at(-1);
  }

  private title(procedureId: string): string {
    return this.latest(procedureId)?.title ?? procedureId;
  }

  /** "Crear la cuenta del centro de trabajo" for a state path: its task's title, else its first guide step. */
  stepLabel(procedureId: string, state: string): string {
    const def = this.latest(procedureId);
    if (!def) return state;
    return state
      .split(',')
      .map((path) => {
        const node = machineStates(def.machine).byPath.get(path);
        const meta = node?.meta as StepMeta | undefined;
        return meta?.task?.title ?? meta?.pasos[0]?.actividad ?? path;
      })
      .join(' / ');
  }

  /** The sum of the plazos (slaDays) of the procedure's steps that wait for a person, incidents aside, in business days. */
  serviceLevel(procedureId: string): number {
    const def = this.latest(procedureId);
    if (!def) return 0;
    return machineStates(def.machine).all.reduce((n, s) => {
      const meta = s.meta as StepMeta | undefined;
      // An incident is not part of the way a request should go.
      return n + (meta?.incident ? 0 : (meta?.task?.slaDays ?? 0));
    }, 0);
  }

  private openByStep(rows: readonly CountRow[]): OpenStepRow[] {
    const out = new Map<string, OpenStepRow>();
    for (const r of rows) {
      const key = `${r.a}|${r.b}`;
      const row = out.get(key) ?? {
        procedimiento: r.a,
        titulo: this.title(r.a),
        estado: r.b,
        paso: this.stepLabel(r.a, r.b),
        enCurso: 0,
        incidentes: 0,
      };
      if (r.c === 'incidente') row.incidentes += r.n;
      else row.enCurso += r.n;
      out.set(key, row);
    }
    return [...out.values()].sort(
      (a, b) => a.titulo.localeCompare(b.titulo, 'es') || b.enCurso + b.incidentes - (a.enCurso + a.incidentes),
    );
  }

  private byNivel(rows: readonly CountRow[]): NivelRow[] {
    const out = new Map<string, NivelRow>();
    for (const r of rows) {
      const row = out.get(r.nivel) ?? { nivel: r.nivel || null, recibidos: 0, abiertos: 0, concluidos: 0 };
      row.recibidos += r.n;
      if (r.c === 'concluido') row.concluidos += r.n;
      else row.abiertos += r.n;
      out.set(r.nivel, row);
    }
    return [...out.values()].sort((a, b) => (a.nivel ?? '~').localeCompare(b.nivel ?? '~', 'es'));
  }

  private resolution(rows: readonly CountRow[]): ResolutionRow[] {
    // Business days taken → how many cases, by procedure.
    const byProc = new Map<string, Map<number, number>>();
    for (const r of rows) {
      const hist = byProc.get(r.a) ?? new Map<number, number>();
      hist.set(Number(r.c), (hist.get(Number(r.c)) ?? 0) + r.n);
      byProc.set(r.a, hist);
    }
    return [...byProc.entries()]
      .map(([procedimiento, hist]) => {
        const nivelServicio = this.serviceLevel(procedimiento);
        let casos = 0;
        let inTime = 0;
        for (const [days, n] of hist) {
          casos += n;
          if (days <= nivelServicio) inTime += n;
        }
        return {
          procedimiento,
          titulo: this.title(procedimiento),
          casos,
          ...histogramMedianAndP90(hist),
          nivelServicio,
          enPlazo: Math.round((100 * inTime) / casos),
        };
      })
      .filter((r) => r.casos > 0)
      .sort((a, b) => a.titulo.localeCompare(b.titulo, 'es'));
  }

  /**
   * Open tasks per role, overdue and "falta poco": the counters say each task's reminder state as of the sweep's last
   * pass (TaskReminderSweep sets a marker when warn_at and due_at pass); the tasks whose time came since and that the
   * sweep has not marked yet (a minute's worth, read through the sweep's own indexes) are moved to the state the
   * clock says.
   */
  private taskLoad(counted: readonly CountRow[], unswept: readonly UnsweptTask[], now: Date): TaskLoadRow[] {
    const load = new Map<string, TaskLoadRow>();
    const of = (rol: string): TaskLoadRow => {
      const r = load.get(rol) ?? { rol, abiertas: 0, vencidas: 0, faltaPoco: 0 };
      load.set(rol, r);
      return r;
    };
    const add = (r: TaskLoadRow, phase: string, n: number): void => {
      if (phase === 'vencida') r.vencidas += n;
      else if (phase === 'falta_poco') r.faltaPoco += n;
    };
    for (const c of counted) {
      of(c.a).abiertas += c.n;
      add(of(c.a), c.b, c.n);
    }
    for (const t of unswept) {
      const marked = t.escalatedAt ? 'vencida' : t.remindedAt ? 'falta_poco' : 'a_tiempo';
      const actual = t.dueAt < now ? 'vencida' : t.warnAt <= now ? 'falta_poco' : 'a_tiempo';
      if (marked === actual) continue;
      add(of(t.candidateRole), marked, -1);
      add(of(t.candidateRole), actual, 1);
    }
    return [...load.values()]
      .filter((r) => r.abiertas > 0)
      .sort((a, b) => b.vencidas - a.vencidas || a.rol.localeCompare(b.rol));
  }

  /**
   * Open tasks whose warn or due time has passed and that the reminder sweep has not marked yet: one statement, each
   * half through the sweep's own index (named for MariaDB, whose planner otherwise weighs the task table's twelve).
   */
  private async unswept(f: DashboardFilter, now: Date): Promise<UnsweptTask[]> {
    const sql = (this.taskSql ??= new RowSql(this.ds, Task));
    const at = sql.value('dueAt', now);
    const nivel = f.nivel ? ' AND t.nivel_clave = ?' : '';
    const half = (index: string, marker: string, time: string, op: string): string =>
      `SELECT ${sql.selectList(UNSWEPT, 't')} FROM task t${sql.forceIndex(index)} WHERE t.status = 'abierta' ` +
      `AND t.${marker} IS NULL AND t.${time} ${op} ?${nivel}`;
    const params = (): unknown[] => (f.nivel ? [at, f.nivel] : [at]);
    const raw = await this.ds.query<Record<string, unknown>[]>(
      `${half('idx_task_warn_pending', 'reminded_at', 'warn_at', '<=')} UNION ` +
        half('idx_task_due_pending', 'escalated_at', 'due_at', '<'),
      [...params(), ...params()],
    );
    return raw.map((r) => sql.fromRow(r, UNSWEPT));
  }

  /**
   * The 15 tasks overdue the longest: the 15 of each role that has tasks, each read in the inbox's order from the
   * inbox's index of the role (and Nivel), in one statement, merged. Every role, not only those the counters say have
   * open tasks: a role without any costs one index probe, and the statement runs alongside the others instead of after
   * the counters (one round trip less per view). The roles' keys are read from their index alone (it holds due_at,
   * priority and id) and merged there; only the 15 kept are read from the table, not 15 per role, and sorted again
   * there (the join does not keep the merge's order). MariaDB is told that index (RowSql.forceIndex): left to choose
   * among the twelve that start with status and role, it spent 2.3 ms optimizing this statement and read the school's
   * index, then sorted, for centro_trabajo (100,000-case bench base: 2.9 ms a statement, 0.5 with the hint).
   */
  private async overdue(f: DashboardFilter, now: Date): Promise<OverdueTask[]> {
    const sql = (this.taskSql ??= new RowSql(this.ds, Task));
    const nivel = f.nivel ? ' AND t.nivel_clave = ?' : '';
    const index = sql.forceIndex(f.nivel ? 'idx_task_nivel_due' : 'idx_task_role_due');
    const perRole = TASK_ROLES.map(
      (_, i) =>
        `SELECT * FROM (SELECT t.id, t.due_at FROM task t${index} WHERE t.status = 'abierta' ` +
        `AND t.candidate_role = ?${nivel} AND t.due_at < ? ORDER BY t.due_at, t.priority, t.id LIMIT 15) r${i}`,
    );
    const params = TASK_ROLES.flatMap((rol) => [rol, ...(f.nivel ? [f.nivel] : []), sql.value('dueAt', now)]);
    const rows = (
      await this.ds.query<Record<string, unknown>[]>(
        `SELECT ${sql.selectList(OVERDUE, 't')} FROM (${perRole.join(' UNION ALL ')} ORDER BY due_at, id LIMIT 15) k ` +
          'JOIN task t ON t.id = k.id ORDER BY t.due_at, t.id',
        params,
      )
    ).map((r) => sql.fromRow(r, OVERDUE));
    return rows.map((t) => ({
      caseId: t.caseId,
      folio: t.folio,
      titulo: t.title,
      rol: t.candidateRole,
      nivel: t.nivelClave,
      vence: t.dueAt,
    }));
  }

  /** The 20 latest incidents; the total is the open-case counters'. */
  private async incidents(f: DashboardFilter): Promise<IncidentRow[]> {
    const sql = (this.caseSql ??= new RowSql(this.ds, ProcedureCase));
    // Both descending: the order of idx_case_status_updated read backwards (a mixed order sorted every incident: 0.6 s
    // at 12,000 incidents).
    // Only the columns shown: a case row carries its snapshot (kilobytes of JSON each).
    const rows = await sql.select(
      `SELECT ${sql.selectList(INCIDENT, 'c')} FROM procedure_case c WHERE c.status = 'incidente'` +
        (f.nivel ? ' AND c.nivel_clave = ?' : '') +
        ' ORDER BY c.updated_at DESC, c.id DESC LIMIT 20',
      f.nivel ? [f.nivel] : [],
      INCIDENT,
    );
    return rows.map((c) => ({
      caseId: c.id,
      folio: c.folio,
      titulo: this.title(c.procedureId),
      mensaje: c.incidentMessage,
      desde: c.updatedAt,
    }));
  }
}
