import { TransparencyLog } from '../../src/engine/transparency/transparency-log';
import request from 'supertest';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSource } from 'typeorm';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import type { CaseView } from '../../src/engine/case-query.service';
import { Task } from '../../src/engine/entities/task.entity';
import { IssuedDocument } from '../../src/oficios/entities/document.entity';
import { addNiveles, scannedOficio } from '../oficios/support';
import { activationToken, OutboxReader, settle } from '../support/app-flows';
import { addWorker } from '../support/pipeline';
import { createStaff, login, STAFF_PASSWORD } from '../support/staff';

export const PII_KEY = 'clave-pii-de-la-suite-de-fallas-7c1e';
export const CCT = '06DPR0457K';

/** Who signs in. `nivel` is the Nivel of PRIMARIA, `becas` the responsable the oficios name; the others are "another". */
export const STAFF = {
  oficialia: 'subdireccion',
  sistemas: 'subjefatura',
  admin: 'administrador',
  primaria: 'nivel',
  secundaria: 'nivel',
  becas: 'responsable',
  deportes: 'responsable',
} as const;
export type StaffName = keyof typeof STAFF;

/** An oficio case taken through the guide until its reply letter has been forwarded to its addressee. */
export interface OficioCase {
  oficioId: string;
  caseId: string;
  folio: string;
  acuseId: string;
  replyId: string;
  replyCode: string;
  /** The addressee's open task («firma y sella de recibido»). */
  taskId: string;
}

/**
 * The data every fault suite works on: staff of every role (a Nivel of another level and another responsable
 * included), a worker in self-service waiting to confirm, a school with a PII request, and two oficio cases whose
 * reply letters went to one Nivel and to one responsable.
 */
export interface World {
  app: NestExpressApplication;
  ds: DataSource;
  tok: Record<StaffName, string>;
  ids: Record<StaffName, string>;
  /** A user the administrator's routes act on. */
  victimaId: string;
  worker: { curp: string; curt: string; caseId: string; token: string };
  piiCaseId: string;
  nivelCase: OficioCase;
  becasCase: OficioCase;
  /** An unused single-use link from the mails of the setup. */
  activationToken: string;
  /** Every password and token the setup typed or received, for the secret scans. */
  typed: string[];
}

export async function buildWorld(app: NestExpressApplication, ds: DataSource, dataDir: string): Promise<World> {
  const http = () => request(app.getHttpServer());
  const tok = {} as Record<StaffName, string>;
  const ids = {} as Record<StaffName, string>;
  await addNiveles(ds);
  for (const [u, rol] of Object.entries(STAFF) as [StaffName, (typeof STAFF)[StaffName]][]) {
    const nivelClave = u === 'primaria' ? 'PRIMARIA' : u === 'secundaria' ? 'SECUNDARIA' : null;
    ids[u] = (await createStaff(ds, u, rol, { nivelClave })).id;
    tok[u] = await login(app, u);
  }
  const victimaId = (await createStaff(ds, 'victima', 'subjefatura')).id;
  const outbox = new OutboxReader(`${dataDir}/outbox`);

  const view = async (who: StaffName, caseId: string): Promise<CaseView> =>
    (await http().get(`/api/tramites/${caseId}`).set('Authorization', `Bearer ${tok[who]}`).expect(200))
      .body as CaseView;
  const act = async (who: StaffName, caseId: string, tipo: string, datos?: Record<string, unknown>): Promise<void> => {
    const v = await view(who, caseId);
    const res = await http()
      .post(`/api/tramites/${caseId}/eventos`)
      .set('Authorization', `Bearer ${tok[who]}`)
      .send({ tipo, version: v.version, ...(datos ? { datos } : {}) });
    if (res.status !== 200) throw new Error(`${who} ${tipo} → ${res.status}: ${JSON.stringify(res.body)}`);
  };

  // A worker's self-service 5.1.1, waiting for the worker's confirmation: its token is the worker's only credential.
  const w = await addWorker(ds, {
    nombre: 'Dolores',
    primerApellido: 'Güemes',
    correoAlterno: 'dolores.guemes@correo-alterno.example',
  });
  const self = await http().post('/api/autoservicio/alta').send({ curp: w.curp, curt: w.curt }).expect(200);
  const worker = { curp: w.curp, curt: w.curt, caseId: self.body.tramite as string, token: self.body.token as string };

  // A school with its account, and its PII request (5.2.2) in the Subjefatura's inbox.
  const director = await addWorker(ds, {
    nombre: 'Rocío Guadalupe',
    primerApellido: 'Peña',
    correoAlterno: 'rocio.pena@correo-alterno.example',
  });
  await ds.getRepository(CentroTrabajo).insert({
    cct: CCT,
    nombre: 'Escuela Primaria "Benito Juárez"',
    nivelClave: 'PRIMARIA',
    directorCurp: director.curp,
    correo: null,
    estatus: 'activo',
  });
  await ds.getRepository(Cuenta).insert({
    id: '11111111-1111-4111-a111-111111111111',
    direccion: `${CCT.toLowerCase()}@colima.gob.mx`,
    localPart: CCT.toLowerCase(),
    dominio: 'colima.gob.mx',
    tipo: 'centro_trabajo',
    titularTipo: 'centro',
    titularCurp: null,
    titularCct: CCT,
    estado: 'activa',
    proveedor: 'local',
    proveedorId: null,
  });
  // A second school, without an account yet: the Nivel's oficio (5.2.1) asks for it.
  await ds.getRepository(CentroTrabajo).insert({
    cct: '06DPR0001A',
    nombre: 'Escuela Primaria "Miguel Hidalgo"',
    nivelClave: 'PRIMARIA',
    directorCurp: director.curp,
    correo: null,
    estatus: 'activo',
  });
  const chosen = 'jacaranda-volcan-mirador-2026';
  const pii = await http()
    .post(`/api/pii/centros/${CCT}/restablecer-contrasena`)
    .set('X-Api-Key', PII_KEY)
    .send({ contrasena: chosen })
    .expect(202);

  // Two oficios: one from the Nivel Primaria (5.2.1), one naming the responsable of Becas (5.3.1); each to its reply.
  const pdf = await scannedOficio('Oficio de solicitud (suite de fallas).');
  const servicio = await addWorker(ds, {
    nombre: 'Héctor',
    primerApellido: 'Ramírez',
    correoAlterno: 'hector.ramirez@correo-alterno.example',
  });
  const oficio = async (
    fields: Record<string, string>,
    create: Record<string, unknown>,
    addressee: StaffName,
  ): Promise<OficioCase> => {
    const r = http().post('/api/oficios').set('Authorization', `Bearer ${tok.oficialia}`);
    const all: Record<string, string> = {
      fechaOficio: '2026-11-20',
      remitenteNombre: 'Lic. Ana Sofía Cárdenas Muñoz',
      remitenteCargo: 'Directora',
      ...fields,
    };
    for (const [k, v] of Object.entries(all)) void r.field(k, v);
    const reg = await r.attach('archivo', pdf, { filename: 'oficio.pdf', contentType: 'application/pdf' });
    if (reg.status !== 201) throw new Error(`registro → ${reg.status}: ${JSON.stringify(reg.body)}`);
    const caseId = reg.body.tramite as string;
    await settle(app);
    await act('oficialia', caseId, 'TURNAR');
    await act('sistemas', caseId, 'RECIBIR_TURNO');
    await act('sistemas', caseId, 'CREAR_CUENTA', create);
    await settle(app);
    await act('sistemas', caseId, 'ENVIAR_RESPUESTA');
    await act('oficialia', caseId, 'TURNAR_RESPUESTA');
    const docs = await ds.getRepository(IssuedDocument).find({ where: { caseId } });
    const acuse = docs.find((d) => d.kind === 'acuse');
    const reply = docs.find((d) => d.kind === 'respuesta');
    const task = await ds.getRepository(Task).findOne({ where: { caseId, status: 'abierta' } });
    if (!acuse || !reply || !task) throw new Error(`el trámite ${caseId} no llegó a la respuesta turnada`);
    const v = await view(addressee, caseId);
    if (v.estado !== 'acuseRespuesta') throw new Error(`el trámite ${caseId} está en ${v.estado}`);
    return {
      oficioId: reg.body.id as string,
      caseId,
      folio: reg.body.folio as string,
      acuseId: acuse.id,
      replyId: reply.id,
      replyCode: reply.codigo,
      taskId: task.id,
    };
  };
  const nivelCase = await oficio(
    {
      procedimiento: 'centro-trabajo-alta',
      numeroOficio: 'DEP/0457/2026',
      nivel: 'PRIMARIA',
      cct: '06DPR0001A',
      asunto: 'Cuenta para la escuela',
    },
    { tipo: 'centro_trabajo', cct: '06DPR0001A', directorCurp: director.curp },
    'primaria',
  );
  const becasCase = await oficio(
    {
      procedimiento: 'servicio-alta',
      numeroOficio: 'DB/0101/2026',
      area: 'Dirección de Becas',
      responsableId: ids.becas,
      asunto: 'Cuenta de servicio para becas',
    },
    { tipo: 'servicio', curp: servicio.curp, localPart: 'becas.estatales' },
    'becas',
  );
  // The movement log's first signed heads (the relay that runs the sequencer is slowed down in these suites).
  await app.get(TransparencyLog).integrate();
  const mails = outbox.fresh();
  const link = mails.find((m) => /\/activar\//.test(m.body));
  if (!link) throw new Error('ningún correo trajo un enlace de activación');

  return {
    app,
    ds,
    tok,
    ids,
    victimaId,
    worker,
    piiCaseId: pii.body.tramite as string,
    nivelCase,
    becasCase,
    activationToken: activationToken(link),
    typed: [STAFF_PASSWORD, chosen, worker.token, ...Object.values(tok)],
  };
}
