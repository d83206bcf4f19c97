/**
 * Version 2 of the oficio procedures: a request the Subjefatura does not serve is answered with the signed rejection
 * letter (outcome 'rechazada', with its motivo), delivered and acknowledged through the same states as any reply.
 * Version 1 keeps ending such a case «cancelada» with no letter, for the cases that still run it.
 */
import { getProcedure, PROCEDURES, type ProcedureEvent } from '../index';
import { drive, ENTREGA, ev, RECEPCION, rolesOf, taskOf } from '../../test/support/machine-drive';

const rechazo = { type: 'renderReplyLetter', params: { outcome: 'rechazada' } };

/** Each oficio procedure: the Subjefatura's work state, and how the case gets into an incident of the Servicio. */
const WORK: Record<string, { trabajo: string; hastaIncidente: ProcedureEvent[] }> = {
  'centro-trabajo-alta': { trabajo: 'creacion', hastaIncidente: [ev.crearCt, ev.provisionError] },
  'servicio-alta': { trabajo: 'creacion', hastaIncidente: [ev.crearServicio, ev.provisionError] },
  'servicio-restablecer': { trabajo: 'busqueda', hastaIncidente: [ev.restablecer, ev.confirmar, ev.provisionError] },
  'cuenta-reasignar': { trabajo: 'busqueda', hastaIncidente: [ev.reasignar, ev.confirmar, ev.provisionError] },
  'cuenta-bloquear': { trabajo: 'busqueda', hastaIncidente: [ev.bloquear, ev.confirmar, ev.provisionError] },
};

const noProcede: ProcedureEvent = { type: 'CANCELAR', motivo: 'La cuenta indicada no existe en el directorio.' };

describe.each(Object.entries(WORK))('%s, version 2: a request that cannot be served', (id, w) => {
  const machine = getProcedure(id, 2)!.machine;

  it('is answered with the rejection letter, sent, forwarded and acknowledged like any reply, and ends «rechazada»', () => {
    const working = drive(machine, RECEPCION).snapshot;
    expect(working.value).toBe(w.trabajo);
    expect(rolesOf(machine, working, noProcede)).toEqual(['subjefatura']);

    const run = drive(machine, [...RECEPCION, noProcede]);
    expect(run.snapshot.value).toBe('oficioRespuesta');
    expect(run.steps.at(-1)?.commands).toEqual([rechazo]);
    expect(run.snapshot.context.motivo).toBe('La cuenta indicada no existe en el directorio.');

    const delivered = drive(machine, [...RECEPCION, noProcede, ...ENTREGA.slice(0, -1)]);
    expect(delivered.snapshot.value).toBe('acuseRespuesta');
    expect(taskOf(delivered.snapshot)).toBe('solicitante: Recibir el oficio de respuesta: firmar y sellar de recibido');
    expect(rolesOf(machine, delivered.snapshot, ev.acusarRecibo)).toEqual(['solicitante', 'subdireccion']);

    const done = drive(machine, [...RECEPCION, noProcede, ...ENTREGA]);
    expect(done.snapshot.status).toBe('done');
    expect(done.snapshot.value).toBe('rechazada');
    expect(done.snapshot.output).toEqual({
      outcome: 'rechazada',
      cuentaId: null,
      address: null,
      letterId: 'ofr-1',
      motivo: 'La cuenta indicada no existe en el directorio.',
    });
    // Nothing was asked of the Servicio: no account work, no mail.
    expect(done.commands.map((c) => c.type)).toEqual(['renderAcuse', 'renderReplyLetter']);
  });

  it('from an incident of the Servicio too, and a failed rejection letter is retried as a rejection letter', () => {
    const incident = drive(machine, [...RECEPCION, ...w.hastaIncidente]);
    expect(incident.snapshot.value).toBe('incidente');
    const answered = drive(machine, [...RECEPCION, ...w.hastaIncidente, noProcede]);
    expect(answered.snapshot.value).toBe('oficioRespuesta');
    expect(answered.steps.at(-1)?.commands).toEqual([rechazo]);

    const retried = drive(machine, [...RECEPCION, ...w.hastaIncidente, noProcede, ev.letterError, ev.reintentar]);
    expect(retried.steps.at(-2)?.value).toBe('incidente');
    expect(retried.steps.at(-1)?.commands).toEqual([rechazo]);
    expect(retried.snapshot.context.intentos.renderReplyLetter).toBe(2);
    const done = drive(machine, [
      ...RECEPCION,
      ...w.hastaIncidente,
      noProcede,
      ev.letterError,
      ev.reintentar,
      ...ENTREGA,
    ]);
    expect(done.snapshot.output?.outcome).toBe('rechazada');
  });

  it('a served request still gets its own letter, never the rejection', () => {
    const letters = PROCEDURES.filter((p) => p.id === id).map((p) => {
      const served = drive(p.machine, [...RECEPCION, ...w.hastaIncidente.slice(0, -1), ev.provisionOk]);
      const rest: ProcedureEvent[] = served.snapshot.value === 'envioCredenciales' ? [ev.credentialsSent] : [];
      return drive(p.machine, [...RECEPCION, ...w.hastaIncidente.slice(0, -1), ev.provisionOk, ...rest]).commands.find(
        (c) => c.type === 'renderReplyLetter',
      );
    });
    expect(letters[0]).toEqual(letters[1]);
    expect(letters[1]?.params).not.toEqual({ outcome: 'rechazada' });
  });

  it('version 1 still ends such a case «cancelada», with no letter', () => {
    const v1 = getProcedure(id, 1)!.machine;
    const run = drive(v1, [...RECEPCION, noProcede]);
    expect(run.snapshot.output?.outcome).toBe('cancelada');
    expect(run.commands.map((c) => c.type)).toEqual(['renderAcuse']);
  });
});

describe('centro-trabajo-alta, version 2', () => {
  it('ends a rejection at the Nivel’s acknowledgement: the school has nothing to be told or to start using', () => {
    const machine = getProcedure('centro-trabajo-alta', 2)!.machine;
    const done = drive(machine, [...RECEPCION, noProcede, ...ENTREGA]);
    expect(done.snapshot.value).toBe('rechazada');
    expect(done.snapshot.can(ev.entregarCredenciales)).toBe(false);
    // The accepted path still goes on to the school.
    const served = drive(machine, [...RECEPCION, ev.crearCt, ev.provisionOk, ev.credentialsSent, ...ENTREGA]);
    expect(served.snapshot.value).toBe('entregaEscuela');
  });
});
