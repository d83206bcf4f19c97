import type { INestApplication } from '@nestjs/common';
import { type DataSource, In } from 'typeorm';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { Nivel } from '../../src/catalog/entities/nivel.entity';
import type { Trabajador } from '../../src/catalog/entities/trabajador.entity';
import { verifyMovementLog } from '../../src/engine/audit';
import { loadOrCreateTestSigner } from '../../src/letters/signer';
import type { CaseView } from '../../src/engine/case-query.service';
import { Movement } from '../../src/engine/entities/movement.entity';
import { TransparencyLog } from '../../src/engine/transparency/transparency-log';
import { ActivationService } from '../../src/provisioning/activation.service';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { sha256 } from '../../src/letters/verification';
import { IssuedDocument } from '../../src/oficios/entities/document.entity';
import { ChosenPassword } from '../../src/provisioning/entities/chosen-password.entity';
import { addWorker } from '../support/pipeline';
import { createStaff, login } from '../support/staff';
import {
  activate,
  activationToken,
  binary,
  type HttpTarget,
  httpOf,
  type Mail,
  OutboxReader,
  scannedOficio,
} from '../support/app-flows';

const DOMAIN = 'colima.gob.mx';
const CCT = '06DPR0457K';

/** What the directory says of an account, whichever adapter keeps it. */
export interface DirectoryView {
  holderCurp: string | null;
  holderCct: string | null;
  suspended: boolean;
}

/**
 * Where the eight procedures run: the web application (HTTP only from the tests' side), its database for the
 * catalogs and assertions, and the directory the accounts end up in.
 */
export interface ProcedureHarness {
  /** Where the requests go: the application in this process, or a base URL (a reverse proxy in front of several). */
  server: HttpTarget;
  ds: DataSource;
  /** The DATA_DIR of the test signer (its certificate signs the movement log's heads). */
  dataDir: string;
  /** The folders of the .eml files, one per process that sends mail; `<dataDir>/outbox` when not given. */
  outboxDirs?: string[];
  /** PII_API_KEY of the web application. */
  piiKey: string;
  /**
   * Waits for the guide's "Servicio": every job of the case done (the acuse, the directory, mails, the reply letter),
   * then checks the case rests in `estado`. In-process: relay and run until idle; with a worker: poll.
   */
  served(caseId: string, estado: string): Promise<void>;
  /** A holder's sign-in with an address and a password, as the directory answers it. */
  signIn(address: string, password: string): Promise<'ok' | 'invalid' | 'suspended'>;
  directory(address: string): Promise<DirectoryView | null>;
  /**
   * The periodic first-use sweep has recorded paso 14 of the school's case (ActivationService.sweepFirstUse): run
   * here in-process, or waited for where the processes' maintenance runs it.
   */
  firstUseSwept(caseId: string): Promise<void>;
  /** Every movement is in the signed transparency log (run here, or waited for where the relays run it). */
  integrated(): Promise<void>;
}

/** The periodic work of a harness whose web application runs in this process: called here, when the suite needs it. */
export function inProcessPeriodicWork(app: INestApplication): Pick<ProcedureHarness, 'firstUseSwept' | 'integrated'> {
  return {
    firstUseSwept: async () => {
      expect(await app.get(ActivationService).sweepFirstUse()).toBe(1);
    },
    integrated: async () => void (await app.get(TransparencyLog).integrate()),
  };
}

// Every password a person sets in this suite; none may ever appear in a mail, a movement or a job payload.
export const PW = {
  personal: 'cometa-nopal-brisa-31',
  personalNueva: 'tamarindo-faro-lluvia-77',
  escuela: 'mango-volcan-jardin-54',
  escuelaElegida: 'jacaranda-volcan-2026',
  servicio: 'guayaba-marea-tren-48',
  servicioNueva: 'pitaya-sendero-nube-19',
  nuevoTitular: 'ciruela-puerto-viento-63',
};

type Who = 'oficialia' | 'sistemas' | 'primaria' | 'becas';

/**
 * Done-when of issue 4: the eight procedures of the guide, each from its start to its successful end, through the
 * HTTP API only, each step done by the role the guide names. Registers its tests in the calling describe; `harness`
 * is read once its beforeAll has run.
 */
export function eightProcedures(harness: () => ProcedureHarness): void {
  let h: ProcedureHarness;
  let outbox: OutboxReader;
  const sent: Mail[] = [];
  /** Mails written since the last look, kept for the final checks. */
  const newMails = (): Mail[] => {
    const m = outbox.fresh();
    sent.push(...m);
    return m;
  };
  let pdf: Buffer;
  const tok = {} as Record<Who, string>;
  const ids = {} as Record<Who, string>;
  const w = {} as Record<'personal' | 'director' | 'servicio' | 'nuevo', Trabajador>;
  const cases: Record<string, string> = {};
  const http = () => httpOf(h.server);
  const ds = () => h.ds;

  const view = async (who: Who, caseId: string): Promise<CaseView> =>
    (await http().get(`/api/tramites/${caseId}`).set('Authorization', `Bearer ${tok[who]}`).expect(200))
      .body as CaseView;

  /** What the person sees (the action offered) and what they do (the event with the version they read). */
  const act = async (who: Who, caseId: string, tipo: string, datos?: Record<string, unknown>): Promise<string> => {
    const before = await view(who, caseId);
    const offered = before.acciones.map((a) => a.evento);
    if (!offered.includes(tipo))
      throw new Error(
        `${who} no tiene la acción ${tipo} en el estado ${before.estado} (ofrecidas: ${offered.join(', ') || 'ninguna'})`,
      );
    const res = await http()
      .post(`/api/tramites/${caseId}/eventos`)
      .set('Authorization', `Bearer ${tok[who]}`)
      .send({ tipo, version: before.version, ...(datos ? { datos } : {}) });
    if (res.status !== 200) throw new Error(`${who} ${tipo} → ${res.status}: ${JSON.stringify(res.body)}`);
    return (res.body as { state: string }).state;
  };

  /** The Subdirección registers the oficio with its scan: folio, case in «turno», acuse in the outbox. */
  const register = async (fields: Record<string, string>): Promise<{ id: string; tramite: string; folio: string }> => {
    const r = http().post('/api/oficios').set('Authorization', `Bearer ${tok.oficialia}`);
    const all: Record<string, string> = { fechaOficio: '2026-11-20', ...fields };
    for (const [k, v] of Object.entries(all)) void r.field(k, v);
    const res = await r.attach('archivo', pdf, { filename: 'oficio.pdf', contentType: 'application/pdf' });
    if (res.status !== 201) throw new Error(`registro del oficio → ${res.status}: ${JSON.stringify(res.body)}`);
    expect(res.body.caso.state).toBe('turno');
    return res.body as { id: string; tramite: string; folio: string };
  };

  /** Guía: Subdirección receives and turns; Subjefatura receives. */
  const reception = async (caseId: string): Promise<void> => {
    await h.served(caseId, 'turno'); // the acuse de recibo
    expect(await act('oficialia', caseId, 'TURNAR')).toBe('recepcionSubjefatura');
    const next = await act('sistemas', caseId, 'RECIBIR_TURNO');
    expect(['creacion', 'busqueda']).toContain(next);
  };

  /** Reply letter made by the queue; Subjefatura sends it, Subdirección turns it, the addressee downloads and acknowledges. */
  const delivery = async (caseId: string, addressee: Who): Promise<string> => {
    await h.served(caseId, 'envioRespuesta');
    expect(await act('sistemas', caseId, 'ENVIAR_RESPUESTA')).toBe('recepcionRespuesta');
    expect(await act('oficialia', caseId, 'TURNAR_RESPUESTA')).toBe('acuseRespuesta');
    const reply = await http()
      .get(`/api/oficios/${caseId}/respuesta`)
      .set('Authorization', `Bearer ${tok[addressee]}`)
      .expect(200);
    expect(reply.body.tramite).toMatchObject({
      estado: 'acuseRespuesta',
      acuse: { evento: 'ACUSAR_RECIBO', disponible: true },
    });
    const file = await http()
      .get(reply.body.documento.pdf)
      .set('Authorization', `Bearer ${tok[addressee]}`)
      .buffer(true)
      .parse(binary)
      .expect(200)
      .expect('Content-Type', 'application/pdf');
    expect(sha256(file.body as Buffer)).toBe(reply.body.documento.sha256);
    return act(addressee, caseId, 'ACUSAR_RECIBO');
  };

  const concluded = async (caseId: string, resultado: string): Promise<CaseView> => {
    const v = await view('sistemas', caseId);
    expect({ situacion: v.situacion, resultado: v.resultado, incidente: v.incidente, acciones: v.acciones }).toEqual({
      situacion: 'concluido',
      resultado,
      incidente: null,
      acciones: [],
    });
    return v;
  };

  /** Who did what, in order: "EVENTO:rol". */
  const movements = async (caseId: string): Promise<string[]> => {
    const res = await http()
      .get(`/api/tramites/${caseId}/movimientos`)
      .set('Authorization', `Bearer ${tok.sistemas}`)
      .expect(200);
    return (res.body as { evento: string; rol: string }[]).map((m) => `${m.evento}:${m.rol}`);
  };

  const documents = async (caseId: string): Promise<string[]> =>
    (await ds().getRepository(IssuedDocument).find({ where: { caseId } })).map((d) => `${d.kind}:${d.status}`).sort();

  const accountOf = async (
    q: string,
  ): Promise<{
    id: string;
    direccion: string;
    estado: string;
    titularCurp: string | null;
    titularCct: string | null;
  }> => {
    const res = await http()
      .get('/api/catalogo/cuentas')
      .query({ q })
      .set('Authorization', `Bearer ${tok.sistemas}`)
      .expect(200);
    expect(res.body).toHaveLength(1);
    return res.body[0];
  };

  const mailsTo = (mails: Mail[]): string[] => mails.map((m) => `${m.to.join(',')} | ${m.subject}`).sort();

  // The reception and delivery movements every oficio procedure shares.
  const RECEPCION = [
    'INICIAR:subdireccion',
    'SOLICITAR:subdireccion',
    'RECIBIR_OFICIO:subdireccion',
    'TURNAR:subdireccion',
    'RECIBIR_TURNO:subjefatura',
  ];
  const ENTREGA = (area: string) => [
    'LETTER_READY:sistema',
    'ENVIAR_RESPUESTA:subjefatura',
    'TURNAR_RESPUESTA:subdireccion',
    // The addressee downloads the reply letter before acknowledging it: an act on the record, not a transition.
    `DESCARGAR_DOCUMENTO:${area}`,
    `ACUSAR_RECIBO:${area}`,
  ];

  beforeAll(async () => {
    h = harness();
    outbox = new OutboxReader(h.outboxDirs ?? `${h.dataDir}/outbox`);
    outbox.fresh(); // what was mailed before these tests is not theirs
    await ds().getRepository(Nivel).insert({ clave: 'PRIMARIA', nombre: 'Primaria' });
    ids.oficialia = (
      await createStaff(ds(), 'oficialia', 'subdireccion', { nombre: 'María Fernanda Ochoa Larios' })
    ).id;
    ids.sistemas = (await createStaff(ds(), 'sistemas', 'subjefatura')).id;
    ids.primaria = (await createStaff(ds(), 'primaria', 'nivel', { nivelClave: 'PRIMARIA' })).id;
    ids.becas = (await createStaff(ds(), 'becas', 'responsable', { nombre: 'Lic. Ana Sofía Cárdenas Muñoz' })).id;
    for (const u of Object.keys(ids) as Who[]) tok[u] = await login(h.server, u);
    w.personal = await addWorker(ds(), {
      nombre: 'Dolores',
      primerApellido: 'Güemes',
      correoAlterno: 'dolores.guemes.p@correo-alterno.example',
    });
    w.director = await addWorker(ds(), {
      nombre: 'Rocío Guadalupe',
      primerApellido: 'Peña',
      correoAlterno: 'rocio.pena.director@correo-alterno.example',
    });
    w.servicio = await addWorker(ds(), {
      nombre: 'Héctor',
      primerApellido: 'Ramírez',
      correoAlterno: 'hector.ramirez.b@correo-alterno.example',
    });
    w.nuevo = await addWorker(ds(), {
      nombre: 'Itzel',
      primerApellido: 'Cárdenas',
      correoAlterno: 'itzel.cardenas.c@correo-alterno.example',
    });
    await ds().getRepository(CentroTrabajo).insert({
      cct: CCT,
      nombre: 'Escuela Primaria "Benito Juárez"',
      nivelClave: 'PRIMARIA',
      directorCurp: w.director.curp,
      correo: null,
      estatus: 'activo',
    });
    pdf = await scannedOficio('Oficio de solicitud (escaneado para la prueba de extremo a extremo).');
  });

  it('5.1.1 personal-alta: the worker asks with CURP + CURT and confirms; account created; link to the alternate address', async () => {
    const start = await http()
      .post('/api/autoservicio/alta')
      .send({ curp: w.personal.curp, curt: w.personal.curt })
      .expect(200);
    expect(start.body).toMatchObject({ estado: 'confirmacion', acciones: ['confirmar', 'no_confirmar'] });
    const { tramite, token } = start.body as { tramite: string; token: string };
    cases.personalAlta = tramite;
    await http().post(`/api/autoservicio/tramites/${tramite}/confirmar`).send({ token, confirma: true }).expect(200);
    await h.served(tramite, 'creada');
    const done = await http().get(`/api/autoservicio/tramites/${tramite}`).query({ token }).expect(200);
    expect(done.body).toMatchObject({ concluido: true, resultado: 'creada' });
    await concluded(tramite, 'creada');

    const cuenta = await ds().getRepository(Cuenta).findOneByOrFail({ titularCurp: w.personal.curp });
    expect(cuenta).toMatchObject({
      direccion: `dolores.guemes@${DOMAIN}`,
      tipo: 'personal',
      estado: 'activa',
      proveedorId: expect.any(String),
    });
    expect(await h.directory(cuenta.direccion)).toMatchObject({ holderCurp: w.personal.curp, suspended: false });
    const mails = newMails();
    expect(mailsTo(mails)).toEqual([
      `${w.personal.correoAlterno} | Su correo institucional ${cuenta.direccion} fue creado`,
    ]);
    await activate(h.server, activationToken(mails[0]), PW.personal);
    expect(await h.signIn(cuenta.direccion, PW.personal)).toBe('ok');
    expect(await movements(tramite)).toEqual([
      'INICIAR:trabajador',
      'IDENTIFICAR:trabajador',
      'CONFIRMAR:trabajador',
      'PROVISION_OK:sistema',
      'CREDENTIALS_SENT:sistema',
    ]);
  });

  it('5.1.2 personal-restablecer: the old password stops working; a new link sets the new one', async () => {
    const start = await http()
      .post('/api/autoservicio/restablecer')
      .send({ curp: w.personal.curp, curt: w.personal.curt })
      .expect(200);
    expect(start.body).toMatchObject({ estado: 'confirmacion' });
    const { tramite, token } = start.body as { tramite: string; token: string };
    cases.personalRestablecer = tramite;
    await http().post(`/api/autoservicio/tramites/${tramite}/confirmar`).send({ token, confirma: true }).expect(200);
    await h.served(tramite, 'restablecida');
    expect((await http().get(`/api/autoservicio/tramites/${tramite}`).query({ token }).expect(200)).body).toMatchObject(
      { concluido: true, resultado: 'restablecida' },
    );
    await concluded(tramite, 'restablecida');

    const direccion = `dolores.guemes@${DOMAIN}`;
    expect(await h.signIn(direccion, PW.personal)).toBe('invalid');
    const mails = newMails();
    // The link to the alternate address; a notice without a link to the institutional mailbox itself.
    expect(mailsTo(mails)).toEqual(
      [
        `${w.personal.correoAlterno} | Restablecimiento de la contraseña de ${direccion}`,
        `${direccion} | Se restableció la contraseña de ${direccion}`,
      ].sort(),
    );
    expect(mails.find((m) => m.to.includes(direccion))!.body).not.toMatch(/\/activar\//);
    await activate(
      h.server,
      activationToken(mails.find((m) => m.to.includes(w.personal.correoAlterno!))!),
      PW.personalNueva,
    );
    expect(await h.signIn(direccion, PW.personalNueva)).toBe('ok');
    expect(await ds().getRepository(Cuenta).countBy({ titularCurp: w.personal.curp })).toBe(1);
    expect(await movements(tramite)).toEqual([
      'INICIAR:trabajador',
      'IDENTIFICAR:trabajador',
      'CONFIRMAR:trabajador',
      'PROVISION_OK:sistema',
      'CREDENTIALS_SENT:sistema',
    ]);
  });

  it('5.2.1 centro-trabajo-alta: oficio from the Nivel, school account, reply letter to the Nivel, delivery to the school', async () => {
    const oficio = await register({
      procedimiento: 'centro-trabajo-alta',
      numeroOficio: 'DEP/0457/2026',
      nivel: 'PRIMARIA',
      cct: CCT,
      remitenteNombre: 'Profr. José Ángel Núñez Ceballos',
      remitenteCargo: 'Director de Educación Primaria',
      asunto: 'Solicitud de cuenta de correo institucional para la escuela primaria "Benito Juárez"',
    });
    const caseId = oficio.tramite;
    cases.centroAlta = caseId;
    await reception(caseId);
    // Guía paso 7: the Subjefatura looks the school and its director up, then creates the account.
    const found = await http()
      .get('/api/catalogo/centros')
      .query({ q: CCT })
      .set('Authorization', `Bearer ${tok.sistemas}`)
      .expect(200);
    expect(found.body[0].director.curp).toBe(w.director.curp);
    expect(
      await act('sistemas', caseId, 'CREAR_CUENTA', {
        tipo: 'centro_trabajo',
        cct: CCT,
        directorCurp: found.body[0].director.curp,
      }),
    ).toBe('aprovisionamiento');
    expect(await delivery(caseId, 'primaria')).toBe('entregaEscuela');

    const cuenta = await ds().getRepository(Cuenta).findOneByOrFail({ titularCct: CCT });
    expect(cuenta).toMatchObject({
      direccion: `${CCT.toLowerCase()}@${DOMAIN}`,
      tipo: 'centro_trabajo',
      titularTipo: 'centro',
      estado: 'activa',
    });
    expect(await h.directory(cuenta.direccion)).toMatchObject({ holderCct: CCT, holderCurp: null, suspended: false });
    const mails = newMails();
    expect(mailsTo(mails)).toEqual([
      `${w.director.correoAlterno} | Correo institucional del centro de trabajo ${CCT}: ${cuenta.direccion}`,
    ]);
    // The director uses the link (sent at paso 10) before the Nivel has delivered the letter: the school has started
    // using the account, and paso 14 is recorded once the case gets there.
    await activate(h.server, activationToken(mails[0]), PW.escuela);
    expect(await act('primaria', caseId, 'ENTREGAR_CREDENCIALES')).toBe('inicioUso');

    // Paso 14 belongs to the school: no staff role is offered INICIAR_USO.
    for (const who of ['oficialia', 'sistemas', 'primaria'] as Who[]) {
      expect((await view(who, caseId)).acciones.map((a) => a.evento)).not.toContain('INICIAR_USO');
    }
    const v = await view('primaria', caseId);
    const tried = await http()
      .post(`/api/tramites/${caseId}/eventos`)
      .set('Authorization', `Bearer ${tok.primaria}`)
      .send({ tipo: 'INICIAR_USO', version: v.version });
    // The periodic job records the first use on its own, and where it runs every second (the topology test) it may do
    // so between the read above and this request: the version read is then stale (409), and its movement is there.
    if (tried.status === 409) expect(await movements(caseId)).toContain('INICIAR_USO:sistema');
    else expect(tried.status).toBe(403);
    await h.firstUseSwept(caseId); // the periodic job
    await concluded(caseId, 'creada');
    expect(await h.signIn(cuenta.direccion, PW.escuela)).toBe('ok');
    expect(await documents(caseId)).toEqual(['acuse:vigente', 'respuesta:vigente']);
    expect(await movements(caseId)).toEqual([
      ...RECEPCION,
      'CREAR_CUENTA:subjefatura',
      'PROVISION_OK:sistema',
      'CREDENTIALS_SENT:sistema',
      ...ENTREGA('nivel'),
      'ENTREGAR_CREDENCIALES:nivel',
      'INICIAR_USO:sistema',
    ]);
  });

  it('5.2.2 + 5.2.3 centro-trabajo-restablecer: the PII sends the chosen password; the Subjefatura applies it; it is wiped', async () => {
    const res = await http()
      .post(`/api/pii/centros/${CCT}/restablecer-contrasena`)
      .set('X-Api-Key', h.piiKey)
      .send({ contrasena: PW.escuelaElegida })
      .expect(202);
    const caseId = res.body.tramite as string;
    cases.centroRestablecer = caseId;
    const cuenta = await accountOf(CCT);
    expect(await act('sistemas', caseId, 'RESTABLECER', { cuentaId: cuenta.id })).toBe('confirmacion');
    expect(await act('sistemas', caseId, 'CONFIRMAR')).toBe('aprovisionamiento');
    await h.served(caseId, 'restablecida');
    await concluded(caseId, 'restablecida');

    expect(await h.signIn(cuenta.direccion, PW.escuelaElegida)).toBe('ok');
    expect(await h.signIn(cuenta.direccion, PW.escuela)).toBe('invalid');
    expect(await ds().getRepository(ChosenPassword).countBy({ caseId })).toBe(0);
    expect(mailsTo(newMails())).toEqual([
      `${w.director.correoAlterno} | Se restableció la contraseña de ${cuenta.direccion}`,
    ]);
    expect(await movements(caseId)).toEqual([
      'INICIAR:centro_trabajo',
      'SOLICITAR:centro_trabajo',
      'RESTABLECER:subjefatura',
      'CONFIRMAR:subjefatura',
      'PROVISION_OK:sistema',
      'CREDENTIALS_SENT:sistema',
    ]);
  });

  it('5.3.1 servicio-alta: oficio from the responsable; Servicio account for a worker; reply letter to the responsable', async () => {
    const oficio = await register({
      procedimiento: 'servicio-alta',
      numeroOficio: 'DB/0101/2026',
      area: 'Dirección de Becas',
      responsableId: ids.becas,
      remitenteNombre: 'Lic. Ana Sofía Cárdenas Muñoz',
      remitenteCargo: 'Directora de Becas',
      asunto: 'Solicitud de cuenta de correo institucional para el programa de becas estatales',
    });
    const caseId = oficio.tramite;
    cases.servicioAlta = caseId;
    await reception(caseId);
    // "Busca al trabajador" and gives the account name "sin dominio".
    const found = await http()
      .get('/api/catalogo/trabajadores')
      .query({ q: w.servicio.curp })
      .set('Authorization', `Bearer ${tok.sistemas}`)
      .expect(200);
    expect(found.body).toHaveLength(1);
    expect(
      await act('sistemas', caseId, 'CREAR_CUENTA', {
        tipo: 'servicio',
        curp: found.body[0].curp,
        localPart: 'becas.estatales',
      }),
    ).toBe('aprovisionamiento');
    expect(await delivery(caseId, 'becas')).toBe('creada');
    await concluded(caseId, 'creada');

    const direccion = `becas.estatales@${DOMAIN}`;
    const cuenta = await ds().getRepository(Cuenta).findOneByOrFail({ direccion });
    expect(cuenta).toMatchObject({
      tipo: 'servicio',
      titularTipo: 'trabajador',
      titularCurp: w.servicio.curp,
      estado: 'activa',
    });
    expect(await h.directory(direccion)).toMatchObject({ holderCurp: w.servicio.curp, suspended: false });
    const mails = newMails();
    expect(mailsTo(mails)).toEqual([
      `${w.servicio.correoAlterno} | Cuenta de correo institucional de Servicio: ${direccion}`,
    ]);
    await activate(h.server, activationToken(mails[0]), PW.servicio);
    expect(await h.signIn(direccion, PW.servicio)).toBe('ok');
    expect(await documents(caseId)).toEqual(['acuse:vigente', 'respuesta:vigente']);
    expect(await movements(caseId)).toEqual([
      ...RECEPCION,
      'CREAR_CUENTA:subjefatura',
      'PROVISION_OK:sistema',
      'CREDENTIALS_SENT:sistema',
      ...ENTREGA('responsable'),
    ]);
  });

  it('5.3.2 servicio-restablecer: oficio; the Subjefatura finds the account, resets, confirms; link to the holder', async () => {
    const direccion = `becas.estatales@${DOMAIN}`;
    const oficio = await register({
      procedimiento: 'servicio-restablecer',
      numeroOficio: 'DB/0102/2026',
      area: 'Dirección de Becas',
      responsableId: ids.becas,
      remitenteNombre: 'Lic. Ana Sofía Cárdenas Muñoz',
      remitenteCargo: 'Directora de Becas',
      asunto: `Restablecimiento de la contraseña de ${direccion}`,
      cuentas: direccion,
    });
    const caseId = oficio.tramite;
    cases.servicioRestablecer = caseId;
    await reception(caseId);
    const cuenta = await accountOf(direccion);
    expect(await act('sistemas', caseId, 'RESTABLECER', { cuentaId: cuenta.id })).toBe('confirmacion');
    expect(await act('sistemas', caseId, 'CONFIRMAR')).toBe('aprovisionamiento');
    expect(await delivery(caseId, 'becas')).toBe('restablecida');
    await concluded(caseId, 'restablecida');

    expect(await h.signIn(direccion, PW.servicio)).toBe('invalid');
    const mails = newMails();
    expect(mailsTo(mails)).toEqual(
      [
        `${w.servicio.correoAlterno} | Restablecimiento de la contraseña de ${direccion}`,
        `${direccion} | Se restableció la contraseña de ${direccion}`,
      ].sort(),
    );
    expect(mails.find((m) => m.to.includes(direccion))!.body).not.toMatch(/\/activar\//);
    await activate(
      h.server,
      activationToken(mails.find((m) => m.to.includes(w.servicio.correoAlterno!))!),
      PW.servicioNueva,
    );
    expect(await h.signIn(direccion, PW.servicioNueva)).toBe('ok');
    expect(await documents(caseId)).toEqual(['acuse:vigente', 'respuesta:vigente']);
    expect(await movements(caseId)).toEqual([
      ...RECEPCION,
      'RESTABLECER:subjefatura',
      'CONFIRMAR:subjefatura',
      'PROVISION_OK:sistema',
      'CREDENTIALS_SENT:sistema',
      ...ENTREGA('responsable'),
    ]);
  });

  it('5.4 cuenta-reasignar: the account passes to another worker; the previous holder loses access and is told', async () => {
    const direccion = `becas.estatales@${DOMAIN}`;
    const oficio = await register({
      procedimiento: 'cuenta-reasignar',
      numeroOficio: 'DB/0103/2026',
      area: 'Dirección de Becas',
      responsableId: ids.becas,
      remitenteNombre: 'Lic. Ana Sofía Cárdenas Muñoz',
      remitenteCargo: 'Directora de Becas',
      asunto: `Reasignación de la cuenta ${direccion}`,
      cuentas: direccion,
      curps: w.nuevo.curp,
    });
    const caseId = oficio.tramite;
    cases.reasignar = caseId;
    await reception(caseId);
    const cuenta = await accountOf(direccion);
    expect(cuenta.titularCurp).toBe(w.servicio.curp);
    expect(
      await act('sistemas', caseId, 'REASIGNAR', {
        cuentaId: cuenta.id,
        newCurp: w.nuevo.curp,
        previousCurp: cuenta.titularCurp,
      }),
    ).toBe('confirmacion');
    expect(await act('sistemas', caseId, 'CONFIRMAR')).toBe('aprovisionamiento');
    expect(await delivery(caseId, 'becas')).toBe('reasignada');
    await concluded(caseId, 'reasignada');

    expect(await ds().getRepository(Cuenta).findOneByOrFail({ id: cuenta.id })).toMatchObject({
      titularCurp: w.nuevo.curp,
      estado: 'activa',
    });
    expect(await h.directory(direccion)).toMatchObject({ holderCurp: w.nuevo.curp, suspended: false });
    expect(await h.signIn(direccion, PW.servicioNueva)).toBe('invalid');
    const mails = newMails();
    expect(mailsTo(mails)).toEqual(
      [
        `${w.servicio.correoAlterno} | Ya no tiene acceso a la cuenta ${direccion}`,
        `${w.nuevo.correoAlterno} | Se le asignó la cuenta de correo institucional ${direccion}`,
      ].sort(),
    );
    const toNew = mails.find((m) => m.to.includes(w.nuevo.correoAlterno!))!;
    expect(mails.find((m) => m.to.includes(w.servicio.correoAlterno!))!.body).not.toMatch(/\/activar\//);
    await activate(h.server, activationToken(toNew), PW.nuevoTitular);
    expect(await h.signIn(direccion, PW.nuevoTitular)).toBe('ok');
    expect(await documents(caseId)).toEqual(['acuse:vigente', 'respuesta:vigente']);
    expect(await movements(caseId)).toEqual([
      ...RECEPCION,
      'REASIGNAR:subjefatura',
      'CONFIRMAR:subjefatura',
      'PROVISION_OK:sistema',
      'CREDENTIALS_SENT:sistema',
      ...ENTREGA('responsable'),
    ]);
  });

  it('5.5 cuenta-bloquear: the account is suspended; the holder is told at both addresses; nobody gets credentials', async () => {
    const direccion = `becas.estatales@${DOMAIN}`;
    const oficio = await register({
      procedimiento: 'cuenta-bloquear',
      numeroOficio: 'DB/0104/2026',
      area: 'Dirección de Becas',
      responsableId: ids.becas,
      remitenteNombre: 'Lic. Ana Sofía Cárdenas Muñoz',
      remitenteCargo: 'Directora de Becas',
      asunto: `Bloqueo de la cuenta ${direccion}`,
      cuentas: direccion,
    });
    const caseId = oficio.tramite;
    cases.bloquear = caseId;
    await reception(caseId);
    const cuenta = await accountOf(direccion);
    expect(await act('sistemas', caseId, 'BLOQUEAR', { cuentaId: cuenta.id })).toBe('confirmacion');
    expect(await act('sistemas', caseId, 'CONFIRMAR')).toBe('aprovisionamiento');
    expect(await delivery(caseId, 'becas')).toBe('bloqueada');
    await concluded(caseId, 'bloqueada');

    expect(await ds().getRepository(Cuenta).findOneByOrFail({ id: cuenta.id })).toMatchObject({
      estado: 'bloqueada',
      titularCurp: w.nuevo.curp,
    });
    expect(await h.directory(direccion)).toMatchObject({ holderCurp: w.nuevo.curp, suspended: true });
    expect(await h.signIn(direccion, PW.nuevoTitular)).toBe('suspended');
    const mails = newMails();
    expect(mailsTo(mails)).toEqual([
      `${[w.nuevo.correoAlterno, direccion].join(',')} | La cuenta de correo institucional ${direccion} fue bloqueada`,
    ]);
    expect(mails[0].body).not.toMatch(/\/activar\//);
    expect(await documents(caseId)).toEqual(['acuse:vigente', 'respuesta:vigente']);
    expect(await movements(caseId)).toEqual([
      ...RECEPCION,
      'BLOQUEAR:subjefatura',
      'CONFIRMAR:subjefatura',
      'PROVISION_OK:sistema',
      ...ENTREGA('responsable'),
    ]);
  });

  it('leaves a movement log that verifies, and no password in any mail, movement or job payload', async () => {
    expect(Object.keys(cases)).toHaveLength(8);
    await h.integrated();
    const { checked, problems, treeSize, pending } = await verifyMovementLog(ds(), {
      trusted: [loadOrCreateTestSigner(h.dataDir).certificateDer],
    });
    expect(problems).toEqual([]);
    expect(checked).toBe(await ds().getRepository(Movement).count());
    expect(checked).toBeGreaterThanOrEqual(70);
    expect({ treeSize, pending }).toEqual({ treeSize: checked, pending: 0 });

    expect(newMails()).toEqual([]);
    const mails = sent;
    expect(mails).toHaveLength(11); // 9 + the two reset notices to the institutional mailbox
    const moves = await ds()
      .getRepository(Movement)
      .find({ where: { caseId: In(Object.values(cases)) } });
    const payloads = await ds()
      .getRepository(OutboxCommand)
      .find({ where: { caseId: In(Object.values(cases)) } });
    // Every effect ran once and for good; only the inbox reminders of days ahead still wait.
    expect(
      payloads
        .filter((c) => c.status !== 'hecho' && c.type !== 'taskReminder')
        .map((c) => `${c.type}:${c.status}:${c.lastError ?? ''}`),
    ).toEqual([]);
    for (const secret of Object.values(PW)) {
      for (const m of mails)
        expect({ mail: m.subject, has: m.raw.includes(secret) || m.body.includes(secret) }).toEqual({
          mail: m.subject,
          has: false,
        });
      expect(moves.filter((m) => m.data.includes(secret))).toEqual([]);
      expect(payloads.filter((c) => c.payload.includes(secret))).toEqual([]);
    }
  });
}
