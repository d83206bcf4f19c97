import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import {
  type AnyMachineSnapshot,
  type EventObject,
  getNextTransitions,
  initialTransition,
  type StateValue,
} from 'xstate';
import type { SearchColumn, SearchField, SearchFields } from '../../machines/parts/search-fields';
import {
  type ActorRole,
  COMMAND_TYPES,
  SOLICITANTE,
  type StepMeta,
  type StepRole,
  type TransitionMeta,
} from '../../machines/types';
import { secondsSince, transitionSeconds, transitionsTotal } from '../common/metrics';
import { DomainError, notFound } from '../common/domain-error';
import { RowSql } from '../database/row-sql';
import { readTogether, StaleRowError, WriteBatch } from '../database/write-batch';
import { isUniqueViolation } from '../database/unique-violation';
import { inTransaction, outsideTransaction } from '../database/transaction';
import { wakeRelayAfterCommit } from '../queue/outbox-wake';
import { type Actor, isAddressedTo, requesterRole, ROLE_LABEL, rolesIn, type Addressed } from '../auth/actor';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { businessDaysBetween } from './business-calendar';
import { CalendarService } from './calendar.service';
import { caseCounts, countChanges, deltaStatement, openTaskCount, taskCountStatement } from './dashboard-counts';
import { EVENT_FACTS, type EventFacts } from './event-facts';
import { assertPayload, isSystemEvent } from './event-payloads';
import { ProcedureCase } from './entities/case.entity';
import { Movement } from './entities/movement.entity';
import { OutboxCommand, pendingCommand } from './entities/outbox.entity';
import { ProcedureVersion } from './entities/procedure-version.entity';
import { Task } from './entities/task.entity';
import { StaffUsersService } from '../auth/staff-users.service';
import { GENESIS_HASH, movementHash } from './movement-chain';
import { type EngineProcedure, PROCEDURE_DEFINITIONS, ProcedureRegistry } from './procedure-registry';
import {
  persistSnapshot,
  pureTransition,
  restoreSnapshot,
  stateString,
  stateValueOf,
  withoutSecrets,
} from './snapshot';

export interface EngineEvent extends EventObject {
  [key: string]: unknown;
}

export interface SendOptions {
  /** The case version the actor read; a different current version gives 409. */
  expectedVersion?: number;
  now?: Date;
  /**
   * The caller's open transaction: the event is applied in it, all or nothing with the caller's own writes (the job
   * runner marks a command done and reports its result in one transaction).
   */
  em?: EntityManager;
}

export interface TransitionResult {
  caseId: string;
  version: number;
  state: string;
  status: ProcedureCase['status'];
  outcome: string | null;
  commands: { id: string; type: string }[];
}

/** A case that has just ended, inside the transaction of the transition that ended it. */
export interface CaseEnd {
  row: ProcedureCase;
  event: EngineEvent;
  actor: Actor;
  now: Date;
}

/**
 * What another module does when a case ends, in the same transaction (all or nothing with the case's transition): the
 * oficios module cancels the oficio of a case that ended cancelled, whichever path sent the CANCELAR. The engine knows
 * nothing of oficios; the module registers itself with `onCaseEnd`.
 */
export type CaseEndHook = (em: EntityManager, end: CaseEnd) => Promise<void>;

const PRIORITY: Record<NonNullable<NonNullable<StepMeta['task']>['priority']>, number> = {
  alta: 1,
  normal: 2,
  baja: 3,
};
/** Extra commands the engine itself schedules for every task (delayed jobs, not machine timers). */
export const TASK_REMINDER = 'taskReminder';

function deepMerge(a: StateValue, b: StateValue): StateValue {
  if (typeof a === 'string' || typeof b === 'string') return b;
  const out: Record<string, StateValue> = { ...(a as Record<string, StateValue>) };
  for (const [k, v] of Object.entries(b as Record<string, StateValue>)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out;
}

/** A new open task of a case; the search fields (folio, nivel, CCT, CURP, responsable) come from the case. */
/**
 * The case columns a transition may or may not change. The UPDATE names only those that did: every index holding a
 * column named in SET is rewritten (SQLite rewrites it even when the value is the same), and the case table carries
 * nine of them (folio, nivel, CCT, CURP, account, dashboard); a transition that only moves a step rewrote them all.
 */
const TRACKED_COLUMNS = [
  'state',
  'status',
  'outcome',
  'folio',
  'nivelClave',
  'cct',
  'curp',
  'cuentaId',
  'closedAt',
  'incidentMessage',
] as const;
type TrackedColumns = Pick<ProcedureCase, (typeof TRACKED_COLUMNS)[number]>;

function trackedColumns(row: ProcedureCase): TrackedColumns {
  const out = {} as Record<string, unknown>;
  for (const k of TRACKED_COLUMNS) out[k] = row[k];
  return out as TrackedColumns;
}

/** The tracked columns of `row` whose value differs from `before` (dates by their instant). */
export function changedColumns(before: TrackedColumns, row: ProcedureCase): Partial<TrackedColumns> {
  const out: Record<string, unknown> = {};
  for (const k of TRACKED_COLUMNS) {
    const [a, b] = [before[k], row[k]];
    const same = a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;
    if (!same) out[k] = b;
  }
  return out;
}

function taskFor(
  row: ProcedureCase,
  t: { stateId: string; title: string; role: string; priority: number; createdAt: Date; warnAt: Date; dueAt: Date },
): Task {
  return {
    id: randomUUID(),
    caseId: row.id,
    procedureId: row.procedureId,
    stateId: t.stateId,
    title: t.title.slice(0, 200),
    candidateRole: t.role,
    nivelClave: row.nivelClave,
    cct: row.cct,
    curp: row.curp,
    folio: row.folio,
    assigneeId: null,
    responsableId: row.responsableId,
    status: 'abierta',
    priority: t.priority,
    createdAt: t.createdAt,
    warnAt: t.warnAt,
    dueAt: t.dueAt,
    remindedAt: null,
    escalatedAt: null,
    closedAt: null,
    closedBy: null,
  };
}

function notYourStep(roles: readonly ActorRole[], actor: Actor): DomainError {
  return new DomainError(
    'ROL_NO_AUTORIZADO',
    `Este paso corresponde a: ${roles.map((r) => ROLE_LABEL[r]).join(' o ') || 'nadie'}. Su rol es ${ROLE_LABEL[actor.role]}.`,
    403,
  );
}

type AnyMachine = AnyMachineSnapshot['machine'];
type AnyStateNode = AnyMachine['root'];
const eventRoles = new WeakMap<AnyMachine, Map<string, StepRole[]>>();

/** Every role that some transition of the machine, in any state, lets send this event type (memoised per machine). */
function rolesForEvent(machine: AnyMachine, type: string): StepRole[] {
  let byType = eventRoles.get(machine);
  if (!byType) eventRoles.set(machine, (byType = new Map<string, StepRole[]>()));
  let roles = byType.get(type);
  if (!roles) {
    const found = new Set<StepRole>();
    const visit = (node: AnyStateNode): void => {
      for (const t of node.transitions.get(type) ?? [])
        for (const r of (t.meta as TransitionMeta | undefined)?.roles ?? []) found.add(r);
      for (const child of Object.values(node.states)) visit(child);
    };
    visit(machine.root);
    byType.set(type, (roles = [...found]));
  }
  return roles;
}

/**
 * Transitions as the acts a person is offered: one per event type (internal ones left out), its label, and every role
 * any of its transitions names (those of `actor`'s role only, when given).
 */
function describeEvents(
  transitions: readonly { eventType: string; meta?: unknown }[],
  c: Addressed,
  actor?: Actor,
): { event: string; label: string; roles: ActorRole[] }[] {
  const seen = new Map<string, { event: string; label: string; roles: ActorRole[] }>();
  for (const t of transitions) {
    if (t.eventType.startsWith('xstate.') || t.eventType === '*') continue;
    const meta = t.meta as TransitionMeta | undefined;
    const roles = rolesIn(meta?.roles ?? [], c);
    if (actor && !roles.includes(actor.role)) continue;
    const prev = seen.get(t.eventType);
    if (prev) prev.roles = [...new Set([...prev.roles, ...roles])];
    else seen.set(t.eventType, { event: t.eventType, label: meta?.label ?? t.eventType, roles: [...roles] });
  }
  return [...seen.values()];
}

/**
 * The outcome of a finished case: the machine's output, or (when the root declares no `output`) the static output of
 * the top-level final state it reached.
 */
function finalOutcome(snap: AnyMachineSnapshot): string | undefined {
  const out = snap.output as { outcome?: string } | undefined;
  if (out?.outcome) return out.outcome;
  const node = snap.machine.root.states[typeof snap.value === 'string' ? snap.value : ''];
  const stateOutput = node?.output as { outcome?: string } | undefined;
  return typeof stateOutput === 'object' ? stateOutput.outcome : undefined;
}

/**
 * Runs the procedures: loads a case, applies one event through XState's pure `transition`, and in ONE database
 * transaction saves the new snapshot (optimistic version), appends the hash-chained movement, opens and closes
 * tasks and writes the declared effects to the outbox. Nothing here performs an effect.
 */
@Injectable()
export class EngineService {
  private readonly log = new Logger('Motor');
  private readonly endHooks: CaseEndHook[] = [];
  /** The incidents markIncidentLater queued, in order; never rejects (markIncident logs its own failure). */
  private incidents: Promise<void> = Promise.resolve();
  private readonly incidentsWaiting = new Set<string>();
  readonly registry: ProcedureRegistry;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(PROCEDURE_DEFINITIONS) definitions: EngineProcedure[],
    private readonly calendar: CalendarService,
    // Absent only where a test walks the machines without catalogs (test/engine-paths.db.spec.ts).
    @Optional() @Inject(EVENT_FACTS) private readonly facts?: EventFacts,
    // Absent where a test builds the engine by hand: the holder of a task is then "otra persona".
    @Optional() private readonly staff?: StaffUsersService,
    // Absent where a test builds the engine by hand: a CCT of any state is then taken.
    @Optional() @Inject(APP_CONFIG) private readonly config?: Pick<AppConfig, 'cctStateCode'>,
  ) {
    this.registry = new ProcedureRegistry(definitions);
  }

  private hotSql?: {
    cases: RowSql<ProcedureCase>;
    tasks: RowSql<Task>;
    movements: RowSql<Movement>;
    outbox: RowSql<OutboxCommand>;
  };

  /** The statements of a transition, made once (the data source has its metadata by the first event). */
  private get sql(): NonNullable<EngineService['hotSql']> {
    return (this.hotSql ??= {
      cases: new RowSql(this.ds, ProcedureCase),
      tasks: new RowSql(this.ds, Task),
      movements: new RowSql(this.ds, Movement),
      outbox: new RowSql(this.ds, OutboxCommand),
    });
  }

  /** Adds outbox rows to the transition's writes (one statement, nothing read back); once it commits, this process's relay queues them. */
  private queueOutbox(em: EntityManager, out: WriteBatch, rows: OutboxCommand[]): void {
    if (!rows.length) return;
    out.add(this.sql.outbox.insertStatement(rows));
    wakeRelayAfterCommit(em);
  }

  /** Runs `hook` in the transaction of every transition that ends a case. */
  onCaseEnd(hook: CaseEndHook): void {
    this.endHooks.push(hook);
  }

  /** Writes the catalog of procedure versions; a version seen for the first time serves new cases from now on. */
  async syncCatalog(now = new Date()): Promise<void> {
    const repo = this.ds.getRepository(ProcedureVersion);
    const have = await repo.find();
    for (const d of this.registry.definitions) {
      if (have.some((h) => h.procedureId === d.id && h.version === d.version)) continue;
      try {
        await repo.insert({
          procedureId: d.id,
          version: d.version,
          title: d.title,
          guideSection: d.guideSection,
          guideVersion: d.guideVersion,
          validFrom: now,
        });
      } catch (e) {
        // A web and a worker process starting together: the other one wrote it first.
        if (!(await repo.exists({ where: { procedureId: d.id, version: d.version } }))) throw e;
      }
    }
  }

  /**
   * The version new cases of a procedure start on: the newest installed one already valid. `em`: the caller's open
   * transaction, so a start inside it needs no second pooled connection while it holds its locks.
   */
  async currentVersion(
    procedureId: string,
    now = new Date(),
    em: EntityManager = this.ds.manager,
  ): Promise<EngineProcedure> {
    const rows = await em.getRepository(ProcedureVersion).find({ where: { procedureId }, order: { version: 'DESC' } });
    const installed = new Set(this.registry.versions(procedureId).map((d) => d.version));
    const row = rows.find((r) => r.validFrom <= now && installed.has(r.version));
    if (!row)
      throw new DomainError(
        'PROCEDIMIENTO_DESCONOCIDO',
        `No existe el procedimiento «${procedureId}» o aún no está vigente.`,
        404,
      );
    return this.registry.get(procedureId, row.version);
  }

  /**
   * Opens a case: the machine's initial state, then, when the procedure declares a `startEvent`, that first act
   * (the worker's CURP/CURT, the oficio received) in the same transaction, with its own movement.
   */
  async start(
    procedureId: string,
    actor: Actor,
    input: Record<string, unknown>,
    opts: {
      now?: Date;
      folio?: string;
      startEvent?: Record<string, unknown>;
      /**
       * Open the case with this first act instead of the procedure's `startEvent`: one of its `otherStarts`, and the
       * roles allowed are that one's (5.5 v3: CONCILIAR, by the reconciliation's case opener). `startEvent` is its payload.
       */
      startWith?: string;
      caseId?: string;
      followUp?: EngineEvent[];
      responsableId?: string | null;
      /** The caller's open transaction: the case opens in it, all or nothing with the caller's own writes. */
      em?: EntityManager;
    } = {},
  ): Promise<TransitionResult> {
    const known = this.registry.definitions.some((d) => d.id === procedureId);
    return this.measured(known ? procedureId : 'desconocido', () => this.open(procedureId, actor, input, opts));
  }

  private async open(
    procedureId: string,
    actor: Actor,
    input: Record<string, unknown>,
    opts: Parameters<EngineService['start']>[3] = {},
  ): Promise<TransitionResult> {
    const now = opts.now ?? new Date();
    const def = await this.currentVersion(procedureId, now, opts.em);
    const startEvent = opts.startWith ?? def.startEvent;
    const startRoles = opts.startWith ? def.otherStarts?.[opts.startWith] : def.startRoles;
    if (!startRoles) {
      throw new DomainError(
        'INICIO_NO_DISPONIBLE',
        `El trámite «${def.title}» (versión ${def.version}) no puede iniciarse con «${opts.startWith}».`,
        422,
      );
    }
    if (!startRoles.includes(actor.role)) {
      throw new DomainError(
        'ROL_NO_AUTORIZADO',
        `El trámite «${def.title}» lo inicia: ${startRoles.map((r) => ROLE_LABEL[r]).join(' o ')}. Su rol es ${ROLE_LABEL[actor.role]}.`,
        403,
      );
    }
    const caseId = opts.caseId ?? randomUUID();
    let snap: AnyMachineSnapshot;
    let actions: unknown[];
    try {
      [snap, actions] = initialTransition(def.machine, { ...input, caseId, at: now.toISOString() }) as [
        AnyMachineSnapshot,
        unknown[],
      ];
    } catch (e) {
      throw new DomainError(
        'DATOS_INICIALES_INVALIDOS',
        `No se pudo iniciar el trámite con los datos dados: ${(e as Error).message}`,
        422,
      );
    }
    const open = async (em: EntityManager): Promise<TransitionResult> => {
      const row = em.create(ProcedureCase, {
        id: caseId,
        // The clock of the transition (a test's, or a replay's), not the database's: the dashboard counts the case
        // under the day it was received.
        createdAt: now,
        updatedAt: now,
        procedureId: def.id,
        procedureVersion: def.version,
        folio: opts.folio ?? null,
        state: stateString(snap.value),
        status: 'activo',
        snapshot: persistSnapshot(def.machine, snap),
        version: 1,
        movementCount: 0,
        lastMovementHash: GENESIS_HASH,
        nivelClave: null,
        cct: null,
        curp: null,
        cuentaId: null,
        responsableId: opts.responsableId ?? null,
        outcome: null,
        incidentMessage: null,
        startedBy: actor.id,
        closedAt: null,
      });
      this.copyCaseFields(row, snap, def.searchFields);
      await this.applyStatus(em, row, snap, now);
      const movement = this.chainMovement(
        row,
        actor,
        now,
        '(inicio)',
        { type: 'INICIAR', ...input },
        this.stepsOf(def, snap, undefined, []),
      );
      await em.insert(ProcedureCase, row);
      await em.insert(Movement, movement);
      const out = WriteBatch.for(this.ds);
      out.add(deltaStatement(countChanges([], caseCounts(row))));
      const tasks = await this.syncTasks(em, out, def, row, snap, actor, now, []);
      const commands = this.commandRows(row, actions, now);
      this.queueOutbox(em, out, commands);
      await out.flush(em);
      let open = tasks.open;
      // The first act, and any the same person does at once (the Subdirección registering a paper oficio both sends
      // and receives it), all or nothing.
      const events = [
        ...(startEvent ? [{ at: now.toISOString(), ...opts.startEvent, type: startEvent }] : []),
        ...(opts.followUp ?? []),
      ];
      let current = snap;
      const all = commands.map((c) => ({ id: c.id, type: c.type }));
      for (const e of events) {
        const step = await this.applyEvent(em, def, row, current, { at: now.toISOString(), ...e }, actor, now, open);
        current = step.next;
        open = step.open;
        all.push(...step.commands);
      }
      return this.result(row, all);
    };
    return opts.em ? open(opts.em) : inTransaction(this.ds, open);
  }

  async send(caseId: string, event: EngineEvent, actor: Actor, opts: SendOptions = {}): Promise<TransitionResult> {
    let procedure = 'desconocido';
    return this.measured(
      () => procedure,
      () => this.sendOnce(caseId, event, actor, opts, (p) => (procedure = p)),
    );
  }

  /** Counts a transition by procedure and outcome, and times it (GET /metrics). */
  private async measured<T>(procedure: string | (() => string), run: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const label = (): string => (typeof procedure === 'string' ? procedure : procedure());
    try {
      const result = await run();
      transitionsTotal.inc({ procedure: label(), outcome: 'ok' });
      transitionSeconds.observe({ procedure: label() }, secondsSince(t0));
      return result;
    } catch (e) {
      const status = e instanceof DomainError ? e.status : 500;
      const outcome = status === 409 ? 'conflicto' : status < 500 ? 'rechazada' : 'error';
      transitionsTotal.inc({ procedure: label(), outcome });
      throw e;
    }
  }

  private async sendOnce(
    caseId: string,
    event: EngineEvent,
    actor: Actor,
    opts: SendOptions,
    procedureIs: (procedureId: string) => void,
  ): Promise<TransitionResult> {
    const now = opts.now ?? new Date();
    const apply = async (em: EntityManager): Promise<TransitionResult> => {
      // The case and its open tasks (who holds them, which ones this transition closes), read together: one round
      // trip on MySQL/MariaDB.
      const openOpts = { select: ['id', 'stateId', 'candidateRole', 'assigneeId'] } as const;
      const [caseRows, taskRows] = await readTogether(this.ds, em, [
        this.sql.cases.findStatement({ id: caseId }, { limit: 1 }),
        this.sql.tasks.findStatement({ caseId, status: 'abierta' }, openOpts),
      ]);
      const [row] = this.sql.cases.rows(caseRows);
      if (!row) throw notFound('El trámite');
      procedureIs(row.procedureId);
      this.checkScope(row, actor);
      if (opts.expectedVersion !== undefined && opts.expectedVersion !== row.version) throw this.conflict(row);
      const open = this.sql.tasks.rows(taskRows, openOpts);
      await this.checkTaskHolder(open, actor);
      const def = this.registry.get(row.procedureId, row.procedureVersion);
      const snap = this.load(def, row);
      const { commands } = await this.applyEvent(em, def, row, snap, event, actor, now, open);
      return this.result(row, commands);
    };
    return opts.em ? apply(opts.em) : inTransaction(this.ds, apply);
  }

  /**
   * An act on a case that changes none of its state (a document downloaded, a download refused): one more movement in
   * the case's chain, guarded by a compare-and-set on the case's last hash instead of its version, so nobody's open
   * form goes stale. Retried when another movement of the case got in first.
   */
  async recordAct(caseId: string, actor: Actor, event: EngineEvent, now = new Date()): Promise<void> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const recorded = await inTransaction(this.ds, async (em) => {
        const row = await em.findOne(ProcedureCase, { where: { id: caseId } });
        if (!row) throw notFound('El trámite');
        const def = this.registry.get(row.procedureId, row.procedureVersion);
        const prev = row.lastMovementHash;
        const movement = this.chainMovement(row, actor, now, row.state, event, `${def.guideSection}:`);
        const res = await em
          .createQueryBuilder()
          .update(ProcedureCase)
          .set({ movementCount: row.movementCount, lastMovementHash: row.lastMovementHash, updatedAt: row.updatedAt })
          .where('id = :id AND last_movement_hash = :prev', { id: caseId, prev })
          .execute();
        if (!res.affected) return false;
        await em.insert(Movement, movement);
        return true;
      });
      if (recorded) return;
    }
    throw new DomainError(
      'MOVIMIENTO_NO_REGISTRADO',
      'No se pudo registrar el movimiento porque el trámite cambia sin parar; intente de nuevo.',
      409,
    );
  }

  /** One transition inside the caller's transaction: authorise, transition, save with version check, record. */
  private async applyEvent(
    em: EntityManager,
    def: EngineProcedure,
    row: ProcedureCase,
    snap: AnyMachineSnapshot,
    event: EngineEvent,
    actor: Actor,
    now: Date,
    open: OpenTask[],
  ): Promise<{ next: AnyMachineSnapshot; commands: { id: string; type: string }[]; open: OpenTask[] }> {
    this.authorize(snap, event, actor, row);
    try {
      assertPayload(def.eventPayloads, event, this.config?.cctStateCode);
    } catch (e) {
      // A person's typo is theirs to fix; a processor's bad result is a bug someone must see.
      if (isSystemEvent(def.eventPayloads, event.type))
        this.log.error(
          { caseId: row.id, event: event.type, err: (e as Error).message },
          'Un proceso del sistema envió datos inválidos',
        );
      throw e;
    }
    if (this.facts) event = await this.facts.complete(em, event);
    let next: AnyMachineSnapshot;
    let actions: unknown[];
    try {
      [next, actions] = pureTransition(def.machine, snap, event);
    } catch (e) {
      this.log.error(
        { caseId: row.id, event: event.type, err: (e as Error).message },
        'La máquina rechazó el evento con un error',
      );
      throw new DomainError(
        'EVENTO_INVALIDO',
        `El trámite no pudo procesar «${event.type}»: los datos no son válidos para este paso.`,
        422,
      );
    }
    if (next === snap && actions.length === 0) {
      throw new DomainError(
        'CONDICION_NO_CUMPLIDA',
        `La acción «${event.type}» no procede con los datos enviados en el estado actual del trámite (${row.state}).`,
        422,
      );
    }
    const fromState = row.state;
    const selected = def.machine.getTransitionData(snap, event);
    const pasos = this.stepsOf(
      def,
      next,
      snap,
      selected.map((t) => t.meta as TransitionMeta | undefined),
    );
    const columnsBefore = trackedColumns(row);
    const countedBefore = caseCounts(row);
    row.state = stateString(next.value);
    row.snapshot = persistSnapshot(def.machine, next);
    const fieldsBefore = searchFieldsOf(row);
    this.copyCaseFields(row, next, def.searchFields);
    await this.applyStatus(em, row, next, now);
    const fromVersion = row.version;
    row.version += 1;
    const movement = this.chainMovement(row, actor, now, fromState, event, pasos);
    // The transition's writes in one batch (one request on MySQL/MariaDB); the first, the case's version-checked
    // UPDATE, must change its row.
    const out = WriteBatch.for(this.ds);
    out.add(
      this.sql.cases.updateStatement(
        {
          ...changedColumns(columnsBefore, row),
          snapshot: row.snapshot,
          version: row.version,
          movementCount: row.movementCount,
          lastMovementHash: row.lastMovementHash,
          updatedAt: now,
        },
        { id: row.id, version: fromVersion },
      ),
      { mustChange: true },
    );
    out.add(this.sql.movements.insertStatement([movement]));
    out.add(deltaStatement(countChanges(countedBefore, caseCounts(row))));
    const tasks = await this.syncTasks(em, out, def, row, next, actor, now, open, fieldsBefore);
    const commands = this.commandRows(row, actions, now);
    this.queueOutbox(em, out, commands);
    await this.flushTransition(em, out, row, fromVersion);
    // A finished snapshot takes no event, so a case concluded here has just ended.
    if (row.status === 'concluido') for (const hook of this.endHooks) await hook(em, { row, event, actor, now });
    return { next, commands: commands.map((c) => ({ id: c.id, type: c.type })), open: tasks.open };
  }

  /**
   * Moves the open cases of `fromVersion` to the version that declares `migrateFrom` for it, mapping their states
   * through its stateMap (a state path or a prefix of one). Cases whose state the new version lacks are listed and
   * left untouched. Entry actions of the mapped states do not run again: no effect is declared twice.
   */
  async migrateOpenCases(
    procedureId: string,
    fromVersion: number,
    actor: Actor,
    now = new Date(),
  ): Promise<{ target: number; migrated: string[]; unmapped: { caseId: string; state: string }[] }> {
    const target = this.registry.versions(procedureId).find((d) => d.migrateFrom?.version === fromVersion);
    if (!target?.migrateFrom) {
      throw new DomainError(
        'SIN_MIGRACION',
        `Ninguna versión instalada de «${procedureId}» declara cómo migrar desde la versión ${fromVersion}.`,
        422,
      );
    }
    const from = this.registry.get(procedureId, fromVersion);
    const map = target.migrateFrom.stateMap;
    const mapPath = (path: string): string => {
      const prefix = Object.keys(map)
        .filter((k) => path === k || path.startsWith(`${k}.`))
        .sort((a, b) => b.length - a.length)[0];
      return prefix === undefined ? path : map[prefix] + path.slice(prefix.length);
    };
    const ids = (
      await this.ds.getRepository(ProcedureCase).find({
        select: { id: true },
        where: { procedureId, procedureVersion: fromVersion, status: In(['activo', 'incidente']) },
      })
    ).map((r) => r.id);
    const migrated: string[] = [];
    const unmapped: { caseId: string; state: string }[] = [];
    for (const id of ids) {
      await inTransaction(this.ds, async (em) => {
        const row = await em.findOneByOrFail(ProcedureCase, { id });
        const old = this.load(from, row);
        const persisted = JSON.parse(row.snapshot) as Record<string, unknown>;
        const paths = stateString(old.value).split(',').map(mapPath);
        let next: AnyMachineSnapshot;
        try {
          const value = paths.map(stateValueOf).reduce((acc, v) => deepMerge(acc, v));
          next = target.machine.resolveState({ ...persisted, value, context: old.context }) as AnyMachineSnapshot;
        } catch {
          unmapped.push({ caseId: id, state: row.state });
          return;
        }
        const fromState = row.state;
        const caseVersion = row.version;
        const countedBefore = caseCounts(row);
        row.procedureVersion = target.version;
        row.state = stateString(next.value);
        row.snapshot = persistSnapshot(target.machine, next);
        row.version += 1;
        const movement = this.chainMovement(
          row,
          actor,
          now,
          fromState,
          { type: 'MIGRAR_VERSION', deVersion: fromVersion, aVersion: target.version },
          `${target.guideSection}:`,
        );
        const res = await em.update(
          ProcedureCase,
          { id, version: caseVersion },
          {
            procedureVersion: row.procedureVersion,
            state: row.state,
            snapshot: row.snapshot,
            version: row.version,
            movementCount: row.movementCount,
            lastMovementHash: row.lastMovementHash,
            updatedAt: now,
          },
        );
        if (!res.affected) throw this.conflict({ ...row, version: caseVersion });
        await em.insert(Movement, movement);
        const open = await em.find(Task, {
          select: { id: true, stateId: true, candidateRole: true, assigneeId: true },
          where: { caseId: row.id, status: 'abierta' },
        });
        const out = WriteBatch.for(this.ds);
        out.add(deltaStatement(countChanges(countedBefore, caseCounts(row))));
        await this.syncTasks(em, out, target, row, next, actor, now, open, searchFieldsOf(row));
        await out.flush(em);
        migrated.push(id);
      });
    }
    return { target: target.version, migrated, unmapped };
  }

  /**
   * What may be done now on a case, by whom (the oficio's sender resolved for this case), or by `actor` only: event
   * types with their labels (payload guards are checked on send).
   */
  availableEvents(
    snap: AnyMachineSnapshot,
    c: Addressed,
    actor?: Actor,
  ): { event: string; label: string; roles: ActorRole[] }[] {
    return describeEvents(getNextTransitions(snap) as { eventType: string; meta?: unknown }[], c, actor);
  }

  /**
   * The acts a step of a procedure offers (its state node's transitions and its ancestors'), read from the newest
   * version that has that step, without loading any case: what a page that lists many tasks of one step may offer.
   * Guards are not evaluated; sending the act checks everything, case by case.
   */
  stepEvents(
    procedureId: string,
    stateId: string,
    c: Addressed,
  ): { event: string; label: string; roles: ActorRole[] }[] {
    for (const def of [...this.registry.versions(procedureId)].reverse()) {
      let node: AnyStateNode | undefined;
      try {
        node = def.machine.getStateNodeById(stateId);
      } catch {
        continue; // not a step of this version
      }
      // The step's own transitions, then its ancestors' for the events it does not handle itself.
      const transitions: { eventType: string; meta?: unknown }[] = [];
      const handled = new Set<string>();
      for (let n: AnyStateNode | undefined = node; n; n = n.parent) {
        const own = [...n.transitions].filter(([type]) => !handled.has(type));
        for (const [type, ts] of own) {
          handled.add(type);
          transitions.push(...ts);
        }
      }
      return describeEvents(transitions, c);
    }
    return [];
  }

  /** Loads a case's snapshot; a snapshot the machine cannot restore turns the case into an incident. */
  load(def: EngineProcedure, row: ProcedureCase): AnyMachineSnapshot {
    let snap: AnyMachineSnapshot | undefined;
    let reason = '';
    try {
      snap = restoreSnapshot(def.machine, row.snapshot);
      if (snap.status === 'error') reason = String((snap.error as Error | undefined)?.message ?? snap.error);
    } catch (e) {
      reason = (e as Error).message;
    }
    if (snap && !reason) return snap;
    // Recorded on its own: the caller's transaction is about to fail with the error below.
    this.markIncidentLater(row.id, `El estado guardado no se pudo restaurar (${reason}).`);
    throw new DomainError(
      'CASO_EN_INCIDENTE',
      'Este trámite quedó en un estado que el sistema no puede continuar; la Subjefatura de Sistemas fue notificada para revisarlo.',
      409,
    );
  }

  /**
   * Records the incident after the caller's transaction, one case after another, and a case once until it is recorded: a
   * sweep that meets many snapshots it cannot restore (the expiry sweep over cases a bad release left behind) would
   * otherwise open that many transactions at once, and the requests would find no connection in the pool (500 of them
   * at once took every connection of a web process for 5 s and its pages answered 503).
   */
  private markIncidentLater(caseId: string, message: string): void {
    if (this.incidentsWaiting.has(caseId)) return;
    this.incidentsWaiting.add(caseId);
    this.incidents = outsideTransaction(() =>
      this.incidents.then(async () => {
        await this.markIncident(caseId, message);
        this.incidentsWaiting.delete(caseId);
      }),
    );
  }

  private async markIncident(caseId: string, message: string): Promise<void> {
    try {
      await inTransaction(this.ds, async (em) => {
        const row = await em.findOne(ProcedureCase, { where: { id: caseId } });
        if (!row || row.status === 'incidente') return;
        // Only as it was read: the counters below start from that row.
        const res = await em.update(
          ProcedureCase,
          { id: caseId, version: row.version, status: row.status },
          { status: 'incidente', incidentMessage: message.slice(0, 400) },
        );
        if (!res.affected) return;
        const now = new Date();
        const task = taskFor(row, {
          stateId: '(incidente)',
          title: 'Revisar trámite en incidente',
          role: 'subjefatura',
          priority: 1,
          createdAt: now,
          warnAt: now,
          dueAt: await this.calendar.dueDate(now, 1),
        });
        await em.insert(Task, task);
        const counted = countChanges(caseCounts(row), [
          ...caseCounts({ ...row, status: 'incidente' }),
          openTaskCount(task),
        ]);
        const stmt = deltaStatement(counted);
        if (stmt) await em.query(stmt.text, stmt.params);
      });
      this.log.error({ caseId, message }, 'Trámite en incidente');
    } catch (e) {
      this.log.error({ caseId, err: (e as Error).message }, 'No se pudo registrar el incidente');
    }
  }

  private authorize(snap: AnyMachineSnapshot, event: EngineEvent, actor: Actor, c: Addressed): void {
    const candidates = (getNextTransitions(snap) as { eventType: string; meta?: unknown }[]).filter(
      (t) => t.eventType === event.type,
    );
    if (candidates.length === 0) {
      // A role that may never send this event in this procedure is refused as such, whatever the case's state: the
      // answer must not depend on whether the system (or another person) moved the case a moment earlier.
      const anywhere = rolesIn(rolesForEvent(snap.machine, event.type), c);
      if (anywhere.length > 0 && !anywhere.includes(actor.role)) throw notYourStep(anywhere, actor);
      throw new DomainError(
        'ACCION_NO_DISPONIBLE',
        `La acción «${event.type}» no está disponible en el estado actual del trámite (${stateString(snap.value)}).`,
        422,
      );
    }
    const roles = rolesIn(
      candidates.flatMap((t) => (t.meta as TransitionMeta | undefined)?.roles ?? []),
      c,
    );
    if (!roles.includes(actor.role)) throw notYourStep(roles, actor);
  }

  /**
   * A task someone took from the inbox is theirs: another person of the same role acting on its case would work it
   * behind their back (two clerks on one task). 409 until its holder, or an administrator, releases it. The system's
   * own events (effects' results, deadlines) are not a person's and always pass.
   */
  private async checkTaskHolder(open: OpenTask[], actor: Actor): Promise<void> {
    if (actor.role === 'sistema') return;
    const taken = open.find((t) => t.candidateRole === actor.role && t.assigneeId !== null);
    if (!taken || taken.assigneeId === actor.id) return;
    const holder = (await this.staff?.namesOf([taken.assigneeId!]))?.get(taken.assigneeId!);
    throw new DomainError(
      'TAREA_DE_OTRO',
      `Esta tarea la tomó ${holder ?? 'otra persona'}: pídale que la libere (o a un administrador) antes de actuar en el trámite.`,
      409,
    );
  }

  /** A case that is not addressed to the actor does not exist for them (404, so its existence does not leak). */
  checkScope(row: ProcedureCase, actor: Actor): void {
    if (!isAddressedTo(row, actor)) throw notFound('El trámite');
  }

  /**
   * Runs a transition's writes. The case's UPDATE checks the version read: when another transition of the case got in
   * first it changes nothing (StaleRowError), or — on MySQL, where the batch is one request that stops at its first
   * failure — the other transition's movement number or outbox key collides first. Either is a 409 and the transaction
   * rolls back. A collision while the case row holds this transition's own last hash is a real fault, thrown as it is.
   */
  private async flushTransition(
    em: EntityManager,
    out: WriteBatch,
    row: ProcedureCase,
    fromVersion: number,
  ): Promise<void> {
    try {
      await out.flush(em);
    } catch (e) {
      if (e instanceof StaleRowError) throw this.conflict({ ...row, version: fromVersion });
      if (isUniqueViolation(e)) {
        const [now] = await this.sql.cases.find(em, { id: row.id }, { select: ['lastMovementHash'] });
        if (now?.lastMovementHash !== row.lastMovementHash) throw this.conflict({ ...row, version: fromVersion });
      }
      throw e;
    }
  }

  private conflict(row: ProcedureCase): DomainError {
    return new DomainError(
      'VERSION_CAMBIO',
      'El trámite cambió desde que lo consultó (otra persona o el sistema actuó antes). Recargue para ver su estado actual e intente de nuevo.',
      409,
      { versionActual: row.version },
    );
  }

  /**
   * The columns the inbox and searches filter on, copied from the machine context where the procedure declares them
   * (machines/parts/search-fields.ts), so searches need not parse snapshots.
   */
  private copyCaseFields(row: ProcedureCase, snap: AnyMachineSnapshot, fields: SearchFields): void {
    const c = (snap.context ?? {}) as Record<string, unknown>;
    const str = (keys: readonly string[]): string | null => {
      for (const k of keys) {
        const v = k
          .split('.')
          .reduce<unknown>((o, p) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[p] : undefined), c);
        if (typeof v === 'string' && v) return v;
      }
      return null;
    };
    for (const [column, f] of Object.entries(fields) as [SearchColumn, SearchField][]) {
      const current = row[column];
      row[column] = f.fixed ? (current ?? str(f.paths)) : (str(f.paths) ?? current ?? str(f.fallback ?? []));
    }
  }

  private async applyStatus(em: EntityManager, row: ProcedureCase, snap: AnyMachineSnapshot, now: Date): Promise<void> {
    if (snap.status === 'done') {
      row.status = 'concluido';
      row.closedAt = now;
      row.outcome = finalOutcome(snap) ?? 'concluido';
      row.businessDays = businessDaysBetween(row.createdAt, now, await this.calendar.holidays(em));
    } else if (snap.status === 'error') {
      row.status = 'incidente';
      row.incidentMessage = String((snap.error as Error | undefined)?.message ?? 'error').slice(0, 400);
    } else {
      const metas = Object.values(snap.getMeta() as Record<string, StepMeta | undefined>);
      row.status = metas.some((m) => m?.incident) ? 'incidente' : 'activo';
      // The reason of an incident lives in the machine's context (registrarIncidente); the case row carries it for the
      // API and the inbox, and drops it when REINTENTAR puts the case back to work.
      const message = (snap.context as { incidente?: { message?: string } | null } | undefined)?.incidente?.message;
      row.incidentMessage =
        row.status === 'incidente' ? (message || 'Incidente sin motivo registrado.').slice(0, 400) : null;
    }
  }

  /** Guide steps a movement performs: the transition's own steps, then those of the states it entered. */
  private stepsOf(
    def: EngineProcedure,
    next: AnyMachineSnapshot,
    prev: AnyMachineSnapshot | undefined,
    transitionMetas: (TransitionMeta | undefined)[],
  ): string {
    const steps: string[] = transitionMetas.flatMap((m) => m?.pasos ?? []);
    const before = new Set(prev ? Object.keys(prev.getMeta() as object) : []);
    for (const [id, meta] of Object.entries(next.getMeta() as Record<string, StepMeta | undefined>)) {
      if (before.has(id) && prev && stateString(prev.value) !== stateString(next.value)) continue;
      for (const p of meta?.pasos ?? []) steps.push(p.no);
    }
    return `${def.guideSection}:${[...new Set(steps)].join(',')}`.slice(0, 120);
  }

  /**
   * The case's next movement, numbered after the case's last and linked to its hash; moves the case row's count and
   * last hash, which the caller writes in the statement that already guards the case row. Nothing global is read or locked: the
   * sequencer gives the movement its place in the transparency log after the commit.
   */
  private chainMovement(
    row: ProcedureCase,
    actor: Actor,
    now: Date,
    fromState: string,
    event: EngineEvent,
    pasos: string,
  ): Omit<Movement, 'seq'> {
    const { type, ...data } = event;
    const m: Omit<Movement, 'seq'> = {
      caseId: row.id,
      caseSeq: row.movementCount + 1,
      procedureId: row.procedureId,
      procedureVersion: row.procedureVersion,
      actorId: actor.id.slice(0, 60),
      actorRole: actor.role,
      at: now.toISOString(),
      fromState: fromState.slice(0, 200),
      toState: row.state.slice(0, 200),
      eventType: type.slice(0, 60),
      data: JSON.stringify(withoutSecrets(data)),
      pasos,
      prevHash: row.lastMovementHash,
      hash: '',
      leafIndex: null,
    };
    m.hash = movementHash(m.prevHash, m);
    row.movementCount = m.caseSeq;
    row.lastMovementHash = m.hash;
    return m;
  }

  /**
   * Opens a task for every active state that waits for a person; closes the tasks of states left behind; and, when
   * the case's search fields changed (`fieldsBefore`, a folio or nivel learnt), brings the tasks that stay open in
   * step. Every write names its rows by primary key: no range of the task table is locked, so transitions of
   * different cases never wait for (or deadlock with) each other there.
   */
  private async syncTasks(
    em: EntityManager,
    out: WriteBatch,
    def: EngineProcedure,
    row: ProcedureCase,
    snap: AnyMachineSnapshot,
    actor: Actor,
    now: Date,
    open: OpenTask[],
    fieldsBefore?: string,
  ): Promise<{ open: OpenTask[] }> {
    const wanted = new Map<string, NonNullable<StepMeta['task']>>();
    if (snap.status === 'active') {
      for (const [id, meta] of Object.entries(snap.getMeta() as Record<string, StepMeta | undefined>)) {
        if (meta?.task) wanted.set(id, meta.task);
      }
    }
    const toClose = open.filter((t) => !wanted.has(t.stateId)).map((t) => t.id);
    if (toClose.length) {
      out.add(
        this.sql.tasks.updateStatement(
          { status: 'cerrada', closedAt: now, closedBy: actor.id.slice(0, 60) },
          {},
          { column: 'id', values: toClose },
        ),
      );
      // After the UPDATE that locked them: a reminder the sweep marked meanwhile is counted where it is.
      out.add(taskCountStatement(toClose, -1));
    }
    const staying = open.filter((t) => wanted.has(t.stateId));
    const have = new Set(staying.map((t) => t.stateId));
    const created: Task[] = [];
    for (const [stateId, task] of wanted) {
      if (have.has(stateId)) continue;
      const dueAt = await this.calendar.dueDate(now, task.slaDays, em);
      const warnAt = new Date(now.getTime() + 0.75 * (dueAt.getTime() - now.getTime()));
      const role = task.role === SOLICITANTE ? requesterRole(row) : task.role;
      const t = taskFor(row, {
        stateId,
        title: task.title,
        role,
        priority: PRIORITY[task.priority ?? 'normal'],
        createdAt: now,
        warnAt,
        dueAt,
      });
      // Its reminder ("falta poco", warnAt) and escalation (dueAt) are queued by TaskReminderSweep when they come.
      created.push(t);
    }
    out.add(this.sql.tasks.insertStatement(created));
    out.add(deltaStatement(countChanges([], created.map(openTaskCount))));
    // New tasks took the case's fields when written; the ones that stay open follow a change.
    if (staying.length && fieldsBefore !== undefined && fieldsBefore !== searchFieldsOf(row)) {
      const ids = staying.map((t) => t.id);
      out.add(
        this.sql.tasks.updateStatement(
          { folio: row.folio, nivelClave: row.nivelClave, cct: row.cct, curp: row.curp },
          {},
          { column: 'id', values: ids },
        ),
      );
      const nivelBefore = (JSON.parse(fieldsBefore) as (string | null)[])[1];
      if (nivelBefore !== row.nivelClave) {
        out.add(taskCountStatement(ids, -1, { nivel: nivelBefore }));
        out.add(taskCountStatement(ids, 1));
      }
    }
    return {
      open: [
        ...staying,
        ...created.map((t) => ({ id: t.id, stateId: t.stateId, candidateRole: t.candidateRole, assigneeId: null })),
      ],
    };
  }

  /**
   * Declared effects → outbox rows. The key (case, its movement number, position) is stable, so nothing is written
   * twice; `#` sets it apart from the keys written before movements were numbered per case (case:globalSeq:i).
   */
  private commandRows(row: ProcedureCase, actions: unknown[], now: Date): OutboxCommand[] {
    const out: OutboxCommand[] = [];
    let i = 0;
    for (const a of actions as { type: string; params?: unknown }[]) {
      if (!(COMMAND_TYPES as string[]).includes(a.type)) {
        if (!a.type.startsWith('xstate.'))
          this.log.warn({ caseId: row.id, action: a.type }, 'Acción sin comando conocido; se ignora');
        continue;
      }
      out.push(
        outboxRow(row.id, a.type, withoutSecrets(a.params ?? {}), `${row.id}#${row.movementCount}:${i++}`, now, now),
      );
    }
    return out;
  }

  private result(row: ProcedureCase, commands: { id: string; type: string }[]): TransitionResult {
    return {
      caseId: row.id,
      version: row.version,
      state: row.state,
      status: row.status,
      outcome: row.outcome,
      commands,
    };
  }
}

/** The case fields its open tasks carry for the inbox's filters, as one comparable value. */
function searchFieldsOf(row: ProcedureCase): string {
  return JSON.stringify([row.folio, row.nivelClave, row.cct, row.curp]);
}

/** The open tasks of a case as a transition needs them: which state, whose role, held by whom. */
type OpenTask = Pick<Task, 'id' | 'stateId' | 'candidateRole' | 'assigneeId'>;

/** A command as the engine writes it to the outbox: pending from `availableAt`, payload as JSON. */
export function outboxRow(
  caseId: string,
  type: string,
  payload: unknown,
  idempotencyKey: string,
  availableAt: Date,
  now: Date,
): OutboxCommand {
  return pendingCommand({
    id: randomUUID(),
    caseId,
    type,
    payload: JSON.stringify(payload),
    idempotencyKey,
    availableAt,
    createdAt: now,
  });
}
