import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isTaskRole, type TaskRole } from '../../machines/types';
import { DomainError, notFound } from '../common/domain-error';
import { folioCandidates } from '../common/folio-text';
import { mexicoCityParts } from '../letters/fecha';
import { RowSql } from '../database/row-sql';
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
  /** The oficio for many schools the task's case is one line of, and its progress; absent otherwise (InboxParentsHook). */
  padre?: InboxParent;
}

/**
 * The parent of a task's case (issue 14, part 2): the oficio for many schools whose annex line the case is, the line's
 * number and how many of the oficio's lines have concluded («línea 3 de 25, 18 de 25 concluidas»).
 */
export interface InboxParent {
  /** The oficio's id and folio (its register entry: /oficios?folio=…). */
  oficio: string;
  folio: string;
  linea: number;
  lineas: number;
  /** Lines with their result for the oficio's one reply letter (OficioProgress.conResultado). */
  conResultado: number;
  concluidas: number;
}

/**
 * What another module tells about the cases of an inbox page, for `actor` (who may see it): the parent of each case
 * that has one, in one or two statements for the whole page. The engine knows nothing of oficios; the oficios module
 * registers itself with `onParents` (as with EngineService.onCaseEnd).
 */
export type InboxParentsHook = (actor: Actor, caseIds: string[]) => Promise<Map<string, InboxParent>>;

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

/** What a page row needs (view()): not the reminder and closing columns. */
const PAGE_PROPS = [
  'id',
  'caseId',
  'procedureId',
  'stateId',
  'title',
  'candidateRole',
  'nivelClave',
  'cct',
  'curp',
  'folio',
  'assigneeId',
  'status',
  'priority',
  'createdAt',
  'warnAt',
  'dueAt',
] as const satisfies readonly (keyof Task)[];

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

/**
 * The column and value that scope a role's inbox to its own tasks (nivel, responsable, school), and the index that
 * holds that inbox in its order; none for the others.
 */
function ownScope(actor: Actor): [string, string | null | undefined, string] | undefined {
  const own: Partial<Record<Actor['role'], [string, string | null | undefined, string]>> = {
    nivel: ['t.nivel_clave', actor.nivelClave, 'idx_task_nivel_due'],
    responsable: ['t.responsable_id', actor.id, 'idx_task_resp_due'],
    centro_trabajo: ['t.cct', actor.cct, 'idx_task_cct_due'],
  };
  return own[actor.role];
}

/** The index of a role's whole inbox when its tasks are not scoped: (status, candidate_role, due_at, priority, id). */
const ROLE_INDEX = 'idx_task_role_due';

/**
 * The WHERE of a role's inbox as `actor` sees it: status, role and, for a scoped role, its own key (deny by default,
 * as isAddressedTo: `1 = 0` when that key is unset, and `none` says so), and the index that holds exactly those
 * tasks. Every query of the inbox starts here.
 */
function inboxWhere(
  actor: Actor,
  role: string,
  status: string,
): { where: string[]; params: unknown[]; none: boolean; index: string } {
  const where: string[] = ['t.status = ?', 't.candidate_role = ?'];
  const params: unknown[] = [status, role];
  const scope = ownScope(actor);
  if (scope && scope[1]) {
    where.push(`${scope[0]} = ?`);
    params.push(scope[1]);
  } else if (scope) where.push('1 = 0');
  return { where, params, none: !!scope && !scope[1], index: scope?.[2] ?? ROLE_INDEX };
}

/** Only status and role (and maybe a due_at range): every inbox index starts with those two columns. */
function isRoleOnly(where: string[]): boolean {
  return !where.some((w) => !/^t\.(status|candidate_role|due_at) /.test(w));
}

/** The task inbox of a role: filters, "falta poco" / "vencido" flags, claim and release. */
@Injectable()
export class InboxService {
  private readonly parentHooks: InboxParentsHook[] = [];

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Adds `hook`'s parents to the items of every page list() answers. */
  onParents(hook: InboxParentsHook): void {
    this.parentHooks.push(hook);
  }

  /**
   * One page in the order (due_at, priority, id), by keyset: `despues` / `antes` name the row the page starts after /
   * ends before, so page 200 reads the same 25 index entries as page 1 (OFFSET read and threw away every row before
   * it). Each filter has an index (status, candidate_role, <filter>, due_at, priority, id) giving both the matches and
   * their order. The count stops at INBOX_COUNT_CAP + 1 rows. `alongside` reads what a caller needs of the page's
   * items (the inbox page: names, versions, the step's acts) in the same round as their parent oficios.
   */
  async list(
    actor: Actor,
    q: InboxQuery,
    now = new Date(),
    alongside?: (items: readonly InboxItem[]) => Promise<unknown>,
  ): Promise<InboxPage> {
    // An integer 1..100 whatever the caller passed: it goes into the SQL text as the LIMIT.
    const porPagina = Number.isInteger(q.porPagina) ? Math.min(Math.max(q.porPagina!, 1), 100) : 25;
    const role = actor.role === 'administrador' ? q.rol : actor.role;
    if (!role || !isTaskRole(role)) {
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

    // Plain SQL, the same text on both dialects (no identifier needs quoting): the query builder and the entity
    // hydration cost several times the indexed query itself (bench: 0.15 ms vs 0.03 ms for a search by folio).
    // Deny by default, as isAddressedTo: a scoped role sees only the tasks addressed to it (none when its own key is unset).
    const { where, params } = inboxWhere(actor, role, q.estado ?? 'abierta');
    const eq = (column: string, value: unknown): void => {
      where.push(`${column} = ?`);
      params.push(value);
    };
    if (q.procedimiento) eq('t.procedure_id', q.procedimiento);
    if (q.paso) eq('t.state_id', q.paso);
    if (q.folio) {
      const folios = await this.foliosInInbox(params[0], role, folioCandidates(q.folio, mexicoCityParts(now).year));
      where.push(folios.length === 1 ? 't.folio = ?' : `t.folio IN (${folios.map(() => '?').join(', ')})`);
      params.push(...folios);
    }
    if (q.curp) eq('t.curp', q.curp.toUpperCase());
    if (q.cct) eq('t.cct', q.cct.toUpperCase());
    if (q.vencidas) {
      where.push('t.due_at <= ?');
      params.push(this.dbDate(now));
    }
    if (q.asignacion === 'mias') eq('t.assignee_id', actor.id);
    if (q.asignacion === 'libres') where.push('t.assignee_id IS NULL');
    const filters = where.join(' AND ');
    const roleOnly = isRoleOnly(where);

    const pageWhere = [filters];
    const pageParams = [...params];
    const key = after ?? before;
    if (key) {
      // Row-value comparison spelled out: `due_at >= ?` is the index range both planners seek to; the rest only
      // decides the ties of that one due_at.
      const [ge, gt] = after ? ['>=', '>'] : ['<=', '<'];
      const due = this.dbDate(key.dueAt);
      pageWhere.push(
        `t.due_at ${ge} ? AND (t.due_at ${gt} ? OR t.priority ${gt} ? OR (t.priority = ? AND t.id ${gt} ?))`,
      );
      pageParams.push(due, due, key.priority, key.priority, key.id);
    }
    const dir = before ? 'DESC' : 'ASC';
    // The count is at most INBOX_COUNT_CAP + 1 index entries, never the million. On MariaDB it goes beside the page's
    // own read, on a connection of its own: after it, it was a round trip more on every inbox page, and a first page
    // that is not full (a search by folio or CURP), which needs none, counted a few entries in vain. SQLite runs one
    // statement at a time, so there it waits to know.
    const early = this.ds.options.type !== 'better-sqlite3' ? this.cappedCount(filters, params, roleOnly) : undefined;
    // Awaited below, after the page's rows; a page that fails does not leave it unhandled.
    early?.catch(() => undefined);
    const fetched = await this.ds.query<Record<string, unknown>[]>(
      `SELECT ${this.tasks.selectList(PAGE_PROPS, 't')} FROM task t WHERE ${pageWhere.join(' AND ')} ORDER BY t.due_at ${dir}, t.priority ${dir}, t.id ${dir} LIMIT ${porPagina + 1}`,
      pageParams,
    );
    const more = fetched.length > porPagina;
    const rows = fetched.slice(0, porPagina).map((r) => this.tasks.fromRow(r, PAGE_PROPS));
    if (before) rows.reverse();
    const last = rows[rows.length - 1];
    const first = rows[0];
    const items = rows.map((t) => this.view(t, now));
    // A first page that is not full is the whole result: no count. The page's parent oficios, the count (where it
    // came after the page) and what the caller reads for the page's items (`alongside`) are read at once: none needs
    // another, and one after the other each was a round trip more.
    const [total] = await Promise.all([
      !key && fetched.length <= porPagina ? fetched.length : (early ?? this.cappedCount(filters, params, roleOnly)),
      this.withParents(actor, items),
      alongside?.(items),
    ]);
    return {
      items,
      total: Math.min(total, INBOX_COUNT_CAP),
      totalAcotado: total > INBOX_COUNT_CAP,
      porPagina,
      siguiente: last && (before || more) ? encodeInboxCursor(last) : null,
      anterior: first && (after || (before && more)) ? encodeInboxCursor(first) : null,
    };
  }

  /**
   * How many open tasks wait in the inbox of `actor`'s own role and scope, counted up to `cap` (the menu shows «99+»
   * past it): at most `cap` index entries of the role's index, on every page a person opens. Undefined for a role with
   * no inbox (the administrator's is reached through «rol»).
   */
  async pendingCount(actor: Actor, cap = 99): Promise<number | undefined> {
    if (!isTaskRole(actor.role)) return undefined;
    const { where, params, none, index } = inboxWhere(actor, actor.role, 'abierta');
    if (none) return 0;
    return this.countUpTo(where.join(' AND '), params, cap, index);
  }

  /**
   * The open tasks that arrived in `actor`'s own inbox (role and scope, as list() and pendingCount()) with created_at in
   * (`after`, `upTo`]: the first `limit` in the order they arrived, and how many there are, up to INBOX_COUNT_CAP + 1
   * (the e-mail digest, TaskDigestScheduler). Index idx_task_role_created. None for a role with no inbox.
   */
  async arrivals(actor: Actor, after: Date, upTo: Date, limit = 50): Promise<{ items: InboxItem[]; total: number }> {
    if (!isTaskRole(actor.role)) return { items: [], total: 0 };
    const { where, params, none } = inboxWhere(actor, actor.role, 'abierta');
    if (none) return { items: [], total: 0 };
    where.push('t.created_at > ?', 't.created_at <= ?');
    params.push(this.tasks.value('createdAt', after), this.tasks.value('createdAt', upTo));
    const take = Number.isInteger(limit) ? Math.min(Math.max(limit, 1), 100) : 50;
    const filters = where.join(' AND ');
    const fetched = await this.ds.query<Record<string, unknown>[]>(
      `SELECT ${this.tasks.selectList(PAGE_PROPS, 't')} FROM task t WHERE ${filters} ORDER BY t.created_at, t.id LIMIT ${take + 1}`,
      params,
    );
    const total = fetched.length <= take ? fetched.length : await this.countUpTo(filters, params, INBOX_COUNT_CAP);
    const items = fetched.slice(0, take).map((r) => this.view(this.tasks.fromRow(r, PAGE_PROPS), upTo));
    return { items, total };
  }

  /** The items, each with its case's parent when a hook knows one (one hook call for the page, one after the other). */
  private async withParents(actor: Actor, items: InboxItem[]): Promise<InboxItem[]> {
    if (!items.length) return items;
    const caseIds = [...new Set(items.map((i) => i.tramite))];
    for (const hook of this.parentHooks) {
      const parents = await hook(actor, caseIds);
      for (const i of items) {
        const p = parents.get(i.tramite);
        if (p) i.padre = p;
      }
    }
    return items;
  }

  /**
   * COUNT(*) of at most `cap` + 1 tasks that match, read from `index` when given (MariaDB: the planner otherwise weighs
   * every index that starts with status and role; the menu's count runs with every staff page).
   */
  private async countUpTo(filters: string, params: unknown[], cap: number, index?: string): Promise<number> {
    const hint = index ? this.tasks.forceIndex(index) : '';
    const [r] = await this.ds.query<{ cnt: number | string }[]>(
      `SELECT COUNT(*) AS cnt FROM (SELECT 1 FROM task t${hint} WHERE ${filters} LIMIT ${cap + 1}) capped`,
      params,
    );
    return Number(r.cnt);
  }

  /**
   * COUNT(*) of at most INBOX_COUNT_CAP + 1 matches: the first 1 001 entries of the page's own index, read in its
   * order. When the filters are only status and role, every inbox index starts with them and MariaDB's planner takes
   * any (bench: idx_task_curp_due plus a filesort, counting «vencidas» by reading every open task of the role): there
   * it is told the one that holds due_at right after them.
   */
  private async cappedCount(filters: string, params: unknown[], roleOnly: boolean): Promise<number> {
    const hint = roleOnly ? this.tasks.forceIndex(ROLE_INDEX) : '';
    const [r] = await this.ds.query<{ cnt: number | string }[]>(
      `SELECT COUNT(*) AS cnt FROM (SELECT 1 FROM task t${hint} WHERE ${filters} ORDER BY t.due_at, t.priority, t.id LIMIT ${INBOX_COUNT_CAP + 1}) capped`,
      params,
    );
    return Number(r.cnt);
  }

  /** A date as the driver stores it (SQLite: UTC text; MariaDB: a Date mysql2 sends in UTC), as TypeORM does. */
  private dbDate(d: Date): unknown {
    return this.tasks.value('dueAt', d);
  }

  /** Date conversion and hydration as TypeORM does them (made once the data source has its metadata). */
  private taskSql?: RowSql<Task>;
  private get tasks(): RowSql<Task> {
    return (this.taskSql ??= new RowSql(this.ds, Task));
  }

  /**
   * Which of the folios a typed text can mean («6»: this year's and the years before) the inbox holds, read from the
   * folio index alone. Usually one, and the page then seeks it by equality: given `folio IN (…)` and an ORDER BY
   * due_at, SQLite's planner would rather walk the role's whole index in due order than sort a handful of rows.
   */
  private async foliosInInbox(status: unknown, role: string, candidates: string[]): Promise<string[]> {
    if (candidates.length === 1) return candidates;
    const rows = await this.ds.query<{ folio: string }[]>(
      `SELECT DISTINCT t.folio FROM task t WHERE t.status = ? AND t.candidate_role = ? AND t.folio IN (${candidates
        .map(() => '?')
        .join(', ')})`,
      [status, role, ...candidates],
    );
    return rows.length ? rows.map((r) => r.folio) : candidates.slice(0, 1);
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
