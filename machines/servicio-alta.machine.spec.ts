import { servicioAltaV1 as machine } from './servicio-alta.machine';
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
