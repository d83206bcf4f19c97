import { getSimplePaths } from 'xstate/graph';
import { cuentaBloquearV1 as machine } from './cuenta-bloquear.machine';
import { drive, ENTREGA, ev, INPUT, RECEPCION, SAMPLE_EVENTS, serializeState } from '../test/support/machine-drive';

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
