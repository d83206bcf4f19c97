import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AnyStateNode } from 'xstate';
import { DataSource, IsNull, LessThan, LessThanOrEqual, type SelectQueryBuilder } from 'typeorm';
import type { StepMeta } from '../../machines/types';
import { ALL_NIVELES, DashboardCounts } from './dashboard-counts';

export { businessDaysBetween } from './business-calendar';
import { EngineService } from './engine.service';
import { ProcedureCase } from './entities/case.entity';
import { Task } from './entities/task.entity';
import type { EngineProcedure } from './procedure-registry';

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

function nodesOf(node: AnyStateNode): AnyStateNode[] {
  return Object.values(node.states).flatMap((c) => [c, ...nodesOf(c)]);
}

/**
 * The numbers of the dashboard (/tablero). Every count reads the case and task tables through an index (the
 * DashboardIndexes migration for cases, the inbox's for open tasks); the movement table is never read.
 */
@Injectable()
export class DashboardService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly engine: EngineService,
    private readonly counts: DashboardCounts,
  ) {}

  async data(filtro: DashboardFilter, now = new Date()): Promise<DashboardData> {
    const [abiertos, niveles, resolucion, tareas] = await Promise.all([
      this.openByStep(filtro),
      this.byNivel(filtro),
      this.resolution(filtro),
      this.taskLoad(filtro, now),
    ]);
    const [vencidas, incidentes] = await Promise.all([
      this.overdue(
        filtro,
        now,
        tareas.map((t) => t.rol),
      ),
      this.incidents(filtro),
    ]);
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

  private cases(alias = 'c'): SelectQueryBuilder<ProcedureCase> {
    return this.ds.getRepository(ProcedureCase).createQueryBuilder(alias);
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
        const node = nodesOf(def.machine.root).find((n) => n.path.join('.') === path);
        const meta = node?.meta as StepMeta | undefined;
        return meta?.task?.title ?? meta?.pasos[0]?.actividad ?? path;
      })
      .join(' / ');
  }

  /** The sum of the plazos (slaDays) of the procedure's steps that wait for a person, incidents aside, in business days. */
  serviceLevel(procedureId: string): number {
    const def = this.latest(procedureId);
    if (!def) return 0;
    return nodesOf(def.machine.root).reduce((n, s) => {
      const meta = s.meta as StepMeta | undefined;
      // An incident is not part of the way a request should go.
      return n + (meta?.incident ? 0 : (meta?.task?.slaDays ?? 0));
    }, 0);
  }

  private async openByStep(f: DashboardFilter): Promise<OpenStepRow[]> {
    const rows = await this.counts.read('caso', ['a', 'b', 'c'], f.nivel ? { nivel: f.nivel } : {});
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

  private async byNivel(f: DashboardFilter): Promise<NivelRow[]> {
    const rows = await this.counts.read(
      'recibido',
      ['nivel', 'c'],
      f.nivel ? { ...f, nivel: f.nivel } : { ...f, nivel: undefined, eachNivel: true },
    );
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

  private async resolution(f: DashboardFilter): Promise<ResolutionRow[]> {
    // Business days taken → how many cases, by procedure.
    const byProc = new Map<string, Map<number, number>>();
    for (const r of await this.counts.read('resuelto', ['a', 'c'], { ...f, nivel: f.nivel ?? ALL_NIVELES })) {
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
  private async taskLoad(f: DashboardFilter, now: Date): Promise<TaskLoadRow[]> {
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
    for (const c of await this.counts.read('tarea', ['a', 'b'], f.nivel ? { nivel: f.nivel } : {})) {
      of(c.a).abiertas += c.n;
      add(of(c.a), c.b, c.n);
    }
    for (const t of await this.unswept(f, now)) {
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

  /** Open tasks whose warn or due time has passed and that the reminder sweep has not marked yet. */
  private async unswept(
    f: DashboardFilter,
    now: Date,
  ): Promise<Pick<Task, 'id' | 'candidateRole' | 'warnAt' | 'dueAt' | 'remindedAt' | 'escalatedAt'>[]> {
    const repo = this.ds.getRepository(Task);
    const select = { id: true, candidateRole: true, warnAt: true, dueAt: true, remindedAt: true, escalatedAt: true };
    const nivel = f.nivel ? { nivelClave: f.nivel } : {};
    const [warned, due] = await Promise.all([
      repo.find({ select, where: { status: 'abierta', remindedAt: IsNull(), warnAt: LessThanOrEqual(now), ...nivel } }),
      repo.find({ select, where: { status: 'abierta', escalatedAt: IsNull(), dueAt: LessThan(now), ...nivel } }),
    ]);
    return [...new Map([...warned, ...due].map((t) => [t.id, t])).values()];
  }

  /**
   * The 15 tasks overdue the longest: the 15 of each role with open tasks, each read in the inbox's order from the
   * inbox's index of the role (and Nivel), merged.
   */
  private async overdue(f: DashboardFilter, now: Date, roles: readonly string[]): Promise<OverdueTask[]> {
    const repo = this.ds.getRepository(Task);
    const nivel = f.nivel ? { nivelClave: f.nivel } : {};
    const perRole = await Promise.all(
      roles.map((candidateRole) =>
        repo.find({
          where: { status: 'abierta', candidateRole, dueAt: LessThan(now), ...nivel },
          order: { dueAt: 'ASC', priority: 'ASC', id: 'ASC' },
          take: 15,
        }),
      ),
    );
    return perRole
      .flat()
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id.localeCompare(b.id))
      .slice(0, 15)
      .map((t) => ({
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
    const q = this.cases().where("c.status = 'incidente'");
    if (f.nivel) q.andWhere('c.nivelClave = :nivel', { nivel: f.nivel });
    const rows = await q.orderBy('c.updatedAt', 'DESC').addOrderBy('c.id', 'ASC').take(20).getMany();
    return rows.map((c) => ({
      caseId: c.id,
      folio: c.folio,
      titulo: this.title(c.procedureId),
      mensaje: c.incidentMessage,
      desde: c.updatedAt,
    }));
  }
}
