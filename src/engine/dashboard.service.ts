import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AnyStateNode } from 'xstate';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
import type { StepMeta } from '../../machines/types';
import { dateFromRaw } from '../database/raw-date';
import { RowSql } from '../database/row-sql';
import { localDate } from './business-calendar';
import { CalendarService } from './calendar.service';
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

const MX_OFFSET = '-06:00';
/** The instant a local day starts in Colima (UTC−6 all year). */
const dayStart = (ymd: string): Date => new Date(`${ymd}T00:00:00${MX_OFFSET}`);
const nextDay = (ymd: string): string =>
  new Date(new Date(`${ymd}T12:00:00Z`).getTime() + 86400_000).toISOString().slice(0, 10);

/** Whole business days after the day of `from` up to the day of `to` (same day: 0), skipping weekends and `holidays`. */
export function businessDaysBetween(from: Date, to: Date, holidays: ReadonlySet<string>): number {
  let n = 0;
  const end = localDate(to);
  for (let d = nextDay(localDate(from)); d <= end; d = nextDay(d)) {
    const dow = new Date(`${d}T12:00:00Z`).getUTCDay();
    if (dow !== 0 && dow !== 6 && !holidays.has(d)) n++;
  }
  return n;
}

/** The median (mean of the two middle values when even) and the 90th percentile (nearest rank) of `values`. */
export function medianAndP90(values: readonly number[]): { mediana: number; p90: number } {
  if (!values.length) return { mediana: 0, p90: 0 };
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const mediana = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { mediana, p90: s[Math.ceil(0.9 * s.length) - 1] };
}

function nodesOf(node: AnyStateNode): AnyStateNode[] {
  return Object.values(node.states).flatMap((c) => [c, ...nodesOf(c)]);
}

const count = (v: unknown): number => Number(v ?? 0);

/**
 * The numbers of the dashboard (/tablero). Every count reads the case and task tables through an index (the
 * DashboardIndexes migration for cases, the inbox's for open tasks); the movement table is never read.
 */
@Injectable()
export class DashboardService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly engine: EngineService,
    private readonly calendar: CalendarService,
  ) {}

  async data(filtro: DashboardFilter, now = new Date()): Promise<DashboardData> {
    const [abiertos, niveles, resolucion, tareas, vencidas, incidentes] = await Promise.all([
      this.openByStep(filtro),
      this.byNivel(filtro),
      this.resolution(filtro),
      this.taskLoad(filtro, now),
      this.overdue(filtro, now),
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
      incidentes: incidentes.rows,
      totalIncidentes: incidentes.total,
    };
  }

  private caseSql?: RowSql<ProcedureCase>;

  /** A date parameter as the driver stores it (SQLite: UTC text; MariaDB: a Date), as TypeORM writes the column. */
  private dbDate(d: Date): unknown {
    return (this.caseSql ??= new RowSql(this.ds, ProcedureCase)).value('createdAt', d);
  }

  /** `[from, to)` of the period's local days, as the driver compares them. */
  private period(f: DashboardFilter): { from: unknown; to: unknown } {
    return { from: this.dbDate(dayStart(f.desde)), to: this.dbDate(dayStart(nextDay(f.hasta))) };
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
    const q = this.cases()
      .select('c.procedureId', 'procedureId')
      .addSelect('c.state', 'state')
      .addSelect('c.status', 'status')
      .addSelect('COUNT(*)', 'n')
      .where('c.status IN (:...open)', { open: ['activo', 'incidente'] });
    if (f.nivel) q.andWhere('c.nivelClave = :nivel', { nivel: f.nivel });
    const rows = await q
      .groupBy('c.status')
      .addGroupBy('c.procedureId')
      .addGroupBy('c.state')
      .getRawMany<{ procedureId: string; state: string; status: string; n: unknown }>();
    const out = new Map<string, OpenStepRow>();
    for (const r of rows) {
      const key = `${r.procedureId}|${r.state}`;
      const row = out.get(key) ?? {
        procedimiento: r.procedureId,
        titulo: this.title(r.procedureId),
        estado: r.state,
        paso: this.stepLabel(r.procedureId, r.state),
        enCurso: 0,
        incidentes: 0,
      };
      if (r.status === 'incidente') row.incidentes += count(r.n);
      else row.enCurso += count(r.n);
      out.set(key, row);
    }
    return [...out.values()].sort(
      (a, b) => a.titulo.localeCompare(b.titulo, 'es') || b.enCurso + b.incidentes - (a.enCurso + a.incidentes),
    );
  }

  private async byNivel(f: DashboardFilter): Promise<NivelRow[]> {
    const q = this.cases()
      .select('c.nivelClave', 'nivel')
      .addSelect('c.status', 'status')
      .addSelect('COUNT(*)', 'n')
      .where('c.createdAt >= :from AND c.createdAt < :to', this.period(f));
    if (f.nivel) q.andWhere('c.nivelClave = :nivel', { nivel: f.nivel });
    const rows = await q
      .groupBy('c.nivelClave')
      .addGroupBy('c.status')
      .getRawMany<{ nivel: string | null; status: string; n: unknown }>();
    const out = new Map<string | null, NivelRow>();
    for (const r of rows) {
      const row = out.get(r.nivel) ?? { nivel: r.nivel, recibidos: 0, abiertos: 0, concluidos: 0 };
      row.recibidos += count(r.n);
      if (r.status === 'concluido') row.concluidos += count(r.n);
      else row.abiertos += count(r.n);
      out.set(r.nivel, row);
    }
    return [...out.values()].sort((a, b) => (a.nivel ?? '~').localeCompare(b.nivel ?? '~', 'es'));
  }

  private async resolution(f: DashboardFilter): Promise<ResolutionRow[]> {
    const q = this.cases()
      .select('c.procedureId', 'procedureId')
      .addSelect('c.createdAt', 'createdAt')
      .addSelect('c.closedAt', 'closedAt')
      .where("c.status = 'concluido'")
      .andWhere('c.closedAt >= :from AND c.closedAt < :to', this.period(f));
    if (f.nivel) q.andWhere('c.nivelClave = :nivel', { nivel: f.nivel });
    const rows = await q.getRawMany<{ procedureId: string; createdAt: string | Date; closedAt: string | Date }>();
    const holidays = await this.calendar.holidays();
    const byProc = new Map<string, number[]>();
    for (const r of rows) {
      const days = businessDaysBetween(dateFromRaw(r.createdAt), dateFromRaw(r.closedAt), holidays);
      byProc.set(r.procedureId, [...(byProc.get(r.procedureId) ?? []), days]);
    }
    return [...byProc.entries()]
      .map(([procedimiento, days]) => {
        const nivelServicio = this.serviceLevel(procedimiento);
        return {
          procedimiento,
          titulo: this.title(procedimiento),
          casos: days.length,
          ...medianAndP90(days),
          nivelServicio,
          enPlazo: Math.round((100 * days.filter((d) => d <= nivelServicio).length) / days.length),
        };
      })
      .sort((a, b) => a.titulo.localeCompare(b.titulo, 'es'));
  }

  private async taskLoad(f: DashboardFilter, now: Date): Promise<TaskLoadRow[]> {
    const q = this.ds
      .getRepository(Task)
      .createQueryBuilder('t')
      .select('t.candidateRole', 'rol')
      .addSelect('COUNT(*)', 'abiertas')
      .addSelect('SUM(CASE WHEN t.dueAt < :now THEN 1 ELSE 0 END)', 'vencidas')
      .addSelect('SUM(CASE WHEN t.dueAt >= :now AND t.warnAt <= :now THEN 1 ELSE 0 END)', 'faltaPoco')
      .where("t.status = 'abierta'")
      .setParameter('now', this.dbDate(now));
    if (f.nivel) q.andWhere('t.nivelClave = :nivel', { nivel: f.nivel });
    const rows = await q.groupBy('t.candidateRole').getRawMany<Record<string, unknown>>();
    return rows
      .map((r) => ({
        rol: String(r.rol),
        abiertas: count(r.abiertas),
        vencidas: count(r.vencidas),
        faltaPoco: count(r.faltaPoco),
      }))
      .sort((a, b) => b.vencidas - a.vencidas || a.rol.localeCompare(b.rol));
  }

  /** The 15 tasks overdue the longest. */
  private async overdue(f: DashboardFilter, now: Date): Promise<OverdueTask[]> {
    const q = this.ds
      .getRepository(Task)
      .createQueryBuilder('t')
      .where("t.status = 'abierta' AND t.dueAt < :now", { now: this.dbDate(now) });
    if (f.nivel) q.andWhere('t.nivelClave = :nivel', { nivel: f.nivel });
    const rows = await q.orderBy('t.dueAt', 'ASC').addOrderBy('t.id', 'ASC').take(15).getMany();
    return rows.map((t) => ({
      caseId: t.caseId,
      folio: t.folio,
      titulo: t.title,
      rol: t.candidateRole,
      nivel: t.nivelClave,
      vence: t.dueAt,
    }));
  }

  private async incidents(f: DashboardFilter): Promise<{ rows: IncidentRow[]; total: number }> {
    const q = this.cases().where("c.status = 'incidente'");
    if (f.nivel) q.andWhere('c.nivelClave = :nivel', { nivel: f.nivel });
    const [rows, total] = await q.orderBy('c.updatedAt', 'DESC').addOrderBy('c.id', 'ASC').take(20).getManyAndCount();
    return {
      total,
      rows: rows.map((c) => ({
        caseId: c.id,
        folio: c.folio,
        titulo: this.title(c.procedureId),
        mensaje: c.incidentMessage,
        desde: c.updatedAt,
      })),
    };
  }
}
