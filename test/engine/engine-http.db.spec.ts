import request from 'supertest';
import { createStaff, login, STAFF_PASSWORD } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';
import { testProcedure } from '../support/test-machine';

describe('engine over HTTP: sign-in, cases, inbox', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const http = () => request(t.app.getHttpServer());
  beforeAll(async () => {
    t = await createTestApp({}, { procedures: [testProcedure(1)] });
    const ds = t.db.dataSource;
    await createStaff(ds, 'oficialia', 'subdireccion');
    await createStaff(ds, 'sistemas', 'subjefatura');
    await createStaff(ds, 'sistemas2', 'subjefatura');
    await createStaff(ds, 'primaria', 'nivel', { nivelClave: 'PRIMARIA' });
    await createStaff(ds, 'nuevo', 'subjefatura', { mustChangePassword: true });
    for (const u of ['oficialia', 'sistemas', 'sistemas2', 'primaria', 'nuevo']) tokens[u] = await login(t.app, u);
  });
  afterAll(async () => t?.close());

  it('refuses wrong credentials in Spanish and asks to sign in on protected routes', async () => {
    const bad = await http().post('/api/auth/login').send({ usuario: 'oficialia', contrasena: 'otra' }).expect(401);
    expect(bad.body).toEqual({ error: 'CREDENCIALES_INVALIDAS', mensaje: 'Usuario o contraseña incorrectos.' });
    const anon = await http().get('/api/bandeja').expect(401);
    expect(anon.body.mensaje).toMatch(/Inicie sesión/);
    const invalid = await http().post('/api/auth/login').send({ usuario: 'x', contrasena: 'y', extra: 1 }).expect(400);
    expect(invalid.body.mensaje).toMatch(/El campo «extra» no se admite/);
  });

  it('makes a first-login user change the password before anything else, with the policy', async () => {
    await http().get('/api/bandeja').set('Authorization', `Bearer ${tokens.nuevo}`).expect(403);
    const weak = await http()
      .post('/api/auth/contrasena')
      .set('Authorization', `Bearer ${tokens.nuevo}`)
      .send({ actual: STAFF_PASSWORD, nueva: 'password1234' })
      .expect(400);
    expect(weak.body.error).toBe('CONTRASENA_DEBIL');
    await http()
      .post('/api/auth/contrasena')
      .set('Authorization', `Bearer ${tokens.nuevo}`)
      .send({ actual: STAFF_PASSWORD, nueva: 'mariposa-volcan-tinta-88' })
      .expect(204);
    // every session ends with the change; the new password works
    await http().get('/api/auth/yo').set('Authorization', `Bearer ${tokens.nuevo}`).expect(401);
    const tok = await login(t.app, 'nuevo', 'mariposa-volcan-tinta-88');
    await http().get('/api/bandeja').set('Authorization', `Bearer ${tok}`).expect(200);
  });

  it('runs a case through the API with 403 / 409 / 422 and the inbox of each role', async () => {
    const started = await http()
      .post('/api/tramites')
      .set('Authorization', `Bearer ${tokens.oficialia}`)
      .send({ procedimiento: 'prueba', datos: { folio: 'SSST-2026-0007', nivelClave: 'PRIMARIA' } })
      .expect(201);
    const id = started.body.caseId as string;

    const inboxSub = await http().get('/api/bandeja').set('Authorization', `Bearer ${tokens.oficialia}`).expect(200);
    expect(inboxSub.body.items.map((i: { tramite: string }) => i.tramite)).toContain(id);
    const view = await http().get(`/api/tramites/${id}`).set('Authorization', `Bearer ${tokens.oficialia}`).expect(200);
    expect(view.body).toMatchObject({
      estado: 'recibido',
      version: 1,
      acciones: [{ evento: 'TURNAR' }],
      folio: 'SSST-2026-0007',
    });

    const forbidden = await http()
      .post(`/api/tramites/${id}/eventos`)
      .set('Authorization', `Bearer ${tokens.sistemas}`)
      .send({ tipo: 'TURNAR', version: 1 })
      .expect(403);
    expect(forbidden.body.mensaje).toMatch(/corresponde a: Subdirección/);
    await http()
      .post(`/api/tramites/${id}/eventos`)
      .set('Authorization', `Bearer ${tokens.oficialia}`)
      .send({ tipo: 'TURNAR', version: 1 })
      .expect(200);
    const stale = await http()
      .post(`/api/tramites/${id}/eventos`)
      .set('Authorization', `Bearer ${tokens.sistemas}`)
      .send({ tipo: 'CANCELAR', version: 1 })
      .expect(409);
    expect(stale.body).toMatchObject({ error: 'VERSION_CAMBIO', versionActual: 2 });
    // TURNAR again: the Subdirección may send it, but not in this state (422); the Subjefatura never may (403).
    const notAccepted = await http()
      .post(`/api/tramites/${id}/eventos`)
      .set('Authorization', `Bearer ${tokens.oficialia}`)
      .send({ tipo: 'TURNAR', version: 2 })
      .expect(422);
    expect(notAccepted.body.error).toBe('ACCION_NO_DISPONIBLE');
    await http()
      .post(`/api/tramites/${id}/eventos`)
      .set('Authorization', `Bearer ${tokens.sistemas}`)
      .send({ tipo: 'TURNAR', version: 2 })
      .expect(403);

    // The Subjefatura's inbox now has it; one person takes it, the other gets 409.
    const inbox = await http()
      .get('/api/bandeja')
      .query({ folio: 'SSST-2026-0007' })
      .set('Authorization', `Bearer ${tokens.sistemas}`)
      .expect(200);
    expect(inbox.body.total).toBe(1);
    const task = inbox.body.items[0];
    expect(task).toMatchObject({ rol: 'subjefatura', prioridad: 'alta', vencida: false, nivel: 'PRIMARIA' });
    await http().post(`/api/tareas/${task.id}/tomar`).set('Authorization', `Bearer ${tokens.sistemas}`).expect(200);
    await http().post(`/api/tareas/${task.id}/tomar`).set('Authorization', `Bearer ${tokens.sistemas2}`).expect(409);
    await http().post(`/api/tareas/${task.id}/liberar`).set('Authorization', `Bearer ${tokens.sistemas2}`).expect(403);
    const mine = await http()
      .get('/api/bandeja')
      .query({ asignacion: 'mias' })
      .set('Authorization', `Bearer ${tokens.sistemas}`)
      .expect(200);
    expect(mine.body.items.map((i: { id: string }) => i.id)).toEqual([task.id]);
    // A Nivel user has no access to another role's task and cannot act.
    await http().post(`/api/tareas/${task.id}/tomar`).set('Authorization', `Bearer ${tokens.primaria}`).expect(404);

    await http()
      .post(`/api/tramites/${id}/eventos`)
      .set('Authorization', `Bearer ${tokens.sistemas}`)
      .send({ tipo: 'CREAR', version: 2, datos: { curp: 'GOMC850315MCMRRR09' } })
      .expect(200);
    const moves = await http()
      .get(`/api/tramites/${id}/movimientos`)
      .set('Authorization', `Bearer ${tokens.oficialia}`)
      .expect(200);
    expect(moves.body.map((m: { evento: string }) => m.evento)).toEqual(['INICIAR', 'TURNAR', 'CREAR']);
    await http().get('/api/tramites/no-es-un-id').set('Authorization', `Bearer ${tokens.oficialia}`).expect(404);

    const svg = await http()
      .get(`/api/tramites/${id}/diagrama.svg`)
      .set('Authorization', `Bearer ${tokens.oficialia}`)
      .expect(200);
    expect(svg.headers['content-type']).toMatch(/image\/svg\+xml/);
    const text = typeof svg.text === 'string' && svg.text ? svg.text : Buffer.from(svg.body as Buffer).toString('utf8');
    const active = text.match(/<g[^>]*data-activo="true"[^>]*>/g) ?? [];
    expect(active).toHaveLength(1);
    expect(active[0]).toContain('provisionando');
  });

  it("draws the procedures' diagrams for signed-in staff only", async () => {
    // DiagramController (src/diagram) serves them: same guard as the rest of the API, nothing open.
    await http().get('/api/procedimientos/prueba/diagrama.svg').expect(401);
    await http().get('/api/tramites/00000000-0000-4000-8000-000000000000/diagrama.svg').expect(401);
    const svg = await http()
      .get('/api/procedimientos/prueba/diagrama.svg')
      .set('Authorization', `Bearer ${tokens.sistemas}`)
      .expect(200);
    expect(svg.headers['content-type']).toMatch(/image\/svg\+xml/);
    const text = typeof svg.text === 'string' && svg.text ? svg.text : Buffer.from(svg.body as Buffer).toString('utf8');
    expect(text).toMatch(/^<svg [^>]*data-procedure="prueba"/);
    expect(text).not.toContain('data-activo');
    const unknown = await http()
      .get('/api/procedimientos/no-existe/diagrama.svg')
      .set('Authorization', `Bearer ${tokens.sistemas}`)
      .expect(404);
    // An error is JSON, like every other error of the API (the SVG type is set only on the diagram itself).
    expect(unknown.headers['content-type']).toMatch(/application\/json/);
    expect(unknown.body).toEqual({
      error: 'PROCEDIMIENTO_DESCONOCIDO',
      mensaje: 'No existe el procedimiento «no-existe».',
    });
    await http()
      .get('/api/procedimientos/prueba/diagrama.svg')
      .query({ version: '7' })
      .set('Authorization', `Bearer ${tokens.sistemas}`)
      .expect(422);
    // A case that does not exist (or a malformed id) is a 404, as for the case itself.
    await http()
      .get('/api/tramites/00000000-0000-4000-8000-000000000000/diagrama.svg')
      .set('Authorization', `Bearer ${tokens.sistemas}`)
      .expect(404);
    await http()
      .get('/api/tramites/no-es-un-id/diagrama.svg')
      .set('Authorization', `Bearer ${tokens.sistemas}`)
      .expect(404);
  });

  it('starts oficio procedures only through the registration of the oficio', async () => {
    const res = await http()
      .post('/api/tramites')
      .set('Authorization', `Bearer ${tokens.oficialia}`)
      .send({ procedimiento: 'cuenta-bloquear', datos: {} })
      .expect(422);
    expect(res.body.error).toBe('REQUIERE_OFICIO');
  });

  it('validates inbox filters with Spanish messages', async () => {
    const res = await http()
      .get('/api/bandeja')
      .query({ porPagina: 500 })
      .set('Authorization', `Bearer ${tokens.sistemas}`)
      .expect(400);
    expect(res.body.mensaje).toMatch(/porPagina admite hasta 100/);
    // Cursors: the answer documents them; a malformed or tampered one is a 400 in Spanish, never a 500.
    const ok = await http().get('/api/bandeja').set('Authorization', `Bearer ${tokens.sistemas}`).expect(200);
    expect(ok.body).toMatchObject({ totalAcotado: false, siguiente: null, anterior: null, porPagina: 25 });
    const tampered = Buffer.from(JSON.stringify([Date.now(), 2, "1' OR '1'='1"])).toString('base64url');
    for (const [param, value] of [
      ['despues', '%%%'],
      ['despues', tampered],
      ['antes', Buffer.from('[1,2]').toString('base64url')],
      ['antes', 'a'.repeat(300)],
    ]) {
      const bad = await http()
        .get('/api/bandeja')
        .query({ [param]: value })
        .set('Authorization', `Bearer ${tokens.sistemas}`)
        .expect(400);
      expect(bad.body.mensaje).toContain(`El parámetro «${param}» no es válido`);
    }
  });
});

describe('administrators manage staff users', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());
  beforeAll(async () => {
    t = await createTestApp();
    await createStaff(t.db.dataSource, 'admin', 'administrador');
    await createStaff(t.db.dataSource, 'otro', 'subjefatura');
  });
  afterAll(async () => t?.close());

  it('creates a Nivel user with a first-login password shown once; others may not', async () => {
    const admin = await login(t.app, 'admin');
    const other = await login(t.app, 'otro');
    await http()
      .post('/api/admin/usuarios')
      .set('Authorization', `Bearer ${other}`)
      .send({ usuario: 'sec', nombre: 'Secundaria', rol: 'nivel', nivel: 'SECUNDARIA' })
      .expect(403);
    const noNivel = await http()
      .post('/api/admin/usuarios')
      .set('Authorization', `Bearer ${admin}`)
      .send({ usuario: 'sec', nombre: 'Nivel Secundaria', rol: 'nivel', nivel: 'NO_EXISTE' })
      .expect(400);
    expect(noNivel.body.error).toBe('NIVEL_DESCONOCIDO');
    await t.db.dataSource.query("INSERT INTO nivel (clave, nombre) VALUES ('SECUNDARIA', 'Secundaria')");
    const created = await http()
      .post('/api/admin/usuarios')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        usuario: 'sec',
        nombre: 'Nivel Secundaria',
        rol: 'nivel',
        nivel: 'secundaria',
        correo: 'secundaria@example.test',
      })
      .expect(201);
    expect(created.body).toMatchObject({ usuario: 'sec', nivel: 'SECUNDARIA', debeCambiarContrasena: true });
    const first = await login(t.app, 'sec', created.body.contrasenaInicial);
    await http().get('/api/bandeja').set('Authorization', `Bearer ${first}`).expect(403); // must change it first
    const list = await http().get('/api/admin/usuarios').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(JSON.stringify(list.body)).not.toContain(created.body.contrasenaInicial);
    await http()
      .post(`/api/admin/usuarios/${created.body.id}/desactivar`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    await http().get('/api/auth/yo').set('Authorization', `Bearer ${first}`).expect(401);
  });
});
