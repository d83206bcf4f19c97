import { type AnyMachineSnapshot, type AnyStateMachine, createActor, type StateValue } from 'xstate';

/** Rehydrates a stored snapshot through restoreSnapshot (revives history and children); never starts the actor. */
export function restoreSnapshot(machine: AnyStateMachine, json: string): AnyMachineSnapshot {
  const persisted: unknown = JSON.parse(json);
  return createActor(machine, {
    snapshot: persisted as never,
    input: undefined as never,
  }).getSnapshot() as AnyMachineSnapshot;
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
