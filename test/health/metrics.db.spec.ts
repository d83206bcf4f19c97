import request from 'supertest';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';
import { testProcedure } from '../support/test-machine';

const TOKEN = 'prometheus-de-prueba-0123456789abcdef';

/** The value of one sample line of the text format (0 when the series is not there yet). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(/,(?=[a-zA-Z_]+=")/).filter(Boolean);
    if (wanted.every((w) => have.includes(w))) return Number(m[3]);
  }
  return 0;
}

describe('GET /metrics (Prometheus)', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());
  const scrape = async (): Promise<string> =>
    (await http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200)).text;
  beforeAll(async () => {
    // No relay pass during the tests (the embedded default relays on its timer): the outbox stays as the transitions left
    // it, so what a scrape reports can be compared with the table.
    t = await createTestApp({ METRICS_TOKEN: TOKEN, RELAY_INTERVAL_MS: '60000' }, { procedures: [testProcedure(1)] });
    await createStaff(t.db.dataSource, 'oficialia-metricas', 'subdireccion');
  });
  afterAll(async () => t?.close());

  it('is only for the scraper holding METRICS_TOKEN, and does not exist without it', async () => {
    const anon = await http().get('/metrics').expect(401);
    expect(anon.body).toEqual({ error: 'NO_AUTENTICADO', mensaje: expect.stringMatching(/METRICS_TOKEN/) });
    await http().get('/metrics').set('Authorization', `Bearer ${TOKEN}x`).expect(401);
    await http()
      .get('/metrics')
      .set('Authorization', `Bearer ${TOKEN.slice(1)}`)
      .expect(401);
    const ok = await http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    expect(ok.text).toContain('# TYPE mci_transitions_total counter');
    expect(ok.text).toContain('mci_process_cpu_seconds_total');

    const off = await createTestApp();
    try {
      await request(off.app.getHttpServer()).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(404);
    } finally {
      await off.close();
    }
  });

  it('counts transitions by procedure and outcome, times requests by route pattern, and shows the outbox', async () => {
    const token = await login(t.app, 'oficialia-metricas');
    const before = await scrape();
    const started = await http()
      .post('/api/tramites')
      .set('Authorization', `Bearer ${token}`)
      .send({ procedimiento: 'prueba', datos: { folio: 'SSST-2026-0901', nivelClave: 'PRIMARIA' } })
      .expect(201);
    const id = started.body.caseId as string;
    await http()
      .post(`/api/tramites/${id}/eventos`)
      .set('Authorization', `Bearer ${token}`)
      .send({ tipo: 'TURNAR', version: 1 })
      .expect(200);
    await http()
      .post(`/api/tramites/${id}/eventos`)
      .set('Authorization', `Bearer ${token}`)
      .send({ tipo: 'TURNAR', version: 1 })
      .expect(409);
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string>): number =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta('mci_transitions_total', { procedure: 'prueba', outcome: 'ok' })).toBe(2);
    expect(delta('mci_transitions_total', { procedure: 'prueba', outcome: 'conflicto' })).toBe(1);
    expect(delta('mci_transition_seconds_count', { procedure: 'prueba' })).toBe(2);
    const route = '/api/tramites/:id/eventos';
    expect(delta('mci_http_request_seconds_count', { method: 'POST', route, status: '200' })).toBe(1);
    expect(delta('mci_http_request_seconds_count', { method: 'POST', route, status: '409' })).toBe(1);
    // Label values are patterns and codes: no case id, folio or token reaches the metrics.
    expect(after).not.toContain(id);
    expect(after).not.toContain('SSST-2026-0901');
    expect(after).not.toContain(token);

    const [{ n }] = await t.db.dataSource.query<{ n: number | string }[]>(
      "SELECT COUNT(*) AS n FROM outbox WHERE status = 'pendiente'",
    );
    expect(Number(n)).toBeGreaterThan(0);
    expect(sample(after, 'mci_outbox_commands', { status: 'pendiente' })).toBe(Number(n));
    expect(after).toMatch(/^mci_outbox_commands\{status="fallido"\} 0$/m);
    expect(after).toMatch(/^mci_cases_in_incident 0$/m);
    if (t.db.dialect === 'mysql')
      expect(sample(after, 'mci_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
  });

  it('puts an unknown path under one label, whatever was asked', async () => {
    const before = await scrape();
    await http().get('/no-existe/123').expect(404);
    await http().get('/tampoco/456').expect(404);
    const after = await scrape();
    const labels = { method: 'GET', route: 'sin_ruta', status: '404' };
    expect(
      sample(after, 'mci_http_request_seconds_count', labels) -
        sample(before, 'mci_http_request_seconds_count', labels),
    ).toBe(2);
    expect(after).not.toContain('no-existe');
  });
});
