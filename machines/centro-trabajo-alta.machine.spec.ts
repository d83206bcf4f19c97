import { centroTrabajoAltaV1 as machine } from './centro-trabajo-alta.machine';
import { drive, ENTREGA, ev, INPUT, RECEPCION, rolesOf, taskOf } from '../test/support/machine-drive';

const HAPPY = [
  ...RECEPCION,
  ev.crearCt,
  ev.provisionOk,
  ev.credentialsSent,
  ...ENTREGA,
  ev.entregarCredenciales,
  ev.iniciarUso,
];

describe('centro-trabajo-alta (5.2.1)', () => {
  it('receives the oficio with an acuse, creates the account, e-mails the director, then replies (correction 6)', () => {
    const run = drive(machine, HAPPY);
    expect(run.commands).toEqual([
      { type: 'renderAcuse', params: {} },
      {
        type: 'provision',
        params: { op: 'create', tipo: 'centro_trabajo', cct: '06DPR0001A', curp: 'LOPJ700202HCMPRN05' },
      },
      { type: 'sendCredentials', params: { cuentaId: 'cta-7', to: 'director' } },
      { type: 'renderReplyLetter', params: { outcome: 'creada' } },
    ]);
    expect(run.snapshot.output).toEqual({
      outcome: 'creada',
      cuentaId: 'cta-7',
      address: 'cuenta@colima.gob.mx',
      letterId: 'ofr-1',
      motivo: null,
    });
    expect(run.snapshot.context).toEqual(
      expect.objectContaining({
        oficio: INPUT.oficio,
        nivel: 'primaria',
        solicitadoAt: '2026-11-30T16:00:00.000Z',
        recibidoAt: '2026-11-30T17:00:00.000Z',
      }),
    );
  });

  it('hands each step to the right inbox: Subdirección, Subjefatura, Nivel, then the school', () => {
    const tasks: (string | null)[] = [];
    for (let i = 1; i <= HAPPY.length; i++) tasks.push(taskOf(drive(machine, HAPPY.slice(0, i)).snapshot));
    expect(tasks).toEqual([
      'subdireccion: Recibir oficio y emitir acuse de recibo',
      'subdireccion: Turnar oficio a la Subjefatura de Sistemas',
      'subjefatura: Recibir oficio turnado',
      'subjefatura: Crear la cuenta del centro de trabajo',
      null, // the Servicio creates the account
      null, // the access data go to the director
      null, // the reply letter is drawn and signed
      'subjefatura: Revisar y enviar el oficio de respuesta a la Subdirección',
      'subdireccion: Canalizar el oficio de respuesta al nivel',
      'solicitante: Recibir el oficio de respuesta: firmar y sellar de recibido',
      'nivel: Informar al centro de trabajo la dirección de su cuenta',
      'centro_trabajo: Recibir la información e iniciar el uso de la cuenta',
      null,
    ]);
  });

  it('is sent by a Nivel (or registered by the Subdirección), never by a school or the Subjefatura', () => {
    const start = drive(machine, []).snapshot;
    expect(start.value).toBe('solicitud');
    expect(rolesOf(machine, start, ev.solicitar).sort()).toEqual(['nivel', 'subdireccion']);
  });

  it('accepts only a centro de trabajo account in its create step', () => {
    const creating = drive(machine, RECEPCION).snapshot;
    expect(creating.can(ev.crearServicio)).toBe(false);
    expect(creating.can(ev.crearCt)).toBe(true);
  });

  it('retries only the reply letter when it could not be drawn', () => {
    const run = drive(machine, [
      ...RECEPCION,
      ev.crearCt,
      ev.provisionOk,
      ev.credentialsSent,
      ev.letterError,
      ev.reintentar,
    ]);
    expect(run.steps.at(-1)?.commands).toEqual([{ type: 'renderReplyLetter', params: { outcome: 'creada' } }]);
    expect(run.snapshot.context.intentos).toEqual({ provision: 1, sendCredentials: 1, renderReplyLetter: 2 });
  });

  it('lets the Subjefatura cancel an oficio it cannot serve, before anything is created', () => {
    const run = drive(machine, [...RECEPCION, ev.cancelar]);
    expect(run.snapshot.output).toEqual(
      expect.objectContaining({ outcome: 'cancelada', motivo: 'El oficio no corresponde' }),
    );
    expect(run.commands.map((c) => c.type)).toEqual(['renderAcuse']);
  });

  it('lets the Subdirección register a paper acknowledgement on behalf of the Nivel', () => {
    const waiting = drive(machine, [
      ...RECEPCION,
      ev.crearCt,
      ev.provisionOk,
      ev.credentialsSent,
      ...ENTREGA.slice(0, 3),
    ]).snapshot;
    expect(waiting.value).toBe('acuseRespuesta');
    expect(rolesOf(machine, waiting, ev.acusarRecibo).sort()).toEqual(['solicitante', 'subdireccion']);
  });

  it('answers a school that already has an account with that account: nothing created, nothing reset (correction 14)', () => {
    const run = drive(machine, [...RECEPCION, ev.crearCtExistente, ...ENTREGA, ev.entregarCredenciales]);
    // No provision, no credentials: only the acuse and the reply letter that says the account exists.
    expect(run.commands).toEqual([
      { type: 'renderAcuse', params: {} },
      { type: 'renderReplyLetter', params: { outcome: 'cuenta_existente' } },
    ]);
    expect(run.steps[RECEPCION.length].value).toBe('oficioRespuesta');
    expect(run.snapshot.context).toEqual(
      expect.objectContaining({
        cuenta: { cuentaId: 'cta-ct', address: '06dpr0001a@colima.gob.mx' },
        cuentaPrevia: true,
      }),
    );
    // The school already uses its account: the case ends when the Nivel has told it (paso 13), not at a first use.
    expect(run.snapshot.value).toBe('cuentaExistente');
    expect(run.snapshot.output).toEqual({
      outcome: 'cuenta_existente',
      cuentaId: 'cta-ct',
      address: '06dpr0001a@colima.gob.mx',
      letterId: 'ofr-1',
      motivo: null,
    });
  });

  it('a school without an account still gets it created: «cuentaExistente: null» is the ordinary path', () => {
    const run = drive(machine, [...RECEPCION, { ...ev.crearCt, cuentaExistente: null }]);
    expect(run.snapshot.value).toBe('aprovisionamiento');
    expect(run.snapshot.context.cuentaPrevia).toBe(false);
  });
});
