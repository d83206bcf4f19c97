/**
 * Every oficio gets an answer (issue 12 §2): when the Subjefatura cannot serve an oficio (the account does not exist,
 * the data is wrong) and cancels its case, version 2 of the procedure draws the signed rejection letter
 * (templates/letters/rechazada.md, with the motivo), and it travels the same way as any reply: the Subjefatura sends
 * it, the Subdirección forwards it, only its addressee opens it, downloads are recorded, the addressee acknowledges it
 * and the case ends «rechazada». A case still on version 1 ends «cancelada» with no letter until `cases:migrate` moves
 * it. Runs on SQLite and, with TEST_DB=mariadb, on MariaDB.
 */
import request from 'supertest';
import { PROCEDURES } from '../../machines';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { EngineService } from '../../src/engine/engine.service';
import type { EngineProcedure } from '../../src/engine/procedure-registry';
import { sha256 } from '../../src/letters/verification';
import { DocumentDownload, IssuedDocument } from '../../src/oficios/entities/document.entity';
import { Oficio } from '../../src/oficios/entities/oficio.entity';
import { FILE_STORE, type FileStore } from '../../src/oficios/file-store';
import { addNiveles, pdfsig, pdfText, postOficio, requireTool, scannedOficio, settle } from '../oficios/support';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';

const BASE = 'https://correo.example.test';
const MOTIVO = 'La cuenta programa.lectura@colima.gob.mx no existe en el directorio institucional.';

describe('every oficio gets an answer: a cancelled request is answered with the signed rejection letter', () => {
  let t: TestApp;
  let pdf: Buffer;
  const tok: Record<string, string> = {};
  const users: Record<string, string> = {};
  const http = () => request(t.app.getHttpServer());
  const ds = () => t.db.dataSource;
  let numero = 0;

  const register = async (): Promise<{ id: string; folio: string; tramite: string }> => {
    numero += 1;
    const res = await postOficio(t, tok.oficialia, pdf, {
      procedimiento: 'cuenta-bloquear',
      numeroOficio: `DA/${String(numero).padStart(4, '0')}/2026`,
      fechaOficio: '2026-11-20',
      remitenteNombre: 'Lic. Ana Sofía Cárdenas Muñoz',
      remitenteCargo: 'Directora Administrativa',
      area: 'Dirección Administrativa',
      responsableId: users.becas,
      asunto: 'Solicitud de bloqueo de la cuenta programa.lectura@colima.gob.mx',
    }).expect(201);
    return { id: res.body.id as string, folio: res.body.folio as string, tramite: res.body.tramite as string };
  };
  const caseOf = (id: string) => ds().getRepository(ProcedureCase).findOneByOrFail({ id });
  const act = async (token: string, caseId: string, tipo: string, datos?: Record<string, unknown>) => {
    const { version } = await caseOf(caseId);
    return http()
      .post(`/api/tramites/${caseId}/eventos`)
      .set('Authorization', `Bearer ${token}`)
      .send({ tipo, version, ...(datos ? { datos } : {}) })
      .expect(200);
  };
  const download = (path: string, token: string) =>
    http()
      .get(path)
      .set('Authorization', `Bearer ${token}`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });

  beforeAll(async () => {
    requireTool('pdfsig', 'poppler-utils');
    t = await createTestApp(
      { RELAY_INTERVAL_MS: '60000', PUBLIC_BASE_URL: BASE },
      { procedures: PROCEDURES as unknown as EngineProcedure[] },
    );
    await addNiveles(ds());
    users.oficialia = (await createStaff(ds(), 'oficialia', 'subdireccion')).id;
    users.sistemas = (await createStaff(ds(), 'sistemas', 'subjefatura')).id;
    users.becas = (await createStaff(ds(), 'becas', 'responsable')).id;
    users.otro = (await createStaff(ds(), 'otro', 'responsable')).id;
    for (const u of ['oficialia', 'sistemas', 'becas', 'otro']) tok[u] = await login(t.app, u);
    pdf = await scannedOficio('Oficio DA/0001/2026. Solicitud de bloqueo de cuenta.');
  });
  afterAll(async () => t?.close());

  it('signs the rejection letter with the motivo, delivers it to the sender only, who downloads and acknowledges it', async () => {
    const o = await register();
    // Version 3 of 5.5 (issue 14) answers an oficio exactly as version 2 does; it adds the start by reconciliation.
    expect((await caseOf(o.tramite)).procedureVersion).toBe(3);
    await settle(t); // the acuse
    await act(tok.oficialia, o.tramite, 'TURNAR');
    await act(tok.sistemas, o.tramite, 'RECIBIR_TURNO');
    await act(tok.sistemas, o.tramite, 'CANCELAR', { motivo: MOTIVO });
    expect((await caseOf(o.tramite)).state).toBe('oficioRespuesta');
    await settle(t); // renderReplyLetter { outcome: 'rechazada' } → LETTER_READY

    const row = await caseOf(o.tramite);
    expect(row).toMatchObject({ state: 'envioRespuesta', status: 'activo' });
    const letterId = (JSON.parse(row.snapshot) as { context: { letterId: string } }).context.letterId;
    const doc = await ds().getRepository(IssuedDocument).findOneByOrFail({ id: letterId });
    expect(doc).toMatchObject({ kind: 'respuesta', caseId: o.tramite, status: 'vigente', responsableId: users.becas });
    expect(doc.asunto).toBe('Respuesta a su oficio DA/0001/2026');
    const file = await t.app.get<FileStore>(FILE_STORE).read(doc.storageKey);
    const sig = pdfsig(file);
    expect(sig).toContain('Signature is Valid.');
    expect(sig).toContain('Total document signed');
    const text = pdfText(file).replace(/\s+/g, ' ');
    expect(text).toContain(doc.numeroOficio);
    expect(text).toContain('su solicitud no procede por el siguiente motivo');
    expect(text).toContain(MOTIVO);
    expect(text).toContain('DA/0001/2026');
    expect(text).toContain(o.folio);

    // Not the addressee's before the Subdirección forwards it.
    await http().get(`/api/oficios/${o.tramite}/respuesta`).set('Authorization', `Bearer ${tok.becas}`).expect(404);
    await act(tok.sistemas, o.tramite, 'ENVIAR_RESPUESTA');
    await act(tok.oficialia, o.tramite, 'TURNAR_RESPUESTA');

    // Another responsable: it does not exist for them.
    await http().get(`/api/oficios/${o.tramite}/respuesta`).set('Authorization', `Bearer ${tok.otro}`).expect(404);
    await download(`/api/documentos/${letterId}/pdf`, tok.otro).expect(404);

    const reply = await http()
      .get(`/api/oficios/${o.tramite}/respuesta`)
      .set('Authorization', `Bearer ${tok.becas}`)
      .expect(200);
    expect(reply.body).toMatchObject({
      documento: {
        id: letterId,
        pdf: `/api/documentos/${letterId}/pdf`,
        verificacion: `${BASE}/verificar/${doc.codigo}`,
      },
      tramite: { id: o.tramite, estado: 'acuseRespuesta', acuse: { evento: 'ACUSAR_RECIBO', disponible: true } },
    });
    const dl = await download(reply.body.documento.pdf, tok.becas)
      .expect(200)
      .expect('Content-Type', 'application/pdf');
    expect(sha256(dl.body as Buffer)).toBe(doc.sha256);
    expect(pdfsig(dl.body as Buffer)).toContain('Signature is Valid.');
    expect((await ds().getRepository(DocumentDownload).findBy({ documentId: letterId })).map((d) => d.userId)).toEqual([
      users.becas,
    ]);

    const ack = await http()
      .post(reply.body.tramite.acuse.ruta)
      .set('Authorization', `Bearer ${tok.becas}`)
      .send({ tipo: 'ACUSAR_RECIBO', version: reply.body.tramite.version })
      .expect(200);
    expect(ack.body.state).toBe('rechazada');
    expect(await caseOf(o.tramite)).toMatchObject({ status: 'concluido', outcome: 'rechazada' });
    // Answered, not withdrawn: the oficio and its documents stay valid, and the public page says so.
    expect((await ds().getRepository(Oficio).findOneByOrFail({ id: o.id })).status).toBe('registrado');
    expect((await http().get(`/api/verificar/${doc.codigo}`).expect(200)).body.estado).toBe('vigente');
    const acuse = await ds().getRepository(IssuedDocument).findOneByOrFail({ caseId: o.tramite, kind: 'acuse' });
    expect(acuse.status).toBe('vigente');
  });

  it('leaves a version 1 case as it was (cancelled, no letter) until cases:migrate moves it to version 2', async () => {
    const asV1 = async () => {
      const o = await register();
      await settle(t);
      await act(tok.oficialia, o.tramite, 'TURNAR');
      await act(tok.sistemas, o.tramite, 'RECIBIR_TURNO');
      // As a case opened before version 2 was installed: same states, version 1.
      await ds().getRepository(ProcedureCase).update({ id: o.tramite }, { procedureVersion: 1 });
      return o;
    };
    const old = await asV1();
    const moved = await asV1();
    await act(tok.sistemas, old.tramite, 'CANCELAR', { motivo: MOTIVO });
    expect(await caseOf(old.tramite)).toMatchObject({ procedureVersion: 1, status: 'concluido', outcome: 'cancelada' });
    expect((await ds().getRepository(Oficio).findOneByOrFail({ id: old.id })).status).toBe('cancelado');

    const res = await t.app
      .get(EngineService)
      .migrateOpenCases('cuenta-bloquear', 1, { id: 'cli:cases-migrate', role: 'administrador' });
    expect(res).toMatchObject({ target: 2, migrated: [moved.tramite], unmapped: [] });
    expect(await caseOf(moved.tramite)).toMatchObject({ procedureVersion: 2, state: 'busqueda' });
    await act(tok.sistemas, moved.tramite, 'CANCELAR', { motivo: MOTIVO });
    await settle(t);
    expect(await caseOf(moved.tramite)).toMatchObject({ state: 'envioRespuesta', status: 'activo' });
    expect(await ds().getRepository(IssuedDocument).countBy({ caseId: moved.tramite, kind: 'respuesta' })).toBe(1);
    expect(await ds().getRepository(IssuedDocument).countBy({ caseId: old.tramite, kind: 'respuesta' })).toBe(0);
  });
});
