/**
 * The inbox works the tasks of one step together (issue 14, part 2): filtered by «Paso», each task of a step whose act
 * needs nothing typed has a checkbox, and «… aplicar a las seleccionadas» sends that act to the ticked ones through
 * POST /bandeja/lote (the page's form token, like every form), answering in Spanish how many advanced and each
 * failure with its message; a failing task holds no other.
 */
import request from 'supertest';
import { type DataSource, In } from 'typeorm';
import { SESSION_COOKIE } from '../../src/auth/auth.guard';
import { CsrfTokens } from '../../src/auth/csrf';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { addCentros, addNiveles, postOficio, scannedOficio, testCct } from '../oficios/support';
import { addWorker } from '../support/pipeline';
import { createStaff, login } from '../support/staff';
import type { TestApp } from '../support/test-app';
import { createWebApp } from './support';

jest.setTimeout(120_000);

describe('inbox: applying one act to the selected tasks of a step', () => {
  let t: TestApp;
  const tok: Record<string, string> = {};
  const ds = (): DataSource => t.db.dataSource;
  const http = () => request(t.app.getHttpServer());
  let cases: string[] = [];
  let folio = '';

  const page = async (who: string, q: string): Promise<string> =>
    (await http().get(`/bandeja${q}`).set('Cookie', `${SESSION_COOKIE}=${tok[who]}`).expect(200)).text;
  /** The «case id:version» values of the page's checkboxes, in order. */
  const boxes = (html: string): string[] =>
    [...html.matchAll(/<input type="checkbox" name="ids" value="([^"]+)" form="aplicar-seleccion"/g)].map((m) => m[1]);
  const apply = (who: string, tipo: string, ids: string[], volver: string, csrf?: string) => {
    const form = new URLSearchParams();
    for (const id of ids) form.append('ids', id);
    form.set('tipo', tipo);
    form.set('volver', volver);
    form.set('_csrf', csrf ?? t.app.get(CsrfTokens).tokenFor(tok[who]));
    return http()
      .post('/bandeja/lote')
      .set('Cookie', `${SESSION_COOKIE}=${tok[who]}`)
      .type('form')
      .send(form.toString())
      .redirects(0);
  };
  /** The cases' states in the annex's order. */
  const states = async (): Promise<string[]> => {
    const rows = await ds()
      .getRepository(ProcedureCase)
      .findBy({ id: In(cases) });
    const byId = new Map(rows.map((c) => [c.id, c.state]));
    return cases.map((id) => byId.get(id)!);
  };

  beforeAll(async () => {
    t = await createWebApp({ RELAY_INTERVAL_MS: '60000' });
    await addNiveles(ds());
    await createStaff(ds(), 'oficialia', 'subdireccion');
    await createStaff(ds(), 'sistemas', 'subjefatura');
    for (const u of ['oficialia', 'sistemas']) tok[u] = await login(t.app, u);
    await addCentros(ds(), 10);
    const res = await postOficio(t, tok.oficialia, await scannedOficio('Oficio: alta de cuentas de 5 escuelas.'), {
      procedimiento: 'centro-trabajo-alta',
      numeroOficio: 'DEP/0001/2026',
      fechaOficio: '2026-11-20',
      remitenteNombre: 'Profr. José Ángel Núñez Ceballos',
      remitenteCargo: 'Director de Educación Primaria',
      nivel: 'PRIMARIA',
      asunto: 'Alta de cuentas para los centros de trabajo siguientes',
      lineas: JSON.stringify([1, 2, 3, 4, 5].map((n) => ({ cct: testCct(n), nombre: `Escuela ${n}` }))),
    }).expect(201);
    const body = res.body as { folio: string; lineas: { tramite: string }[] };
    folio = body.folio;
    cases = body.lineas.map((l) => l.tramite);
  });
  afterAll(async () => t?.close());

  it('shows checkboxes and the step’s act only when the page shows one step', async () => {
    expect(boxes(await page('oficialia', ''))).toEqual([]);
    const html = await page('oficialia', '?paso=centro-trabajo-alta.turno');
    expect(html).toContain('id="aplicar-seleccion"');
    expect(html).toMatch(
      /<button type="submit" name="tipo" value="TURNAR">[^<]+: aplicar a las seleccionadas<\/button>/,
    );
    // Only acts that need nothing typed: cancelling asks for a reason, one case at a time.
    expect(html).not.toContain('value="CANCELAR"');
    const versions = new Map(
      (
        await ds()
          .getRepository(ProcedureCase)
          .findBy({ id: In(cases) })
      ).map((c) => [c.id, c.version]),
    );
    expect(boxes(html).sort()).toEqual(cases.map((id) => `${id}:${versions.get(id)}`).sort());
  });

  it('offers the step’s acts without restoring any case: a case whose snapshot is unreadable neither breaks the page nor becomes an incident', async () => {
    // The page used to restore the first task's case to read its acts: an unreadable snapshot answered the whole inbox
    // with 400 and wrote an incident from a GET (seen in the national bench, whose cases carry no machine snapshot).
    const html0 = await page('oficialia', '?paso=centro-trabajo-alta.turno');
    const first = boxes(html0)[0].split(':')[0];
    const repo = ds().getRepository(ProcedureCase);
    const saved = await repo.findOneByOrFail({ id: first });
    await repo.update({ id: first }, { snapshot: '{}' });
    try {
      const html = await page('oficialia', '?paso=centro-trabajo-alta.turno');
      expect(html).toMatch(/<button type="submit" name="tipo" value="TURNAR">/);
      expect(boxes(html)).toHaveLength(cases.length);
      const after = await repo.findOneByOrFail({ id: first });
      expect([after.status, after.version]).toEqual([saved.status, saved.version]);
    } finally {
      await repo.update({ id: first }, { snapshot: saved.snapshot });
    }
  });

  it('applies TURNAR to the selection: the task changed meanwhile fails alone, with its folio, CCT and message', async () => {
    const html = await page('oficialia', '?paso=centro-trabajo-alta.turno');
    const picked = boxes(html);
    // Line 2 is turned on its own after the page was drawn.
    const [id2, v2] = picked.find((b) => b.startsWith(cases[1]))!.split(':');
    await http()
      .post(`/api/tramites/${id2}/eventos`)
      .set('Authorization', `Bearer ${tok.oficialia}`)
      .send({ tipo: 'TURNAR', version: Number(v2) })
      .expect(200);
    // A forged form (no valid token) changes nothing.
    await apply('oficialia', 'TURNAR', picked, '?paso=centro-trabajo-alta.turno', 'falso').expect(403);
    expect((await states()).filter((s) => s === 'turno')).toHaveLength(4);
    const res = await apply('oficialia', 'TURNAR', picked, '?paso=centro-trabajo-alta.turno').expect(200);
    expect(res.text).toContain('4 trámites atendidos, 1 con error (esos siguen en su paso; los demás avanzaron).');
    expect(res.text).toContain(`Folio ${folio}, CCT ${testCct(2)}: El trámite cambió desde que lo consultó`);
    expect(await states()).toEqual(cases.map(() => 'recepcionSubjefatura'));
    // The page drawn again with the same filters has nothing left at that step.
    expect(boxes(res.text)).toEqual([]);
  });

  it('refuses an empty selection or an act not done in bulk, in Spanish, changing nothing', async () => {
    const none = await apply('sistemas', 'RECIBIR_TURNO', [], '?paso=centro-trabajo-alta.recepcionSubjefatura').expect(
      400,
    );
    expect(none.text).toContain('Seleccione al menos una tarea');
    const picked = boxes(await page('sistemas', '?paso=centro-trabajo-alta.recepcionSubjefatura'));
    const cancel = await apply('sistemas', 'CANCELAR', picked, '?paso=centro-trabajo-alta.recepcionSubjefatura').expect(
      422,
    );
    expect(cancel.text).toContain('no se aplica a varios trámites a la vez');
    expect(await states()).toEqual(cases.map(() => 'recepcionSubjefatura'));
  });

  it('the Subjefatura receives all of them at once', async () => {
    const html = await page('sistemas', '?paso=centro-trabajo-alta.recepcionSubjefatura');
    expect(html).toMatch(/name="tipo" value="RECIBIR_TURNO"/);
    const res = await apply(
      'sistemas',
      'RECIBIR_TURNO',
      boxes(html),
      '?paso=centro-trabajo-alta.recepcionSubjefatura',
    ).expect(200);
    expect(res.text).toContain('5 trámites atendidos, 0 con error.');
    expect(await states()).toEqual(cases.map(() => 'creacion'));
  });

  it('offers 5.2.1’s CREAR_CUENTA at once: a school without a director in the catalog fails alone, saying so', async () => {
    const html = await page('sistemas', '?paso=centro-trabajo-alta.creacion');
    expect(html).toMatch(/name="tipo" value="CREAR_CUENTA"/);
    const director = await addWorker(ds(), { nombre: 'Rocío', primerApellido: 'Peña' });
    await ds()
      .getRepository(CentroTrabajo)
      .update({ cct: In([1, 2, 3, 4].map(testCct)) }, { directorCurp: director.curp });
    const res = await apply('sistemas', 'CREAR_CUENTA', boxes(html), '?paso=centro-trabajo-alta.creacion').expect(200);
    expect(res.text).toContain('4 trámites atendidos, 1 con error');
    expect(res.text).toContain(
      `Folio ${folio}, CCT ${testCct(5)}: El centro de trabajo ${testCct(5)} no tiene director en el Catálogo`,
    );
    expect(await states()).toEqual(cases.map((_, i) => (i === 4 ? 'creacion' : 'aprovisionamiento')));
  });
});
