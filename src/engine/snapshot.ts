import { type AnyMachineSnapshot, type AnyStateMachine, createActor, type EventObject, type StateValue } from 'xstate';

/**
 * One inert actor scope per machine, made once. XState's `transition()` and `createActor(machine, {snapshot})` each
 * build a throw-away actor, and building one computes the machine's initial snapshot (its context factory included):
 * a tenth of the engine's CPU per event went there. The scope is only valid because the machines are pure (no invoke,
 * no spawn, no systemId: machines/types.ts), so no child actor ever registers in it; its action executor collects the
 * actions of the one transition running (transitions are synchronous, so never two at once).
 */
type MachineScope = Parameters<AnyStateMachine['transition']>[2];
interface InertScope {
  scope: MachineScope;
  collected: unknown[] | null;
}
const scopes = new WeakMap<AnyStateMachine, InertScope>();

function inertScope(machine: AnyStateMachine): InertScope {
  let s = scopes.get(machine);
  if (!s) {
    const holder: InertScope = { scope: undefined as unknown as MachineScope, collected: null };
    holder.scope = {
      self: createActor(machine, { input: undefined as never }),
      defer: () => undefined,
      id: '',
      logger: () => undefined,
      sessionId: '',
      stopChild: () => undefined,
      emit: () => undefined,
      actionExecutor: (action: unknown) => {
        holder.collected?.push(action);
      },
    } as unknown as MachineScope;
    holder.scope.system = holder.scope.self.system;
    scopes.set(machine, holder);
    s = holder;
  }
  return s;
}

/** XState's pure `transition(machine, snapshot, event)`: the next snapshot and the actions to execute (none executed). */
export function pureTransition<E extends EventObject>(
  machine: AnyStateMachine,
  snap: AnyMachineSnapshot,
  event: E,
): [AnyMachineSnapshot, unknown[]] {
  const s = inertScope(machine);
  const actions: unknown[] = [];
  s.collected = actions;
  try {
    return [machine.transition(snap, event, s.scope) as AnyMachineSnapshot, actions];
  } finally {
    s.collected = null;
  }
}

/** Rehydrates a stored snapshot through restoreSnapshot (revives history and children); never starts an actor. */
export function restoreSnapshot(machine: AnyStateMachine, json: string): AnyMachineSnapshot {
  const persisted: unknown = JSON.parse(json);
  return machine.restoreSnapshot(persisted as never, inertScope(machine).scope) as AnyMachineSnapshot;
}

export function persistSnapshot(machine: AnyStateMachine, snap: AnyMachineSnapshot): string {
  return JSON.stringify(machine.getPersistedSnapshot(snap));
}

/** Dotted paths of the active leaf states: {recepcion: 'turnado'} → "recepcion.turnado" (parallel regions joined by ","). */
export function stateString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object') return '(desconocido)';
  return Object.entries(value as Record<string, StateValue | undefined>)
    .map(([k, v]) =>
      v === undefined
        ? k
        : stateString(v)
            .split(',')
            .map((c) => `${k}.${c}`)
            .join(','),
    )
    .join(',');
}

/** Inverse of stateString for a single leaf path: "a.b.c" → {a:{b:'c'}}. */
export function stateValueOf(path: string): StateValue {
  const parts = path.split('.');
  let v: StateValue = parts[parts.length - 1];
  for (let i = parts.length - 2; i >= 0; i--) v = { [parts[i]]: v };
  return v;
}

// The CURT is the worker's self-service secret: kept out of stored data by name too, should it ever reach an event.
const SECRET_KEY = /pass|contrase|token|secret|clave_?acceso|curt/i;

/** Event or context data as it may be stored: secrets removed, whatever their depth. */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !SECRET_KEY.test(k))
        .map(([k, v]) => [k, withoutSecrets(v)]),
    );
  }
  return value;
}
