import { initialTransition } from 'xstate';
import { getSimplePaths } from 'xstate/graph';
import { cuentaReasignarV1 as machine, cuentaReasignarV2, cuentaReasignarV3 } from './cuenta-reasignar.machine';
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
  taskOf,
} from '../test/support/machine-drive';

describe('cuenta-reasignar (5.4)', () => {
  it('reassigns, tells the previous holder, e-mails the new one, then replies (correction 9)', () => {
    const run = drive(machine, [
      ...RECEPCION,
      ev.reasignar,
      ev.confirmar,
      ev.provisionOk,
      ev.credentialsSent,
      ...ENTREGA,
    ]);
    expect(run.commands).toEqual([
      { type: 'renderAcuse', params: {} },
      { type: 'provision', params: { op: 'reassign', cuentaId: 'cta-7', newCurp: 'NUVV900404HCMXGC09' } },
      { type: 'notifyHolder', params: { cuentaId: 'cta-7', reason: 'reassign', previousCurp: 'AUTT800505MCMNRR08' } },
      { type: 'sendCredentials', params: { cuentaId: 'cta-7', to: 'correo_alterno' } },
      { type: 'renderReplyLetter', params: { outcome: 'reasignada' } },
    ]);
    expect(run.snapshot.context.reasignacion).toEqual({
      newCurp: 'NUVV900404HCMXGC09',
      previousCurp: 'AUTT800505MCMNRR08',
    });
    expect(run.snapshot.output?.outcome).toBe('reasignada');
  });

  it('does not name a previous holder it does not know', () => {
    const run = drive(machine, [...RECEPCION, { ...ev.reasignar, previousCurp: null }, ev.confirmar, ev.provisionOk]);
    expect(run.commands.find((c) => c.type === 'notifyHolder')?.params).toEqual({
      cuentaId: 'cta-7',
      reason: 'reassign',
    });
  });
});

describe('cuenta-reasignar (5.4) version 3: a reassignment opened by reconciliation (issue 14)', () => {
  const RECONCILIATION_INPUT = { caseId: 'case-9' };

  it('opens in the Subjefatura’s search, goes on as the oficio path does, and ends without a letter', () => {
    const run = drive(
      cuentaReasignarV3,
      [ev.conciliar, ev.reasignar, ev.confirmar, ev.provisionOk, ev.credentialsSent],
      RECONCILIATION_INPUT,
    );
    expect(run.initialCommands).toEqual([]);
    expect(run.steps.map((s) => s.value)).toEqual([
      'busqueda',
      'confirmacion',
      'aprovisionamiento',
      'envioCredenciales',
      'reasignada',
    ]);
    expect(run.steps[0].commands).toEqual([]);
    expect(run.commands).toEqual([
      { type: 'provision', params: { op: 'reassign', cuentaId: 'cta-7', newCurp: 'NUVV900404HCMXGC09' } },
      { type: 'notifyHolder', params: { cuentaId: 'cta-7', reason: 'reassign', previousCurp: 'AUTT800505MCMNRR08' } },
      { type: 'sendCredentials', params: { cuentaId: 'cta-7', to: 'correo_alterno' } },
    ]);
    expect(run.snapshot.output).toMatchObject({ outcome: 'reasignada', letterId: null });
    expect(run.snapshot.context.conciliacion).toEqual({
      hallazgoId: 'hal-1',
      importacionAt: '2026-11-29T16:00:00.000Z',
    });
  });

  it('waits in the Subjefatura’s inbox, and is opened only by it, only from the start, only in version 3', () => {
    const [initial] = initialTransition(cuentaReasignarV3, RECONCILIATION_INPUT);
    expect(rolesOf(cuentaReasignarV3, initial, ev.conciliar as ProcedureEvent)).toEqual(['subjefatura']);
    const opened = drive(cuentaReasignarV3, [ev.conciliar], RECONCILIATION_INPUT).snapshot;
    expect(taskOf(opened)).toBe('subjefatura: Buscar la cuenta y al trabajador que se quedará con ella');
    expect(drive(cuentaReasignarV3, [ev.solicitar]).snapshot.can(ev.conciliar as ProcedureEvent)).toBe(false);
    expect(initialTransition(cuentaReasignarV2, RECONCILIATION_INPUT)[0].can(ev.conciliar as ProcedureEvent)).toBe(
      false,
    );
    expect(getProcedure('cuenta-reasignar', 3)?.otherStarts).toEqual({ CONCILIAR: ['subjefatura'] });
    expect(latestProcedure('cuenta-reasignar')?.machine).toBe(cuentaReasignarV3);
  });

  it('ends «cancelada» with no rejection letter when the Subjefatura cancels it, from the search or an incident', () => {
    for (const events of [
      [ev.conciliar, ev.cancelar],
      [ev.conciliar, ev.reasignar, ev.confirmar, ev.provisionError, ev.cancelar],
      [ev.conciliar, ev.reasignar, ev.confirmar, ev.provisionOk, ev.credentialsError, ev.cancelar],
    ]) {
      const run = drive(cuentaReasignarV3, events, RECONCILIATION_INPUT);
      expect(run.snapshot.value).toBe('cancelada');
      expect(run.commands.filter((c) => c.type === 'renderReplyLetter')).toEqual([]);
    }
  });

  it('keeps the oficio path of version 2 exactly: same states, commands and outputs on every simple path', () => {
    const paths = getSimplePaths(cuentaReasignarV2, { events: SAMPLE_EVENTS, input: INPUT, serializeState });
    expect(paths.length).toBeGreaterThan(10);
    for (const path of paths) {
      const events = path.steps.slice(1).map((s) => s.event);
      const v2 = drive(cuentaReasignarV2, events);
      const v3 = drive(cuentaReasignarV3, events);
      expect(v3.steps.map((s) => [s.value, s.commands])).toEqual(v2.steps.map((s) => [s.value, s.commands]));
      expect(v3.snapshot.output).toEqual(v2.snapshot.output);
    }
    const v3States = new Set(statesOf(cuentaReasignarV3).map(statePath));
    expect(
      statesOf(cuentaReasignarV2)
        .map(statePath)
        .filter((s) => !v3States.has(s)),
    ).toEqual([]);
  });
});
