import { servicioAltaV1 as machine, servicioAltaV2 } from './servicio-alta.machine';
import type { ProcedureEvent } from './index';
import { drive, ENTREGA, ev, RECEPCION, rolesOf, taskOf } from '../test/support/machine-drive';

describe('servicio-alta (5.3.1)', () => {
  it.each([
    ['servicio', ev.crearServicio, 'becas'],
    ['funcion', ev.crearFuncion, 'atp.primaria'],
  ] as const)(
    'creates a %s account for the worker, e-mails the alternate address, then replies',
    (tipo, crear, localPart) => {
      const run = drive(machine, [...RECEPCION, crear, ev.provisionOk, ev.credentialsSent, ...ENTREGA]);
      expect(run.commands).toEqual([
        { type: 'renderAcuse', params: {} },
        { type: 'provision', params: { op: 'create', tipo, curp: 'RUZR750303MCMZRS09', localPart } },
        { type: 'sendCredentials', params: { cuentaId: 'cta-7', to: 'correo_alterno' } },
        { type: 'renderReplyLetter', params: { outcome: 'creada' } },
      ]);
      expect(run.snapshot.output).toEqual(expect.objectContaining({ outcome: 'creada', letterId: 'ofr-1' }));
    },
  );

  it('is sent by the responsable (or registered by the Subdirección) and acknowledged by whoever sent it', () => {
    expect(rolesOf(machine, drive(machine, []).snapshot, ev.solicitar).sort()).toEqual(['responsable', 'subdireccion']);
    const beforeAck = drive(machine, [
      ...RECEPCION,
      ev.crearFuncion,
      ev.provisionOk,
      ev.credentialsSent,
      ...ENTREGA.slice(0, 3),
    ]).snapshot;
    expect(taskOf(beforeAck)).toBe('solicitante: Recibir el oficio de respuesta: firmar y sellar de recibido');
    expect(rolesOf(machine, beforeAck, ev.acusarRecibo).sort()).toEqual(['solicitante', 'subdireccion']);
  });

  it('does not create a centro de trabajo account from a 5.3.1 oficio', () => {
    const creating = drive(machine, RECEPCION).snapshot;
    expect(creating.value).toBe('creacion');
    expect(creating.can(ev.crearCt)).toBe(false);
  });

  it('only stamps the acuse when the Subdirección registers the oficio', () => {
    const run = drive(machine, RECEPCION);
    expect(run.steps.map((s) => s.commands.map((c) => c.type))).toEqual([[], ['renderAcuse'], [], []]);
    expect(rolesOf(machine, drive(machine, [ev.solicitar]).snapshot, ev.recibirOficio)).toEqual(['subdireccion']);
  });
});

describe('servicio-alta (5.3.1), version 2: a taken account name is not a dead end', () => {
  const v2 = servicioAltaV2;
  const taken = [...RECEPCION, ev.crearServicio, ev.provisionError];
  const corregir = (localPart: string): ProcedureEvent => ({ type: 'CORREGIR_NOMBRE', localPart });

  it('lets the Subjefatura give another name in the incident, and provisions that one (next attempt)', () => {
    const incident = drive(v2, taken).snapshot;
    expect(incident.value).toBe('incidente');
    expect(rolesOf(v2, incident, corregir('becas.estatales'))).toEqual(['subjefatura']);
    expect(v2.getTransitionData(incident, corregir('becas.estatales'))[0].meta?.label).toBe(
      'Corregir el nombre de la cuenta y reintentar',
    );

    const run = drive(v2, [...taken, corregir('becas.estatales')]);
    expect(run.snapshot.value).toBe('aprovisionamiento');
    expect(run.snapshot.context.incidente).toBeNull();
    expect(run.snapshot.context.alta).toEqual({
      tipo: 'servicio',
      curp: 'RUZR750303MCMZRS09',
      localPart: 'becas.estatales',
    });
    expect(run.snapshot.context.intentos.provision).toBe(2);
    expect(run.steps.at(-1)?.commands).toEqual([
      {
        type: 'provision',
        params: { op: 'create', tipo: 'servicio', curp: 'RUZR750303MCMZRS09', localPart: 'becas.estatales' },
      },
    ]);
    const done = drive(v2, [...taken, corregir('becas.estatales'), ev.provisionOk, ev.credentialsSent, ...ENTREGA]);
    expect(done.snapshot.output?.outcome).toBe('creada');
  });

  it('refuses the same name again (it would fail again), in any spelling of case or spaces', () => {
    const incident = drive(v2, taken).snapshot;
    for (const same of ['becas', ' Becas ']) {
      expect([same, incident.can(corregir(same))]).toEqual([same, false]);
    }
  });

  it('offers the correction only for an incident of the Servicio, not for a failed mail or letter', () => {
    const mailFailed = drive(v2, [...RECEPCION, ev.crearServicio, ev.provisionOk, ev.credentialsError]).snapshot;
    expect(mailFailed.value).toBe('incidente');
    expect(mailFailed.can(corregir('becas.estatales'))).toBe(false);
    expect(mailFailed.can(ev.reintentar)).toBe(true);
  });

  it('version 1 keeps its two actions: retry and cancel', () => {
    const incident = drive(machine, taken).snapshot;
    expect(incident.can(corregir('becas.estatales'))).toBe(false);
  });
});
