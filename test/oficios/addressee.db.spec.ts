/**
 * The reply to an oficio goes back to whoever sent it. A 5.3.1 oficio sent by a Nivel and one sent by an area's
 * responsable, each walked through the engine over HTTP with the real letters queue:
 * - the acknowledgement ("firma y sella de recibido") is the sender's task, and only the sender (or the Subdirección,
 *   for a paper acknowledgement) may send it;
 * - the sender may list and download the reply letter only once the Subdirección has forwarded it (TURNAR_RESPUESTA);
 *   the Subdirección and the Subjefatura read it from the moment it is signed;
 * - the public verification page identifies the document without repeating its free-text subject.
 */
import request from 'supertest';
import { SESSION_COOKIE } from '../../src/auth/auth.guard';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Task } from '../../src/engine/entities/task.entity';
import { IssuedDocument } from '../../src/oficios/entities/document.entity';
import { addWorker } from '../support/pipeline';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';
import { addNiveles, registerServicioAlta, scannedOficio, settle } from './support';

const CURP_EN_ASUNTO = 'GOMA800101HCMRRN09';
const TELEFONO = '312 555 0147';

describe('oficios: the sender of an oficio receives, downloads and acknowledges its reply', () => {
  let t: TestApp;
  let pdf: Buffer;
  const tok: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const http = () => request(t.app.getHttpServer());
  const ds = () => t.db.dataSource;
  const register = async (fields: Record<string, string>): Promise<string> =>
    (await registerServicioAlta(t, tok.oficialia, pdf, fields)).tramite;
  const caseOf = (id: string) => ds().getRepository(ProcedureCase).findOneByOrFail({ id });
  const act = async (who: string, caseId: string, tipo: string, datos?: Record<string, unknown>) => {
    const { version } = await caseOf(caseId);
    return http()
      .post(`/api/tramites/${caseId}/eventos`)
      .set('Authorization', `Bearer ${tok[who]}`)
      .send({ tipo, version, ...(datos ? { datos } : {}) });
  };
  /** Reception, the Servicio account for a worker, the reply letter signed: the case waits in «envioRespuesta». */
  const upToReply = async (caseId: string, localPart: string): Promise<IssuedDocument> => {
    await settle(t);
    expect((await act('oficialia', caseId, 'TURNAR')).status).toBe(200);
    expect((await act('sistemas', caseId, 'RECIBIR_TURNO')).status).toBe(200);
    const w = await addWorker(ds());
    expect((await act('sistemas', caseId, 'CREAR_CUENTA', { tipo: 'servicio', curp: w.curp, localPart })).status).toBe(
      200,
    );
    await settle(t);
    expect((await caseOf(caseId)).state).toBe('envioRespuesta');
    return ds().getRepository(IssuedDocument).findOneByOrFail({ caseId, kind: 'respuesta' });
  };
  /** What the sender can reach of the reply: the reply API, the PDF, and the documents listed on the case page. */
  const reach = async (who: string, caseId: string, doc: IssuedDocument) => ({
    respuesta: (await http().get(`/api/oficios/${caseId}/respuesta`).set('Authorization', `Bearer ${tok[who]}`)).status,
    pdf: (await http().get(`/api/documentos/${doc.id}/pdf`).set('Authorization', `Bearer ${tok[who]}`)).status,
    enLaPagina: (
      await http().get(`/tramites/${caseId}`).set('Cookie', `${SESSION_COOKIE}=${tok[who]}`).expect(200)
    ).text.includes(`/api/documentos/${doc.id}/pdf`),
  });
  const ackTask = (caseId: string) =>
    ds().getRepository(Task).findOneByOrFail({ caseId, stateId: 'servicio-alta.acuseRespuesta', status: 'abierta' });
  const inboxFolios = async (who: string): Promise<string[]> =>
    (
      (await http().get('/api/bandeja').set('Authorization', `Bearer ${tok[who]}`).expect(200)).body.items as {
        folio: string;
      }[]
    ).map((i) => i.folio);

  beforeAll(async () => {
    t = await createTestApp({ RELAY_INTERVAL_MS: '60000' });
    await addNiveles(ds());
    await createStaff(ds(), 'oficialia', 'subdireccion');
    await createStaff(ds(), 'sistemas', 'subjefatura');
    await createStaff(ds(), 'primaria', 'nivel', { nivelClave: 'PRIMARIA' });
    ids.becas = (await createStaff(ds(), 'becas', 'responsable')).id;
    for (const u of ['oficialia', 'sistemas', 'primaria', 'becas']) tok[u] = await login(t.app, u);
    pdf = await scannedOficio('Oficio: solicitud de cuenta de servicio.');
  });
  afterAll(async () => t?.close());

  /** The Subjefatura sends the signed reply to the Subdirección, which forwards it to the sender (guide 5.3.1 pasos 7-8). */
  const forward = async (caseId: string): Promise<void> => {
    expect((await act('sistemas', caseId, 'ENVIAR_RESPUESTA')).status).toBe(200);
    expect((await act('oficialia', caseId, 'TURNAR_RESPUESTA')).status).toBe(200);
  };

  it("an oficio from a Nivel: the acknowledgement is the Nivel's task, in its inbox, and the Nivel acknowledges; a responsable cannot", async () => {
    const caseId = await register({ nivel: 'PRIMARIA' });
    await upToReply(caseId, 'lectura.primaria');
    await forward(caseId);
    const folio = (await caseOf(caseId)).folio!;
    expect(await ackTask(caseId)).toMatchObject({ candidateRole: 'nivel', nivelClave: 'PRIMARIA' });
    expect(await inboxFolios('primaria')).toContain(folio);
    expect(await inboxFolios('becas')).not.toContain(folio);
    expect((await act('becas', caseId, 'ACUSAR_RECIBO')).status).toBe(404);
    const view = await http().get(`/api/tramites/${caseId}`).set('Authorization', `Bearer ${tok.primaria}`).expect(200);
    expect(view.body.acciones).toEqual([{ evento: 'ACUSAR_RECIBO', etiqueta: 'Firmar y sellar de recibido' }]);
    const ack = await act('primaria', caseId, 'ACUSAR_RECIBO');
    expect([ack.status, ack.body.state]).toEqual([200, 'creada']);
  });

  it("an oficio from an area with a responsable: the acknowledgement is the responsable's task, and the responsable acknowledges; the Nivel cannot", async () => {
    const caseId = await register({ area: 'Dirección de Becas', responsableId: ids.becas });
    await upToReply(caseId, 'becas.estatales');
    await forward(caseId);
    const folio = (await caseOf(caseId)).folio!;
    expect(await ackTask(caseId)).toMatchObject({ candidateRole: 'responsable', responsableId: ids.becas });
    expect(await inboxFolios('becas')).toContain(folio);
    expect(await inboxFolios('primaria')).not.toContain(folio);
    expect((await act('primaria', caseId, 'ACUSAR_RECIBO')).status).toBe(404);
    const ack = await act('becas', caseId, 'ACUSAR_RECIBO');
    expect([ack.status, ack.body.state]).toEqual([200, 'creada']);
  });

  it('an oficio from an area without a user: the Subdirección records the paper acknowledgement, nobody else', async () => {
    const caseId = await register({ area: 'Dirección de Recursos Humanos' });
    await upToReply(caseId, 'rh.nomina');
    await forward(caseId);
    expect(await ackTask(caseId)).toMatchObject({ candidateRole: 'subdireccion' });
    for (const who of ['becas', 'primaria']) expect((await act(who, caseId, 'ACUSAR_RECIBO')).status).toBe(404);
    const ack = await act('oficialia', caseId, 'ACUSAR_RECIBO');
    expect([ack.status, ack.body.state]).toEqual([200, 'creada']);
  });

  it.each([
    ['a Nivel', 'primaria', { nivel: 'PRIMARIA' }],
    ['a responsable', 'becas', { area: 'Dirección de Becas' }],
  ])(
    'the sender (%s) lists and downloads the reply only once the Subdirección has forwarded it (guide step "envía oficio al área")',
    async (_, who, fields) => {
      const caseId = await register(who === 'becas' ? { ...fields, responsableId: ids.becas } : fields);
      const reply = await upToReply(caseId, `respuesta.${who}`);
      // Signed, not yet forwarded: the Subdirección and the Subjefatura read it, the sender does not.
      expect(await reach(who, caseId, reply)).toEqual({ respuesta: 404, pdf: 404, enLaPagina: false });
      for (const staff of ['oficialia', 'sistemas'])
        expect(await reach(staff, caseId, reply)).toEqual({ respuesta: 200, pdf: 200, enLaPagina: true });
      expect((await act('sistemas', caseId, 'ENVIAR_RESPUESTA')).status).toBe(200);
      expect(await reach(who, caseId, reply)).toEqual({ respuesta: 404, pdf: 404, enLaPagina: false });
      expect((await act('oficialia', caseId, 'TURNAR_RESPUESTA')).status).toBe(200);
      expect(await reach(who, caseId, reply)).toEqual({ respuesta: 200, pdf: 200, enLaPagina: true });
      // The acuse de recibo is the sender's from the start.
      const acuse = await ds().getRepository(IssuedDocument).findOneByOrFail({ caseId, kind: 'acuse' });
      await http().get(`/api/documentos/${acuse.id}/pdf`).set('Authorization', `Bearer ${tok[who]}`).expect(200);
      // Acknowledged, the reply stays theirs.
      expect((await act(who, caseId, 'ACUSAR_RECIBO')).status).toBe(200);
      expect(await reach(who, caseId, reply)).toEqual({ respuesta: 200, pdf: 200, enLaPagina: true });
    },
  );

  it('shows on the public verification page what identifies the document, never the subject the clerk typed', async () => {
    const asunto = `Alta de cuenta para la trabajadora con CURP ${CURP_EN_ASUNTO}, domicilio Av. Rey Colimán 245, tel. ${TELEFONO}`;
    const caseId = await register({ area: 'Dirección de Becas', responsableId: ids.becas, asunto });
    await settle(t);
    const acuse = await ds().getRepository(IssuedDocument).findOneByOrFail({ caseId, kind: 'acuse' });
    expect(acuse.asunto).toContain(CURP_EN_ASUNTO); // the letter itself says it; the public page must not

    const page = await http().get(`/verificar/${acuse.codigo}`).expect(200);
    const json = await http().get(`/api/verificar/${acuse.codigo}`).expect(200);
    for (const shown of [page.text, JSON.stringify(json.body)]) {
      expect(shown).not.toContain(CURP_EN_ASUNTO);
      expect(shown).not.toContain(TELEFONO);
      expect(shown).not.toContain('Rey Colimán');
      expect(shown).toContain(acuse.folio);
    }
    expect(page.text).toContain('Acuse de recibo');
    expect(page.text).toContain('VIGENTE');
    expect(json.body).toMatchObject({
      codigo: acuse.codigo,
      tipo: 'Acuse de recibo',
      folio: acuse.folio,
      estado: 'vigente',
      firmante: acuse.firmanteNombre,
    });
    expect(json.body).not.toHaveProperty('asunto');
  });
});
