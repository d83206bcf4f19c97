/**
 * Every event a machine accepts declares what it carries (parts/payloads.ts), so the engine can refuse bad data for
 * every caller: an event cannot be added, or given a new field, without its declaration.
 */
import { transitionsOf } from './guide';
import { COMMON_FIELDS, EVENT_PAYLOADS, PROCEDURES, type ProcedureEvent, type ProcedureEventType } from './index';

// Compile time (tsc checks the specs): the declared fields of each event are exactly the fields its type carries.
// `at` is declared once for all events (COMMON_FIELDS); `cuentaExistente` is the engine's to fill, never a sender's.
type Carried<T extends ProcedureEventType> =
  Extract<ProcedureEvent, { type: T }> extends infer E
    ? E extends unknown
      ? Exclude<keyof E, 'type' | 'at' | 'cuentaExistente'>
      : never
    : never;
type FieldsOf<P> = P extends { fields: infer F } ? keyof F : never;
type VariantFieldsOf<P> = P extends { variants: { by: infer B; cases: infer C } }
  ? B | { [K in keyof C]: keyof C[K] }[keyof C]
  : never;
type Declared<T extends ProcedureEventType> =
  FieldsOf<(typeof EVENT_PAYLOADS)[T]> | VariantFieldsOf<(typeof EVENT_PAYLOADS)[T]>;
type Mismatched = {
  [T in ProcedureEventType]: [Exclude<Carried<T>, Declared<T>>, Exclude<Declared<T>, Carried<T>>] extends [never, never]
    ? never
    : T;
}[ProcedureEventType];
// An error here names the event whose declaration and type differ.
const declarationsMatchTypes: [Mismatched] extends [never] ? true : Mismatched = true;

describe('event payload declarations', () => {
  it('match the fields of every event type (checked by the compiler)', () => {
    expect(declarationsMatchTypes).toBe(true);
  });

  it.each(PROCEDURES.map((p) => [`${p.id} v${p.version}`, p] as const))(
    '%s: every event its machine accepts has a declaration',
    (_name, def) => {
      const accepted = [
        ...new Set(
          transitionsOf(def.machine)
            .map((t) => t.event)
            .filter((e) => e && !e.startsWith('xstate.')),
        ),
      ];
      expect(accepted.length).toBeGreaterThan(0);
      const undeclared = accepted.filter((e) => !Object.hasOwn(def.eventPayloads, e));
      expect(undeclared).toEqual([]);
    },
  );

  it('declare `at` for every event, as an optional instant', () => {
    expect(COMMON_FIELDS.at).toMatchObject({ kind: 'instant', optional: true });
  });

  it('mark the results of effects as sent by the system only', () => {
    const system = Object.entries(EVENT_PAYLOADS)
      .filter(([, d]) => 'sentBy' in d && d.sentBy === 'sistema')
      .map(([t]) => t)
      .sort();
    expect(system).toEqual([
      'CREDENTIALS_ERROR',
      'CREDENTIALS_SENT',
      'INICIAR_USO',
      'LETTER_ERROR',
      'LETTER_READY',
      'PROVISION_ERROR',
      'PROVISION_OK',
      'VENCIMIENTO',
    ]);
  });
});
