import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource } from 'typeorm';
import type { TaskRole } from '../../machines/types';
import { DomainError, notFound } from '../common/domain-error';
import { type Actor, isAddressedTo } from '../auth/actor';
import { Task } from './entities/task.entity';

export interface InboxQuery {
  /** Only for administrators: whose inbox to look at. Others always see their own role's. */
  rol?: TaskRole;
  estado?: 'abierta' | 'cerrada';
  procedimiento?: string;
  paso?: string;
  folio?: string;
  curp?: string;
  cct?: string;
  vencidas?: boolean;
  asignacion?: 'mias' | 'libres';
  pagina?: number;
  porPagina?: number;
}

export interface InboxItem {
  id: string;
  tramite: string;
  procedimiento: string;
  paso: string;
  titulo: string;
  rol: string;
  nivel: string | null;
  cct: string | null;
  curp: string | null;
  folio: string | null;
  asignadaA: string | null;
  prioridad: 'alta' | 'normal' | 'baja';
  creada: string;
  vence: string;
  faltaPoco: boolean;
  vencida: boolean;
  estado: string;
}

const PRIORITY_LABEL = { 1: 'alta', 2: 'normal', 3: 'baja' } as const;
const TASK_ROLES: readonly string[] = ['subdireccion', 'subjefatura', 'nivel', 'centro_trabajo', 'responsable'];

/** The task inbox of a role: filters, "falta poco" / "vencido" flags, claim and release. */
@Injectable()
export class InboxService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async list(
    actor: Actor,
    q: InboxQuery,
    now = new Date(),
  ): Promise<{ items: InboxItem[]; total: number; pagina: number; porPagina: number }> {
    const porPagina = Math.min(Math.max(q.porPagina ?? 25, 1), 100);
    const pagina = Math.max(q.pagina ?? 1, 1);
    const role = actor.role === 'administrador' ? q.rol : actor.role;
    if (!role || !TASK_ROLES.includes(role)) {
      throw new DomainError(
        'SIN_BANDEJA',
        'Su rol no tiene bandeja de tareas; un administrador puede consultar la de un rol con el parámetro «rol».',
        400,
      );
    }
    const qb = this.ds
      .getRepository(Task)
      .createQueryBuilder('t')
      .where('t.status = :status', { status: q.estado ?? 'abierta' })
      .andWhere('t.candidateRole = :role', { role });
    // Deny by default, as isAddressedTo: a scoped role sees only the tasks addressed to it (none when its own key is unset).
    const own: Partial<Record<Actor['role'], [string, string | null | undefined]>> = {
      nivel: ['t.nivelClave', actor.nivelClave],
      responsable: ['t.responsableId', actor.id],
      centro_trabajo: ['t.cct', actor.cct],
    };
    const scope = own[actor.role];
    if (scope) qb.andWhere(scope[1] ? `${scope[0]} = :mine` : '1 = 0', { mine: scope[1] });
    if (q.procedimiento) qb.andWhere('t.procedureId = :proc', { proc: q.procedimiento });
    if (q.paso) qb.andWhere('t.stateId = :paso', { paso: q.paso });
    if (q.folio) qb.andWhere('t.folio = :folio', { folio: q.folio });
    if (q.curp) qb.andWhere('t.curp = :curp', { curp: q.curp.toUpperCase() });
    if (q.cct) qb.andWhere('t.cct = :cct', { cct: q.cct.toUpperCase() });
    if (q.vencidas) qb.andWhere('t.dueAt <= :now', { now });
    if (q.asignacion === 'mias') qb.andWhere('t.assigneeId = :me', { me: actor.id });
    if (q.asignacion === 'libres') qb.andWhere(new Brackets((w) => w.where('t.assigneeId IS NULL')));
    qb.orderBy('t.dueAt', 'ASC').addOrderBy('t.priority', 'ASC').addOrderBy('t.id', 'ASC');
    const [rows, total] = await qb
      .skip((pagina - 1) * porPagina)
      .take(porPagina)
      .getManyAndCount();
    return { items: rows.map((t) => this.view(t, now)), total, pagina, porPagina };
  }

  view(t: Task, now = new Date()): InboxItem {
    return {
      id: t.id,
      tramite: t.caseId,
      procedimiento: t.procedureId,
      paso: t.stateId,
      titulo: t.title,
      rol: t.candidateRole,
      nivel: t.nivelClave,
      cct: t.cct,
      curp: t.curp,
      folio: t.folio,
      asignadaA: t.assigneeId,
      prioridad: PRIORITY_LABEL[t.priority as 1 | 2 | 3] ?? 'normal',
      creada: t.createdAt.toISOString(),
      vence: t.dueAt.toISOString(),
      faltaPoco: t.status === 'abierta' && t.warnAt <= now && now < t.dueAt,
      vencida: t.status === 'abierta' && t.dueAt <= now,
      estado: t.status,
    };
  }

  /** Takes an open task of the actor's role; 409 when someone else already has it. */
  async claim(taskId: string, actor: Actor): Promise<InboxItem> {
    const task = await this.visibleTask(taskId, actor);
    const res = await this.ds
      .createQueryBuilder()
      .update(Task)
      .set({ assigneeId: actor.id })
      .where("id = :id AND status = 'abierta' AND (assignee_id IS NULL OR assignee_id = :me)", {
        id: task.id,
        me: actor.id,
      })
      .execute();
    if (!res.affected)
      throw new DomainError(
        'TAREA_TOMADA',
        'Otra persona ya tomó esta tarea o ya fue atendida. Recargue la bandeja.',
        409,
      );
    return this.view(await this.ds.getRepository(Task).findOneByOrFail({ id: task.id }));
  }

  /** Gives a task back to the role's inbox; only its assignee (or an administrator) may. */
  async release(taskId: string, actor: Actor): Promise<InboxItem> {
    const task = await this.visibleTask(taskId, actor);
    if (task.assigneeId && task.assigneeId !== actor.id && actor.role !== 'administrador') {
      throw new DomainError('TAREA_DE_OTRO', 'Solo quien tomó la tarea (o un administrador) puede liberarla.', 403);
    }
    if (task.assigneeId) {
      // Only the assignment that was checked is undone: someone who took the task meanwhile keeps it.
      const res = await this.ds
        .getRepository(Task)
        .update({ id: task.id, assigneeId: task.assigneeId }, { assigneeId: null });
      if (!res.affected) {
        throw new DomainError(
          'TAREA_CAMBIO',
          'La tarea cambió mientras la liberaba: otra persona la liberó o la tomó. Recargue la bandeja.',
          409,
        );
      }
    }
    return this.view(await this.ds.getRepository(Task).findOneByOrFail({ id: task.id }));
  }

  private async visibleTask(taskId: string, actor: Actor): Promise<Task> {
    const t = await this.ds.getRepository(Task).findOne({ where: { id: taskId } });
    const visible =
      t && (actor.role === 'administrador' || (t.candidateRole === actor.role && isAddressedTo(t, actor)));
    if (!t || !visible) throw notFound('La tarea');
    return t;
  }
}
