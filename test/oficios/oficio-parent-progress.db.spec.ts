/**
 * One oficio, many accounts (issue 14, part 2): «the register, the inbox and the dashboard show the parent with its
 * progress». A task whose case is a line of an oficio for many schools names, in the inbox (page and API), the oficio's
 * folio, the line («línea 2 de 3») and how many lines concluded («1 de 3 concluidas»), with the oficio's register
 * entry; the dashboard lists the oficios with lines still open. An oficio of one line is no parent.
 */
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SESSION_COOKIE } from '../../src/auth/auth.guard';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { type InboxItem, InboxService } from '../../src/engine/inbox.service';
import { OficioParents } from '../../src/oficios/oficio-parents';
import { createStaff, login } from '../support/staff';
import { type SentStatement, statementsOf } from '../support/statements';
import { createTestApp, type TestApp } from '../support/test-app';
import { addCentros, addNiveles, postOficio, scannedOficio, testCct } from './support';

jest.setTimeout(120_000);

describe('oficios for many schools: the parent and its progress in the inbox and the dashboard', () => {
  let t: TestApp;
  const tok: Record<string, string> = {};
  const ds = (): DataSource => t.db.dataSource;
  const http = () => request(t.app.getHttpServer());
  let pdf: Buffer;
  let numero = 0;
  let three: { id: string; folio: string; lineas: { linea: number; tramite: string }[] };
  let single: { id: string; folio: string; lineas: { tramite: string }[] };

  const register = async (ccts: number[], nivel = 'PRIMARIA') => {
    numero += 1;
    const res = await postOficio(t, tok.oficialia, pdf, {
      procedimiento: 'centro-trabajo-alta',
      numeroOficio: `DEP/${String(numero).padStart(4, '0')}/2026`,
      fechaOficio: '2026-11-20',
      remitenteNombre: 'Profr. José Ángel Núñez Ceballos',
      remitenteCargo: `Director de Educación ${nivel === 'PRIMARIA' ? 'Primaria' : 'Secundaria'}`,
      nivel,
      asunto: 'Alta de cuentas para los centros de trabajo siguientes',
      lineas: JSON.stringify(ccts.map((n) => ({ cct: testCct(n), nombre: `Escuela ${n}` }))),
    }).expect(201);
    return res.body as typeof three;
  };
  /** The page's HTML, with the «=» Handlebars writes as «&#x3D;» in attributes read back. */
  const page = async (path: string, who = 'oficialia', status = 200): Promise<string> =>
    (await http().get(path).set('Cookie', `${SESSION_COOKIE}=${tok[who]}`).expect(status)).text.replaceAll(
      '&#x3D;',
      '=',
    );
  /** The inbox rows (<tr>…</tr>) of a case. */
  const rowOf = (html: string, caseId: string): string =>
    html.split('<tr').find((r) => r.includes(`/tramites/${caseId}"`)) ?? '';
  /** The dashboard's «Oficios de varias cuentas en curso» section. */
  const section = (html: string): string =>
    /<section class="tarjeta" id="oficios-lineas">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';

  beforeAll(async () => {
    t = await createTestApp({ RELAY_INTERVAL_MS: '60000' });
    await addNiveles(ds());
    await createStaff(ds(), 'oficialia', 'subdireccion');
    await createStaff(ds(), 'sistemas', 'subjefatura');
    await createStaff(ds(), 'primaria', 'nivel', { nivelClave: 'PRIMARIA' });
    await createStaff(ds(), 'secundaria', 'nivel', { nivelClave: 'SECUNDARIA' });
    for (const u of ['oficialia', 'sistemas', 'primaria', 'secundaria']) tok[u] = await login(t.app, u);
    await addCentros(ds(), 10);
    pdf = await scannedOficio('Oficio: alta de cuentas de 3 escuelas.');
    three = await register([1, 2, 3]);
    single = await register([4]);
    // Line 3 ends on its own (cancelled): 1 of the oficio's 3 lines concluded, the other two go on.
    const line3 = three.lineas[2].tramite;
    const { version } = await ds().getRepository(ProcedureCase).findOneByOrFail({ id: line3 });
    await http()
      .post(`/api/tramites/${line3}/eventos`)
      .set('Authorization', `Bearer ${tok.oficialia}`)
      .send({ tipo: 'CANCELAR', version, datos: { motivo: 'La escuela ya no opera en este ciclo.' } })
      .expect(200);
  });
  afterAll(async () => t?.close());

  it('the inbox page names the oficio, the line and the progress beside each line’s task, linking to the register', async () => {
    const html = await page('/bandeja');
    for (const [i, l] of three.lineas.slice(0, 2).entries()) {
      const row = rowOf(html, l.tramite);
      expect(row).toContain(`href="/oficios?folio=${three.folio}"`);
      expect(row).toContain(`línea ${i + 1} de 3`);
      expect(row).toContain('1 de 3 concluidas');
    }
    // The cancelled line has no task left; the oficio of one line reads as any other: its folio, no progress.
    expect(rowOf(html, three.lineas[2].tramite)).toBe('');
    const one = rowOf(html, single.lineas[0].tramite);
    expect(one).toContain(single.folio);
    expect(one).not.toContain('línea');
    expect(one).not.toContain('concluidas');
  });

  it('the inbox API gives the same parent, and none for an oficio of one line', async () => {
    const res = await http().get('/api/bandeja').set('Authorization', `Bearer ${tok.oficialia}`).expect(200);
    const items = (res.body as { items: InboxItem[] }).items;
    const byCase = new Map(items.map((i) => [i.tramite, i.padre ?? null]));
    expect(byCase.get(three.lineas[0].tramite)).toEqual({
      oficio: three.id,
      folio: three.folio,
      linea: 1,
      lineas: 3,
      conResultado: 1,
      concluidas: 1,
    });
    expect(byCase.get(three.lineas[1].tramite)).toMatchObject({ linea: 2, lineas: 3, concluidas: 1 });
    expect(byCase.get(single.lineas[0].tramite)).toBeNull();
  });

  it('deny by default: the parent only for whoever sees the oficio in the register', async () => {
    const parents = t.app.get(OficioParents);
    const ids = three.lineas.map((l) => l.tramite);
    const seen = async (actor: object) => [...(await parents.ofCases(actor as never, ids)).keys()].sort();
    const both = ids.slice(0, 3).sort();
    expect(await seen({ id: 'x', role: 'subjefatura' })).toEqual(both);
    expect(await seen({ id: 'x', role: 'nivel', nivelClave: 'PRIMARIA' })).toEqual(both);
    expect(await seen({ id: 'x', role: 'nivel', nivelClave: 'SECUNDARIA' })).toEqual([]);
    expect(await seen({ id: 'x', role: 'nivel', nivelClave: null })).toEqual([]);
    expect(await seen({ id: 'x', role: 'responsable' })).toEqual([]);
    expect(await seen({ id: 'x', role: 'centro_trabajo', cct: testCct(1) })).toEqual([]);
  });

  /** The statements `run` sends through the application's pool, with their parameters. */
  const captured = (run: () => Promise<unknown>): Promise<SentStatement[]> => statementsOf(t.app.get(DataSource), run);
  /**
   * The indexes the plan of a statement reads (SQLite), or may read (MariaDB: its possible keys; with a few rows it may
   * prefer another plan, as register.db.spec notes).
   */
  const planIndexes = async (q: { sql: string; params: unknown[] }): Promise<string> => {
    const appDs = t.app.get(DataSource);
    if (appDs.options.type === 'better-sqlite3') {
      const plan = await appDs.query<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${q.sql}`, q.params);
      return plan.map((r) => r.detail).join(' | ');
    }
    const plan = await appDs.query<{ table: string; possible_keys: string | null }[]>(`EXPLAIN ${q.sql}`, q.params);
    return plan.map((r) => `${r.table}: ${r.possible_keys}`).join(' | ');
  };

  it('a page of the inbox costs two statements more, by the lines’ unique case_id and primary key', async () => {
    const inbox = t.app.get(InboxService);
    const sub = { id: 'x', role: 'subdireccion' } as const;
    const seen = await captured(() => inbox.list(sub, {}));
    const lines = seen.filter((s) => /oficio_linea/.test(s.sql));
    expect(lines).toHaveLength(2);
    expect(await planIndexes(lines[0])).toMatch(/uq_oficio_linea_case/);
    // An empty page asks nothing more.
    const none = await captured(() => inbox.list(sub, { procedimiento: 'no-existe' }));
    expect(none.filter((s) => /oficio_linea/.test(s.sql))).toHaveLength(0);
  });

  it('the dashboard reads the open lines from idx_oficio_linea_abierta, in the statement of its page', async () => {
    const seen = await captured(() => t.app.get(OficioParents).open(null));
    // The page (the open lines taken, kept and sorted by the database) and the progress of the ones shown: no round
    // trip of every open line's oficio id through the process.
    expect(seen).toHaveLength(2);
    const open = seen.find((s) => /resultado IS NULL/.test(s.sql))!;
    expect(open.sql).toMatch(/ORDER BY .*folio_anio.* DESC/);
    expect(await planIndexes(open)).toMatch(/idx_oficio_linea_abierta/);
  });

  it('the dashboard lists the oficio with lines open, its progress and its register entry; not the one-line oficio', async () => {
    const html = section(await page('/tablero'));
    expect(html).toContain('Oficios de varias cuentas en curso');
    expect(html).toContain(`<a class="folio" href="/oficios?folio=${three.folio}">${three.folio}</a>`);
    expect(html).toContain('Nivel Primaria');
    expect(html).toContain('1 de 3 concluidos (Cancelado: 1)');
    expect(html).not.toContain(single.folio);
    // Of the Nivel chosen in the filters only.
    expect(section(await page('/tablero?nivel=SECUNDARIA'))).not.toContain(three.folio);
    expect(section(await page('/tablero?nivel=PRIMARIA'))).toContain(three.folio);
    // The roles that do not see the dashboard do not see it either.
    await page('/tablero', 'primaria', 403);
  });

  it('the newest first; an oficio whose lines all concluded leaves the dashboard', async () => {
    const newer = await register([5, 6]);
    const html = section(await page('/tablero'));
    expect(html.indexOf(newer.folio)).toBeGreaterThan(-1);
    expect(html.indexOf(newer.folio)).toBeLessThan(html.indexOf(three.folio));
    expect(html).toContain('0 de 2 concluidos');
    await http()
      .post(`/api/oficios/${three.id}/cancelar`)
      .set('Authorization', `Bearer ${tok.oficialia}`)
      .send({ motivo: 'Registrado por error: el oficio es de otra dependencia.' })
      .expect(200);
    const after = section(await page('/tablero'));
    expect(after).not.toContain(three.folio);
    expect(after).toContain(newer.folio);
    const { items } = await t.app.get(OficioParents).open(null);
    expect(items.map((o) => [o.folio, o.progreso])).toEqual([
      [newer.folio, { total: 2, conResultado: 0, concluidas: 0, porResultado: {} }],
    ]);
  });
});
