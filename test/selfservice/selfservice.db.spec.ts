import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { In } from 'typeorm';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Movement } from '../../src/engine/entities/movement.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { Task } from '../../src/engine/entities/task.entity';
import { ChosenPassword } from '../../src/provisioning/entities/chosen-password.entity';
import { LocalDirectoryProvider } from '../../src/provisioning/providers/local/local-directory.provider';
import { QueueRuntime } from '../../src/queue/queue-runtime.service';
import { InProcessDriver } from '../../src/queue/in-process.driver';
import { addWorker } from '../support/pipeline';
import { createTestApp, type TestApp } from '../support/test-app';

/** Relays the outbox and waits for the in-process jobs, as the running app does on its own every RELAY_INTERVAL_MS. */
async function settle(t: TestApp): Promise<void> {
  const runtime = t.app.get(QueueRuntime);
  for (let i = 0; i < 30; i++) {
    const n = await runtime.relayOnce();
    await (runtime.driver as InProcessDriver).idle();
    if (n === 0) return;
  }
}

const mails = (t: TestApp): string[] => {
  try {
    const dir = join(t.db.dataDir, 'outbox');
    return readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8').replace(/=\r?\n/g, ''));
  } catch {
    return [];
  }
};

describe('self-service (5.1.1, 5.1.2) and the PII request (5.2.2) over HTTP on the embedded default', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());
  beforeAll(async () => {
    t = await createTestApp({ RELAY_INTERVAL_MS: '60000', PII_API_KEY: 'clave-de-prueba-pii-123' });
  });
  afterAll(async () => t?.close());

  it('5.1.1: wrong CURT shows the inconsistency and lets the worker retry; then confirm, account, link, password', async () => {
    const w = await addWorker(t.db.dataSource, { nombre: 'Dolores', primerApellido: 'Güemes' });
    const wrong = await http().post('/api/autoservicio/alta').send({ curp: w.curp, curt: 'NOESLACURT' }).expect(200);
    expect(wrong.body).toMatchObject({ estado: 'inconsistencia', acciones: ['identificar'], trabajador: null });
    expect(wrong.body.mensaje).toMatch(/no coinciden/);
    const { tramite, token } = wrong.body;

    const ok = await http()
      .post(`/api/autoservicio/tramites/${tramite}/identificar`)
      .send({ token, curp: w.curp, curt: w.curt.toLowerCase() })
      .expect(200);
    expect(ok.body).toMatchObject({ estado: 'confirmacion', acciones: ['confirmar', 'no_confirmar'] });
    expect(ok.body.trabajador.nombre).toBe('Dolores Güemes Ochoa');
    expect(ok.body.trabajador.correoAlterno).not.toBe(w.correoAlterno); // masked

    await http()
      .post(`/api/autoservicio/tramites/${tramite}/confirmar`)
      .send({ token: 'x'.repeat(43), confirma: true })
      .expect(404);
    const confirmed = await http()
      .post(`/api/autoservicio/tramites/${tramite}/confirmar`)
      .send({ token, confirma: true })
      .expect(200);
    expect(confirmed.body.estado).toBe('aprovisionamiento');
    await settle(t);
    const done = await http().get(`/api/autoservicio/tramites/${tramite}`).query({ token }).expect(200);
    expect(done.body).toMatchObject({ concluido: true, resultado: 'creada' });
    expect(done.body.mensaje).toMatch(/enlace/);

    const cuenta = await t.db.dataSource.getRepository(Cuenta).findOneByOrFail({ titularCurp: w.curp });
    expect(cuenta.direccion).toBe('dolores.guemes@colima.gob.mx');
    const mail = mails(t).find((m) => m.includes(w.correoAlterno!))!;
    const link = /\/activar\/([A-Za-z0-9_-]{43})/.exec(mail)![1];
    const form = await http().get(`/activar/${link}`).expect(200);
    expect(form.text).toContain('dolores.guemes@colima.gob.mx');
    const weak = await http()
      .post(`/activar/${link}`)
      .type('form')
      .send({ contrasena: 'dolores12345', confirmacion: 'dolores12345' })
      .expect(400);
    expect(weak.text).toMatch(/class="error"/);
    await http()
      .post(`/activar/${link}`)
      .type('form')
      .send({ contrasena: 'cometa-nopal-brisa-31', confirmacion: 'cometa-nopal-brisa-31' })
      .expect(200);
    const local = new LocalDirectoryProvider(t.db.dataSource);
    expect(await local.verifyPassword(cuenta.direccion, 'cometa-nopal-brisa-31')).toBe('ok');
    expect((await http().get(`/activar/${link}`)).status).toBe(410);
  });

  it('never stores the CURT (the self-service secret): no movement, snapshot, task or outbox row holds it', async () => {
    const ds = t.db.dataSource;
    const w = await addWorker(ds, { curt: 'QX7CURT94Z' });
    const typo = 'QX7CURT94Y';
    const first = await http().post('/api/autoservicio/alta').send({ curp: w.curp, curt: typo }).expect(200);
    const { tramite, token } = first.body;
    await http()
      .post(`/api/autoservicio/tramites/${tramite}/identificar`)
      .send({ token, curp: w.curp, curt: w.curt })
      .expect(200);
    await http().post(`/api/autoservicio/tramites/${tramite}/confirmar`).send({ token, confirma: true }).expect(200);
    await settle(t);
    const reset = await http()
      .post('/api/autoservicio/restablecer')
      .send({ curp: w.curp, curt: w.curt.toLowerCase() })
      .expect(200);
    expect(reset.body.estado).toBe('confirmacion');
    await http()
      .post(`/api/autoservicio/tramites/${reset.body.tramite}/confirmar`)
      .send({ token: reset.body.token, confirma: true })
      .expect(200);
    await settle(t);
    const ids = [tramite as string, reset.body.tramite as string];
    const cases = await ds.getRepository(ProcedureCase).find({ where: { id: In(ids) } });
    expect(cases.map((c) => c.outcome).sort()).toEqual(['creada', 'restablecida']);
    const stored = [
      ...(await ds.getRepository(Movement).find({ where: { caseId: In(ids) } })).map(
        (m) => `movement ${m.eventType}: ${m.data}`,
      ),
      ...cases.map((c) => `snapshot: ${c.snapshot}`),
      ...(await ds.getRepository(Task).find({ where: { caseId: In(ids) } })).map((x) => `task: ${JSON.stringify(x)}`),
      ...(await ds.getRepository(OutboxCommand).find({ where: { caseId: In(ids) } })).map(
        (o) => `outbox ${o.type}: ${o.payload}`,
      ),
    ];
    expect(stored.filter((s) => s.startsWith('movement IDENTIFICAR')).length).toBe(3);
    expect(stored.filter((s) => /QX7CURT94/i.test(s))).toEqual([]);
  });

  it('5.1.2 for a worker without an account tells them to use 5.1.1; 5.1.1 twice tells them they have one', async () => {
    const w = await addWorker(t.db.dataSource);
    const r = await http().post('/api/autoservicio/restablecer').send({ curp: w.curp, curt: w.curt }).expect(200);
    expect(r.body).toMatchObject({ concluido: true, resultado: 'sin_cuenta' });
  });

  it('rejects a malformed CURP with a Spanish reason (400) and stores nothing', async () => {
    const r = await http().post('/api/autoservicio/alta').send({ curp: 'GOMC850231MCMRRR09', curt: 'X1' }).expect(400);
    expect(r.body.mensaje).toMatch(/fecha|CURP/i);
  });

  describe('at most one open request per worker and procedure (issue 9)', () => {
    const openCases = (procedureId: string, curp: string) =>
      t.db.dataSource
        .getRepository(ProcedureCase)
        .find({ where: { procedureId, curp, status: In(['activo', 'incidente']) } });

    it('four 5.1.1 requests for the same CURP at once: one case; the others resume it and are told so', async () => {
      const w = await addWorker(t.db.dataSource, { nombre: 'Leticia', primerApellido: 'Orozco' });
      const answers = await Promise.all(
        [1, 2, 3, 4].map(() => http().post('/api/autoservicio/alta').send({ curp: w.curp, curt: w.curt })),
      );
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      expect(new Set(answers.map((a) => a.body.tramite)).size).toBe(1);
      expect(answers.filter((a) => a.body.existente === false)).toHaveLength(1);
      for (const a of answers.filter((x) => x.body.existente)) {
        expect(a.body).toMatchObject({ estado: 'confirmacion', acciones: ['confirmar', 'no_confirmar'] });
        expect(a.body.mensaje).toMatch(/^Ya tiene una solicitud en curso/);
      }
      expect(await openCases('personal-alta', w.curp)).toHaveLength(1);
    });

    it('a second 5.1.2 request while one is open gets it, with where the link will go; once it ends, a new one opens', async () => {
      const w = await addWorker(t.db.dataSource, { nombre: 'Rigoberto', primerApellido: 'Cisneros' });
      const first = await http().post('/api/autoservicio/alta').send({ curp: w.curp, curt: w.curt }).expect(200);
      await http()
        .post(`/api/autoservicio/tramites/${first.body.tramite}/confirmar`)
        .send({ token: first.body.token, confirma: true })
        .expect(200);
      await settle(t);
      const reset = await http().post('/api/autoservicio/restablecer').send({ curp: w.curp, curt: w.curt }).expect(200);
      await http()
        .post(`/api/autoservicio/tramites/${reset.body.tramite}/confirmar`)
        .send({ token: reset.body.token, confirma: true })
        .expect(200);
      // Provisioning has not run yet: the reset is in course.
      const again = await http().post('/api/autoservicio/restablecer').send({ curp: w.curp, curt: w.curt }).expect(200);
      expect(again.body).toMatchObject({
        tramite: reset.body.tramite,
        existente: true,
        concluido: false,
        acciones: [],
      });
      expect(again.body.mensaje).toContain('Ya tiene una solicitud en curso');
      expect(again.body.mensaje).toContain(again.body.trabajador.correoAlterno);
      await settle(t);
      const links = mails(t).filter((m) => m.includes(w.correoAlterno!) && /\/activar\//.test(m));
      expect(links).toHaveLength(2); // one for the new account, one for the reset: not one per request
      const next = await http().post('/api/autoservicio/restablecer').send({ curp: w.curp, curt: w.curt }).expect(200);
      expect(next.body).toMatchObject({ existente: false, estado: 'confirmacion' });
      expect(next.body.tramite).not.toBe(reset.body.tramite);
    });

    it('a wrong CURT never reaches the open request (nor blocks it), and a retry that identifies resumes it', async () => {
      const w = await addWorker(t.db.dataSource, { nombre: 'Amparo', primerApellido: 'Vázquez' });
      const open = await http().post('/api/autoservicio/alta').send({ curp: w.curp, curt: w.curt }).expect(200);
      const stranger = await http()
        .post('/api/autoservicio/alta')
        .send({ curp: w.curp, curt: 'NOESLACURT' })
        .expect(200);
      expect(stranger.body).toMatchObject({ estado: 'inconsistencia', existente: false, trabajador: null });
      expect(stranger.body.tramite).not.toBe(open.body.tramite);
      const retried = await http()
        .post(`/api/autoservicio/tramites/${stranger.body.tramite}/identificar`)
        .send({ token: stranger.body.token, curp: w.curp, curt: w.curt })
        .expect(200);
      expect(retried.body).toMatchObject({ tramite: open.body.tramite, existente: true, estado: 'confirmacion' });
      expect(
        await openCases('personal-alta', w.curp).then((cs) =>
          cs.filter((c) => c.state === 'confirmacion').map((c) => c.id),
        ),
      ).toEqual([open.body.tramite]);
    });

    it('a request and a retry that identifies the same worker at once: one identified case', async () => {
      const w = await addWorker(t.db.dataSource, { nombre: 'Fermín', primerApellido: 'Aguayo' });
      const typo = await http().post('/api/autoservicio/alta').send({ curp: w.curp, curt: 'NOESLACURT' }).expect(200);
      const [a, b] = await Promise.all([
        http().post('/api/autoservicio/alta').send({ curp: w.curp, curt: w.curt }),
        http()
          .post(`/api/autoservicio/tramites/${typo.body.tramite}/identificar`)
          .send({ token: typo.body.token, curp: w.curp, curt: w.curt }),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(a.body.tramite).toBe(b.body.tramite);
      expect((await openCases('personal-alta', w.curp)).filter((c) => c.state === 'confirmacion')).toHaveLength(1);
    });

    it('two confirmations of the same request at once: one goes ahead, the other gets a Spanish 409; one creation', async () => {
      const w = await addWorker(t.db.dataSource, { nombre: 'Olga', primerApellido: 'Medina' });
      const r = await http().post('/api/autoservicio/alta').send({ curp: w.curp, curt: w.curt }).expect(200);
      const both = await Promise.all(
        [1, 2].map(() =>
          http()
            .post(`/api/autoservicio/tramites/${r.body.tramite}/confirmar`)
            .send({ token: r.body.token, confirma: true }),
        ),
      );
      expect(both.map((x) => x.status).sort()).toEqual([200, 409]);
      const loser = both.find((x) => x.status === 409)!;
      expect(loser.body).toMatchObject({
        error: 'VERSION_CAMBIO',
        mensaje: expect.stringMatching(/^Su solicitud cambió desde que la consultó/),
      });
      const commands = await t.db.dataSource
        .getRepository(OutboxCommand)
        .findBy({ caseId: r.body.tramite, type: 'provision' });
      expect(commands).toHaveLength(1);
    });

    it('the page: a second confirmation says so in Spanish with a 409 and a link to the request', async () => {
      const w = await addWorker(t.db.dataSource, { nombre: 'Saúl', primerApellido: 'Benítez' });
      const r = await http().post('/api/autoservicio/alta').send({ curp: w.curp, curt: w.curt }).expect(200);
      await http()
        .post(`/correo/tramite/${r.body.tramite}/confirmar`)
        .type('form')
        .send({ token: r.body.token, confirma: 'si' })
        .expect(200);
      const late = await http()
        .post(`/correo/tramite/${r.body.tramite}/confirmar`)
        .type('form')
        .send({ token: r.body.token, confirma: 'si' })
        .expect(409);
      expect(late.text).toMatch(/Su solicitud cambió desde que la consultó/);
      // The link's "=" may be written as an HTML entity (the page's escaper writes `&#x3D;`); a browser reads both alike.
      expect(late.text.replace(/&#x3D;/g, '=')).toContain(`/correo/tramite/${r.body.tramite}?token=`);
    });
  });

  it('5.2.2: the PII asks with a chosen password; it is sealed, applied by 5.2.3, and wiped', async () => {
    const ds = t.db.dataSource;
    const director = await addWorker(ds, { nombre: 'Ramón', primerApellido: 'López' });
    await ds.getRepository(CentroTrabajo).insert({
      cct: '06DPR0001A',
      nombre: 'Escuela Primaria Benito Juárez',
      nivelClave: 'PRIMARIA',
      directorCurp: director.curp,
      correo: null,
      estatus: 'activo',
    });
    await ds.getRepository(Cuenta).insert({
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
    const local = new LocalDirectoryProvider(ds);
    await local.create({
      address: '06dpr0001a@colima.gob.mx',
      tipo: 'centro_trabajo',
      holder: {
        kind: 'centro',
        cct: '06DPR0001A',
        givenName: 'Escuela',
        familyName: '06DPR0001A',
        displayName: 'Escuela',
      },
      password: 'vieja-clave-de-la-escuela',
      changeAtNextLogin: false,
    });

    await http().post('/api/pii/centros/06DPR0001A/restablecer-contrasena').send({ contrasena: 'x' }).expect(401);
    // Without the key nothing is looked at: a body that would not validate, or a wrong CCT, still answers 401.
    for (const bad of [{ contrasena: 7 }, { contrasena: 'x'.repeat(500), canal: 'fax' }]) {
      const anon = await http()
        .post('/api/pii/centros/06DPR0001A/restablecer-contrasena')
        .set('X-Api-Key', 'otra-clave')
        .send(bad)
        .expect(401);
      expect(anon.body.error).toBe('NO_AUTENTICADO');
    }
    await http()
      .post('/api/pii/centros/NO-ES-CCT/restablecer-contrasena')
      .send({ contrasena: 'jacaranda-volcan-2026' })
      .expect(401);
    const weak = await http()
      .post('/api/pii/centros/06DPR0001A/restablecer-contrasena')
      .set('X-Api-Key', 'clave-de-prueba-pii-123')
      .send({ contrasena: '123456789012' })
      .expect(400);
    expect(weak.body.error).toBe('CONTRASENA_DEBIL');
    const res = await http()
      .post('/api/pii/centros/06DPR0001A/restablecer-contrasena')
      .set('X-Api-Key', 'clave-de-prueba-pii-123')
      .send({ contrasena: 'jacaranda-volcan-2026' })
      .expect(202);
    expect(res.body.mensaje).toMatch(/a más tardar el/);
    const sealed = await ds.getRepository(ChosenPassword).findOneByOrFail({ caseId: res.body.tramite });
    expect(sealed.sealed).not.toContain('jacaranda');

    // 5.2.3: the Subjefatura analyses, resets, confirms.
    const { createStaff, login } = await import('../support/staff');
    await createStaff(ds, 'sj-pii', 'subjefatura');
    const tok = await login(t.app, 'sj-pii');
    let view = await http().get(`/api/tramites/${res.body.tramite}`).set('Authorization', `Bearer ${tok}`).expect(200);
    await http()
      .post(`/api/tramites/${res.body.tramite}/eventos`)
      .set('Authorization', `Bearer ${tok}`)
      .send({
        tipo: 'RESTABLECER',
        version: view.body.version,
        datos: { cuentaId: '11111111-1111-4111-a111-111111111111' },
      })
      .expect(200);
    view = await http().get(`/api/tramites/${res.body.tramite}`).set('Authorization', `Bearer ${tok}`).expect(200);
    await http()
      .post(`/api/tramites/${res.body.tramite}/eventos`)
      .set('Authorization', `Bearer ${tok}`)
      .send({ tipo: 'CONFIRMAR', version: view.body.version })
      .expect(200);
    await settle(t);
    view = await http().get(`/api/tramites/${res.body.tramite}`).set('Authorization', `Bearer ${tok}`).expect(200);
    expect(view.body).toMatchObject({ situacion: 'concluido', resultado: 'restablecida' });
    expect(await local.verifyPassword('06dpr0001a@colima.gob.mx', 'jacaranda-volcan-2026')).toBe('ok');
    expect(await ds.getRepository(ChosenPassword).countBy({ caseId: res.body.tramite })).toBe(0);
    const mail = mails(t).find((m) => m.includes(director.correoAlterno!) && m.includes('06dpr0001a'));
    expect(mail).toBeDefined();
    expect(mail).not.toContain('jacaranda-volcan-2026');
  });
});
