import { assign, createActor, initialTransition, setup, transition } from 'xstate';
import { persistSnapshot, pureTransition, restoreSnapshot } from './snapshot';

/** A pure machine like the procedures': context, guarded transitions, actions with params, a history state. */
const machine = setup({
  types: {},
  actions: {
    emitir: (_, _params: { tipo: string; n: number }) => undefined,
  },
}).createMachine({
  id: 'prueba',
  context: { n: 0, log: [] },
  initial: 'trabajo',
  states: {
    trabajo: {
      initial: 'a',
      states: {
        a: { on: { SUMAR: { target: 'b', actions: assign({ n: ({ context, event }) => context.n + event.k }) } } },
        b: {
          entry: [{ type: 'emitir', params: ({ context }) => ({ tipo: 'entrada-b', n: context.n }) }],
          on: {
            SUMAR: {
              guard: ({ event }) => event.k > 0,
              target: 'a',
              actions: assign({ n: ({ context }) => context.n * 10 }),
            },
          },
        },
        hist: { type: 'history' },
      },
      on: { PAUSAR: 'pausa' },
    },
    pausa: { on: { SUMAR: 'trabajo.hist' } },
  },
});

const described = (actions: unknown[]): unknown[] =>
  actions.map((a) => {
    const x = a as { type: string; params?: unknown };
    return { type: x.type, params: x.params };
  });

describe('pureTransition and restoreSnapshot (one inert scope per machine)', () => {
  it('give the same snapshots and actions as XState’s transition() and createActor(), event after event', () => {
    const events = [
      { type: 'SUMAR', k: 2 },
      { type: 'PAUSAR' },
      { type: 'SUMAR', k: 1 }, // back through the history state to b
      { type: 'SUMAR', k: 0 }, // guard fails: nothing happens
      { type: 'SUMAR', k: 3 },
    ] as const;
    let [theirs] = initialTransition(machine);
    let mine = theirs;
    for (const e of events) {
      const [t, tActions] = transition(machine, theirs, e);
      const [m, mActions] = pureTransition(machine, mine, e);
      expect(persistSnapshot(machine, m)).toBe(persistSnapshot(machine, t));
      expect(described(mActions)).toEqual(described(tActions));
      // Round trip through storage, both ways of restoring.
      const json = persistSnapshot(machine, m);
      const viaActor = createActor(machine, { snapshot: JSON.parse(json) as never }).getSnapshot();
      mine = restoreSnapshot(machine, json);
      expect(persistSnapshot(machine, mine)).toBe(persistSnapshot(machine, viaActor));
      expect(mine.value).toEqual(viaActor.value);
      theirs = t;
    }
    expect(mine.value).toEqual({ trabajo: 'a' });
    expect(mine.context.n).toBe(20);
  });

  it('a transition’s actions are its own: none carried into the next, none kept after one that throws', () => {
    const [start] = initialTransition(machine);
    const [inB, first] = pureTransition(machine, start, { type: 'SUMAR', k: 5 });
    expect(described(first)).toEqual([{ type: 'emitir', params: { tipo: 'entrada-b', n: 5 } }]);
    const [, second] = pureTransition(machine, inB, { type: 'PAUSAR' });
    expect(second.filter((a) => (a as { type: string }).type === 'emitir')).toEqual([]);
    const broken = { ...inB, context: null } as unknown as typeof inB;
    expect(() => pureTransition(machine, broken, { type: 'SUMAR', k: 1 })).toThrow();
    const [, after] = pureTransition(machine, inB, { type: 'PAUSAR' });
    expect(described(after)).toEqual(described(second));
  });
});
