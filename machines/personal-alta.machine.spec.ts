import { MAX_INTENTOS_IDENTIFICACION } from './parts/self-service';
import { personalAltaV1 as machine } from './personal-alta.machine';
import { drive, ev, rolesOf, taskOf } from '../test/support/machine-drive';

describe('personal-alta (5.1.1)', () => {
  it('creates the account, then e-mails the credentials to the alternate address, and shows it was created', () => {
    const run = drive(machine, [ev.identificar(), ev.confirmar, ev.provisionOk, ev.credentialsSent]);
    expect(run.initialCommands).toEqual([]);
    expect(run.steps.map((s) => s.value)).toEqual(['confirmacion', 'aprovisionamiento', 'envioCredenciales', 'creada']);
    expect(run.commands).toEqual([
      { type: 'provision', params: { op: 'create', tipo: 'personal', curp: 'GORM800101HCMMVN08' } },
      { type: 'sendCredentials', params: { cuentaId: 'cta-7', to: 'correo_alterno' } },
    ]);
    expect(run.snapshot.status).toBe('done');
    expect(run.snapshot.output).toEqual({
      outcome: 'creada',
      cuentaId: 'cta-7',
      address: 'cuenta@colima.gob.mx',
      letterId: null,
      motivo: null,
    });
    expect(run.snapshot.context.intentos).toEqual({ provision: 1, sendCredentials: 1 });
  });

  it('shows the inconsistency and takes CURP and CURT again (pasos 4-6), counting the failures', () => {
    const run = drive(machine, [
      ev.identificar({ found: false, nombre: null }),
      ev.identificar({ active: false }),
      ev.identificar(),
    ]);
    expect(run.steps.map((s) => s.value)).toEqual(['inconsistencia', 'inconsistencia', 'confirmacion']);
    expect(run.snapshot.context.intentosIdentificacion).toBe(2);
    expect(run.snapshot.context.identidad?.nombre).toBe('Ana Gómez Martínez');
  });

  it(`ends as datos_incorrectos after ${MAX_INTENTOS_IDENTIFICACION} wrong CURP/CURT pairs, without touching the directory`, () => {
    const wrong = ev.identificar({ found: false, nombre: null });
    const run = drive(machine, Array<typeof wrong>(MAX_INTENTOS_IDENTIFICACION).fill(wrong));
    expect(run.snapshot.value).toBe('datosIncorrectos');
    expect(run.snapshot.output?.outcome).toBe('datos_incorrectos');
    expect(run.commands).toEqual([]);
  });

  it('stops with instructions when the worker has no alternate e-mail (pasos 10-11)', () => {
    const run = drive(machine, [ev.identificar({ hasAlternateEmail: false })]);
    expect(run.snapshot.value).toBe('sinCorreoAlterno');
    expect(run.snapshot.output?.outcome).toBe('sin_correo_alterno');
    expect(run.commands).toEqual([]);
  });

  it('does not create a second account for a worker who already has one', () => {
    const run = drive(machine, [ev.identificar({ cuentaId: 'cta-personal' })]);
    expect(run.snapshot.output?.outcome).toBe('cuenta_existente');
    expect(run.commands).toEqual([]);
  });

  it('closes without creating anything when the worker does not confirm (paso 14)', () => {
    const run = drive(machine, [ev.identificar(), ev.noConfirmar]);
    expect(run.snapshot.output?.outcome).toBe('no_confirmada');
    expect(run.commands).toEqual([]);
  });

  it('expires a confirmation nobody answered', () => {
    const run = drive(machine, [ev.identificar(), ev.vencimiento]);
    expect(run.snapshot.output?.outcome).toBe('expirada');
  });

  it('turns a failed creation into an incident; REINTENTAR declares the same creation as attempt 2', () => {
    const run = drive(machine, [ev.identificar(), ev.confirmar, ev.provisionError]);
    expect(run.snapshot.value).toBe('incidente');
    expect(run.snapshot.context.incidente).toEqual({
      command: 'provision',
      message: 'La cuenta ya existe en el directorio',
      permanent: true,
    });
    expect(taskOf(run.snapshot)).toBe('subjefatura: Atender incidente del servicio');
    expect(rolesOf(machine, run.snapshot, ev.reintentar)).toEqual(['subjefatura']);
    expect(rolesOf(machine, run.snapshot, ev.provisionOk)).toEqual([]);

    const retried = drive(machine, [ev.identificar(), ev.confirmar, ev.provisionError, ev.reintentar, ev.provisionOk]);
    expect(retried.steps[3].commands).toEqual([retried.steps[1].commands[0]]);
    expect(retried.steps[3].value).toBe('aprovisionamiento');
    expect(retried.snapshot.context.intentos.provision).toBe(2);
    expect(retried.snapshot.context.incidente).toBeNull();
  });

  it('retries only the e-mail when the credentials could not be sent', () => {
    const run = drive(machine, [
      ev.identificar(),
      ev.confirmar,
      ev.provisionOk,
      ev.credentialsError,
      ev.reintentar,
      ev.credentialsSent,
    ]);
    expect(run.steps[4].commands).toEqual([
      { type: 'sendCredentials', params: { cuentaId: 'cta-7', to: 'correo_alterno' } },
    ]);
    expect(run.snapshot.context.intentos).toEqual({ provision: 1, sendCredentials: 2 });
    expect(run.snapshot.output?.outcome).toBe('creada');
  });

  it('cancels from an incident with the reason', () => {
    const run = drive(machine, [ev.identificar(), ev.confirmar, ev.provisionError, ev.cancelar]);
    expect(run.snapshot.output).toEqual(
      expect.objectContaining({ outcome: 'cancelada', motivo: 'El oficio no corresponde' }),
    );
  });

  it('lets only the worker identify and confirm, and only the system report results', () => {
    const start = drive(machine, []).snapshot;
    expect(rolesOf(machine, start, ev.identificar())).toEqual(['trabajador']);
    const confirming = drive(machine, [ev.identificar()]).snapshot;
    expect(rolesOf(machine, confirming, ev.confirmar)).toEqual(['trabajador']);
    expect(rolesOf(machine, confirming, ev.provisionOk)).toEqual([]);
    const provisioning = drive(machine, [ev.identificar(), ev.confirmar]).snapshot;
    expect(rolesOf(machine, provisioning, ev.provisionOk)).toEqual(['sistema']);
    expect(rolesOf(machine, provisioning, ev.confirmar)).toEqual([]);
  });
});
