import { servicioRestablecerV1 as machine } from './servicio-restablecer.machine';
import { drive, ENTREGA, ev, RECEPCION, taskOf } from '../test/support/machine-drive';

describe('servicio-restablecer (5.3.2)', () => {
  it('resets the account found, e-mails the alternate address, then replies', () => {
    const run = drive(machine, [
      ...RECEPCION,
      ev.restablecer,
      ev.confirmar,
      ev.provisionOk,
      ev.credentialsSent,
      ...ENTREGA,
    ]);
    expect(run.commands).toEqual([
      { type: 'renderAcuse', params: {} },
      { type: 'provision', params: { op: 'reset', cuentaId: 'cta-7' } },
      { type: 'sendCredentials', params: { cuentaId: 'cta-7', to: 'correo_alterno' } },
      { type: 'renderReplyLetter', params: { outcome: 'restablecida' } },
    ]);
    expect(run.snapshot.output?.outcome).toBe('restablecida');
  });

  it('asks for confirmation before touching the account, and can go back to choose another', () => {
    const confirming = drive(machine, [...RECEPCION, ev.restablecer]);
    expect(confirming.commands.map((c) => c.type)).toEqual(['renderAcuse']);
    expect(taskOf(confirming.snapshot)).toBe('subjefatura: Confirmar el restablecimiento de la contraseña');
    const other = drive(machine, [
      ...RECEPCION,
      ev.restablecer,
      ev.regresar,
      { ...ev.restablecer, cuentaId: 'cta-9' },
      ev.confirmar,
    ]);
    expect(other.commands.at(-1)).toEqual({ type: 'provision', params: { op: 'reset', cuentaId: 'cta-9' } });
  });
});
