/**
 * Deny by default: a Nivel or a Responsable reaches a case only when it is addressed to them (the case's nivel is
 * theirs, or the case names them as its responsable). A case with no nivel or no responsable — a worker's
 * self-service, a school's PII request, an area's oficio — is nobody's of theirs: 404 on every read path (API, page,
 * movements, diagram), as for a case that does not exist. The staff who work every case keep reading them.
 */
import request from 'supertest';
import { SESSION_COOKIE } from '../../src/auth/auth.guard';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { addNiveles, postOficio, scannedOficio } from '../oficios/support';
import { addWorker } from '../support/pipeline';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';

const PII_KEY = 'clave-de-prueba-pii-456';

describe('case scope: deny by default for Nivel and Responsable', () => {
  let t: TestApp;
  let pdf: Buffer;
  const tok: Record<string, string> = {};
  const cases: Record<string, string> = {};
  const http = () => request(t.app.getHttpServer());
  const ds = () => t.db.dataSource;

  const register = async (fields: Record<string, string>): Promise<string> => {
    const all = {
      fechaOficio: '2026-11-20',
      remitenteNombre: 'Lic. Ana Sofía Cárdenas Muñoz',
      remitenteCargo: 'Directora',
      asunto: 'Solicitud',
      ...fields,
    };
    return (await postOficio(t, tok.oficialia, pdf, all).expect(201)).body.tramite as string;
  };

  /** Every read of a case a staff user has: the API view, its movements, its diagram and the case page. */
  const reads = async (who: string, caseId: string): Promise<number[]> => [
    (await http().get(`/api/tramites/${caseId}`).set('Authorization', `Bearer ${tok[who]}`)).status,
    (await http().get(`/api/tramites/${caseId}/movimientos`).set('Authorization', `Bearer ${tok[who]}`)).status,
    (await http().get(`/api/tramites/${caseId}/diagrama.svg`).set('Authorization', `Bearer ${tok[who]}`)).status,
    (await http().get(`/tramites/${caseId}`).set('Cookie', `${SESSION_COOKIE}=${tok[who]}`)).status,
  ];

  beforeAll(async () => {
    t = await createTestApp({ RELAY_INTERVAL_MS: '60000', PII_API_KEY: PII_KEY });
    await addNiveles(ds());
    await createStaff(ds(), 'oficialia', 'subdireccion');
    await createStaff(ds(), 'sistemas', 'subjefatura');
    await createStaff(ds(), 'admin', 'administrador');
    await createStaff(ds(), 'primaria', 'nivel', { nivelClave: 'PRIMARIA' });
    await createStaff(ds(), 'sinnivel', 'nivel', { nivelClave: null });
    const becas = await createStaff(ds(), 'becas', 'responsable');
    await createStaff(ds(), 'lectura', 'responsable');
    for (const u of ['oficialia', 'sistemas', 'admin', 'primaria', 'sinnivel', 'becas', 'lectura'])
      tok[u] = await login(t.app, u);
    pdf = await scannedOficio('Oficio de prueba.');

    // A worker's self-service (5.1.1), waiting for the worker's confirmation.
    const w = await addWorker(ds());
    const own = await http().post('/api/autoservicio/alta').send({ curp: w.curp, curt: w.curt }).expect(200);
    expect(own.body.estado).toBe('confirmacion');
    cases.autoservicio = own.body.tramite as string;

    // A school's password reset through the PII (5.2.2), waiting in the Subjefatura's inbox.
    const director = await addWorker(ds(), { nombre: 'Ramón', primerApellido: 'López' });
    await ds().getRepository(CentroTrabajo).insert({
      cct: '06DPR0001A',
      nombre: 'Escuela Primaria Benito Juárez',
      nivelClave: 'PRIMARIA',
      directorCurp: director.curp,
      correo: null,
      estatus: 'activo',
    });
    await ds().getRepository(Cuenta).insert({
      id: '11111111-1111-4111-a111-111111111111',
      direccion: '06dpr0001a@colima.gob.mx',
      localPart: '06dpr0001a',
      dominio: 'colima.gob.mx',
      tipo: 'centro_trabajo',
      titularTipo: 'centro',
      titularCurp: null,
      titularCct: '06DPR0001A',
      estado: 'activa',
      proveedor: 'local',
      proveedorId: null,
    });
    const pii = await http()
      .post('/api/pii/centros/06DPR0001A/restablecer-contrasena')
      .set('X-Api-Key', PII_KEY)
      .send({ contrasena: 'jacaranda-volcan-2026' })
      .expect(202);
    cases.pii = pii.body.tramite as string;

    // An area's oficio with no responsable user; one from the Nivel Primaria; one naming the responsable of Becas.
    cases.area = await register({
      procedimiento: 'cuenta-bloquear',
      numeroOficio: 'DA/0001/2026',
      area: 'Dirección Administrativa',
    });
    cases.primaria = await register({
      procedimiento: 'centro-trabajo-alta',
      numeroOficio: 'DEP/0001/2026',
      nivel: 'PRIMARIA',
      cct: '06DPR0001A',
    });
    cases.becas = await register({
      procedimiento: 'cuenta-bloquear',
      numeroOficio: 'DB/0001/2026',
      area: 'Dirección de Becas',
      responsableId: becas.id,
    });
  });
  afterAll(async () => t?.close());

  it.each(['autoservicio', 'pii', 'area'])(
    'hides a case addressed to no Nivel and no responsable (%s) from every Nivel and Responsable: 404',
    async (which) => {
      for (const who of ['primaria', 'sinnivel', 'becas', 'lectura']) {
        expect([who, await reads(who, cases[which])]).toEqual([who, [404, 404, 404, 404]]);
      }
      // The staff who work every case still read it.
      for (const who of ['oficialia', 'sistemas', 'admin']) {
        await http().get(`/api/tramites/${cases[which]}`).set('Authorization', `Bearer ${tok[who]}`).expect(200);
      }
    },
  );

  it('shows a case to the Nivel it comes from and to the responsable it names, and to nobody else of those roles', async () => {
    expect(await reads('primaria', cases.primaria)).toEqual([200, 200, 200, 200]);
    for (const who of ['sinnivel', 'becas', 'lectura'])
      expect([who, await reads(who, cases.primaria)]).toEqual([who, [404, 404, 404, 404]]);
    expect(await reads('becas', cases.becas)).toEqual([200, 200, 200, 200]);
    for (const who of ['primaria', 'sinnivel', 'lectura'])
      expect([who, await reads(who, cases.becas)]).toEqual([who, [404, 404, 404, 404]]);
  });

  it('refuses an action on a case that is not theirs with the same 404, before looking at the step', async () => {
    for (const which of ['autoservicio', 'pii', 'area']) {
      const res = await http()
        .post(`/api/tramites/${cases[which]}/eventos`)
        .set('Authorization', `Bearer ${tok.lectura}`)
        .send({ tipo: 'ACUSAR_RECIBO', version: 1 });
      expect([which, res.status, res.body.error]).toEqual([which, 404, 'NO_ENCONTRADO']);
    }
  });
});
