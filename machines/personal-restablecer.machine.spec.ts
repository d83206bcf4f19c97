import { personalRestablecerV1 as machine } from './personal-restablecer.machine';
import { drive, ev } from '../test/support/machine-drive';

describe('personal-restablecer (5.1.2)', () => {
  it("resets the worker's own account and e-mails the access data to the alternate address", () => {
    const run = drive(machine, [
      ev.identificar({ cuentaId: 'cta-personal' }),
      ev.confirmar,
      { ...ev.provisionOk, cuentaId: 'cta-personal' },
      ev.credentialsSent,
    ]);
    expect(run.commands).toEqual([
      { type: 'provision', params: { op: 'reset', cuentaId: 'cta-personal' } },
      { type: 'sendCredentials', params: { cuentaId: 'cta-personal', to: 'correo_alterno' } },
    ]);
    expect(run.snapshot.output).toEqual(expect.objectContaining({ outcome: 'restablecida', cuentaId: 'cta-personal' }));
  });

  it('stops a worker who has no personal account to reset', () => {
    const run = drive(machine, [ev.identificar({ cuentaId: null })]);
    expect(run.snapshot.output?.outcome).toBe('sin_cuenta');
    expect(run.commands).toEqual([]);
  });

  it('checks the alternate e-mail after the account, and the data before both', () => {
    expect(drive(machine, [ev.identificar({ cuentaId: 'c', hasAlternateEmail: false })]).snapshot.value).toBe(
      'sinCorreoAlterno',
    );
    expect(drive(machine, [ev.identificar({ cuentaId: 'c', found: false })]).snapshot.value).toBe('inconsistencia');
  });

  it('closes without resetting when the worker does not confirm', () => {
    const run = drive(machine, [ev.identificar({ cuentaId: 'cta-personal' }), ev.noConfirmar]);
    expect(run.snapshot.output?.outcome).toBe('no_confirmada');
    expect(run.commands).toEqual([]);
  });

  it('tells a worker whose account is blocked so, and resets nothing', () => {
    const run = drive(machine, [ev.identificar({ cuentaId: 'cta-personal', cuentaBloqueada: true })]);
    expect(run.snapshot.value).toBe('cuentaBloqueada');
    expect(run.snapshot.output?.outcome).toBe('cuenta_bloqueada');
    expect(run.commands).toEqual([]);
  });
});
