/**
 * Properties every procedure machine of the catalog must have: reachable outcomes, no case that can get stuck,
 * the guide's steps each exactly once, roles on every event, only declared commands, and snapshots that behave the
 * same after a JSON round trip.
 */
import { getAdjacencyMap, getShortestPaths, getSimplePaths } from 'xstate/graph';
import { transition } from 'xstate';
import { commandsOf } from './commands';
import { guideStepsOf, statePath, statesOf, transitionsOf } from './guide';
import {
  ACTOR_ROLES,
  COMMAND_TYPES,
  CURRENT_PROCEDURES,
  getProcedure,
  latestProcedure,
  PROCEDURES,
  type ProcedureDefinition,
  SOLICITANTE,
  type StepMeta,
} from './index';
import {
  guideSection,
  guideStepNumbers,
  INPUT,
  loadGuide,
  roundTrip,
  SAMPLE_EVENTS,
  serializeState,
  type Snap,
} from '../test/support/machine-drive';

const guide = loadGuide();

/** Where the machines deliberately run steps in another order than the guide prints them. */
const REORDERED: Record<string, (numbers: string[]) => string[]> = {
  // Correction 6: the Servicio creates the account (10) before the reply letter with its access data (8, 9).
  '5.2.1': (n) => moveBefore(n, '10', '8'),
  // Correction 7: paso 6 split; the Servicio's part (6a) runs before the reply letter (6).
  '5.3.1': (n) => moveBefore(n, '6a', '6'),
};

function moveBefore(numbers: string[], moved: string, before: string): string[] {
  const rest = numbers.filter((n) => n !== moved);
  const at = rest.indexOf(before);
  if (at < 0 || rest.length === numbers.length) throw new Error(`Cannot move ${moved} before ${before}`);
  return [...rest.slice(0, at), moved, ...rest.slice(at)];
}

const stepKey = (def: ProcedureDefinition, section: string, no: string) =>
  def.guideTables.length > 1 ? `${section}#${no}` : no;

const RESULT_EVENTS = new Set([
  'PROVISION_OK',
  'PROVISION_ERROR',
  'CREDENTIALS_SENT',
  'CREDENTIALS_ERROR',
  'LETTER_READY',
  'LETTER_ERROR',
  'VENCIMIENTO',
]);

const AWAITED_RESULT: Record<string, [ok: string, error: string]> = {
  provision: ['PROVISION_OK', 'PROVISION_ERROR'],
  sendCredentials: ['CREDENTIALS_SENT', 'CREDENTIALS_ERROR'],
  renderReplyLetter: ['LETTER_READY', 'LETTER_ERROR'],
};

describe('procedure catalog', () => {
  it('has every procedure of the guide in version 1, the oficio procedures and 5.2.2 in version 2, 5.4 and 5.5 in 3', () => {
    expect(PROCEDURES.map((p) => `${p.id}@${p.version}`).sort()).toEqual(
      [
        'centro-trabajo-alta@1',
        'centro-trabajo-alta@2',
        'centro-trabajo-restablecer@1',
        'centro-trabajo-restablecer@2',
        'cuenta-bloquear@1',
        'cuenta-bloquear@2',
        'cuenta-bloquear@3',
        'cuenta-reasignar@1',
        'cuenta-reasignar@2',
        'cuenta-reasignar@3',
        'personal-alta@1',
        'personal-restablecer@1',
        'servicio-alta@1',
        'servicio-alta@2',
        'servicio-restablecer@1',
        'servicio-restablecer@2',
      ].sort(),
    );
    expect(CURRENT_PROCEDURES.map((p) => p.id)).toEqual([...new Set(PROCEDURES.map((p) => p.id))]);
    expect(new Set(CURRENT_PROCEDURES.map((p) => p.title)).size).toBe(CURRENT_PROCEDURES.length);
    expect(new Set(CURRENT_PROCEDURES.map((p) => p.machine.id)).size).toBe(CURRENT_PROCEDURES.length);
    // A version keeps its procedure's title, guide and machine id; only the machine changes.
    for (const p of PROCEDURES) {
      const v1 = getProcedure(p.id, 1)!;
      expect([p.id, p.version, p.title, p.guideSection, p.machine.id]).toEqual([
        p.id,
        p.version,
        v1.title,
        v1.guideSection,
        p.id,
      ]);
    }
  });

  it('finds a definition by id and version, and the newest one for new cases', () => {
    expect(getProcedure('cuenta-bloquear', 1)?.guideSection).toBe('5.5');
    expect(getProcedure('cuenta-bloquear', 2)?.machine).not.toBe(getProcedure('cuenta-bloquear', 1)?.machine);
    expect(getProcedure('cuenta-bloquear', 3)?.machine).not.toBe(getProcedure('cuenta-bloquear', 2)?.machine);
    expect(getProcedure('cuenta-bloquear', 4)).toBeUndefined();
    expect(latestProcedure('cuenta-bloquear')?.version).toBe(3);
    expect(getProcedure('no-existe', 1)).toBeUndefined();
    expect(latestProcedure('servicio-alta')?.version).toBe(2);
    expect(latestProcedure('personal-alta')?.version).toBe(1);
    expect(latestProcedure('no-existe')).toBeUndefined();
  });

  it('lets version 2 take every open case of version 1 as it is: each v1 state exists in v2 (cases:migrate)', () => {
    for (const v2 of PROCEDURES.filter((p) => p.version === 2)) {
      expect(v2.migrateFrom).toEqual({ version: 1, stateMap: {} });
      const v2States = new Set(statesOf(v2.machine).map(statePath));
      const v1States = statesOf(getProcedure(v2.id, 1)!.machine).map(statePath);
      expect([v2.id, v1States.filter((s) => !v2States.has(s))]).toEqual([v2.id, []]);
      // The oficio procedures add the end of a rejected request after its letter; 5.2.2 already had it.
      const added = v2.id === 'centro-trabajo-restablecer' ? [] : ['rechazada'];
      expect([v2.id, [...v2States].filter((s) => !v1States.includes(s))]).toEqual([v2.id, added]);
    }
  });

  it('names each table of the guide it implements, with the section headings the guide uses', () => {
    for (const def of PROCEDURES) {
      for (const table of def.guideTables) {
        expect(guideSection(guide, table.section)).toContain(table.heading);
      }
      expect(def.guideSection).toContain(def.guideTables[0].section);
    }
  });
});

describe.each(PROCEDURES.map((def) => [`${def.id}@${def.version}`, def] as const))('%s', (_name, def) => {
  const machine = def.machine;
  const states = statesOf(machine);
  const transitions = transitionsOf(machine);
  const finals = states.filter((s) => s.type === 'final').map(statePath);
  const transient = new Set(states.filter((s) => (s.always ?? []).length > 0).map(statePath));
  const traversal = { events: SAMPLE_EVENTS, input: INPUT, serializeState };

  const shortest = getShortestPaths(machine, traversal);
  const reachedShortest = new Set(shortest.map((p) => String(p.state.value)));

  it('reaches every state and every final state (shortest paths)', () => {
    expect(finals.length).toBeGreaterThan(0);
    const resting = states.map(statePath).filter((s) => !transient.has(s));
    expect(resting.filter((s) => !reachedShortest.has(s))).toEqual([]);
  });

  it('reaches every final state (simple paths), each with an output that says how it ended', () => {
    const simple = getSimplePaths(machine, traversal);
    const endings = simple.filter((p) => p.state.status === 'done');
    expect([...new Set(endings.map((p) => String(p.state.value)))].sort()).toEqual([...finals].sort());
    for (const path of endings) {
      const output = path.state.output!;
      expect(Object.keys(output).sort()).toEqual(['address', 'cuentaId', 'letterId', 'motivo', 'outcome']);
      expect(output.outcome).toEqual(expect.any(String));
    }
  });

  it('can finish from every state it can reach: no case gets stuck', () => {
    const adjacency = getAdjacencyMap(machine, traversal);
    const canFinish = new Set(
      Object.entries(adjacency)
        .filter(([, v]) => v.state.status === 'done')
        .map(([k]) => k),
    );
    let grew = true;
    while (grew) {
      grew = false;
      for (const [key, value] of Object.entries(adjacency)) {
        if (canFinish.has(key)) continue;
        const nexts = Object.values(value.transitions as Record<string, { state: Snap }>);
        if (nexts.some((t) => canFinish.has(serializeState(t.state)))) {
          canFinish.add(key);
          grew = true;
        }
      }
    }
    const stuck = Object.entries(adjacency)
      .filter(([k]) => !canFinish.has(k))
      .map(([, v]) => String(v.state.value));
    expect(stuck).toEqual([]);
  });

  it('takes every transition it declares with the representative events (no guard that never passes)', () => {
    const adjacency = getAdjacencyMap(machine, traversal);
    const taken = new Set<string>();
    for (const node of Object.values(adjacency)) {
      for (const t of Object.values(node.transitions as Record<string, { event: { type: string }; state: Snap }>)) {
        taken.add(`${String(node.state.value)} --${t.event.type}--> ${String(t.state.value)}`);
        taken.add(`${String(node.state.value)} --${t.event.type}--> *`);
      }
    }
    const declared = transitions
      .filter((t) => t.event !== '')
      .map((t) => {
        // A target that decides at once (eventless) is never where the case rests: check the event only.
        const target = t.targets.length === 1 && !transient.has(t.targets[0]) ? t.targets[0] : '*';
        return `${t.source} --${t.event}--> ${target}`;
      });
    expect(declared.filter((d) => !taken.has(d))).toEqual([]);
  });

  it("carries every step of its guide tables exactly once, in the guide's order (with the corrections)", () => {
    const expected = def.guideTables.flatMap((table) => {
      const numbers = guideStepNumbers(guideSection(guide, table.section));
      const ordered = REORDERED[table.section]?.(numbers) ?? numbers;
      return ordered.map((no) => stepKey(def, table.section, no));
    });
    const actual = guideStepsOf(machine).map(({ step }) =>
      stepKey(def, step.seccion ?? def.guideTables[0].section, step.no),
    );
    expect(expected.length).toBeGreaterThan(5);
    expect(actual).toEqual(expected);
  });

  it('names who may send every event, and only the system sends results', () => {
    const stepNumbers = new Set(guideStepsOf(machine).map(({ step }) => step.no));
    const evented = transitions.filter((t) => t.event !== '');
    expect(evented.length).toBeGreaterThan(3);
    for (const t of evented) {
      const where = `${t.source} --${t.event}-->`;
      expect([where, t.meta?.roles?.length ?? 0]).not.toEqual([where, 0]);
      for (const role of t.meta!.roles)
        expect([where, [...ACTOR_ROLES, SOLICITANTE]]).toEqual([where, expect.arrayContaining([role])]);
      if (RESULT_EVENTS.has(t.event)) expect([where, t.meta!.roles]).toEqual([where, ['sistema']]);
      for (const no of t.meta!.pasos ?? []) expect([where, stepNumbers.has(no)]).toEqual([where, true]);
    }
  });

  it('is started by its start event, sent by exactly its start roles', () => {
    expect(def.startEvent).toBeDefined();
    const initial = statePath(machine.root.initial.target[0]);
    const start = transitions.filter((t) => t.source === initial && t.event === def.startEvent);
    expect(start).toHaveLength(1);
    expect([...start[0].meta!.roles].sort()).toEqual([...def.startRoles].sort());
  });

  it('is started by each of its other starts from the initial state, sent by exactly that start’s roles', () => {
    const initial = statePath(machine.root.initial.target[0]);
    for (const [event, roles] of Object.entries(def.otherStarts ?? {})) {
      const start = transitions.filter((t) => t.source === initial && t.event === event);
      expect([event, start.length]).toEqual([event, 1]);
      expect([event, [...start[0].meta!.roles].sort()]).toEqual([event, [...roles].sort()]);
      expect(event).not.toBe(def.startEvent);
    }
  });

  it('leaves the acknowledgement of a reply to whoever sent the oficio (a Nivel or an area), never to a fixed role', () => {
    for (const node of states) {
      const path = statePath(node);
      const acks = transitions.filter((t) => t.source === path && t.event === 'ACUSAR_RECIBO');
      if (!acks.length) continue;
      expect([path, (node.meta as StepMeta | undefined)?.task?.role]).toEqual([path, SOLICITANTE]);
      for (const t of acks) expect([path, [...t.meta!.roles].sort()]).toEqual([path, [SOLICITANTE, 'subdireccion']]);
    }
  });

  it('lets the role of every task act on it, and waits for effects only where the system answers', () => {
    for (const node of states) {
      const meta = node.meta as StepMeta | undefined;
      const path = statePath(node);
      if (node.type !== 'final') expect([path, meta?.pasos]).toEqual([path, expect.any(Array)]);
      const outgoing = transitions.filter((t) => t.source === path && t.event !== '');
      if (meta?.task) {
        const actors = outgoing.flatMap((t) => t.meta?.roles ?? []);
        expect([path, actors]).toEqual([path, expect.arrayContaining([meta.task.role])]);
        expect(meta.task.slaDays).toBeGreaterThan(0);
        expect(meta.task.title).toMatch(/^[A-ZÁÉÍÓÚ]/);
      }
      if (meta?.awaitsEffect) {
        const [ok, error] = AWAITED_RESULT[meta.awaitsEffect];
        expect([path, outgoing.map((t) => t.event)]).toEqual([path, expect.arrayContaining([ok, error])]);
        expect(outgoing.find((t) => t.event === error)?.targets).toEqual(['incidente']);
        expect(node.entry.map((a) => (a as { type: string }).type)).toContain(meta.awaitsEffect);
      }
      if (meta?.incident) expect(meta.task?.role).toBe('subjefatura');
    }
  });

  it('declares effects only as named commands: no invoke, no timers, no built-in that a pure transition cannot run', () => {
    const implementations = machine.implementations.actions as Record<string, { type?: string } | undefined>;
    for (const node of states) {
      expect([statePath(node), node.invoke.length, node.after.length]).toEqual([statePath(node), 0, 0]);
      const names = [
        ...node.entry,
        ...node.exit,
        ...[...node.transitions.values()].flat().flatMap((t) => t.actions),
        ...(node.always ?? []).flatMap((t) => t.actions),
      ].map((a) => (typeof a === 'string' ? a : (a as { type?: unknown }).type));
      for (const name of names) {
        expect([statePath(node), typeof name]).toEqual([statePath(node), 'string']);
        const impl = implementations[name as string];
        const isCommand = (COMMAND_TYPES as string[]).includes(name as string);
        expect([name, isCommand || impl?.type === 'xstate.assign']).toEqual([name, true]);
      }
    }
  });

  it('behaves the same after a JSON round trip of its snapshot, in every state it reaches', () => {
    const seen = new Set<string>();
    let compared = 0;
    for (const path of shortest) {
      const original = path.state;
      const key = serializeState(original);
      if (seen.has(key)) continue;
      seen.add(key);
      const restored = roundTrip(machine, original);
      expect(restored.status).toBe(original.status);
      expect(restored.value).toEqual(original.value);
      expect(restored.getMeta()).toEqual(original.getMeta());
      for (const event of SAMPLE_EVENTS) {
        expect([key, event.type, restored.can(event)]).toEqual([key, event.type, original.can(event)]);
        if (!original.can(event)) continue;
        const [a, aActions] = transition(machine, original, event);
        const [b, bActions] = transition(machine, restored, event);
        expect(machine.getPersistedSnapshot(b)).toEqual(machine.getPersistedSnapshot(a));
        expect(commandsOf(bActions)).toEqual(commandsOf(aActions));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(5);
  });
});
