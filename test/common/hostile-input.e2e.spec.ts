import request from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * Bodies a fuzzer or an attacker sends: each must end in a 4xx with a Spanish message (HTML on the pages a browser
 * posts forms to), never a 500 and never a stack overflow.
 */
describe('hostile request bodies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });
  const http = () => request(t.app.getHttpServer());

  const deepArray = (n: number): string => '['.repeat(n) + ']'.repeat(n);
  const deepObject = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  const manyParams = (n: number): string => Array.from({ length: n }, (_, i) => `p${i}=x`).join('&');

  describe('JSON API', () => {
    it('answers 413 in Spanish to a JSON body over the limit', async () => {
      const res = await http()
        .post('/api/auth/login')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ usuario: 'x', contrasena: 'y'.repeat(2_000_000) }));
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ error: 'DEMASIADO_GRANDE' });
      expect(res.body.mensaje).toMatch(/excede el tamaño permitido/);
    });

    it('answers 400 to malformed JSON', async () => {
      const res = await http().post('/api/auth/login').set('Content-Type', 'application/json').send('{"usuario": "x",');
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('SOLICITUD_INVALIDA');
      expect(res.body.mensaje).toMatch(/JSON/);
    });

    for (const [name, body] of [
      ['[ ×5000 closed', deepArray(5000)],
      ['[ ×5000 unclosed', '['.repeat(5000)],
      ['{"a": ×5000', deepObject(5000)],
      ['{"a": ×5000 inside a field', `{"usuario":"x","contrasena":${deepObject(5000)}}`],
    ] as const) {
      it(`answers 400 (no stack overflow) to deeply nested JSON: ${name}`, async () => {
        for (const url of ['/api/auth/login', '/api/autoservicio/alta']) {
          const res = await http().post(url).set('Content-Type', 'application/json').send(body);
          expect({ url, status: res.status }).toEqual({ url, status: 400 });
          expect(res.body.mensaje).toEqual(expect.any(String));
        }
      });
    }

    it('still accepts nesting a real request has', async () => {
      const res = await http()
        .post('/api/auth/login')
        .set('Content-Type', 'application/json')
        .send({ usuario: 'nadie@colima.gob.mx', contrasena: 'una frase cualquiera' });
      expect(res.status).toBe(401);
    });

    it('answers 415 to a urlencoded body, however many parameters it has: the API reads JSON only (CSRF)', async () => {
      const res = await http()
        .post('/api/auth/login')
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send(manyParams(5000));
      expect(res.status).toBe(415);
      expect(res.body.mensaje).toMatch(/JSON/);
    });
  });

  describe('pages answer an HTML page in Spanish', () => {
    for (const url of ['/personal/entrar', '/correo/alta']) {
      it(`${url}: too many parameters`, async () => {
        const res = await http()
          .post(url)
          .set('Content-Type', 'application/x-www-form-urlencoded')
          .set('Accept', 'text/html')
          .send(manyParams(5000));
        expect([400, 413]).toContain(res.status);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.text).toContain('lang="es-MX"');
        expect(res.text).toMatch(/demasiados campos/);
      });

      it(`${url}: a form over the size limit`, async () => {
        const res = await http()
          .post(url)
          .set('Content-Type', 'application/x-www-form-urlencoded')
          .set('Accept', 'text/html')
          .send(`curp=${'A'.repeat(2_000_000)}`);
        expect(res.status).toBe(413);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.text).toMatch(/excede el tamaño permitido/);
      });

      it(`${url}: deeply nested JSON`, async () => {
        const res = await http()
          .post(url)
          .set('Content-Type', 'application/json')
          .set('Accept', 'text/html')
          .send(deepArray(5000));
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.text).toMatch(/anidad/);
      });
    }
  });

  it('fuzz: no hostile body gets a 5xx on any route', async () => {
    const bodies: Array<[string, string]> = [
      ['application/json', deepArray(5000)],
      ['application/json', '['.repeat(5000)],
      ['application/json', deepObject(5000)],
      ['application/json', '{"a":'.repeat(5000)],
      ['application/json', `{"x":"${'a'.repeat(300_000)}"}`],
      ['application/json', '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}'],
      ['application/json', '"solo texto"'],
      ['application/json', 'null'],
      ['application/json', '12345678901234567890123456789'],
      ['application/json', '{"curp":["A","B"],"curt":{"$gt":""}}'],
      ['application/json', '\u0000\u0001\u0002'],
      ['application/json; charset=latin-9', '{"a":1}'],
      ['application/x-www-form-urlencoded', manyParams(5000)],
      ['application/x-www-form-urlencoded', 'a' + '[b]'.repeat(5000) + '=1'],
      ['application/x-www-form-urlencoded', 'a[]=1&a[1000000]=2&a[__proto__]=3'],
      ['application/x-www-form-urlencoded', `curp=${'%FF'.repeat(1000)}&curt=%E0%A4%A`],
      ['application/x-www-form-urlencoded', `x=${'y'.repeat(300_000)}`],
      ['text/plain', 'hola'],
      ['multipart/form-data; boundary=xyz', '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'],
    ];
    const routes = [
      '/api/auth/login',
      '/api/autoservicio/alta',
      '/api/autoservicio/restablecer',
      '/personal/entrar',
      '/correo/alta',
      '/correo/restablecer',
      '/api/oficios',
      '/api/tramites/00000000-0000-0000-0000-000000000000/eventos',
    ];
    const fives: string[] = [];
    for (const url of routes) {
      for (const [type, body] of bodies) {
        const res = await http().post(url).set('Content-Type', type).send(body);
        if (res.status >= 500)
          fives.push(`${url} ${type} ${body.slice(0, 30)} → ${res.status} ${res.text.slice(0, 120)}`);
        else expect(res.status).toBeGreaterThanOrEqual(200);
      }
    }
    expect(fives).toEqual([]);
  });
});
