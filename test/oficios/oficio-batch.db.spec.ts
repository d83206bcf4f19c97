/**
 * One oficio, many accounts (issue 14, part 2), the registration: POST /api/oficios with `lineas` registers one oficio
 * (one folio, one scan, one acuse) and one 5.2.1 case per school, all in one transaction; any bad line is a 422 naming
 * every bad line and field, with nothing written in any table. The register shows the oficio's progress.
 */
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import { type DataSource, In } from 'typeorm';
import { SESSION_COOKIE } from '../../src/auth/auth.guard';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { IssuedDocument } from '../../src/oficios/entities/document.entity';
import { Oficio } from '../../src/oficios/entities/oficio.entity';
import { OficiosService } from '../../src/oficios/oficios.service';
import { OficioLinea } from '../../src/oficios/entities/oficio-linea.entity';
import { OficioRegisterService } from '../../src/oficios/oficio-register.service';
import { lineEndedUnanswered } from '../../src/oficios/oficio-reply';
import { addWorker } from '../support/pipeline';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';
import { FILE_STORE, type FileStore } from '../../src/oficios/file-store';
import {
  addCentros,
  addNiveles,
  census as censusOf,
  pdfText,
  postOficio,
  scannedOficio,
  settle,
  testCct,
} from './support';

jest.setTimeout(300_000);

const cct = testCct;
const lines = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ cct: cct(from + i), nombre: `Escuela primaria ${from + i}` }));

describe('oficios: one oficio, many school accounts (registration)', () => {
  let t: TestApp;
  let pdf: Buffer;
  const tok: Record<string, string> = {};
  const http = () => request(t.app.getHttpServer());
  const ds = (): DataSource => t.db.dataSource;
  let numero = 0;

  const fields = (lineas: unknown, extra: Record<string, string> = {}): Record<string, string> => {
    numero += 1;
    return {
      procedimiento: 'centro-trabajo-alta',
      numeroOficio: `DEP/${String(numero).padStart(4, '0')}/2026`,
      fechaOficio: '2026-11-20',
      remitenteNombre: 'Profr. José Ángel Núñez Ceballos',
      remitenteCargo: 'Director de Educación Primaria',
      nivel: 'PRIMARIA',
      asunto: 'Alta de cuentas para los centros de trabajo siguientes',
      lineas: typeof lineas === 'string' ? lineas : JSON.stringify(lineas),
      ...extra,
    };
  };

  const census = () => censusOf(ds());
  const act = async (who: string, caseId: string, tipo: string, datos?: Record<string, unknown>): Promise<void> => {
    const { version } = await ds().getRepository(ProcedureCase).findOneByOrFail({ id: caseId });
    const res = await http()
      .post(`/api/tramites/${caseId}/eventos`)
      .set('Authorization', `Bearer ${tok[who]}`)
      .send({ tipo, version, ...(datos ? { datos } : {}) });
    expect([tipo, res.status, res.body]).toEqual([tipo, 200, expect.anything()]);
  };
  const page = async (q = '', who = 'oficialia'): Promise<string> =>
    (await http().get(`/oficios${q}`).set('Cookie', `${SESSION_COOKIE}=${tok[who]}`).expect(200)).text;

  beforeAll(async () => {
    t = await createTestApp({ RELAY_INTERVAL_MS: '60000' });
    await addNiveles(ds());
    await createStaff(ds(), 'oficialia', 'subdireccion');
    await createStaff(ds(), 'sistemas', 'subjefatura');
    await createStaff(ds(), 'primaria', 'nivel', { nivelClave: 'PRIMARIA' });
    for (const u of ['oficialia', 'sistemas', 'primaria']) tok[u] = await login(t.app, u);
    await addCentros(ds(), 700, [690]);
    await ds()
      .getRepository(Cuenta)
      .insert({
        id: '00000000-0000-4000-8000-000000000691',
        direccion: 'escuela691@colima.gob.mx',
        localPart: 'escuela691',
        dominio: 'colima.gob.mx',
        tipo: 'centro_trabajo',
        titularTipo: 'centro',
        titularCurp: null,
        titularCct: cct(691),
        estado: 'activa',
        proveedor: 'local',
        proveedorId: 'p691',
      });
    pdf = await scannedOficio('Oficio: alta de cuentas para los 25 centros de trabajo siguientes.');
  });
  afterAll(async () => t?.close());

  let batch: { id: string; folio: string; lineas: { linea: number; cct: string; tramite: string }[] };

  it('a 25-school oficio registers once: 1 oficio, 25 lines, 25 cases with their CCT and the folio, one acuse', async () => {
    const before = await census();
    const res = await postOficio(t, tok.oficialia, pdf, fields(lines(1, 25))).expect(201);
    batch = res.body as typeof batch;
    const after = await census();
    expect(after.oficio - before.oficio).toBe(1);
    expect(after.oficio_linea - before.oficio_linea).toBe(25);
    expect(after.procedure_case - before.procedure_case).toBe(25);
    const oficio = await ds().getRepository(Oficio).findOneByOrFail({ id: batch.id });
    const rows = await ds()
      .getRepository(OficioLinea)
      .find({ where: { oficioId: batch.id }, order: { linea: 'ASC' } });
    expect(rows.map((l) => [l.linea, l.cct, l.nombreCuenta, l.resultado])).toEqual(
      lines(1, 25).map((l, i) => [i + 1, l.cct, l.nombre, null]),
    );
    expect(batch.lineas.map((l) => [l.linea, l.cct, l.tramite])).toEqual(rows.map((l) => [l.linea, l.cct, l.caseId]));
    // Line 1's case is the one the oficio names.
    expect(oficio.caseId).toBe(rows[0].caseId);
    const cases = await ds()
      .getRepository(ProcedureCase)
      .find({ where: { folio: batch.folio } });
    expect(cases).toHaveLength(25);
    const byId = new Map(cases.map((c) => [c.id, c]));
    for (const l of rows) {
      const c = byId.get(l.caseId)!;
      expect([c.procedureId, c.cct, c.nivelClave, c.state, c.status]).toEqual([
        'centro-trabajo-alta',
        l.cct,
        'PRIMARIA',
        'turno',
        'activo',
      ]);
    }
    await settle(t);
    const acuses = await ds()
      .getRepository(IssuedDocument)
      .find({ where: { oficioId: batch.id, kind: 'acuse' } });
    expect(acuses.map((d) => d.caseId)).toEqual([oficio.caseId]);
    // Every line's reception asked for it; only line 1's issued it, and none failed.
    const asked = await ds()
      .getRepository(OutboxCommand)
      .find({ where: { type: 'renderAcuse' } });
    const ours = asked.filter((c) => byId.has(c.caseId));
    expect(ours).toHaveLength(25);
    expect(ours.map((c) => c.status)).toEqual(ours.map(() => 'hecho'));
  });

  it('an oficio with 2 bad lines among 25: 422 naming the lines and fields, nothing written in any table', async () => {
    const before = await census();
    const annex = lines(101, 25);
    annex[6] = { cct: '06DPR9999Z', nombre: 'Fantasma' };
    annex[18] = { cct: cct(119), nombre: '' };
    const res = await postOficio(t, tok.oficialia, pdf, fields(annex)).expect(422);
    expect(res.body.error).toBe('LINEAS_INVALIDAS');
    const detalles = res.body as { lineas: unknown };
    expect(detalles.lineas).toEqual([
      {
        linea: 7,
        cct: '06DPR9999Z',
        errores: [{ campo: 'cct', mensaje: 'La CCT 06DPR9999Z no está en el catálogo de centros de trabajo.' }],
      },
      { linea: 19, cct: cct(119), errores: [{ campo: 'nombre', mensaje: 'Indique el nombre de la cuenta.' }] },
    ]);
    expect(res.body.mensaje).toContain('2 de 25 líneas');
    expect(await census()).toEqual(before);
  });

  it('refuses an inactive school, one that has its account, a repeated one and one already in another line', async () => {
    const before = await census();
    const annex = [
      { cct: cct(690), nombre: 'Cerrada' },
      { cct: cct(691), nombre: 'Con cuenta' },
      { cct: cct(201), nombre: 'Una' },
      { cct: ` ${cct(201).toLowerCase()}`, nombre: 'Otra vez' },
    ];
    const res = await postOficio(t, tok.oficialia, pdf, fields(annex)).expect(422);
    const detalles = res.body as { lineas: { linea: number }[] };
    expect(detalles.lineas.map((l) => l.linea)).toEqual([1, 2, 4]);
    expect(await census()).toEqual(before);
  });

  it('refuses lines outside 5.2.1 and 5.3.1, with «cct», over 500, or not a list: 400 and nothing written', async () => {
    const before = await census();
    await postOficio(t, tok.oficialia, pdf, {
      ...fields(lines(300, 2)),
      procedimiento: 'cuenta-bloquear',
      nivel: 'PRIMARIA',
    }).expect(400);
    await postOficio(t, tok.oficialia, pdf, fields(lines(300, 2), { cct: cct(300) })).expect(400);
    const over = await postOficio(t, tok.oficialia, pdf, fields(lines(1, 501))).expect(400);
    expect(JSON.stringify(over.body)).toContain('hasta 500 líneas');
    await postOficio(t, tok.oficialia, pdf, fields('06DPR0300A, Escuela')).expect(400);
    await postOficio(t, tok.oficialia, pdf, fields([])).expect(400);
    await postOficio(t, tok.oficialia, pdf, fields([null])).expect(400);
    await postOficio(t, tok.oficialia, pdf, fields({ cct: cct(300), nombre: 'Sola' })).expect(400);
    const odd = await postOficio(t, tok.oficialia, pdf, fields([{ cct: 6, nombre: ['x'] }])).expect(422);
    expect(odd.body.lineas).toEqual([
      {
        linea: 1,
        cct: '',
        errores: [
          { campo: 'cct', mensaje: expect.stringContaining('CCT') as string },
          { campo: 'nombre', mensaje: 'Indique el nombre de la cuenta.' },
        ],
      },
    ]);
    expect(await census()).toEqual(before);
  });

  it('the same oficio again is a duplicate (409) unless confirmed, and nothing is written', async () => {
    const first = await ds().getRepository(Oficio).findOneByOrFail({ id: batch.id });
    const before = await census();
    const again = { ...fields(lines(401, 3)), numeroOficio: first.numeroRemitente };
    const res = await postOficio(t, tok.oficialia, pdf, again).expect(409);
    expect(res.body.mensaje).toContain(first.folio);
    expect(await census()).toEqual(before);
  });

  it('the same oficio sent twice at once registers once: one 201, one 409, the lines and cases of one', async () => {
    const same = fields(lines(670, 10));
    const before = await census();
    const answers = await Promise.all([
      postOficio(t, tok.oficialia, pdf, same),
      postOficio(t, tok.oficialia, pdf, same),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    const after = await census();
    expect([after.oficio - before.oficio, after.oficio_linea - before.oficio_linea]).toEqual([1, 10]);
    expect(after.procedure_case - before.procedure_case).toBe(10);
  });

  it('a line worked on its own waits for the others; when they end cancelled, it draws the oficio’s one letter and it reaches the Nivel', async () => {
    const res = await postOficio(t, tok.oficialia, pdf, fields(lines(660, 3))).expect(201);
    const { id, lineas } = res.body as typeof batch;
    const line2 = lineas[1];
    // The school got its account meanwhile (another way): the line's case answers «ya tiene cuenta» (correction 14).
    const director = await addWorker(ds(), { nombre: 'Rocío', primerApellido: 'Peña' });
    await ds().getRepository(CentroTrabajo).update({ cct: line2.cct }, { directorCurp: director.curp });
    await ds().getRepository(Cuenta).insert({
      id: '00000000-0000-4000-8000-000000000661',
      direccion: 'escuela661@colima.gob.mx',
      localPart: 'escuela661',
      dominio: 'colima.gob.mx',
      tipo: 'centro_trabajo',
      titularTipo: 'centro',
      titularCurp: null,
      titularCct: line2.cct,
      estado: 'activa',
      proveedor: 'local',
      proveedorId: 'p661',
    });
    await act('oficialia', line2.tramite, 'TURNAR');
    await act('sistemas', line2.tramite, 'RECIBIR_TURNO');
    await act('sistemas', line2.tramite, 'CREAR_CUENTA', {
      tipo: 'centro_trabajo',
      cct: line2.cct,
      directorCurp: director.curp,
    });
    await settle(t);
    // The oficio's letter states every line's result: line 2 waits at its reply step, its command parked.
    const waiting = await ds().getRepository(ProcedureCase).findOneByOrFail({ id: line2.tramite });
    expect([waiting.status, waiting.state]).toEqual(['activo', 'oficioRespuesta']);
    const parked = await ds()
      .getRepository(OutboxCommand)
      .findOneByOrFail({ caseId: line2.tramite, type: 'renderReplyLetter' });
    expect(parked.status).toBe('en_espera');
    expect(parked.lastError).toContain('Espera a 2 de 3 líneas');
    // Its case page says so (and does not keep reloading as while the system works a step).
    const casePage = (
      await http().get(`/tramites/${line2.tramite}`).set('Cookie', `${SESSION_COOKIE}=${tok.sistemas}`).expect(200)
    ).text;
    expect(casePage).toContain('Espera a 2 de 3 líneas del oficio');
    expect(casePage).not.toContain('la página se actualiza sola');
    // The register tells the line's result is known though no line concluded yet.
    expect(await page(`?folio=${(res.body as typeof batch).folio}`)).toContain(
      '1 de 3 con resultado · 0 de 3 concluidos',
    );
    expect(await ds().getRepository(IssuedDocument).countBy({ oficioId: id, kind: 'respuesta' })).toBe(0);
    // The Subdirección cancels the other two lines (never worked): the last cancellation completes the oficio.
    await act('oficialia', lineas[0].tramite, 'CANCELAR', { motivo: 'La escuela cerró.' });
    await settle(t);
    // The oficio names line 1's case, now cancelled, but follows all its lines: the reconciliation leaves it registered.
    await expect(t.app.get(OficiosService).reconcileCancelledCases()).resolves.toEqual([]);
    expect((await ds().getRepository(ProcedureCase).findOneByOrFail({ id: line2.tramite })).state).toBe(
      'oficioRespuesta',
    );
    await act('oficialia', lineas[2].tramite, 'CANCELAR', { motivo: 'Línea duplicada.' });
    await settle(t);
    await settle(t);
    const c = await ds().getRepository(ProcedureCase).findOneByOrFail({ id: line2.tramite });
    expect([c.status, c.state]).toEqual(['activo', 'envioRespuesta']);
    const letter = await ds()
      .getRepository(IssuedDocument)
      .findOneByOrFail({ caseId: line2.tramite, kind: 'respuesta' });
    expect(letter.oficioId).toBe(id);
    const text = pdfText(await t.app.get<FileStore>(FILE_STORE).read(letter.storageKey)).replace(/\s+/g, ' ');
    expect(text).toContain('1 ya existía y 2 canceladas');
    expect(text).toContain('escuela661@colima.gob.mx');
    const others = await ds()
      .getRepository(ProcedureCase)
      .findBy({ id: In([lineas[0].tramite, lineas[2].tramite]) });
    expect(others.map((o) => o.outcome)).toEqual(['cancelada', 'cancelada']);
    // The Nivel sees the line's reply in its register once that line's reply was forwarded to it, not before.
    const folio = (res.body as typeof batch).folio;
    expect(await page(`?folio=${folio}`, 'primaria')).not.toContain('Oficio de respuesta');
    await act('sistemas', line2.tramite, 'ENVIAR_RESPUESTA');
    expect(await page(`?folio=${folio}`, 'primaria')).not.toContain('Oficio de respuesta');
    await act('oficialia', line2.tramite, 'TURNAR_RESPUESTA');
    expect(await page(`?folio=${folio}`, 'primaria')).toContain(`Oficio de respuesta ${letter.numeroOficio}`);
    // And asks for it by the line's case: that case's reply, to acknowledge on that case.
    const reply = await http()
      .get(`/api/oficios/${line2.tramite}/respuesta`)
      .set('Authorization', `Bearer ${tok.primaria}`)
      .expect(200);
    expect(reply.body).toMatchObject({
      documento: { id: letter.id, numeroOficio: letter.numeroOficio },
      oficio: { id, folio },
      tramite: { id: line2.tramite, acuse: { ruta: `/api/tramites/${line2.tramite}/eventos` } },
    });
  });

  // MariaDB's REPEATABLE READ: the transaction that ends the last unworked line read the lines before it waited for the
  // oficio's lock; a line that parked meanwhile must still be seen, and woken (SQLite queues whole transactions).
  (process.env.TEST_DB === 'mariadb' ? it : it.skip)(
    'the line whose end completes the oficio wakes a line that parked after that transaction first read the lines',
    async () => {
      const res = await postOficio(t, tok.oficialia, pdf, fields(lines(670, 2))).expect(201);
      const { id, lineas } = res.body as typeof batch;
      const [first, second] = lineas;
      const director = await addWorker(ds(), { nombre: 'Elena', primerApellido: 'Soto' });
      await ds().getRepository(CentroTrabajo).update({ cct: first.cct }, { directorCurp: director.curp });
      await ds().getRepository(Cuenta).insert({
        id: '00000000-0000-4000-8000-000000000670',
        direccion: 'escuela670@colima.gob.mx',
        localPart: 'escuela670',
        dominio: 'colima.gob.mx',
        tipo: 'centro_trabajo',
        titularTipo: 'centro',
        titularCurp: null,
        titularCct: first.cct,
        estado: 'activa',
        proveedor: 'local',
        proveedorId: 'p670',
      });
      await act('oficialia', first.tramite, 'TURNAR');
      await act('sistemas', first.tramite, 'RECIBIR_TURNO');
      await act('sistemas', first.tramite, 'CREAR_CUENTA', {
        tipo: 'centro_trabajo',
        cct: first.cct,
        directorCurp: director.curp,
      });
      // The second line's end begins: its transaction reads the lines (no line has asked yet)...
      const qr = ds().createQueryRunner();
      await qr.connect();
      try {
        await qr.startTransaction();
        const seen = await qr.manager.find(OficioLinea, { where: { oficioId: id } });
        expect(seen.map((l) => l.respuesta)).toEqual([null, null]);
        // ...meanwhile the first line asks for the reply and parks, waiting for the second...
        await settle(t);
        const cmd = await ds()
          .getRepository(OutboxCommand)
          .findOneByOrFail({ caseId: first.tramite, type: 'renderReplyLetter' });
        expect(cmd.status).toBe('en_espera');
        // ...and the second ends unanswered: it must see the parked line and wake it.
        await qr.manager.update(OficioLinea, { caseId: second.tramite }, { resultado: 'cancelada' });
        await lineEndedUnanswered(qr.manager, id, new Date());
        await qr.commitTransaction();
      } finally {
        if (qr.isTransactionActive) await qr.rollbackTransaction();
        await qr.release();
      }
      const woken = await ds()
        .getRepository(OutboxCommand)
        .findOneByOrFail({ caseId: first.tramite, type: 'renderReplyLetter' });
      expect(woken.status).toBe('pendiente');
    },
  );

  it('the register shows the progress of the oficio, line by line as its cases end', async () => {
    expect(await page(`?folio=${batch.folio}`)).toContain('0 de 25 concluidos');
    // The Subdirección cancels line 3 alone: its line ends cancelled, the oficio and the other 24 lines go on.
    const line3 = batch.lineas[2].tramite;
    const { version } = await ds().getRepository(ProcedureCase).findOneByOrFail({ id: line3 });
    await http()
      .post(`/api/tramites/${line3}/eventos`)
      .set('Authorization', `Bearer ${tok.oficialia}`)
      .send({ tipo: 'CANCELAR', version, datos: { motivo: 'La escuela ya no opera en este ciclo.' } })
      .expect(200);
    const html = await page(`?folio=${batch.folio}`);
    expect(html).toContain('1 de 25 concluidos (Cancelado: 1)');
    expect((await ds().getRepository(Oficio).findOneByOrFail({ id: batch.id })).status).toBe('registrado');
    const svc = t.app.get(OficioRegisterService);
    const reg = await svc.page({ id: 'x', role: 'subdireccion' } as never, { folio: batch.folio });
    expect(reg.items.map((e) => e.lineas)).toEqual([
      { total: 25, conResultado: 1, concluidas: 1, porResultado: { cancelada: 1 } },
    ]);
  });

  it('cancelling the oficio cancels every line still open in one go, and then the oficio', async () => {
    await http()
      .post(`/api/oficios/${batch.id}/cancelar`)
      .set('Authorization', `Bearer ${tok.oficialia}`)
      .send({ motivo: 'Registrado por error: el oficio es de otra dependencia.' })
      .expect(200);
    const rows = await ds()
      .getRepository(OficioLinea)
      .find({ where: { oficioId: batch.id } });
    expect(rows.map((l) => l.resultado)).toEqual(rows.map(() => 'cancelada'));
    expect((await ds().getRepository(Oficio).findOneByOrFail({ id: batch.id })).status).toBe('cancelado');
    expect(await page(`?folio=${batch.folio}`)).toContain('25 de 25 concluidos (Cancelado: 25)');
  });

  it('500 lines register in one request', async () => {
    const t0 = performance.now();
    const res = await postOficio(t, tok.oficialia, pdf, fields(lines(151, 500))).expect(201);
    const ms = performance.now() - t0;
    process.stdout.write(`\n[oficio-batch] 500 lines on ${ds().options.type}: ${Math.round(ms)} ms\n`);
    expect(res.body.lineas).toHaveLength(500);
    expect(
      await ds()
        .getRepository(OficioLinea)
        .count({ where: { oficioId: res.body.id as string } }),
    ).toBe(500);
    expect(
      await ds()
        .getRepository(ProcedureCase)
        .count({ where: { folio: res.body.folio as string } }),
    ).toBe(500);
  });
});
