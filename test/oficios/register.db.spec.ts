/**
 * The correspondence register of every role (issue 12 §1): «Oficios» for the Subdirección and the Subjefatura, «Mis
 * oficios» for a Nivel and a responsable. Each sees only what is addressed to it (deny by default), with the step the
 * case is in, who holds it and until when, and its documents: the acuse, the reply once forwarded, who downloaded them
 * and the acknowledgement. Pages by keyset, newest folio first.
 */
import request from 'supertest';
import { DataSource, type QueryRunner } from 'typeorm';
import type { Actor } from '../../src/auth/actor';
import { SESSION_COOKIE } from '../../src/auth/auth.guard';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { DocumentDownload, IssuedDocument } from '../../src/oficios/entities/document.entity';
import { OficioRegisterService } from '../../src/oficios/oficio-register.service';
import { addWorker } from '../support/pipeline';
import { signal } from '../support/signal';
import { statementsOf } from '../support/statements';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';
import { addNiveles, registerServicioAlta, scannedOficio, settle } from './support';

jest.setTimeout(120_000);

describe('oficios: the register of each role («Oficios», «Mis oficios»)', () => {
  let t: TestApp;
  let pdf: Buffer;
  const tok: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const folios: Record<string, string[]> = { primaria: [], secundaria: [], becas: [], rh: [] };
  const cases: Record<string, string[]> = { primaria: [], secundaria: [], becas: [], rh: [] };
  const http = () => request(t.app.getHttpServer());
  const ds = () => t.db.dataSource;
  let numero = 0;

  const register = async (who: keyof typeof folios, fields: Record<string, string>): Promise<void> => {
    numero += 1;
    const { folio, tramite } = await registerServicioAlta(t, tok.oficialia, pdf, {
      asunto: `Cuenta de servicio número ${numero}`,
      ...fields,
    });
    folios[who].push(folio);
    cases[who].push(tramite);
  };
  const page = async (who: string, q = ''): Promise<string> =>
    (await http().get(`/oficios${q}`).set('Cookie', `${SESSION_COOKIE}=${tok[who]}`).expect(200)).text;
  const act = async (who: string, caseId: string, tipo: string, datos?: Record<string, unknown>) => {
    const { version } = await ds().getRepository(ProcedureCase).findOneByOrFail({ id: caseId });
    const res = await http()
      .post(`/api/tramites/${caseId}/eventos`)
      .set('Authorization', `Bearer ${tok[who]}`)
      .send({ tipo, version, ...(datos ? { datos } : {}) });
    expect([tipo, res.status]).toEqual([tipo, 200]);
  };
  const all = () => Object.values(folios).flat();

  beforeAll(async () => {
    t = await createTestApp({ RELAY_INTERVAL_MS: '60000' });
    await addNiveles(ds());
    await createStaff(ds(), 'oficialia', 'subdireccion');
    await createStaff(ds(), 'sistemas', 'subjefatura');
    ids.primaria = (await createStaff(ds(), 'primaria', 'nivel', { nivelClave: 'PRIMARIA' })).id;
    await createStaff(ds(), 'secundaria', 'nivel', { nivelClave: 'SECUNDARIA' });
    await createStaff(ds(), 'sinnivel', 'nivel', { nivelClave: null });
    ids.becas = (await createStaff(ds(), 'becas', 'responsable')).id;
    await createStaff(ds(), 'deportes', 'responsable');
    for (const u of ['oficialia', 'sistemas', 'primaria', 'secundaria', 'sinnivel', 'becas', 'deportes'])
      tok[u] = await login(t.app, u);
    pdf = await scannedOficio('Oficio: solicitud de cuenta de servicio.');
    for (let i = 0; i < 3; i++) await register('primaria', { nivel: 'PRIMARIA' });
    await register('secundaria', { nivel: 'SECUNDARIA' });
    await register('becas', { area: 'Dirección de Becas', responsableId: ids.becas });
    await register('rh', { area: 'Dirección de Recursos Humanos' });
    await settle(t);
  });
  afterAll(async () => t?.close());

  it('shows each role only its own oficios: a Nivel its level, a responsable its own, the Subdirección and the Subjefatura all', async () => {
    const seen = async (who: string): Promise<string[]> => {
      const html = await page(who);
      return all().filter((f) => html.includes(f));
    };
    expect(await seen('primaria')).toEqual(folios.primaria);
    expect(await seen('secundaria')).toEqual(folios.secundaria);
    expect(await seen('becas')).toEqual(folios.becas);
    expect(await seen('deportes')).toEqual([]);
    expect(await seen('sinnivel')).toEqual([]);
    expect((await seen('oficialia')).sort()).toEqual(all().sort());
    expect((await seen('sistemas')).sort()).toEqual(all().sort());
    // The level filter cannot widen a Nivel's scope.
    const html = await page('primaria', '?nivel=SECUNDARIA');
    expect(html).not.toContain(folios.secundaria[0]);
    expect(html).toContain(folios.primaria[0]);
  });

  it('names the page «Mis oficios» for a Nivel and a responsable, with its menu entry', async () => {
    for (const who of ['primaria', 'becas']) {
      const html = await page(who);
      expect(html).toContain('<title>Mis oficios');
      expect(html).toMatch(/<a[^>]+href="\/oficios"[^>]*>Mis oficios<\/a>/);
    }
    expect(await page('oficialia')).toContain('Oficios recibidos');
  });

  it('shows the current step by its name, who holds it and its due date, and the acuse with its download record', async () => {
    const html = await page('primaria', `?folio=${folios.primaria[0]}`);
    // Registered and its acuse drawn: the Subdirección turns it to the Subjefatura.
    expect(html).toContain('Subdirección de Sistemas y Servicios Telemáticos · vence');
    expect(html).toContain('Acuse de recibo (PDF)');
    expect(html).toContain('Nadie lo ha descargado');
    const acuse = await ds()
      .getRepository(IssuedDocument)
      .findOneByOrFail({ caseId: cases.primaria[0], kind: 'acuse' });
    await http().get(`/api/documentos/${acuse.id}/pdf`).set('Authorization', `Bearer ${tok.primaria}`).expect(200);
    const after = await page('primaria', `?folio=${folios.primaria[0]}`);
    expect(after).toContain(`/api/documentos/${acuse.id}/pdf`);
    expect(after).toContain('Descargado 1 vez; la última, Usuario primaria (Nivel)');
  });

  it("reads the cases' acts and the documents' downloads together with the documents, not after them", async () => {
    // The documents' read is held until the acts' and the downloads' statements were sent. One after the other
    // (the acts and the downloads once the documents came back), it waits 5 s and gives up.
    const db = t.app.get(DataSource);
    const docs = db.getRepository(IssuedDocument);
    const acuse = await docs.findOneByOrFail({ caseId: cases.primaria[0], kind: 'acuse' });
    await http().get(`/api/documentos/${acuse.id}/pdf`).set('Authorization', `Bearer ${tok.primaria}`).expect(200);
    const downloads = await db
      .getRepository(DocumentDownload)
      .find({ where: { documentId: acuse.id }, order: { at: 'ASC' } });
    // Held where every statement passes, whatever builds it: the query runner's query().
    const runner = db.createQueryRunner();
    const proto = Object.getPrototypeOf(runner) as QueryRunner;
    await runner.release();
    const actsSent = signal();
    const downloadsSent = signal();
    let together: boolean[] = [];
    const query = proto.query;
    const spies = [
      jest.spyOn(db.logger, 'logQuery').mockImplementation((sql: string) => {
        if (/FROM [`"]?movement[`"]?/.test(sql)) actsSent.give();
        if (/FROM [`"]?document_download[`"]?/.test(sql)) downloadsSent.give();
      }),
      jest.spyOn(proto, 'query').mockImplementation(async function (
        this: QueryRunner,
        sql: string,
        ...rest: unknown[]
      ) {
        if (/FROM [`"]document[`"]/.test(sql) && !/document_download/.test(sql))
          together = await Promise.all([actsSent.came(), downloadsSent.came()]);
        return (query as (...a: unknown[]) => Promise<unknown>).call(this, sql, ...rest);
      }),
    ];
    try {
      const reg = await t.app
        .get(OficioRegisterService)
        .page({ id: ids.primaria, role: 'nivel', nivelClave: 'PRIMARIA' }, { folio: folios.primaria[0] });
      expect(together).toEqual([true, true]);
      const [entry] = reg.items;
      expect(entry.oficio.folio).toBe(folios.primaria[0]);
      // What the round read is on the page: the acuse, with its downloads (this test's among them).
      const shown = entry.documentos.find((d) => d.id === acuse.id);
      expect(shown?.descargas.map((d) => d.usuario)).toEqual(downloads.map((d) => d.userId));
      expect(downloads.map((d) => d.userId)).toContain(ids.primaria);
    } finally {
      spies.forEach((s) => s.mockRestore());
      actsSent.done();
      downloadsSent.done();
    }
  });

  it("finds the Nivel's reply letter once forwarded, and its acknowledgement, after the task is done", async () => {
    const caseId = cases.primaria[1];
    await act('oficialia', caseId, 'TURNAR');
    await act('sistemas', caseId, 'RECIBIR_TURNO');
    const w = await addWorker(ds());
    await act('sistemas', caseId, 'CREAR_CUENTA', { tipo: 'servicio', curp: w.curp, localPart: 'registro.primaria' });
    await settle(t);
    const reply = await ds().getRepository(IssuedDocument).findOneByOrFail({ caseId, kind: 'respuesta' });
    const q = `?folio=${folios.primaria[1]}`;
    // Signed, not forwarded: the Subjefatura sees it in the register, the Nivel not yet.
    expect(await page('sistemas', q)).toContain(`/api/documentos/${reply.id}/pdf`);
    expect(await page('primaria', q)).not.toContain(`/api/documentos/${reply.id}/pdf`);
    await act('sistemas', caseId, 'ENVIAR_RESPUESTA');
    await act('oficialia', caseId, 'TURNAR_RESPUESTA');
    const ACK_STEP = 'Recibir el oficio de respuesta: firmar y sellar de recibido';
    expect(await page('primaria', q)).toContain(`<strong>${ACK_STEP}</strong><small>Nivel Primaria · vence`);
    await act('primaria', caseId, 'ACUSAR_RECIBO');
    const html = await page('primaria', q);
    expect(html).toContain(`/api/documentos/${reply.id}/pdf`);
    expect(html).toContain(`Oficio de respuesta ${reply.numeroOficio}`);
    expect(html).toContain('Firmado y sellado de recibido por Usuario primaria');
    expect(html).toContain('Concluido: Cuenta creada');
    expect(html).not.toContain(ACK_STEP);
  });

  it('pages by keyset, newest folio first, every oficio once, with the scope kept on every page', async () => {
    const svc = t.app.get(OficioRegisterService);
    const primaria: Actor = { id: ids.primaria, role: 'nivel', nivelClave: 'PRIMARIA' };
    const p1 = await svc.page(primaria, { porPagina: 2 });
    expect(p1.items.map((e) => e.oficio.folio)).toEqual([folios.primaria[2], folios.primaria[1]]);
    expect([p1.total, p1.anterior]).toEqual([3, null]);
    const p2 = await svc.page(primaria, { porPagina: 2, despues: p1.siguiente! });
    expect(p2.items.map((e) => e.oficio.folio)).toEqual([folios.primaria[0]]);
    expect(p2.siguiente).toBeNull();
    const back = await svc.page(primaria, { porPagina: 2, antes: p2.anterior! });
    expect(back.items.map((e) => e.oficio.folio)).toEqual([folios.primaria[2], folios.primaria[1]]);
    expect(back.anterior).toBeNull();
    // The Subdirección's cursor given to a Nivel still stays within the Nivel's oficios.
    const sub = await svc.page({ id: 'x', role: 'subdireccion' }, { porPagina: 1 });
    const mine = await svc.page(primaria, { porPagina: 10, despues: sub.siguiente! });
    expect(mine.items.every((e) => e.oficio.nivel === 'PRIMARIA')).toBe(true);
    // Roles without a register see nothing.
    expect((await svc.page({ id: 'w', role: 'trabajador', curp: 'X' }, {})).items).toEqual([]);
  });

  // A year is one value of folio_anio: a cursor condition that bounds only the year made a deep page read every folio
  // of the year above it (page 200 of 2 M oficios: 5 000 index entries; `npm run bench -- --solo bandeja --nacional`).
  it('seeks a later page from its cursor inside the order index, not from the top of the folio year', async () => {
    const svc = t.app.get(OficioRegisterService);
    const sub: Actor = { id: 'x', role: 'subdireccion' };
    const first = await svc.page(sub, { porPagina: 2 });
    // The application's own pool (the suite's handle on the database is another DataSource).
    const appDs = t.app.get(DataSource);
    const seen = await statementsOf(appDs, async () => {
      const next = await svc.page(sub, { porPagina: 2, despues: first.siguiente! });
      expect(next.items.map((e) => e.oficio.folio)).toEqual([all().sort().reverse()[2], all().sort().reverse()[3]]);
    });
    const page = seen.find((s) => /FROM [`"]oficio[`"]/.test(s.sql) && / ORDER BY /.test(s.sql))!;
    if (appDs.options.type === 'better-sqlite3') {
      const plan = await appDs.query<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${page.sql}`, page.params);
      expect(plan.map((r) => r.detail).join(' | ')).toContain('idx_oficio_orden ((folio_anio,folio_numero)<(?,?))');
    } else {
      // The range the optimizer can seek: both columns of the index, whichever plan it then prefers for six rows.
      const [row] = await appDs.query<{ EXPLAIN: string }[]>(`EXPLAIN FORMAT=JSON ${page.sql}`, page.params);
      const text = JSON.stringify(JSON.parse(Object.values(row)[0]));
      expect(text).toMatch(/"used_key_parts":\["folio_anio","folio_numero"\]/);
    }
  });

  // Each procedure is about an eighth of the register: without an index of its own, the page walked the order index
  // keeping one row in eight and the count (up to 1,001) read 8,000 rows (2.3 ms at 100,000 oficios on MariaDB).
  it('reads a procedure’s oficios and their count from the procedure’s own order index', async () => {
    const svc = t.app.get(OficioRegisterService);
    const appDs = t.app.get(DataSource);
    const seen = await statementsOf(appDs, async () => {
      const found = await svc.page({ id: 'x', role: 'subdireccion' }, { porPagina: 2, procedimiento: 'servicio-alta' });
      expect([found.items.length, found.total]).toEqual([2, all().length]);
    });
    const reads = seen.filter((s) => /FROM [`"]oficio[`"] [`"]o[`"]/.test(s.sql) && /procedure_id/.test(s.sql));
    // The page and its count.
    expect(reads).toHaveLength(2);
    for (const s of reads) {
      if (appDs.options.type === 'better-sqlite3') {
        const plan = await appDs.query<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${s.sql}`, s.params);
        expect([s.sql, plan.map((r) => r.detail).join(' | ')]).toEqual([
          s.sql,
          expect.stringContaining('idx_oficio_proc_orden (procedure_id=?)'),
        ]);
      } else {
        // Six rows: MariaDB may scan them whichever way; the index must be there for it to weigh.
        const plan = await appDs.query<{ possible_keys: string | null }[]>(`EXPLAIN ${s.sql}`, s.params);
        expect(plan.map((r) => r.possible_keys ?? '').join(',')).toContain('idx_oficio_proc_orden');
      }
    }
  });

  it('refuses a tampered cursor with a Spanish 400 page', async () => {
    const res = await http()
      .get('/oficios?despues=no-es-un-cursor')
      .set('Cookie', `${SESSION_COOKIE}=${tok.primaria}`)
      .expect(400);
    expect(res.text).toContain('no es válido');
  });
});
