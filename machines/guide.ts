/**
 * Reading a procedure machine's definition back: its states in document order with their guide steps, and every
 * transition with its roles. `npm run guia` regenerates the guide's tables from `guideStepsOf`; the engine and the
 * tests use `transitionsOf` (who may send what, where it leads).
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import type { GuideStep, StepMeta, TransitionMeta } from './types';

/** Every state node under the root, depth first, in the order the machine declares them. */
export function statesOf(machine: AnyStateMachine): AnyStateNode[] {
  const walk = (node: AnyStateNode): AnyStateNode[] =>
    Object.values(node.states).flatMap((child) => [child, ...walk(child)]);
  return walk(machine.root);
}

/** The path of a state node as its snapshot value reads for flat machines ("recepcion"), or dotted when nested. */
export const statePath = (node: AnyStateNode): string => node.path.join('.');

/** The guide steps of a machine, in the order its states declare them, each with the state that carries it. */
export function guideStepsOf(machine: AnyStateMachine): { state: string; step: GuideStep }[] {
  return statesOf(machine).flatMap((node) =>
    ((node.meta as StepMeta | undefined)?.pasos ?? []).map((step) => ({ state: statePath(node), step })),
  );
}

export interface TransitionInfo {
  source: string;
  /** The event type, or '' for an eventless (always) transition. */
  event: string;
  targets: string[];
  guard: string | null;
  meta: TransitionMeta | undefined;
  /** Named actions of the transition (entry actions of the target are not included). */
  actions: string[];
}

const guardName = (guard: unknown): string | null => {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && 'type' in guard) return String(guard.type);
  return 'inline';
};

export const actionName = (action: unknown): string => {
  if (typeof action === 'string') return action;
  if (typeof action === 'object' && action !== null && 'type' in action) return String(action.type);
  if (typeof action === 'function' && 'type' in action) return `builtin:${String((action as { type: unknown }).type)}`;
  return 'inline';
};

/** Every transition of a machine: event-driven ones and eventless ones (`event: ''`). */
export function transitionsOf(machine: AnyStateMachine): TransitionInfo[] {
  return statesOf(machine).flatMap((node) => {
    const evented = [...node.transitions.values()].flat();
    const always = node.always ?? [];
    return [...evented, ...always].map((t) => ({
      source: statePath(node),
      event: always.includes(t) ? '' : String(t.eventType),
      targets: (t.target ?? []).map((n) => statePath(n)),
      guard: guardName(t.guard),
      meta: t.meta as TransitionMeta | undefined,
      actions: t.actions.map(actionName),
    }));
  });
}
