import request from 'supertest';
import { StaffUser } from '../../src/auth/staff-user.entity';
import { Oficio } from '../../src/oficios/entities/oficio.entity';
import { addNiveles, scannedOficio } from '../oficios/support';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * The review's CSRF finding, as HTTP rules: the JSON API takes a Bearer token, or the session cookie only with the
 * page's CSRF token in X-CSRF-Token for anything that changes state; it never parses form bodies. The browser attack
 * itself is in test/web/csrf.e2e.spec.ts.
 */
describe('JSON API: Bearer token, or the session cookie with a CSRF header; no form bodies', () => {
  let t: TestApp;
  let pdf: Buffer;
  const http = () => request(t.app.getHttpServer());
  const ds = () => t.db.dataSource;
  const newUser = (usuario: string) => ({ usuario, nombre: 'Persona de Prueba', rol: 'administrador' });
  const exists = (usuario: string) => ds().getRepository(StaffUser).exists({ where: { usuario } });

  /** Signs in the way the pages do (the API's login sets the same cookie) and returns the cookie header and the CSRF token. */
  const cookieSession = async (usuario: string): Promise<{ cookie: string; csrf: string }> => {
    const res = await http()
      .post('/api/auth/login')
      .send({ usuario, contrasena: 'caballo-bateria-grapa-correcta' })
      .expect(200);
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0])
      .find((c) => c.startsWith('mci_sesion='));
    if (!cookie) throw new Error('sin cookie de sesión');
    const yo = await http().get('/api/auth/yo').set('Cookie', cookie).expect(200);
    expect(yo.body.csrf).toBe(res.body.csrf);
    return { cookie, csrf: yo.body.csrf as string };
  };

  beforeAll(async () => {
    t = await createTestApp({ RELAY_INTERVAL_MS: '60000' });
    await addNiveles(ds());
    await createStaff(ds(), 'admin', 'administrador');
    await createStaff(ds(), 'oficialia', 'subdireccion');
    pdf = await scannedOficio('Oficio DA/0001/2026. Solicitud de bloqueo.');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a state change with the session cookie alone (403 in Spanish) and creates nothing', async () => {
    const { cookie } = await cookieSession('admin');
    const res = await http().post('/api/admin/usuarios').set('Cookie', cookie).send(newUser('intruso1')).expect(403);
    expect(res.body).toMatchObject({ error: 'CSRF_INVALIDO' });
    expect(res.body.mensaje).toMatch(/X-CSRF-Token/);
    await http()
      .post('/api/admin/usuarios')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', 'inventado')
      .send(newUser('intruso2'))
      .expect(403);
    expect(await exists('intruso1')).toBe(false);
    expect(await exists('intruso2')).toBe(false);
  });

  it('accepts the session cookie with the CSRF header, and the cookie alone for reading', async () => {
    const { cookie, csrf } = await cookieSession('admin');
    await http()
      .post('/api/admin/usuarios')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', csrf)
      .send(newUser('conpermiso'))
      .expect(201);
    expect(await exists('conpermiso')).toBe(true);
    const list = await http().get('/api/admin/usuarios').set('Cookie', cookie).expect(200);
    expect((list.body as { usuario: string }[]).map((u) => u.usuario)).toContain('conpermiso');
  });

  it('refuses a cookie request that a browser marks as coming from another site or port, even with the header', async () => {
    const { cookie, csrf } = await cookieSession('admin');
    await http()
      .post('/api/admin/usuarios')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', csrf)
      .set('Sec-Fetch-Site', 'same-site')
      .send(newUser('otrositio'))
      .expect(403);
    expect(await exists('otrositio')).toBe(false);
  });

  it('accepts a Bearer token without any CSRF header', async () => {
    const token = await login(t.app, 'admin');
    await http()
      .post('/api/admin/usuarios')
      .set('Authorization', `Bearer ${token}`)
      .send(newUser('portoken'))
      .expect(201);
    expect(await exists('portoken')).toBe(true);
  });

  it('does not parse form bodies on /api (415 in Spanish), even with a Bearer token', async () => {
    const token = await login(t.app, 'admin');
    const res = await http()
      .post('/api/admin/usuarios')
      .set('Authorization', `Bearer ${token}`)
      .type('form')
      .send(newUser('porformulario'))
      .expect(415);
    expect(res.body).toMatchObject({ error: 'TIPO_NO_ADMITIDO' });
    expect(res.body.mensaje).toMatch(/JSON/);
    await http()
      .post('/api/auth/login')
      .type('form')
      .send({ usuario: 'admin', contrasena: 'caballo-bateria-grapa-correcta' })
      .expect(415);
    expect(await exists('porformulario')).toBe(false);
  });

  it('multipart upload (POST /api/oficios): the cookie needs the header too; with it, or with Bearer, the oficio is registered', async () => {
    const { cookie, csrf } = await cookieSession('oficialia');
    const register = (numero: string) => {
      const r = http().post('/api/oficios');
      const fields: Record<string, string> = {
        procedimiento: 'cuenta-bloquear',
        numeroOficio: numero,
        fechaOficio: '2026-11-20',
        remitenteNombre: 'Lic. Ana Sofía Cárdenas Muñoz',
        remitenteCargo: 'Directora Administrativa',
        area: 'Dirección Administrativa',
        asunto: 'Solicitud de bloqueo de la cuenta programa.lectura@colima.gob.mx',
      };
      for (const [k, v] of Object.entries(fields)) void r.field(k, v);
      return r.attach('archivo', pdf, { filename: 'oficio.pdf', contentType: 'application/pdf' });
    };
    await register('CSRF/0001/2026').set('Cookie', cookie).expect(403);
    expect(
      await ds()
        .getRepository(Oficio)
        .exists({ where: { numeroRemitente: 'CSRF/0001/2026' } }),
    ).toBe(false);
    await register('CSRF/0002/2026').set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(201);
    await register('CSRF/0003/2026')
      .set('Authorization', `Bearer ${await login(t.app, 'oficialia')}`)
      .expect(201);
  });

  it('signing out through the API with the cookie needs the header as well', async () => {
    const { cookie, csrf } = await cookieSession('admin');
    await http().post('/api/auth/logout').set('Cookie', cookie).expect(403);
    await http().get('/api/auth/yo').set('Cookie', cookie).expect(200);
    await http().post('/api/auth/logout').set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(204);
    await http().get('/api/auth/yo').set('Cookie', cookie).expect(401);
  });
});
