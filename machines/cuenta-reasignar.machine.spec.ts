import { cuentaReasignarV1 as machine } from './cuenta-reasignar.machine';
import { drive, ENTREGA, ev, RECEPCION } from '../test/support/machine-drive';

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
