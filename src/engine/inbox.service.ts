import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, type SelectQueryBuilder } from 'typeorm';
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
  /** The `siguiente` of a previous answer: the page that follows it. */
  despues?: string;
  /** The `anterior` of a previous answer: the page that precedes it. */
  antes?: string;
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

export interface InboxPage {
  items: InboxItem[];
  /** Tasks that match the filters, counted up to INBOX_COUNT_CAP; past it, `total` is the cap and `totalAcotado` true. */
  total: number;
  /** True when more than INBOX_COUNT_CAP tasks match ("más de 1 000"). */
  totalAcotado: boolean;
  porPagina: number;
  /** Opaque cursor of the next page (pass it as `despues`); null on the last page. */
  siguiente: string | null;
  /** Opaque cursor of the previous page (pass it as `antes`); null on the first page. */
  anterior: string | null;
}

/** The inbox counts its matches up to here: past it, "más de 1 000" (a full COUNT of a million rows costs ~60 ms). */
export const INBOX_COUNT_CAP = 1000;

const PRIORITY_LABEL = { 1: 'alta', 2: 'normal', 3: 'baja' } as const;
const TASK_ROLES: readonly string[] = ['subdireccion', 'subjefatura', 'nivel', 'centro_trabajo', 'responsable'];

/** The position of a task in the inbox order (due_at, priority, id): what a cursor carries. */
interface InboxKey {
  dueAt: Date;
  priority: number;
  id: string;
}

const CURSOR_SHAPE = /^[A-Za-z0-9_-]{1,200}$/;
const TASK_ID_SHAPE = /^[A-Za-z0-9-]{1,36}$/;
/** Dates a task can be due: 1970 to 9999 (anything else in a cursor was not written by this service). */
const MAX_DUE_MS = Date.UTC(9999, 11, 31);

/** base64url of [due epoch ms, priority, id]; it only says where a page starts, the filters and scope still apply. */
export function encodeInboxCursor(t: InboxKey): string {
  return Buffer.from(JSON.stringify([t.dueAt.getTime(), t.priority, t.id])).toString('base64url');
}

/** The key a cursor names, or a 400 in Spanish for anything this service did not write. */
export function decodeInboxCursor(cursor: string, param: 'despues' | 'antes'): InboxKey {
  const bad = (): DomainError =>
    new DomainError(
      'CURSOR_INVALIDO',
      `El parámetro «${param}» no es válido: use el valor «${param === 'despues' ? 'siguiente' : 'anterior'}» que devolvió la bandeja, sin modificarlo.`,
      400,
    );
  if (!CURSOR_SHAPE.test(cursor)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw bad();
  const [due, priority, id] = parsed as unknown[];
  if (typeof due !== 'number' || !Number.isSafeInteger(due) || due < 0 || due > MAX_DUE_MS) throw bad();
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < -1000 || priority > 1000) throw bad();
  if (typeof id !== 'string' || !TASK_ID_SHAPE.test(id)) throw bad();
  return { dueAt: new Date(due), priority, id };
}

/** The task inbox of a role: filters, "falta poco" / "vencido" flags, claim and release. */
@Injectable()
export class InboxService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * One page in the order (due_at, priority, id), by keyset: `despues` / `antes` name the row the page starts after /
   * ends before, so page 200 reads the same 25 index entries as page 1 (OFFSET read and threw away every row before
   * it). Each filter has an index (status, candidate_role, <filter>, due_at, priority, id) giving both the matches and
   * their order. The count stops at INBOX_COUNT_CAP + 1 rows.
   */
  async list(actor: Actor, q: InboxQuery, now = new Date()): Promise<InboxPage> {
    const porPagina = Math.min(Math.max(q.porPagina ?? 25, 1), 100);
    const role = actor.role === 'administrador' ? q.rol : actor.role;
    if (!role || !TASK_ROLES.includes(role)) {
      throw new DomainError(
        'SIN_BANDEJA',
        'Su rol no tiene bandeja de tareas; un administrador puede consultar la de un rol con el parámetro «rol».',
        400,
      );
    }
    if (q.despues && q.antes) {
      throw new DomainError('CURSOR_INVALIDO', 'Indique «despues» o «antes», no los dos a la vez.', 400);
    }
    const after = q.despues ? decodeInboxCursor(q.despues, 'despues') : undefined;
    const before = q.antes ? decodeInboxCursor(q.antes, 'antes') : undefined;

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
    if (q.asignacion === 'libres') qb.andWhere('t.assigneeId IS NULL');

    const counted = this.cappedCount(qb);
    const page = qb.clone();
    const key = after ?? before;
    if (key) {
      // Row-value comparison spelled out: `due_at >= :d` is the index range both planners seek to; the rest only
      // decides the ties of that one due_at.
      const [ge, gt] = after ? ['>=', '>'] : ['<=', '<'];
      page
        .andWhere(`t.dueAt ${ge} :cDue`, { cDue: key.dueAt })
        .andWhere(
          new Brackets((w) =>
            w
              .where(`t.dueAt ${gt} :cDue`)
              .orWhere(`t.priority ${gt} :cPri`, { cPri: key.priority })
              .orWhere(`(t.priority = :cPri AND t.id ${gt} :cId)`, { cId: key.id }),
          ),
        );
    }
    const dir = before ? 'DESC' : 'ASC';
    page
      .orderBy('t.dueAt', dir)
      .addOrderBy('t.priority', dir)
      .addOrderBy('t.id', dir)
      .limit(porPagina + 1);
    const [fetched, count] = await Promise.all([page.getMany(), counted]);
    const more = fetched.length > porPagina;
    const rows = fetched.slice(0, porPagina);
    if (before) rows.reverse();
    const total = count;
    const last = rows[rows.length - 1];
    const first = rows[0];
    return {
      items: rows.map((t) => this.view(t, now)),
      total: Math.min(total, INBOX_COUNT_CAP),
      totalAcotado: total > INBOX_COUNT_CAP,
      porPagina,
      siguiente: last && (before || more) ? encodeInboxCursor(last) : null,
      anterior: first && (after || (before && more)) ? encodeInboxCursor(first) : null,
    };
  }

  /** COUNT of the matches up to INBOX_COUNT_CAP + 1 rows: an index range of at most 1 001 entries, never the million. */
  private cappedCount(qb: SelectQueryBuilder<Task>): Promise<number> {
    const [sql, params] = qb
      .clone()
      .select('1')
      .limit(INBOX_COUNT_CAP + 1)
      .getQueryAndParameters();
    return this.ds
      .query<{ cnt: number | string }[]>(`SELECT COUNT(*) AS cnt FROM (${sql}) capped`, params)
      .then((r) => Number(r[0].cnt));
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
