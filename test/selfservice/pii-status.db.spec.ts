/**
 * A school's reset request (5.2.2) always gets an answer (issue 12 §2): when the Subjefatura rejects it, the school is
 * told at its institutional address with the motivo, and the PII reads where any of its requests stands with GET,
 * behind the same API key as the request, a school seeing only its own. Runs on SQLite and, with TEST_DB=mariadb, on
 * MariaDB.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { ChosenPassword } from '../../src/provisioning/entities/chosen-password.entity';
import { settle } from '../oficios/support';
import { addWorker } from '../support/pipeline';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';

const KEY = 'clave-de-prueba-pii-456';
const MOTIVO = 'El director registrado en el Catálogo de Centros de Trabajo no coincide con quien firma la solicitud.';

describe('PII: a rejected reset is reported to the school, and the PII reads the status of its requests', () => {
  let t: TestApp;
  let tok = '';
  const http = () => request(t.app.getHttpServer());
  const ds = () => t.db.dataSource;
  const pii = (path: string) => http().get(`/api/pii/centros/${path}`).set('X-Api-Key', KEY);
  const mailsTo = (address: string): string[] => {
    try {
      const dir = join(t.db.dataDir, 'outbox');
      return (
        readdirSync(dir)
          .map((f) => readFileSync(join(dir, f), 'utf8').replace(/=\r?\n/g, ''))
          // quoted-printable bodies: the accents back as UTF-8
          .map((m) =>
            Buffer.from(
              m.replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
              'latin1',
            ).toString('utf8'),
          )
          .filter((m) => new RegExp(`^To: .*${address}`, 'mi').test(m))
      );
    } catch {
      return [];
    }
  };
  const school = async (cct: string, nombre: string) => {
    const director = await addWorker(ds(), { nombre: 'Ramón', primerApellido: 'López' });
    await ds().getRepository(CentroTrabajo).insert({
      cct,
      nombre,
      nivelClave: 'PRIMARIA',
      directorCurp: director.curp,
      correo: null,
      estatus: 'activo',
    });
    const local = cct.toLowerCase();
    await ds()
      .getRepository(Cuenta)
      .insert({
        id: `11111111-1111-4111-a111-${cct === '06DPR0001A' ? '111111111111' : '222222222222'}`,
        direccion: `${local}@colima.gob.mx`,
        localPart: local,
        dominio: 'colima.gob.mx',
        tipo: 'centro_trabajo',
        titularTipo: 'centro',
        titularCurp: null,
        titularCct: cct,
        estado: 'activa',
        proveedor: 'local',
        proveedorId: null,
      });
  };
  const ask = async (cct: string): Promise<string> =>
    (
      await http()
        .post(`/api/pii/centros/${cct}/restablecer-contrasena`)
        .set('X-Api-Key', KEY)
        .send({ contrasena: 'jacaranda-volcan-2026' })
        .expect(202)
    ).body.tramite as string;

  beforeAll(async () => {
    t = await createTestApp({ RELAY_INTERVAL_MS: '60000', PII_API_KEY: KEY });
    await school('06DPR0001A', 'Escuela Primaria Benito Juárez');
    await school('06DPR0002Z', 'Escuela Primaria Miguel Hidalgo');
    await createStaff(ds(), 'sj-pii', 'subjefatura');
    tok = await login(t.app, 'sj-pii');
  });
  afterAll(async () => t?.close());

  it('mails the rejection with its motivo to the school, and the status says rechazada with the motivo', async () => {
    const tramite = await ask('06DPR0001A');
    expect((await ds().getRepository(ProcedureCase).findOneByOrFail({ id: tramite })).procedureVersion).toBe(2);

    const pending = await pii(`06DPR0001A/restablecer-contrasena/${tramite}`).expect(200);
    expect(pending.body).toMatchObject({
      tramite,
      cct: '06DPR0001A',
      estado: 'en_revision',
      motivo: null,
      concluida: null,
      atenderAMasTardar: expect.any(String),
    });

    const { version } = await ds().getRepository(ProcedureCase).findOneByOrFail({ id: tramite });
    await http()
      .post(`/api/tramites/${tramite}/eventos`)
      .set('Authorization', `Bearer ${tok}`)
      .send({ tipo: 'RECHAZAR', version, datos: { motivo: MOTIVO } })
      .expect(200);
    await settle(t);

    const sent = mailsTo('06dpr0001a@colima.gob.mx');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('no procede');
    expect(sent[0]).toContain('Escuela Primaria Benito Juárez');
    expect(sent[0]).toContain(MOTIVO);
    expect(sent[0]).not.toContain('jacaranda-volcan-2026');
    expect(await ds().getRepository(ChosenPassword).countBy({ caseId: tramite })).toBe(0);
    // Nothing to the other school.
    expect(mailsTo('06dpr0002z@colima.gob.mx')).toEqual([]);

    const done = await pii(`06DPR0001A/restablecer-contrasena/${tramite}`).expect(200);
    expect(done.body).toMatchObject({ estado: 'rechazada', motivo: MOTIVO, concluida: expect.any(String) });
    expect(done.body.mensaje).toContain('no procede');
    // A lower-case CCT in the path is the same school.
    await pii(`06dpr0001a/restablecer-contrasena/${tramite}`).expect(200);
  });

  it('shows a school only its own requests; without the key nothing', async () => {
    const mine = await ask('06DPR0002Z');
    const list = await pii('06DPR0002Z/restablecer-contrasena').expect(200);
    expect(list.body.map((r: { tramite: string }) => r.tramite)).toEqual([mine]);
    expect(list.body[0]).toMatchObject({ estado: 'en_revision', cct: '06DPR0002Z' });

    const other = (await pii('06DPR0001A/restablecer-contrasena').expect(200)).body as { tramite: string }[];
    expect(other.map((r) => r.tramite)).not.toContain(mine);
    const foreign = await pii(`06DPR0001A/restablecer-contrasena/${mine}`).expect(404);
    expect(foreign.body).toMatchObject({ error: 'SOLICITUD_NO_ENCONTRADA' });
    expect(foreign.body.mensaje).toContain('No existe la solicitud');
    await pii('06DPR0001A/restablecer-contrasena/no-es-un-tramite').expect(404);
    await pii(`NO-ES-CCT/restablecer-contrasena/${mine}`).expect(400);

    for (const key of [undefined, 'otra-clave']) {
      const r = http().get(`/api/pii/centros/06DPR0002Z/restablecer-contrasena/${mine}`);
      if (key) void r.set('X-Api-Key', key);
      expect((await r.expect(401)).body.error).toBe('NO_AUTENTICADO');
    }
  });
});
