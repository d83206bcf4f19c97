/**
 * Issue 8, "data lost or changed without anyone asking", in provisioning and self-service, over HTTP on the embedded
 * default (SQLite, and MariaDB with TEST_DB=mariadb):
 * - a second 5.2.1 for a school that already has an account answers with that account and leaves it alone;
 * - a second PII request (5.2.2) while one is open answers with the open one, even when both arrive at once;
 * - a blocked account is never "reset" (5.1.2, 5.2.2, 5.2.3, 5.3.2): the requester is told it is blocked;
 * - Servicio/Función accounts (5.3.1) and reassignments (5.4) are only for active workers.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { In } from 'typeorm';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import type { TipoCuenta } from '../../src/catalog/cuenta-tipos';
import type { Trabajador } from '../../src/catalog/entities/trabajador.entity';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { Task } from '../../src/engine/entities/task.entity';
import { IssuedDocument } from '../../src/oficios/entities/document.entity';
import { ChosenPassword } from '../../src/provisioning/entities/chosen-password.entity';
import { LocalDirectoryProvider } from '../../src/provisioning/providers/local/local-directory.provider';
import { addNiveles, scannedOficio, settle } from '../oficios/support';
import { addWorker } from '../support/pipeline';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';

const PII_KEY = 'clave-de-prueba-pii-issue-8';
const DOMAIN = 'colima.gob.mx';
type Who = 'oficialia' | 'sistemas' | 'primaria' | 'becas';

describe('nothing is created, reset or reassigned that nobody asked for', () => {
  let t: TestApp;
  let local: LocalDirectoryProvider;
  let pdf: Buffer;
  const tok = {} as Record<Who, string>;
  const ids = {} as Record<Who, string>;
  const http = () => request(t.app.getHttpServer());
  const ds = () => t.db.dataSource;

  beforeAll(async () => {
    t = await createTestApp({ RELAY_INTERVAL_MS: '60000', PII_API_KEY: PII_KEY });
    local = new LocalDirectoryProvider(ds(), { argon2: { memoryCost: 8192, timeCost: 2 } });
    await addNiveles(ds());
    ids.oficialia = (await createStaff(ds(), 'oficialia8', 'subdireccion')).id;
    ids.sistemas = (await createStaff(ds(), 'sistemas8', 'subjefatura')).id;
    ids.primaria = (await createStaff(ds(), 'primaria8', 'nivel', { nivelClave: 'PRIMARIA' })).id;
    ids.becas = (await createStaff(ds(), 'becas8', 'responsable')).id;
    tok.oficialia = await login(t.app, 'oficialia8');
    tok.sistemas = await login(t.app, 'sistemas8');
    tok.primaria = await login(t.app, 'primaria8');
    tok.becas = await login(t.app, 'becas8');
    pdf = await scannedOficio('Oficio de solicitud (prueba).');
  });
  afterAll(async () => t?.close());

  const mails = (): string[] => {
    try {
      const dir = join(t.db.dataDir, 'outbox');
      return readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8').replace(/=\r?\n/g, ''));
    } catch {
      return [];
    }
  };

  /** An account that exists before the test's request, in our table and in the local directory. */
  async function existingAccount(o: {
    direccion: string;
    tipo: TipoCuenta;
    cct?: string;
    curp?: string;
    password: string;
    estado?: 'activa' | 'bloqueada';
  }): Promise<Cuenta> {
    const cuenta: Cuenta = {
      id: randomUUID(),
      direccion: o.direccion,
      localPart: o.direccion.split('@')[0],
      dominio: DOMAIN,
      tipo: o.tipo,
      titularTipo: o.cct ? 'centro' : 'trabajador',
      titularCurp: o.curp ?? null,
      titularCct: o.cct ?? null,
      estado: o.estado ?? 'activa',
      proveedor: 'local',
      proveedorId: null,
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    await ds().getRepository(Cuenta).insert(cuenta);
    const holder = o.cct
      ? {
          kind: 'centro' as const,
          cct: o.cct,
          givenName: 'Escuela',
          familyName: o.cct,
          displayName: `Escuela ${o.cct}`,
        }
      : {
          kind: 'trabajador' as const,
          curp: o.curp,
          givenName: 'Titular',
          familyName: 'De Prueba',
          displayName: 'Titular De Prueba',
        };
    await local.create({ address: o.direccion, tipo: o.tipo, holder, password: o.password, changeAtNextLogin: false });
    if (o.estado === 'bloqueada') await local.suspend(o.direccion);
    return cuenta;
  }

  async function school(cct: string, director: Trabajador): Promise<void> {
    await ds()
      .getRepository(CentroTrabajo)
      .insert({
        cct,
        nombre: `Escuela Primaria ${cct}`,
        nivelClave: 'PRIMARIA',
        directorCurp: director.curp,
        correo: null,
        estatus: 'activo',
      });
  }

  const view = async (who: Who, caseId: string) =>
    (await http().get(`/api/tramites/${caseId}`).set('Authorization', `Bearer ${tok[who]}`).expect(200)).body as {
      version: number;
      estado: string;
      datos: Record<string, unknown>;
    };

  /** The event as the person sends it, with the version they read; the raw response. */
  const act = async (who: Who, caseId: string, tipo: string, datos?: Record<string, unknown>) => {
    const before = await view(who, caseId);
    return http()
      .post(`/api/tramites/${caseId}/eventos`)
      .set('Authorization', `Bearer ${tok[who]}`)
      .send({ tipo, version: before.version, ...(datos ? { datos } : {}) });
  };
  const ok = async (who: Who, caseId: string, tipo: string, datos?: Record<string, unknown>): Promise<string> => {
    const res = await act(who, caseId, tipo, datos);
    if (res.status !== 200) throw new Error(`${who} ${tipo} → ${res.status}: ${JSON.stringify(res.body)}`);
    return (res.body as { state: string }).state;
  };

  /** The Subdirección registers the oficio, turns it; the Subjefatura receives it. */
  async function oficioAtSubjefatura(fields: Record<string, string>): Promise<string> {
    const r = http().post('/api/oficios').set('Authorization', `Bearer ${tok.oficialia}`);
    for (const [k, v] of Object.entries({
      fechaOficio: '2026-11-20',
      remitenteNombre: 'Profr. José Núñez',
      remitenteCargo: 'Director',
      ...fields,
    }))
      void r.field(k, v);
    const res = await r.attach('archivo', pdf, { filename: 'oficio.pdf', contentType: 'application/pdf' });
    if (res.status !== 201) throw new Error(`registro → ${res.status}: ${JSON.stringify(res.body)}`);
    const caseId = (res.body as { tramite: string }).tramite;
    await settle(t);
    await ok('oficialia', caseId, 'TURNAR');
    await ok('sistemas', caseId, 'RECIBIR_TURNO');
    return caseId;
  }

  const commandsOf = async (caseId: string): Promise<string[]> =>
    (await ds().getRepository(OutboxCommand).find({ where: { caseId } }))
      .map((c) => c.type)
      .filter((x) => x !== 'taskReminder')
      .sort();

  describe('5.2.1 for a school that already has an account', () => {
    const CCT = '06DPR0801B';
    const ADDRESS = `${CCT.toLowerCase()}@${DOMAIN}`;
    const OLD = 'clave-vieja-de-la-escuela-801';
    let director: Trabajador;

    beforeAll(async () => {
      director = await addWorker(ds(), { nombre: 'Rocío', primerApellido: 'Peña' });
      await school(CCT, director);
      await existingAccount({ direccion: ADDRESS, tipo: 'centro_trabajo', cct: CCT, password: OLD });
    });

    it('shows the account in the school search, answers «la cuenta ya existe» and never touches the directory', async () => {
      // Guía 5.2.1 paso 7: the Subjefatura looks the school up and sees it already has its account.
      const found = await http()
        .get('/api/catalogo/centros')
        .query({ q: CCT })
        .set('Authorization', `Bearer ${tok.sistemas}`)
        .expect(200);
      expect(found.body[0]).toMatchObject({ cct: CCT, cuenta: { direccion: ADDRESS, estado: 'activa' } });

      const caseId = await oficioAtSubjefatura({
        procedimiento: 'centro-trabajo-alta',
        numeroOficio: 'DEP/0801/2026',
        nivel: 'PRIMARIA',
        cct: CCT,
        asunto: 'Cuenta de correo para la escuela',
      });
      // The create form searches the school the oficio names: its account is there before anyone presses a button.
      const form = await http().get(`/tramites/${caseId}`).set('Authorization', `Bearer ${tok.sistemas}`).expect(200);
      expect(form.text).toMatch(new RegExp(`Ya tiene cuenta: <strong>${ADDRESS.replace('.', '\\.')}</strong>`));
      // A sender cannot claim the fact (the engine refuses the field, machines/parts/payloads.ts): it asks the accounts table.
      const claimed = await act('sistemas', caseId, 'CREAR_CUENTA', {
        tipo: 'centro_trabajo',
        cct: CCT,
        directorCurp: director.curp,
        cuentaExistente: null,
      });
      expect(claimed.status).toBe(422);
      expect(claimed.body).toMatchObject({ error: 'DATOS_INVALIDOS', campo: 'cuentaExistente' });
      expect(
        await ok('sistemas', caseId, 'CREAR_CUENTA', { tipo: 'centro_trabajo', cct: CCT, directorCurp: director.curp }),
      ).toBe('oficioRespuesta');
      const mailsBefore = mails().length;
      await settle(t);

      const row = await ds().getRepository(ProcedureCase).findOneByOrFail({ id: caseId });
      expect(row).toMatchObject({ state: 'envioRespuesta', status: 'activo' });
      // Nothing was asked of the directory: the old password still works, nothing was mailed.
      expect(await local.verifyPassword(ADDRESS, OLD)).toBe('ok');
      expect(mails().length).toBe(mailsBefore);
      expect(await commandsOf(caseId)).toEqual(['renderAcuse', 'renderReplyLetter']);
      expect(await ds().getRepository(Cuenta).countBy({ titularCct: CCT })).toBe(1);
      const letterCmd = await ds().getRepository(OutboxCommand).findOneByOrFail({ caseId, type: 'renderReplyLetter' });
      expect(JSON.parse(letterCmd.payload)).toEqual({ outcome: 'cuenta_existente' });
      const letter = await ds().getRepository(IssuedDocument).findOneByOrFail({ caseId, kind: 'respuesta' });
      expect(letter.asunto).toMatch(/existente/i);

      // The Subjefatura's task shows the account and that nothing was created.
      expect((await view('sistemas', caseId)).datos).toMatchObject({
        cuenta: { address: ADDRESS },
        cuentaPrevia: true,
      });
      const page = await http().get(`/tramites/${caseId}`).set('Authorization', `Bearer ${tok.sistemas}`).expect(200);
      expect(page.text).toContain(ADDRESS);
      expect(page.text).toMatch(/ya ten[ií]a/);

      // The reply goes to the Nivel, who tells the school; the case ends there (the school already uses its account).
      await ok('sistemas', caseId, 'ENVIAR_RESPUESTA');
      await ok('oficialia', caseId, 'TURNAR_RESPUESTA');
      await ok('primaria', caseId, 'ACUSAR_RECIBO');
      expect(await ok('primaria', caseId, 'ENTREGAR_CREDENCIALES')).toBe('cuentaExistente');
      expect(await ds().getRepository(ProcedureCase).findOneByOrFail({ id: caseId })).toMatchObject({
        status: 'concluido',
        outcome: 'cuenta_existente',
      });
      expect(await local.verifyPassword(ADDRESS, OLD)).toBe('ok');
    });
  });

  describe('5.2.2 through the PII', () => {
    const pii = (cct: string, contrasena: string) =>
      http().post(`/api/pii/centros/${cct}/restablecer-contrasena`).set('X-Api-Key', PII_KEY).send({ contrasena });
    const casesOf = async (cct: string) =>
      ds()
        .getRepository(ProcedureCase)
        .find({ where: { procedureId: 'centro-trabajo-restablecer', cct } });
    const sealedOf = async (cct: string) =>
      ds()
        .getRepository(ChosenPassword)
        .countBy({ caseId: In((await casesOf(cct)).map((c) => c.id)) });
    const tasksOf = async (cct: string) =>
      ds()
        .getRepository(Task)
        .countBy({ caseId: In((await casesOf(cct)).map((c) => c.id)), status: 'abierta' });

    it('a second request while one is open answers 200 with the open one: no new case, task or password', async () => {
      const CCT = '06DPR0802C';
      await school(CCT, await addWorker(ds()));
      await existingAccount({
        direccion: `${CCT.toLowerCase()}@${DOMAIN}`,
        tipo: 'centro_trabajo',
        cct: CCT,
        password: 'clave-vieja-escuela-802',
      });
      const first = await pii(CCT, 'jacaranda-volcan-2026').expect(202);
      expect(first.body).toMatchObject({ existente: false });
      const second = await pii(CCT, 'tamarindo-faro-lluvia-77').expect(200);
      expect(second.body).toMatchObject({
        tramite: first.body.tramite,
        atenderAMasTardar: first.body.atenderAMasTardar,
        existente: true,
      });
      expect(second.body.mensaje).toMatch(/ya (hay|tiene) una solicitud/i);
      expect(await casesOf(CCT)).toHaveLength(1);
      expect(await sealedOf(CCT)).toBe(1);
      expect(await tasksOf(CCT)).toBe(1);

      // Even after the Subjefatura has moved it on, the answer is the open request and the date first promised.
      await ok('sistemas', first.body.tramite, 'RESTABLECER', {
        cuentaId: (await ds().getRepository(Cuenta).findOneByOrFail({ titularCct: CCT })).id,
      });
      const third = await pii(CCT, 'pitaya-sendero-nube-19').expect(200);
      expect(third.body).toMatchObject({
        tramite: first.body.tramite,
        atenderAMasTardar: first.body.atenderAMasTardar,
      });
      expect(await sealedOf(CCT)).toBe(1);
    });

    it('two requests at the same time end with one case, one sealed password and one task', async () => {
      const CCT = '06DPR0803D';
      await school(CCT, await addWorker(ds()));
      await existingAccount({
        direccion: `${CCT.toLowerCase()}@${DOMAIN}`,
        tipo: 'centro_trabajo',
        cct: CCT,
        password: 'clave-vieja-escuela-803',
      });
      const both = await Promise.all([pii(CCT, 'ciruela-puerto-viento-63'), pii(CCT, 'guayaba-marea-tren-48')]);
      expect(both.map((r) => r.status).sort()).toEqual([200, 202]);
      expect(both[0].body.tramite).toBe(both[1].body.tramite);
      expect(await casesOf(CCT)).toHaveLength(1);
      expect(await sealedOf(CCT)).toBe(1);
      expect(await tasksOf(CCT)).toBe(1);
    });

    it('a blocked school account is told so (422): nothing is stored, no case, no task', async () => {
      const CCT = '06DPR0804E';
      await school(CCT, await addWorker(ds()));
      await existingAccount({
        direccion: `${CCT.toLowerCase()}@${DOMAIN}`,
        tipo: 'centro_trabajo',
        cct: CCT,
        password: 'clave-vieja-escuela-804',
        estado: 'bloqueada',
      });
      const sealedBefore = await ds().getRepository(ChosenPassword).count();
      const res = await pii(CCT, 'jacaranda-volcan-2026').expect(422);
      expect(res.body.error).toBe('CUENTA_BLOQUEADA');
      expect(res.body.mensaje).toMatch(/bloqueada/);
      expect(res.body.mensaje).toMatch(/Subdirección de Sistemas y Servicios Telemáticos/);
      expect(await casesOf(CCT)).toHaveLength(0);
      expect(await ds().getRepository(ChosenPassword).count()).toBe(sealedBefore);
    });

    it('5.2.3: an account blocked after the request cannot be reset: 422 at the Subjefatura’s step', async () => {
      const CCT = '06DPR0805F';
      await school(CCT, await addWorker(ds()));
      const cuenta = await existingAccount({
        direccion: `${CCT.toLowerCase()}@${DOMAIN}`,
        tipo: 'centro_trabajo',
        cct: CCT,
        password: 'clave-vieja-escuela-805',
      });
      const req = await pii(CCT, 'jacaranda-volcan-2026').expect(202);
      await ds().getRepository(Cuenta).update({ id: cuenta.id }, { estado: 'bloqueada' });
      const res = await act('sistemas', req.body.tramite, 'RESTABLECER', { cuentaId: cuenta.id });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ error: 'CUENTA_BLOQUEADA' });
      expect((await view('sistemas', req.body.tramite)).estado).toBe('analisis');
    });
  });

  describe('a blocked account is never reset', () => {
    it('5.1.2: the worker is told the account is blocked and whom to ask; no directory work, no mail', async () => {
      const w = await addWorker(ds(), { nombre: 'Bruno', primerApellido: 'Salas' });
      const direccion = `bruno.salas@${DOMAIN}`;
      await existingAccount({
        direccion,
        tipo: 'personal',
        curp: w.curp,
        password: 'clave-vieja-de-bruno-2026',
        estado: 'bloqueada',
      });
      const before = mails().length;
      const r = await http().post('/api/autoservicio/restablecer').send({ curp: w.curp, curt: w.curt }).expect(200);
      if (r.body.acciones?.includes('confirmar')) {
        await http()
          .post(`/api/autoservicio/tramites/${r.body.tramite}/confirmar`)
          .send({ token: r.body.token, confirma: true })
          .expect(200);
      }
      await settle(t);
      const done = await http()
        .get(`/api/autoservicio/tramites/${r.body.tramite}`)
        .query({ token: r.body.token })
        .expect(200);
      expect(done.body).toMatchObject({ concluido: true, resultado: 'cuenta_bloqueada', acciones: [] });
      expect(done.body.mensaje).toMatch(/bloqueada/);
      expect(done.body.mensaje).toMatch(/Subdirección de Sistemas y Servicios Telemáticos/);
      expect(done.body.mensaje).toMatch(/oficio/);
      expect(done.body.mensaje).not.toMatch(/restablecida/);
      expect(await commandsOf(r.body.tramite)).toEqual([]);
      expect(mails().length).toBe(before);
    });

    it('5.3.2: the Subjefatura cannot pick a blocked account to reset (422); the case waits at the search', async () => {
      const w = await addWorker(ds(), { nombre: 'Carla', primerApellido: 'Ibarra' });
      const direccion = `becas.bloqueada@${DOMAIN}`;
      const cuenta = await existingAccount({
        direccion,
        tipo: 'servicio',
        curp: w.curp,
        password: 'clave-vieja-de-becas-2026',
        estado: 'bloqueada',
      });
      const caseId = await oficioAtSubjefatura({
        procedimiento: 'servicio-restablecer',
        numeroOficio: 'DB/0802/2026',
        area: 'Dirección de Becas',
        responsableId: ids.becas,
        asunto: `Restablecer ${direccion}`,
        cuentas: direccion,
      });
      const res = await act('sistemas', caseId, 'RESTABLECER', { cuentaId: cuenta.id });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ error: 'CUENTA_BLOQUEADA' });
      expect(res.body.mensaje).toContain(direccion);
      expect((await view('sistemas', caseId)).estado).toBe('busqueda');
    });
  });

  describe('accounts for inactive workers', () => {
    it('5.3.1: a Servicio/Función account for an inactive worker is refused at the Subjefatura’s step (422)', async () => {
      const inactive = await addWorker(ds(), { nombre: 'Elena', primerApellido: 'Vargas', activo: false });
      const caseId = await oficioAtSubjefatura({
        procedimiento: 'servicio-alta',
        numeroOficio: 'DB/0803/2026',
        area: 'Dirección de Becas',
        responsableId: ids.becas,
        asunto: 'Cuenta para el programa',
      });
      const res = await act('sistemas', caseId, 'CREAR_CUENTA', {
        tipo: 'funcion',
        curp: inactive.curp,
        localPart: 'atp.inactiva',
      });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ error: 'TRABAJADOR_INACTIVO' });
      expect(res.body.mensaje).toMatch(/activo/);
      expect((await view('sistemas', caseId)).estado).toBe('creacion');
      expect(await commandsOf(caseId)).toEqual(['renderAcuse']);
      expect(await ds().getRepository(Cuenta).countBy({ titularCurp: inactive.curp })).toBe(0);
    });

    it('5.4: an account is not reassigned to an inactive worker (422)', async () => {
      const holder = await addWorker(ds(), { nombre: 'Fidel', primerApellido: 'Castro' });
      const inactive = await addWorker(ds(), { nombre: 'Gloria', primerApellido: 'Mora', activo: false });
      const direccion = `programa.reasignar@${DOMAIN}`;
      const cuenta = await existingAccount({
        direccion,
        tipo: 'servicio',
        curp: holder.curp,
        password: 'clave-del-titular-2026',
      });
      const caseId = await oficioAtSubjefatura({
        procedimiento: 'cuenta-reasignar',
        numeroOficio: 'DB/0804/2026',
        area: 'Dirección de Becas',
        responsableId: ids.becas,
        asunto: `Reasignar ${direccion}`,
        cuentas: direccion,
      });
      const res = await act('sistemas', caseId, 'REASIGNAR', {
        cuentaId: cuenta.id,
        newCurp: inactive.curp,
        previousCurp: holder.curp,
      });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ error: 'TRABAJADOR_INACTIVO' });
      expect((await view('sistemas', caseId)).estado).toBe('busqueda');
      expect(await local.verifyPassword(direccion, 'clave-del-titular-2026')).toBe('ok');
    });
  });
});
