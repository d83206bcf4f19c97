/**
 * A taken account name is not a dead end (guide 5.3.1, issue 12 §2): when the directory refuses the name the
 * Subjefatura typed, the incident takes CORREGIR_NOMBRE { localPart } through the same API as every action; a name
 * the account rules refuse, or the same name again, is a Spanish 4xx that changes nothing, and a good one is
 * provisioned at once. Runs on SQLite and, with TEST_DB=mariadb, on MariaDB.
 */
import request from 'supertest';
import { PROCEDURES } from '../../machines';
import { SESSION_COOKIE } from '../../src/auth/auth.guard';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Movement } from '../../src/engine/entities/movement.entity';
import type { EngineProcedure } from '../../src/engine/procedure-registry';
import { DIRECTORY_PROVIDER, type DirectoryProvider } from '../../src/provisioning/providers/directory-provider';
import { addNiveles, postOficio, scannedOficio, settle } from '../oficios/support';
import { addWorker } from '../support/pipeline';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';

describe('servicio-alta: the Subjefatura corrects a taken account name from the incident', () => {
  let t: TestApp;
  let pdf: Buffer;
  const tok: Record<string, string> = {};
  const http = () => request(t.app.getHttpServer());
  const ds = () => t.db.dataSource;
  let numero = 0;

  const caseOf = (id: string) => ds().getRepository(ProcedureCase).findOneByOrFail({ id });
  const send = async (token: string, caseId: string, tipo: string, datos?: Record<string, unknown>) => {
    const { version } = await caseOf(caseId);
    return http()
      .post(`/api/tramites/${caseId}/eventos`)
      .set('Authorization', `Bearer ${token}`)
      .send({ tipo, version, ...(datos ? { datos } : {}) });
  };
  /** A 5.3.1 oficio registered, turned and received: its case waits in «creacion» for the Subjefatura. */
  const recibido = async (): Promise<string> => {
    numero += 1;
    const res = await postOficio(t, tok.oficialia, pdf, {
      procedimiento: 'servicio-alta',
      numeroOficio: `BE/${String(numero).padStart(4, '0')}/2026`,
      fechaOficio: '2026-11-20',
      remitenteNombre: 'Mtra. Laura Elena Villalobos Cruz',
      remitenteCargo: 'Responsable del Programa de Becas',
      area: 'Programa de Becas',
      asunto: 'Solicitud de cuenta de correo para el programa de becas',
    }).expect(201);
    const caseId = res.body.tramite as string;
    await settle(t);
    expect((await send(tok.oficialia, caseId, 'TURNAR')).status).toBe(200);
    expect((await send(tok.sistemas, caseId, 'RECIBIR_TURNO')).status).toBe(200);
    return caseId;
  };
  /** ... and the Subjefatura asks for a Servicio account named `localPart` (through the API, which does not look). */
  const altaServicio = async (curp: string, localPart: string): Promise<string> => {
    const caseId = await recibido();
    expect((await send(tok.sistemas, caseId, 'CREAR_CUENTA', { tipo: 'servicio', curp, localPart })).status).toBe(200);
    await settle(t);
    return caseId;
  };
  /** The case page's form for an action, as the Subjefatura's browser gets it, with its hidden fields. */
  const pageForm = async (caseId: string, evento: string) => {
    const page = (await http().get(`/tramites/${caseId}`).set('Cookie', cookie()).expect(200)).text;
    const form = [...page.matchAll(/<form[^>]*>[\s\S]*?<\/form>/g)]
      .map((m) => m[0])
      .find((f) => f.includes(`name="evento" value="${evento}"`));
    expect(form).toBeDefined();
    const hidden = Object.fromEntries(
      [...form!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]),
    );
    return {
      page,
      form: form!,
      post: (fields: Record<string, string>) =>
        http()
          .post(`/tramites/${caseId}/acciones`)
          .set('Cookie', cookie())
          .type('form')
          .send({ ...hidden, ...fields }),
    };
  };
  const cookie = () => `${SESSION_COOKIE}=${tok.sistemas}`;

  beforeAll(async () => {
    t = await createTestApp({ RELAY_INTERVAL_MS: '60000' }, { procedures: PROCEDURES as unknown as EngineProcedure[] });
    await addNiveles(ds());
    await createStaff(ds(), 'oficialia', 'subdireccion');
    await createStaff(ds(), 'sistemas', 'subjefatura');
    for (const u of ['oficialia', 'sistemas']) tok[u] = await login(t.app, u);
    pdf = await scannedOficio('Oficio BE/0001/2026. Solicitud de cuenta de servicio.');
  });
  afterAll(async () => t?.close());

  it('refuses a bad or the same name with a Spanish 4xx, and provisions a corrected one', async () => {
    const first = await addWorker(ds(), { nombre: 'Laura Elena', primerApellido: 'Villalobos' });
    const second = await addWorker(ds(), { nombre: 'Jorge', primerApellido: 'Preciado' });
    const earlier = await altaServicio(first.curp, 'becas');
    expect((await caseOf(earlier)).state).not.toBe('incidente');
    const taken = await ds().getRepository(Cuenta).findOneByOrFail({ localPart: 'becas' });

    // The same name for another program: the directory has it, so the Servicio fails and the case is an incident.
    const caseId = await altaServicio(second.curp, 'becas');
    const incident = await caseOf(caseId);
    expect(incident).toMatchObject({ state: 'incidente', status: 'incidente' });
    expect(incident.incidentMessage).toContain(`${taken.direccion} ya está en uso`);
    const actions = (
      await http().get(`/api/tramites/${caseId}`).set('Authorization', `Bearer ${tok.sistemas}`).expect(200)
    ).body;
    expect(JSON.stringify(actions)).toContain('CORREGIR_NOMBRE');

    const bad = await send(tok.sistemas, caseId, 'CORREGIR_NOMBRE', { localPart: 'becas estatales' });
    expect(bad.status).toBe(422);
    expect(bad.body.mensaje).toContain('El nombre de la cuenta no puede tener espacios.');
    const same = await send(tok.sistemas, caseId, 'CORREGIR_NOMBRE', { localPart: 'becas' });
    expect(same.status).toBe(422);
    expect(same.body.error).toBe('CONDICION_NO_CUMPLIDA');
    const missing = await send(tok.sistemas, caseId, 'CORREGIR_NOMBRE', {});
    expect(missing.status).toBe(422);
    expect(await caseOf(caseId)).toMatchObject({ state: 'incidente', version: incident.version });
    // Only the Subjefatura corrects it.
    expect((await send(tok.oficialia, caseId, 'CORREGIR_NOMBRE', { localPart: 'becas.estatales' })).status).toBe(403);

    expect((await send(tok.sistemas, caseId, 'CORREGIR_NOMBRE', { localPart: 'becas.estatales' })).status).toBe(200);
    await settle(t);
    const row = await caseOf(caseId);
    expect(row.status).toBe('activo');
    expect(row.state).toBe('envioRespuesta');
    const cuenta = await ds().getRepository(Cuenta).findOneByOrFail({ titularCurp: second.curp });
    expect(cuenta.localPart).toBe('becas.estatales');
    const moves = await ds()
      .getRepository(Movement)
      .find({ where: { caseId, eventType: 'CORREGIR_NOMBRE' } });
    expect(moves.map((m) => JSON.parse(m.data) as unknown)).toEqual([{ localPart: 'becas.estatales' }]);
  });

  it('offers the correction on the case page: the failed name to edit, folded like the creation form', async () => {
    const worker = await addWorker(ds(), { nombre: 'Rosa', primerApellido: 'Larios' });
    const caseId = await altaServicio(worker.curp, 'becas');
    expect((await caseOf(caseId)).state).toBe('incidente');
    const { form, post } = await pageForm(caseId, 'CORREGIR_NOMBRE');
    expect(form).toContain('El nombre «becas» no se pudo usar.');
    expect(form).toContain('name="localPart" value="becas"');
    expect(form).toContain('Corregir el nombre de la cuenta y reintentar');
    await post({ localPart: ' Becas.Larios ' }).expect(303);
    await settle(t);
    expect((await caseOf(caseId)).state).toBe('envioRespuesta');
    expect((await ds().getRepository(Cuenta).findOneByOrFail({ titularCurp: worker.curp })).localPart).toBe(
      'becas.larios',
    );
  });

  describe('the availability check the name forms use (GET /api/cuentas/nombre-disponible)', () => {
    const check = (nombre: string, token = tok.sistemas) =>
      http().get('/api/cuentas/nombre-disponible').query({ nombre }).set('Authorization', `Bearer ${token}`);

    it('answers available or taken against the accounts and the directory, folded as the creation folds it', async () => {
      // Taken in our accounts table (the first test made becas@…).
      const taken = await check('becas').expect(200);
      expect(taken.body).toMatchObject({ nombre: 'becas', disponible: false });
      expect(taken.body.mensaje).toBe(`${taken.body.direccion} ya está en uso; elija otro nombre de cuenta.`);
      // Taken only in the directory (an account made outside this system): the directory port is asked too.
      const outside = taken.body.direccion.replace('becas@', 'direccion.externa@') as string;
      const holder = await addWorker(ds(), { nombre: 'Cuenta', primerApellido: 'Externa' });
      await t.app.get<DirectoryProvider>(DIRECTORY_PROVIDER).create({
        address: outside,
        tipo: 'servicio',
        holder: {
          kind: 'trabajador',
          curp: holder.curp,
          givenName: 'Cuenta',
          familyName: 'Externa',
          displayName: 'Cuenta externa',
        },
        password: 'una-clave-larga-de-prueba-9',
        changeAtNextLogin: false,
      });
      expect((await check('direccion.externa').expect(200)).body.disponible).toBe(false);
      const free = await check('Becas.Jóvenes').expect(200);
      expect(free.body).toMatchObject({ nombre: 'becas.jovenes', disponible: true });
      expect(free.body.mensaje).toBe(`${free.body.direccion} está disponible.`);
    });

    it('refuses a name the rules refuse with the same Spanish 422, and answers only the Subjefatura', async () => {
      const bad = await check('becas estatales').expect(422);
      expect(bad.body.mensaje).toContain('no puede tener espacios');
      await check('postmaster').expect(422);
      await http().get('/api/cuentas/nombre-disponible').query({ nombre: 'becas' }).expect(401);
      await check('becas', tok.oficialia).expect(403);
      await http()
        .get('/api/cuentas/nombre-disponible')
        .set('Authorization', `Bearer ${tok.sistemas}`)
        .expect((r) => expect([400, 422]).toContain(r.status));
    });

    it('without JavaScript the page refuses a taken name on submit (409, the form kept), and takes a free one', async () => {
      const worker = await addWorker(ds(), { nombre: 'Elena', primerApellido: 'Cárdenas' });
      const caseId = await recibido();
      const { page, post: send } = await pageForm(caseId, 'CREAR_CUENTA');
      expect(page).toContain('data-disponibilidad="/api/cuentas/nombre-disponible"');
      const post = (localPart: string) => send({ tipo: 'servicio', curp: worker.curp, localPart });
      const refused = await post('becas').expect(409);
      expect(refused.text).toContain('ya está en uso; elija otro nombre de cuenta.');
      expect(refused.text).toContain('name="localPart" value="becas"');
      expect((await caseOf(caseId)).state).toBe('creacion');
      await post('becas.elena').expect(303);
      expect((await caseOf(caseId)).state).toBe('aprovisionamiento');
    });
  });
});
