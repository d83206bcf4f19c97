import { getSimplePaths } from 'xstate/graph';
import {
  centroTrabajoRestablecerV1 as machine,
  centroTrabajoRestablecerV2,
} from './centro-trabajo-restablecer.machine';
import { drive, ev, INPUT, rolesOf, SAMPLE_EVENTS, serializeState, taskOf } from '../test/support/machine-drive';

describe('centro-trabajo-restablecer (5.2.2 + 5.2.3)', () => {
  it("resets with the school's password, wipes it at once, and e-mails the director", () => {
    const run = drive(machine, [ev.solicitar, ev.restablecer, ev.confirmar, ev.provisionOk, ev.credentialsSent]);
    expect(run.steps.map((s) => s.value)).toEqual([
      'analisis',
      'confirmacion',
      'aprovisionamiento',
      'envioCredenciales',
      'restablecida',
    ]);
    expect(run.commands).toEqual([
      { type: 'provision', params: { op: 'reset', cuentaId: 'cta-7' } },
      { type: 'wipeChosenPassword', params: {} },
      { type: 'sendCredentials', params: { cuentaId: 'cta-7', to: 'director' } },
    ]);
    expect(run.snapshot.output?.outcome).toBe('restablecida');
  });

  it('puts the request in the Subjefatura inbox: the request itself is the answer to "¿Existe alguna solicitud?"', () => {
    const start = drive(machine, []).snapshot;
    expect(rolesOf(machine, start, ev.solicitar)).toEqual(['centro_trabajo']);
    const inbox = drive(machine, [ev.solicitar]).snapshot;
    expect(taskOf(inbox)).toBe('subjefatura: Analizar la solicitud de restablecimiento de contraseña');
    expect(inbox.context.cct).toBe(INPUT.cct);
  });

  it('may reject the request after the analysis (paso 4), wiping the chosen password', () => {
    const run = drive(machine, [ev.solicitar, ev.rechazar]);
    expect(run.snapshot.output).toEqual(
      expect.objectContaining({ outcome: 'rechazada', motivo: 'La escuela no tiene cuenta institucional' }),
    );
    expect(run.commands).toEqual([{ type: 'wipeChosenPassword', params: {} }]);
  });

  it('goes back from the confirmation to choose another account', () => {
    const run = drive(machine, [
      ev.solicitar,
      ev.restablecer,
      ev.regresar,
      { ...ev.restablecer, cuentaId: 'cta-8' },
      ev.confirmar,
    ]);
    expect(run.commands).toEqual([{ type: 'provision', params: { op: 'reset', cuentaId: 'cta-8' } }]);
  });

  it('never ends with the chosen password still stored, whatever the path', () => {
    const paths = getSimplePaths(machine, { events: SAMPLE_EVENTS, input: INPUT, serializeState }).filter(
      (p) => p.state.status === 'done',
    );
    expect(paths.length).toBeGreaterThanOrEqual(3);
    for (const path of paths) {
      const events = path.steps.slice(1).map((s) => s.event);
      const run = drive(machine, events);
      const ending = JSON.stringify(path.state.value);
      expect([ending, run.commands.some((c) => c.type === 'wipeChosenPassword')]).toEqual([ending, true]);
    }
  });
});

describe('centro-trabajo-restablecer (5.2.2 + 5.2.3), version 2: a rejection is reported to the school', () => {
  it('declares the notice to the school with the rejection, and wipes the chosen password', () => {
    const run = drive(centroTrabajoRestablecerV2, [ev.solicitar, ev.rechazar]);
    expect(run.snapshot.output).toEqual(
      expect.objectContaining({ outcome: 'rechazada', motivo: 'La escuela no tiene cuenta institucional' }),
    );
    expect(run.commands).toEqual([
      { type: 'notifySchool', params: { outcome: 'rechazada' } },
      { type: 'wipeChosenPassword', params: {} },
    ]);
  });

  it('sends no notice on the way to a reset; version 1 rejected silently', () => {
    const reset = drive(centroTrabajoRestablecerV2, [ev.solicitar, ev.restablecer, ev.confirmar, ev.provisionOk]);
    expect(reset.commands.map((c) => c.type)).not.toContain('notifySchool');
    expect(drive(machine, [ev.solicitar, ev.rechazar]).commands).toEqual([{ type: 'wipeChosenPassword', params: {} }]);
  });
});
