/**
 * Turning what `transition` / `initialTransition` return into the commands a machine declared, without executing
 * anything (see recipes/xstate.md §1). The machines only declare named command actions and `assign`s (which
 * `transition` applies and does not report), so anything else is a bug that must not reach the outbox silently.
 */
import { COMMAND_TYPES, type CommandParams, type CommandType } from './types';

export type DeclaredCommand = { [K in CommandType]: { type: K; params: CommandParams[K] } }[CommandType];

const isCommandType = (type: string): type is CommandType => (COMMAND_TYPES as string[]).includes(type);

/** The commands among the actions, in order, with params deep-copied (the engine stores them as they are now). */
export function commandsOf(actions: readonly { type: string; params?: unknown }[]): DeclaredCommand[] {
  return actions.map((action) => {
    if (!isCommandType(action.type)) {
      throw new Error(`A procedure machine declared '${action.type}', which is not a command of machines/types.ts`);
    }
    return { type: action.type, params: structuredClone(action.params ?? {}) } as DeclaredCommand;
  });
}
