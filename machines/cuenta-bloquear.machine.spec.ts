import { createActor, initialTransition, transition } from 'xstate';
import { getSimplePaths } from 'xstate/graph';
import { commandsOf } from './commands';
import { cuentaBloquearV1 as machine, cuentaBloquearV2, cuentaBloquearV3 } from './cuenta-bloquear.machine';
import { statePath, statesOf } from './guide';
import { getProcedure, latestProcedure, type ProcedureEvent } from './index';
import {
  drive,
  ENTREGA,
  ev,
  INPUT,
  RECEPCION,
  rolesOf,
  SAMPLE_EVENTS,
  serializeState,
  type Snap,
} from '../test/support/machine-drive';

describe('cuenta-bloquear (5.5)', () => {
  it('suspends the account, tells the holder, and replies with a confirmation (correction 5)', () => {
    const run = drive(machine, [...RECEPCION, ev.bloquear, ev.confirmar, ev.provisionOk, ...ENTREGA]);
    expect(run.commands).toEqual([
      { type: 'renderAcuse', params: {} },
      { type: 'provision', params: { op: 'suspend', cuentaId: 'cta-7' } },
      { type: 'notifyHolder', params: { cuentaId: 'cta-7', reason: 'block' } },
      { type: 'renderReplyLetter', params: { outcome: 'bloqueada' } },
    ]);
    expect(run.snapshot.output?.outcome).toBe('bloqueada');
  });

  it('never sends access data, on any path', () => {
    const paths = getSimplePaths(machine, { events: SAMPLE_EVENTS, input: INPUT, serializeState });
    expect(paths.length).toBeGreaterThan(10);
    for (const path of paths) {
      const run = drive(
        machine,
        path.steps.slice(1).map((s) => s.event),
      );
      expect(run.commands.filter((c) => c.type === 'sendCredentials')).toEqual([]);
    }
  });
});

describe('cuenta-bloquear (5.5) version 3: a block opened by reconciliation (issue 14)', () => {
  const RECONCILIATION_INPUT = { caseId: 'case-9' };

  it('goes from the accepted finding straight to the block, tells the holder and ends blocked without a letter', () => {
    const run = drive(cuentaBloquearV3, [ev.conciliar, ev.provisionOk], RECONCILIATION_INPUT);
    expect(run.initialCommands).toEqual([]);
    expect(run.steps.map((s) => s.value)).toEqual(['aprovisionamiento', 'bloqueada']);
    expect(run.commands).toEqual([
      { type: 'provision', params: { op: 'suspend', cuentaId: 'cta-7' } },
      { type: 'notifyHolder', params: { cuentaId: 'cta-7', reason: 'block' } },
    ]);
    expect(run.snapshot.output).toEqual({
      outcome: 'bloqueada',
      cuentaId: 'cta-7',
      address: 'cuenta@colima.gob.mx',
      letterId: null,
      motivo: null,
    });
    expect(run.snapshot.context.conciliacion).toEqual({
      hallazgoId: 'hal-1',
      importacionAt: '2026-11-29T16:00:00.000Z',
    });
    expect(run.snapshot.context.oficio).toBeNull();
  });

  it('is opened only by the Subjefatura, only from the start, and only in version 3', () => {
    const [initial] = initialTransition(cuentaBloquearV3, RECONCILIATION_INPUT);
    expect(rolesOf(cuentaBloquearV3, initial, ev.conciliar as ProcedureEvent)).toEqual(['subjefatura']);
    // Once an oficio started the case, there is no reconciliation start any more.
    const oficio = drive(cuentaBloquearV3, [ev.solicitar]);
    expect(oficio.snapshot.can(ev.conciliar as ProcedureEvent)).toBe(false);
    const [v2] = initialTransition(cuentaBloquearV2, RECONCILIATION_INPUT);
    expect(v2.can(ev.conciliar as ProcedureEvent)).toBe(false);
    expect(getProcedure('cuenta-bloquear', 3)?.otherStarts).toEqual({ CONCILIAR: ['subjefatura'] });
    expect(getProcedure('cuenta-bloquear', 2)?.otherStarts).toBeUndefined();
    expect(latestProcedure('cuenta-bloquear')?.machine).toBe(cuentaBloquearV3);
  });

  it('turns a failed block into an incident: a retry declares it again, and it still ends without a letter', () => {
    const run = drive(
      cuentaBloquearV3,
      [ev.conciliar, ev.provisionError, ev.reintentar, ev.provisionOk],
      RECONCILIATION_INPUT,
    );
    expect(run.steps.map((s) => s.value)).toEqual(['aprovisionamiento', 'incidente', 'aprovisionamiento', 'bloqueada']);
    expect(run.steps[1].commands).toEqual([]);
    expect(run.steps[2].commands).toEqual([{ type: 'provision', params: { op: 'suspend', cuentaId: 'cta-7' } }]);
    expect(run.snapshot.context.intentos.provision).toBe(2);
    expect(run.commands.filter((c) => c.type === 'renderReplyLetter')).toEqual([]);
    expect(run.snapshot.output?.outcome).toBe('bloqueada');
  });

  it('ends a cancelled incident «cancelada», with no rejection letter: nobody sent an oficio', () => {
    const run = drive(cuentaBloquearV3, [ev.conciliar, ev.provisionError, ev.cancelar], RECONCILIATION_INPUT);
    expect(run.snapshot.value).toBe('cancelada');
    expect(run.commands).toEqual([{ type: 'provision', params: { op: 'suspend', cuentaId: 'cta-7' } }]);
    expect(run.snapshot.output).toMatchObject({ outcome: 'cancelada', motivo: 'El oficio no corresponde' });
  });

  it('keeps the oficio path of version 2 exactly: same states, commands and outputs on every simple path', () => {
    const paths = getSimplePaths(cuentaBloquearV2, { events: SAMPLE_EVENTS, input: INPUT, serializeState });
    expect(paths.length).toBeGreaterThan(10);
    for (const path of paths) {
      const events = path.steps.slice(1).map((s) => s.event);
      const v2 = drive(cuentaBloquearV2, events);
      const v3 = drive(cuentaBloquearV3, events);
      expect(v3.steps.map((s) => [s.value, s.commands])).toEqual(v2.steps.map((s) => [s.value, s.commands]));
      expect(v3.snapshot.output).toEqual(v2.snapshot.output);
    }
    // Among them, a cancelled incident of the oficio path is still answered with the rejection letter.
    const rejected = drive(cuentaBloquearV3, [...RECEPCION, ev.bloquear, ev.confirmar, ev.provisionError, ev.cancelar]);
    expect(rejected.snapshot.value).toBe('oficioRespuesta');
    expect(rejected.steps.at(-1)?.commands).toEqual([{ type: 'renderReplyLetter', params: { outcome: 'rechazada' } }]);
  });

  it('takes over open version 2 cases as they are: each v2 state exists in v3, and a restored v2 snapshot goes on', () => {
    const v3States = new Set(statesOf(cuentaBloquearV3).map(statePath));
    expect(
      statesOf(cuentaBloquearV2)
        .map(statePath)
        .filter((s) => !v3States.has(s)),
    ).toEqual([]);
    expect(getProcedure('cuenta-bloquear', 3)?.migrateFrom).toEqual({ version: 2, stateMap: {} });
    // A v2 case waiting for the Subjefatura's confirmation, stored as v2 stores it, continues in v3 as in v2.
    const waiting = drive(cuentaBloquearV2, [...RECEPCION, ev.bloquear]).snapshot;
    const stored = JSON.parse(JSON.stringify(cuentaBloquearV2.getPersistedSnapshot(waiting))) as Snap;
    for (const m of [cuentaBloquearV2, cuentaBloquearV3]) {
      const restored = createActor(m, { snapshot: stored, input: INPUT }).getSnapshot();
      const [next, actions] = transition(m, restored, ev.confirmar as ProcedureEvent);
      expect(next.value).toBe('aprovisionamiento');
      expect(commandsOf(actions)).toEqual([{ type: 'provision', params: { op: 'suspend', cuentaId: 'cta-7' } }]);
    }
  });
});
