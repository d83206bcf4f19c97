/**
 * POST /api/oficios/:id/cancelar: the Subdirección cancels an oficio it still holds, and its case ends with it
 * (CANCELAR through the engine, as the cancelling user); once the oficio is turned the answer is a Spanish 409 that
 * says who may act now. Runs on SQLite and, with TEST_DB=mariadb, on MariaDB.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { SESSION_COOKIE } from '../../src/auth/auth.guard';
import { PROCEDURES } from '../../machines';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Movement } from '../../src/engine/entities/movement.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { Task } from '../../src/engine/entities/task.entity';
import { EngineService } from '../../src/engine/engine.service';
import type { EngineProcedure } from '../../src/engine/procedure-registry';
import { IssuedDocument } from '../../src/oficios/entities/document.entity';
import { FILE_STORE, type FileStore } from '../../src/oficios/file-store';
import { AcuseProcessor } from '../../src/oficios/letters.processor';
import { Oficio } from '../../src/oficios/entities/oficio.entity';
import { OficiosService } from '../../src/oficios/oficios.service';
import { QueueRuntime } from '../../src/queue/queue-runtime.service';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';
import { addNiveles, scannedOficio, settle } from './support';

describe('oficios: cancelling an oficio cancels its case, while the Subdirección still holds it', () => {
  let t: TestApp;
  let pdf: Buffer;
  const tok: Record<string, string> = {};
  const users: Record<string, string> = {};
  const http = () => request(t.app.getHttpServer());
  const ds = () => t.db.dataSource;
  let numero = 0;

  /** A paper oficio registered by the clerk: its case opens in «turno» with the acuse declared. */
  const register = async (
    fields: Record<string, string> = {},
  ): Promise<{ id: string; folio: string; tramite: string }> => {
    numero += 1;
    const r = http().post('/api/oficios').set('Authorization', `Bearer ${tok.oficialia}`);
    const all: Record<string, string> = {
      procedimiento: 'cuenta-bloquear',
      numeroOficio: `DA/${String(numero).padStart(4, '0')}/2026`,
      fechaOficio: '2026-11-20',
      remitenteNombre: 'Lic. Ana Sofía Cárdenas Muñoz',
      remitenteCargo: 'Directora Administrativa',
      area: 'Dirección Administrativa',
      asunto: 'Solicitud de bloqueo de la cuenta programa.lectura@colima.gob.mx',
      ...fields,
    };
    for (const [k, v] of Object.entries(all)) void r.field(k, v);
    const res = await r.attach('archivo', pdf, { filename: 'oficio.pdf', contentType: 'application/pdf' }).expect(201);
    expect(res.body.caso.state).toBe('turno');
    return { id: res.body.id as string, folio: res.body.folio as string, tramite: res.body.tramite as string };
  };
  const cancel = (oficioId: string, motivo: string, token = tok.oficialia) =>
    http().post(`/api/oficios/${oficioId}/cancelar`).set('Authorization', `Bearer ${token}`).send({ motivo });
  const caseOf = (id: string) => ds().getRepository(ProcedureCase).findOneByOrFail({ id });
  /** An action of the current step, through the API, as the inbox sends it. */
  const act = async (token: string, caseId: string, tipo: string, datos?: Record<string, unknown>) => {
    const { version } = await caseOf(caseId);
    await http()
      .post(`/api/tramites/${caseId}/eventos`)
      .set('Authorization', `Bearer ${token}`)
      .send({ tipo, version, ...(datos ? { datos } : {}) })
      .expect(200);
  };

  /** As a case opened before version 2 was installed, where the Subjefatura's CANCELAR ends the case with no letter. */
  const asVersion1 = async (caseId: string) => {
    await ds().getRepository(ProcedureCase).update({ id: caseId }, { procedureVersion: 1 });
  };

  beforeAll(async () => {
    // The maintenance passes run when the test says (QueueRuntime.periodic), not on a timer.
    t = await createTestApp(
      { RELAY_INTERVAL_MS: '60000', RECOVERY_INTERVAL_MS: '3600000' },
      { procedures: PROCEDURES as unknown as EngineProcedure[] },
    );
    await addNiveles(ds());
    users.oficialia = (
      await createStaff(ds(), 'oficialia', 'subdireccion', { nombre: 'María Fernanda Ochoa Larios' })
    ).id;
    users.oficialia2 = (
      await createStaff(ds(), 'oficialia2', 'subdireccion', { nombre: 'Jorge Iván Preciado Solís' })
    ).id;
    users.sistemas = (await createStaff(ds(), 'sistemas', 'subjefatura')).id;
    for (const u of ['oficialia', 'oficialia2', 'sistemas']) tok[u] = await login(t.app, u);
    pdf = await scannedOficio('Oficio DA/0001/2026. Solicitud de bloqueo de cuenta.');
  });
  afterAll(async () => t?.close());

  it('cancels the oficio and ends its case as «cancelada» with the motivo, as the clerk who cancelled it', async () => {
    const o = await register({ procedimiento: 'centro-trabajo-alta', nivel: 'primaria', area: '', cct: '06DPR0012X' });
    await settle(t); // the acuse is issued before the cancellation
    const before = await caseOf(o.tramite);
    expect(
      await ds()
        .getRepository(Task)
        .count({ where: { caseId: o.tramite, status: 'abierta', candidateRole: 'subdireccion' } }),
    ).toBe(1);
    const outboxBefore = await ds()
      .getRepository(OutboxCommand)
      .count({ where: { caseId: o.tramite } });

    const motivo = 'Registrado por error: el oficio corresponde a la Dirección de Educación Secundaria.';
    const res = await cancel(o.id, `  ${motivo}  `).expect(200);
    expect(res.body).toMatchObject({ folio: o.folio, estado: 'cancelado', cancelacion: { motivo } });

    const after = await caseOf(o.tramite);
    expect(after).toMatchObject({
      state: 'cancelada',
      status: 'concluido',
      outcome: 'cancelada',
      version: before.version + 1,
    });
    expect(JSON.parse(after.snapshot)).toMatchObject({
      status: 'done',
      context: { motivo },
      output: { outcome: 'cancelada', motivo },
    });
    const moves = await ds()
      .getRepository(Movement)
      .find({ where: { caseId: o.tramite }, order: { seq: 'ASC' } });
    expect(moves.at(-1)).toMatchObject({
      eventType: 'CANCELAR',
      actorId: users.oficialia,
      actorRole: 'subdireccion',
      fromState: 'turno',
      toState: 'cancelada',
    });
    expect(JSON.parse(moves.at(-1)!.data)).toEqual({ motivo });
    // Nothing left in anyone's inbox, nothing new for the queues, and the acuse reads cancelled.
    expect(
      await ds()
        .getRepository(Task)
        .count({ where: { caseId: o.tramite, status: 'abierta' } }),
    ).toBe(0);
    expect(
      await ds()
        .getRepository(OutboxCommand)
        .count({ where: { caseId: o.tramite } }),
    ).toBe(outboxBefore);
    const acuse = await ds().getRepository(IssuedDocument).findOneByOrFail({ caseId: o.tramite, kind: 'acuse' });
    expect(acuse.status).toBe('cancelado');
    const row = await ds().getRepository(Oficio).findOneByOrFail({ id: o.id });
    expect(row).toMatchObject({ status: 'cancelado', canceladoPor: users.oficialia, motivoCancelacion: motivo });

    // Cancelling again is refused, and changes nothing.
    const again = await cancel(o.id, 'otra vez').expect(409);
    expect(again.body.mensaje).toBe(`El oficio con folio ${o.folio} ya estaba cancelado.`);
    expect((await caseOf(o.tramite)).version).toBe(after.version);
  });

  it('refuses once the oficio is turned (409 in Spanish: the Subjefatura cancels it from its inbox), and her cancellation is answered, not withdrawn', async () => {
    const o = await register();
    await act(tok.oficialia, o.tramite, 'TURNAR');
    const turned = await caseOf(o.tramite);
    expect(turned.state).toBe('recepcionSubjefatura');

    const res = await cancel(o.id, 'Ya no se requiere.').expect(409);
    expect(res.body.error).toBe('OFICIO_TURNADO');
    expect(res.body.mensaje).toBe(
      `El oficio ${o.folio} ya se turnó a la Subjefatura de Sistemas (paso actual: «Recibir oficio turnado»): ya no puede ` +
        'cancelarlo la Subdirección de Sistemas y Servicios Telemáticos. La Subjefatura de Sistemas debe cancelarlo desde su ' +
        'bandeja de tareas (acción «Cancelar el trámite»), indicando el motivo.',
    );
    expect(await caseOf(o.tramite)).toMatchObject({ state: 'recepcionSubjefatura', version: turned.version });
    expect((await ds().getRepository(Oficio).findOneByOrFail({ id: o.id })).status).toBe('registrado');

    // Received by the Subjefatura: still hers to cancel, and she can.
    await act(tok.sistemas, o.tramite, 'RECIBIR_TURNO');
    const working = await cancel(o.id, 'Ya no se requiere.').expect(409);
    expect(working.body).toMatchObject({ error: 'OFICIO_TURNADO', estado: 'busqueda', tramite: o.tramite });
    expect(working.body.mensaje).toContain('(paso actual: «Buscar la cuenta a bloquear»)');
    await act(tok.sistemas, o.tramite, 'CANCELAR', { motivo: 'La cuenta indicada no existe.' });

    // Her CANCELAR answers the oficio with the signed rejection letter (version 2; test/letters/rejection-letter):
    // the oficio is answered, not withdrawn, and the Subdirección still cannot cancel it.
    expect((await caseOf(o.tramite)).state).toBe('oficioRespuesta');
    await cancel(o.id, 'Ya no se requiere.').expect(409);
    expect((await ds().getRepository(Oficio).findOneByOrFail({ id: o.id })).status).toBe('registrado');
  });

  it('refuses once the account work was asked of the Servicio: nobody can cancel it any more', async () => {
    const o = await register();
    await act(tok.oficialia, o.tramite, 'TURNAR');
    await act(tok.sistemas, o.tramite, 'RECIBIR_TURNO');
    await act(tok.sistemas, o.tramite, 'BLOQUEAR', { cuentaId: 'cta-no-importa' });
    await act(tok.sistemas, o.tramite, 'CONFIRMAR');
    const waiting = await caseOf(o.tramite);
    expect(waiting.state).toBe('aprovisionamiento');

    const res = await cancel(o.id, 'Ya no se requiere.').expect(409);
    expect(res.body.error).toBe('TRAMITE_EN_PROCESO');
    expect(res.body.mensaje).toBe(
      `El trámite del oficio ${o.folio} ya pasó al servicio de cuentas: ya se pidió crear o modificar la cuenta, así que el ` +
        'oficio ya no puede cancelarse. Si la solicitud no procedía, tramite el oficio que la revierta.',
    );
    expect((await caseOf(o.tramite)).version).toBe(waiting.version);
  });

  it('finishes the cancellation of an oficio whose case ended cancelled before the two were one transaction', async () => {
    // As earlier releases left it: the case cancelled (by the Subdirección, or by the Subjefatura from its inbox),
    // its folio still registered and its acuse still vigente.
    const asBefore = async (id: string) => {
      await ds()
        .getRepository(Oficio)
        .update({ id }, { status: 'registrado', canceladoAt: null, canceladoPor: null, motivoCancelacion: null });
      await ds().getRepository(IssuedDocument).update({ oficioId: id }, { status: 'vigente', canceladoAt: null });
    };
    const o = await register();
    await settle(t);
    const first = { id: users.oficialia2, role: 'subdireccion' as const, nombre: 'Jorge Iván Preciado Solís' };
    await t.app
      .get(EngineService)
      .send(o.tramite, { type: 'CANCELAR', motivo: 'Duplicado del folio anterior.' }, first);
    await asBefore(o.id);
    const cancelled = await caseOf(o.tramite);

    // «Cancelar oficio» records the cancellation the case holds (who, why), and the case is not touched again.
    const res = await cancel(o.id, 'Otro motivo').expect(200);
    expect(res.body.cancelacion.motivo).toBe('Duplicado del folio anterior.');
    expect(await ds().getRepository(Oficio).findOneByOrFail({ id: o.id })).toMatchObject({
      status: 'cancelado',
      canceladoPor: users.oficialia2,
    });
    expect(
      (await ds().getRepository(IssuedDocument).findOneByOrFail({ caseId: o.tramite, kind: 'acuse' })).status,
    ).toBe('cancelado');
    expect((await caseOf(o.tramite)).version).toBe(cancelled.version);
    expect(
      await ds()
        .getRepository(Movement)
        .count({ where: { caseId: o.tramite, eventType: 'CANCELAR' } }),
    ).toBe(1);

    // One the Subjefatura cancelled is found by the first maintenance pass of a process (OficiosService.reconcileOnce,
    // in the process that holds the maintenance lease) and follows its case.
    const p = await register();
    await settle(t);
    await act(tok.oficialia, p.tramite, 'TURNAR');
    await act(tok.sistemas, p.tramite, 'RECIBIR_TURNO');
    await asVersion1(p.tramite); // version 2 answers her cancellation with a letter instead
    await act(tok.sistemas, p.tramite, 'CANCELAR', { motivo: 'La cuenta indicada no existe.' });
    await asBefore(p.id);
    await t.app.get(QueueRuntime).periodic();
    expect(await ds().getRepository(Oficio).findOneByOrFail({ id: p.id })).toMatchObject({
      status: 'cancelado',
      canceladoPor: users.sistemas,
      motivoCancelacion: 'La cuenta indicada no existe.',
    });
    expect(
      (await ds().getRepository(IssuedDocument).findOneByOrFail({ caseId: p.tramite, kind: 'acuse' })).status,
    ).toBe('cancelado');
    await expect(t.app.get(OficiosService).reconcileCancelledCases()).resolves.toEqual([]);
    await expect(t.app.get(OficiosService).reconcileOnce()).resolves.toEqual([]);
  });

  it('cancels at once an oficio an earlier release left without its case, and then the same letter registers again', async () => {
    // As the two-transaction registration left SSST-2026-000020 when the process died between them: the folio and the
    // oficio committed, the case never did.
    const o = await register();
    const row = await ds().getRepository(Oficio).findOneByOrFail({ id: o.id });
    const orphan: Oficio = {
      ...row,
      id: randomUUID(),
      folio: 'SSST-1999-000020',
      folioAnio: 1999,
      folioNumero: 20,
      numeroRemitente: 'DA/7777/2026',
      numeroNormalizado: 'DA/7777/2026',
      caseId: randomUUID(),
    };
    await ds().getRepository(Oficio).insert(orphan);
    const res = await cancel(orphan.id, 'Registro interrumpido: se registra de nuevo.').expect(200);
    expect(res.body).toMatchObject({
      folio: 'SSST-1999-000020',
      estado: 'cancelado',
      cancelacion: { motivo: 'Registro interrumpido: se registra de nuevo.' },
    });
    expect(await ds().getRepository(Oficio).findOneByOrFail({ id: orphan.id })).toMatchObject({
      status: 'cancelado',
      canceladoPor: users.oficialia,
    });
    // No longer a registered oficio with that number: registering the letter again is not a duplicate.
    await register({ numeroOficio: 'DA/7777/2026' });
  });

  it('an acuse being drawn when the oficio is cancelled is stored cancelado, not vigente', async () => {
    const o = await register();
    const cmd = await ds().getRepository(OutboxCommand).findOneByOrFail({ caseId: o.tramite, type: 'renderAcuse' });
    const files = t.app.get<FileStore>(FILE_STORE);
    const save = files.save.bind(files);
    // The processor has read the oficio and signed the acuse; the clerk's cancellation commits before it is stored.
    const spy = jest.spyOn(files, 'save').mockImplementationOnce(async (data: Buffer) => {
      await cancel(o.id, 'Registrado por error.').expect(200);
      return save(data);
    });
    try {
      await expect(t.app.get(AcuseProcessor).handle(cmd)).resolves.toBeNull();
    } finally {
      spy.mockRestore();
    }
    const acuse = await ds().getRepository(IssuedDocument).findOneByOrFail({ caseId: o.tramite, kind: 'acuse' });
    expect(acuse.status).toBe('cancelado');
    expect(acuse.canceladoAt).not.toBeNull();
    expect((await http().get(`/api/verificar/${acuse.codigo}`).expect(200)).body.estado).toBe('cancelado');
  });

  it('lets two clerks cancelling the same oficio at once end with one cancellation of the case', async () => {
    const o = await register();
    const results = await Promise.all([
      cancel(o.id, 'Registrado por error (1).', tok.oficialia),
      cancel(o.id, 'Registrado por error (2).', tok.oficialia2),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(200);
    for (const r of results) expect([200, 409]).toContain(r.status);
    const moves = await ds()
      .getRepository(Movement)
      .find({ where: { caseId: o.tramite, eventType: 'CANCELAR' } });
    expect(moves).toHaveLength(1);
    const motivo = (JSON.parse(moves[0].data) as { motivo: string }).motivo;
    expect(await ds().getRepository(Oficio).findOneByOrFail({ id: o.id })).toMatchObject({
      status: 'cancelado',
      canceladoPor: moves[0].actorId,
      motivoCancelacion: motivo,
    });
    expect(await caseOf(o.tramite)).toMatchObject({ status: 'concluido', outcome: 'cancelada' });
  });

  /** What the register, the case and the public verification say of a cancelled oficio, whoever cancelled it and how. */
  const cancelledState = async (o: { id: string; folio: string; tramite: string }) => {
    const oficio = (
      await http().get(`/api/oficios/${o.id}`).set('Authorization', `Bearer ${tok.oficialia}`).expect(200)
    ).body;
    const listed = (
      await http()
        .get('/api/oficios')
        .query({ folio: o.folio })
        .set('Authorization', `Bearer ${tok.sistemas}`)
        .expect(200)
    ).body.items;
    const acuse = await ds().getRepository(IssuedDocument).findOneByOrFail({ caseId: o.tramite, kind: 'acuse' });
    const verificacion = (await http().get(`/api/verificar/${acuse.codigo}`).expect(200)).body.estado;
    const pagina = (await http().get(`/verificar/${acuse.codigo}`).expect(200)).text;
    const row = await ds().getRepository(Oficio).findOneByOrFail({ id: o.id });
    const caso = await caseOf(o.tramite);
    return {
      registro: listed.map((i: { estado: string }) => i.estado),
      oficio: { estado: oficio.estado, motivo: oficio.cancelacion?.motivo, por: row.canceladoPor },
      acuse: acuse.status,
      verificacion,
      paginaCancelado: pagina.includes('CANCELADO') && !pagina.includes('VIGENTE'),
      caso: { status: caso.status, outcome: caso.outcome, state: caso.state },
    };
  };
  /** The case page's form for an action, filled and posted as a browser does (its own hidden fields, the motivo). */
  const postPageForm = async (token: string, caseId: string, evento: string, motivo: string) => {
    const cookie = `${SESSION_COOKIE}=${token}`;
    const page = (await http().get(`/tramites/${caseId}`).set('Cookie', cookie).expect(200)).text;
    const form = [...page.matchAll(/<form[^>]*>[\s\S]*?<\/form>/g)]
      .map((m) => m[0])
      .find((f) => f.includes(`name="evento" value="${evento}"`));
    expect(form).toBeDefined();
    const fields = Object.fromEntries(
      [...form!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
        m[1],
        m[2].replace(/&amp;/g, '&'),
      ]),
    );
    return http()
      .post(`/tramites/${caseId}/acciones`)
      .set('Cookie', cookie)
      .type('form')
      .send({ ...fields, motivo });
  };

  it.each([
    ['the Subdirección, with «Cancelar oficio» (POST /api/oficios/:id/cancelar)', 'oficialia', 'turno', 'oficio'],
    ['the Subdirección, from the case page', 'oficialia', 'turno', 'pagina'],
    ['the Subdirección, with the case action (POST /api/tramites/:id/eventos)', 'oficialia', 'turno', 'evento'],
    // Version 2 answers the Subjefatura's cancellation with the rejection letter; a case still on version 1 ends.
    ['the Subjefatura (a version 1 case), from the case page', 'sistemas', 'busqueda', 'pagina'],
    ['the Subjefatura (a version 1 case), with the case action', 'sistemas', 'busqueda', 'evento'],
  ])(
    'cancelled by %s: the folio and the acuse read cancelado on the register and on /verificar, with who and why',
    async (_, who, at, via) => {
      const o = await register();
      await settle(t); // the acuse is issued before the cancellation
      if (at === 'busqueda') {
        await act(tok.oficialia, o.tramite, 'TURNAR');
        await act(tok.sistemas, o.tramite, 'RECIBIR_TURNO');
        await asVersion1(o.tramite);
      }
      expect((await caseOf(o.tramite)).state).toBe(at);
      const motivo = `La cuenta ya fue dada de baja por otra vía (${via}).`;
      if (via === 'oficio') await cancel(o.id, motivo, tok[who]).expect(200);
      if (via === 'evento') await act(tok[who], o.tramite, 'CANCELAR', { motivo });
      if (via === 'pagina') expect((await postPageForm(tok[who], o.tramite, 'CANCELAR', motivo)).status).toBe(303);

      expect(await cancelledState(o)).toEqual({
        registro: ['cancelado'],
        oficio: { estado: 'cancelado', motivo, por: users[who] },
        acuse: 'cancelado',
        verificacion: 'cancelado',
        paginaCancelado: true,
        caso: { status: 'concluido', outcome: 'cancelada', state: 'cancelada' },
      });
      expect(
        await ds()
          .getRepository(Movement)
          .count({ where: { caseId: o.tramite, eventType: 'CANCELAR' } }),
      ).toBe(1);
      await cancel(o.id, 'otra vez').expect(409);
    },
  );

  it('cancels the case and its oficio all or nothing: a failure after the oficio was marked leaves both as they were', async () => {
    const o = await register();
    await settle(t);
    await act(tok.oficialia, o.tramite, 'TURNAR');
    await act(tok.sistemas, o.tramite, 'RECIBIR_TURNO');
    await asVersion1(o.tramite);
    const before = await caseOf(o.tramite);
    // A hook that runs after the oficios module's, in the same transaction, fails once.
    let failures = 1;
    t.app
      .get(EngineService)
      .onCaseEnd(() => (failures-- > 0 ? Promise.reject(new Error('disco lleno')) : Promise.resolve()));
    const { version } = before;
    await http()
      .post(`/api/tramites/${o.tramite}/eventos`)
      .set('Authorization', `Bearer ${tok.sistemas}`)
      .send({ tipo: 'CANCELAR', version, datos: { motivo: 'No procede.' } })
      .expect(500);
    expect(await caseOf(o.tramite)).toMatchObject({ state: 'busqueda', version });
    expect((await ds().getRepository(Oficio).findOneByOrFail({ id: o.id })).status).toBe('registrado');
    expect(
      (await ds().getRepository(IssuedDocument).findOneByOrFail({ caseId: o.tramite, kind: 'acuse' })).status,
    ).toBe('vigente');
    await act(tok.sistemas, o.tramite, 'CANCELAR', { motivo: 'No procede.' });
    expect((await ds().getRepository(Oficio).findOneByOrFail({ id: o.id })).status).toBe('cancelado');
  });

  it('leaves cancelling to the Subdirección: the Subjefatura gets 403', async () => {
    const o = await register();
    await cancel(o.id, 'No procede.', tok.sistemas).expect(403);
    expect((await caseOf(o.tramite)).state).toBe('turno');
  });
});
