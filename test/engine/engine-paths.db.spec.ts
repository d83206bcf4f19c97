/**
 * Every procedure of the catalog, every shortest and simple path of its machine (`xstate/graph`, with the sample
 * events of test/support/machine-drive.ts), walked THROUGH the engine on a real database: the case is opened with the
 * path's first event (the catalog's startEvent), then each event is sent by an actor whose role the transition's
 * meta allows. After every event the engine must be where the pure walk is (state, status, outcome, declared
 * commands, context) and have written exactly one movement; the hash chain must verify at the end.
 *
 * Restarts: the first time a case rests in a state, the next event is sent by a NEW EngineService on a NEW
 * connection (DataSource) to the same database, so every reachable state is loaded from storage by a fresh process
 * and accepts its next event. Final states are reloaded the same way and must refuse events with a 422, not fail.
 *
 * Paths that cannot go through the engine are counted and listed, not silently dropped: the path of length 0 (the
 * initial state, which the engine never stores: it applies the startEvent in the opening transaction) and paths whose
 * first event is not the startEvent (VENCIMIENTO on a self-service page nobody used).
 *
 * Neither traversal takes a transition that closes a cycle (REINTENTAR back to the state that failed: the graph node
 * it leads to was already seen), so each transition no path takes gets one more path: the shortest path to its source
 * plus its event. Every transition the machine declares must then have gone through the engine at least once (from
 * the initial state, only the startEvent can).
 */
import { initialTransition, transition } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { DataSource } from 'typeorm';
import { commandsOf } from '../../machines/commands';
import { statePath, statesOf, transitionsOf } from '../../machines/guide';
import {
  type ActorRole,
  CURRENT_PROCEDURES,
  PROCEDURES,
  type ProcedureDefinition,
  type ProcedureEvent,
} from '../../machines/index';
import { INPUT, SAMPLE_EVENTS, serializeState, type Snap } from '../support/machine-drive';
import { dataSourceOptions } from '../../src/entities';
import { type Actor, rolesIn, SYSTEM_ACTOR } from '../../src/auth/actor';
import { CalendarService } from '../../src/engine/calendar.service';
import type { EventFacts } from '../../src/engine/event-facts';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Movement } from '../../src/engine/entities/movement.entity';
import { type EngineEvent, EngineService, type TransitionResult } from '../../src/engine/engine.service';
import { verifyMovementLog } from '../../src/engine/audit';
import type { EngineProcedure } from '../../src/engine/procedure-registry';
import { restoreSnapshot, stateString } from '../../src/engine/snapshot';
import { createTestDb, type TestDb } from '../support/test-db';
import { counters, rebuiltCounters } from '../support/dashboard-counters';
import { DashboardCounts } from '../../src/engine/dashboard-counts';

const CATALOG = PROCEDURES as unknown as EngineProcedure[];
const CURP = 'GORM800101HCMMVN08'; // the worker of ev.identificar()
const CCT = INPUT.cct ?? '';
const NIVEL = INPUT.nivel ?? '';

/** An actor of the role, scoped to the case the samples describe (same worker, school and nivel). */
function actorOf(role: ActorRole): Actor {
  switch (role) {
    case 'sistema':
      return SYSTEM_ACTOR;
    case 'trabajador':
      return { id: `curp:${CURP}`, role, curp: CURP };
    case 'centro_trabajo':
      return { id: `cct:${CCT}`, role, cct: CCT };
    case 'nivel':
      return { id: 'u-nivel', role, nivelClave: NIVEL };
    case 'subdireccion':
    case 'subjefatura':
    case 'responsable':
    case 'administrador':
      return { id: `u-${role}`, role };
  }
}

interface PathPlan {
  events: ProcedureEvent[];
  /** Where it came from: "shortest", "simple" or both, or "ciclo" (a transition no traversal took). */
  from: string[];
}

/** "source --EVENT--> target" ('*' for a target that decides at once: a snapshot never rests there). */
const transitionKey = (source: string, event: string, target: string) => `${source} --${event}--> ${target}`;

/** A first act the engine opens a case with: the startEvent, or one of the procedure's other starts (`startWith`). */
const opensWith = (def: ProcedureDefinition, type: string | undefined): boolean =>
  type !== undefined && (type === def.startEvent || Object.keys(def.otherStarts ?? {}).includes(type));

/** The transitions a walk through the engine can take: all but those from the initial state other than its starts. */
function walkableTransitions(def: ProcedureDefinition): string[] {
  const initialState = stateString(initialTransition(def.machine, INPUT)[0].value);
  const transient = new Set(
    statesOf(def.machine)
      .filter((n) => (n.always ?? []).length > 0)
      .map(statePath),
  );
  const keys = transitionsOf(def.machine)
    .filter((t) => t.event !== '' && (t.source !== initialState || opensWith(def, t.event)))
    .map((t) =>
      transitionKey(t.source, t.event, t.targets.length === 1 && !transient.has(t.targets[0]) ? t.targets[0] : '*'),
    );
  return [...new Set(keys)];
}

/** The keys a snapshot and the one after it match: the exact target, and '*'. */
const keysOf = (from: Snap, event: ProcedureEvent, to: Snap): string[] => [
  transitionKey(stateString(from.value), event.type, stateString(to.value)),
  transitionKey(stateString(from.value), event.type, '*'),
];

/** The distinct paths (by event sequence) of both traversals, and those the engine cannot walk, with why. */
function plan(def: ProcedureDefinition): {
  walk: PathPlan[];
  skipped: { events: string; why: string }[];
  shortest: number;
  simple: number;
} {
  const traversal = { events: SAMPLE_EVENTS, input: INPUT, serializeState };
  const byKey = new Map<string, PathPlan>();
  const shortest = getShortestPaths(def.machine, traversal);
  const simple = getSimplePaths(def.machine, traversal);
  for (const [from, paths] of [
    ['shortest', shortest],
    ['simple', simple],
  ] as const) {
    for (const p of paths) {
      const events = p.steps.slice(1).map((s) => s.event); // steps[0] is xstate.init
      const key = JSON.stringify(events);
      const known = byKey.get(key);
      if (known) known.from.push(from);
      else byKey.set(key, { events, from: [from] });
    }
  }
  const walk: PathPlan[] = [];
  const skipped: { events: string; why: string }[] = [];
  for (const p of byKey.values()) {
    const types = p.events.map((e) => e.type).join(' → ');
    if (p.events.length === 0)
      skipped.push({ events: '(estado inicial)', why: 'el motor aplica el evento de inicio al abrir el caso' });
    else if (!opensWith(def, p.events[0].type))
      skipped.push({ events: types, why: `el motor abre el caso con ${def.startEvent}` });
    else walk.push(p);
  }
  // The transitions the walks take (pure), then one more path for each one they miss.
  const taken = new Set<string>();
  for (const p of walk) {
    let snap: Snap = initialTransition(def.machine, INPUT)[0];
    for (const e of p.events) {
      const [next] = transition(def.machine, snap, e);
      for (const k of keysOf(snap, e, next)) taken.add(k);
      snap = next;
    }
  }
  for (const wanted of walkableTransitions(def).filter((k) => !taken.has(k))) {
    for (const p of shortest) {
      if (taken.has(wanted)) break;
      const prefix = p.steps.slice(1).map((s) => s.event);
      if (!opensWith(def, prefix[0]?.type)) continue;
      const event = SAMPLE_EVENTS.find(
        (e) => p.state.can(e) && keysOf(p.state, e, transition(def.machine, p.state, e)[0]).includes(wanted),
      );
      if (!event) continue;
      walk.push({ events: [...prefix, event], from: ['ciclo'] });
      for (const k of keysOf(p.state, event, transition(def.machine, p.state, event)[0])) taken.add(k);
    }
  }
  return { walk, skipped, shortest: shortest.length, simple: simple.length };
}

/** What the pure API says one event does: the next snapshot and the command types it declares. */
function pureStep(def: ProcedureDefinition, snap: Snap, event: ProcedureEvent): { next: Snap; commands: string[] } {
  const [next, actions] = transition(def.machine, snap, event);
  return { next, commands: commandsOf(actions).map((c) => c.type) };
}

/** Who may send the event, for a case addressed as the walked ones are (the samples' nivel, the responsable user). */
const rolesFor = (def: ProcedureDefinition, snap: Snap, event: ProcedureEvent): ActorRole[] =>
  rolesIn(
    def.machine.getTransitionData(snap, event).flatMap((t) => t.meta?.roles ?? []),
    { nivelClave: NIVEL, responsableId: actorOf('responsable').id },
  );

const expectedStatus = (snap: Snap): { status: string; outcome: string | null } => {
  if (snap.status === 'done') return { status: 'concluido', outcome: snap.output.outcome };
  const incident = Object.values(snap.getMeta()).some((m) => m?.incident);
  return { status: incident ? 'incidente' : 'activo', outcome: null };
};

/**
 * What the catalog adds in production (src/catalog/catalog-event-facts.ts): the engine refuses `cuentaExistente` from a
 * sender (machines/parts/payloads.ts), so the walk hands the sample's fact over the way the catalog does, after the check.
 */
let pendingFacts: Record<string, unknown> = {};
const FACTS: EventFacts = {
  complete: (_em, e) => {
    const out = { ...e, ...pendingFacts };
    pendingFacts = {};
    return Promise.resolve(out);
  },
};
const asEngineEvent = (e: ProcedureEvent): EngineEvent => {
  const { cuentaExistente, ...sent } = e as ProcedureEvent & { cuentaExistente?: unknown };
  pendingFacts = cuentaExistente === undefined ? {} : { cuentaExistente };
  return sent;
};
const payloadOf = ({ type: _type, ...rest }: ProcedureEvent): Record<string, unknown> => rest;

describe('every path of every procedure through the engine', () => {
  let db: TestDb;
  let engine: EngineService;
  const figures: string[] = [];
  const started = Date.now();

  beforeAll(async () => {
    db = await createTestDb();
    engine = new EngineService(db.dataSource, CATALOG, new CalendarService(db.dataSource), FACTS);
    await engine.syncCatalog(new Date('2026-01-01T00:00:00Z'));
  });

  afterAll(async () => {
    await db?.close();
    // The figures the closing note quotes: paths per procedure and time per dialect.
    console.log(
      `engine-paths (${db?.dialect}), ${((Date.now() - started) / 1000).toFixed(1)} s\n${figures.join('\n')}`,
    );
  });

  /** A fresh process as far as the engine can tell: its own connection pool, calendar cache and registry. */
  async function restarted<T>(fn: (fresh: EngineService) => Promise<T>): Promise<T> {
    const ds = new DataSource(
      dataSourceOptions(
        db.databaseUrl
          ? { databaseUrl: db.databaseUrl, dataDir: db.dataDir }
          : { dataDir: db.dataDir, sqliteFile: db.sqliteFile },
      ),
    );
    await ds.initialize();
    try {
      return await fn(new EngineService(ds, CATALOG, new CalendarService(ds), FACTS));
    } finally {
      await ds.destroy();
    }
  }

  // The engine opens new cases on the newest version of each procedure (older ones are walked purely by
  // machines/procedures.spec.ts).
  it.each(CURRENT_PROCEDURES.map((def) => [def.id, def] as const))(
    '%s: shortest and simple paths, a restart in every state, one movement per event, a valid chain',
    async (_id, def) => {
      const t0 = Date.now();
      const { walk, skipped, shortest, simple } = plan(def);
      expect(walk.length).toBeGreaterThan(0);
      const restartedIn = new Set<string>();
      const finalsReloaded = new Set<string>();
      const reached = new Set<string>();
      /** Every transition the engine applied ("source --EVENT--> target", and with '*'). */
      const walked = new Set<string>();
      let events = 0;

      for (const [pathNo, path] of walk.entries()) {
        const where = (i: number) =>
          `${def.id} camino ${pathNo} (${path.events.map((e) => e.type).join(' → ')}), evento ${i}`;
        const [initial] = initialTransition(def.machine, INPUT);
        // Open the case with the path's first event.
        const first = path.events[0];
        // Another start than the startEvent (5.5 v3: CONCILIAR) is named by the caller and has its own roles.
        const other = first.type !== def.startEvent;
        const allowed = other ? (def.otherStarts?.[first.type] ?? []) : def.startRoles;
        const startRoles = rolesFor(def, initial, first).filter((r) => allowed.includes(r));
        expect([where(0), startRoles.length > 0]).toEqual([where(0), true]);
        let pure = pureStep(def, initial, first);
        let snap = pure.next;
        const { caseId: _ignored, ...input } = INPUT;
        // The case is addressed to the actors of the samples: their nivel (INPUT) and the responsable user.
        const opened = await engine.start(
          def.id,
          actorOf(startRoles[pathNo % startRoles.length]),
          { ...input },
          {
            startEvent: payloadOf(first),
            responsableId: actorOf('responsable').id,
            ...(other ? { startWith: first.type } : {}),
          },
        );
        const caseId = opened.caseId;
        let result: TransitionResult = opened;
        const check = (r: TransitionResult, i: number, commands: string[]) => {
          const want = { state: stateString(snap.value), ...expectedStatus(snap) };
          expect([where(i), { state: r.state, status: r.status, outcome: r.outcome }]).toEqual([where(i), want]);
          expect([where(i), r.version]).toEqual([where(i), i + 2]);
          expect([where(i), r.commands.map((c) => c.type)]).toEqual([where(i), commands]);
        };
        const [, initialActions] = initialTransition(def.machine, INPUT);
        check(result, 0, [...commandsOf(initialActions).map((c) => c.type), ...pure.commands]);
        for (const k of keysOf(initial, first, snap)) walked.add(k);
        reached.add(stateString(snap.value));

        for (let i = 1; i < path.events.length; i++) {
          const event = path.events[i];
          const roles = rolesFor(def, snap, event);
          expect([where(i), roles.length > 0]).toEqual([where(i), true]);
          const actor = actorOf(roles[(pathNo + i) % roles.length]);
          const from = stateString(snap.value);
          pure = pureStep(def, snap, event);
          for (const k of keysOf(snap, event, pure.next)) walked.add(k);
          const send = (e: EngineService) =>
            e.send(caseId, asEngineEvent(event), actor, { expectedVersion: result.version });
          if (!restartedIn.has(from)) {
            restartedIn.add(from);
            result = await restarted(send);
          } else {
            result = await send(engine);
          }
          snap = pure.next;
          check(result, i, pure.commands);
          reached.add(stateString(snap.value));
        }
        events += path.events.length;

        // One movement per event (plus the opening one), in order, each from where the previous one left.
        const moves = await db.dataSource.getRepository(Movement).find({ where: { caseId }, order: { seq: 'ASC' } });
        expect([where(-1), moves.map((m) => m.eventType)]).toEqual([
          where(-1),
          ['INICIAR', ...path.events.map((e) => e.type)],
        ]);
        for (let k = 1; k < moves.length; k++)
          expect([where(k), moves[k].fromState]).toEqual([where(k), moves[k - 1].toState]);

        // What is stored is what the pure walk holds.
        const row = await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: caseId });
        const stored = restoreSnapshot(def.machine, row.snapshot);
        expect([where(-1), stored.value, stored.status]).toEqual([where(-1), snap.value, snap.status]);
        expect([where(-1), stored.context]).toEqual([where(-1), { ...snap.context, caseId }]);

        if (snap.status === 'done' && !finalsReloaded.has(row.state)) {
          finalsReloaded.add(row.state);
          await restarted(async (fresh) => {
            const reloaded = fresh.load(fresh.registry.get(def.id, def.version), row);
            expect([where(-1), reloaded.status]).toEqual([where(-1), 'done']);
            await expect(fresh.send(caseId, { type: 'TURNAR' }, actorOf('subdireccion'))).rejects.toMatchObject({
              status: 422,
              code: 'ACCION_NO_DISPONIBLE',
            });
          });
          const after = await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: caseId });
          expect([where(-1), after.status, after.version]).toEqual([where(-1), 'concluido', row.version]);
        }
      }

      // Every state of the machine was stored and reloaded by a fresh engine, except the initial state (never
      // stored) and the eventless decisions (a snapshot never rests there).
      const all = statesOf(def.machine);
      const initialState = stateString(initialTransition(def.machine, INPUT)[0].value);
      const transient = all.filter((n) => (n.always ?? []).length > 0).map(statePath);
      const finals = all.filter((n) => n.type === 'final').map(statePath);
      const resting = all.map(statePath).filter((s) => !transient.includes(s) && s !== initialState);
      expect([...reached].sort()).toEqual([...resting].sort());
      expect([...restartedIn, ...finalsReloaded].sort()).toEqual([...resting].sort());
      expect([...finalsReloaded].sort()).toEqual([...finals].filter((f) => f !== initialState).sort());
      const declared = walkableTransitions(def);
      expect(declared.length).toBeGreaterThan(5);
      expect(declared.filter((k) => !walked.has(k))).toEqual([]);
      const cycles = walk.filter((p) => p.from.includes('ciclo')).length;

      const chain = await verifyMovementLog(db.dataSource, { trusted: [] });
      expect(chain.problems).toEqual([]);
      expect(chain.checked).toBe(await db.dataSource.getRepository(Movement).count());

      figures.push(
        `  ${def.id}: ${shortest} más cortos + ${simple} simples → ${walk.length - cycles + skipped.length} distintos, ` +
          `${walk.length - cycles} recorridos${cycles ? ` + ${cycles} que cierran un ciclo` : ''} ` +
          `(${events} eventos, ${declared.length} transiciones, ${restartedIn.size + finalsReloaded.size} estados recargados tras reinicio)` +
          `${skipped.length ? `, ${skipped.length} no recorribles: ${skipped.map((s) => `${s.events} (${s.why})`).join('; ')}` : ''}` +
          ` — ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
    },
    120_000,
  );

  it('leaves the dashboard counters every transition kept equal to those built from the rows, folded or not', async () => {
    const live = await counters(db.dataSource);
    expect(Object.keys(live).length).toBeGreaterThan(20);
    expect(Object.keys(live).some((k) => k.startsWith('resuelto|'))).toBe(true);
    expect(Object.keys(live).some((k) => k.startsWith('tarea|'))).toBe(true);
    expect(Object.values(live).every((n) => n > 0)).toBe(true);
    expect(await new DashboardCounts(db.dataSource).fold()).toBeGreaterThan(0);
    expect(await counters(db.dataSource)).toEqual(live);
    expect(await rebuiltCounters(db.dataSource, db.dialect)).toEqual(live);
  }, 60_000);
});
