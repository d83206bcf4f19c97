/**
 * One oficio, many accounts (issue 14, part 2), working the lines together: POST /api/tramites/eventos sends one act
 * to many cases, each in its own transaction with every check of a single act; GET /api/oficios/:id/lineas gives the
 * lines with their case's state and version. A case that fails (stale, out of scope, not its role, no director, its
 * provisioning refused) is answered or ends alone, and the others advance.
 */
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import { type DataSource, In } from 'typeorm';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { IssuedDocument } from '../../src/oficios/entities/document.entity';
import { FILE_STORE, type FileStore } from '../../src/oficios/file-store';
import { addWorker } from '../support/pipeline';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';
import { until } from '../support/until';
import { addCentros, addNiveles, pdfsig, pdfText, postOficio, scannedOficio, settle, testCct } from './support';

jest.setTimeout(300_000);

interface Line {
  linea: number;
  cct: string;
  tramite: string;
  estado: string | null;
  status: string | null;
  version: number | null;
  resultado: string | null;
}
interface Outcome {
  id: string;
  ok: boolean;
  status: number | string;
  estado?: string;
  error?: string;
  mensaje?: string;
  versionActual?: number;
}
interface Answer {
  tipo: string;
  total: number;
  hechos: number;
  conError: number;
  resultados: Outcome[];
}

const lines = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ cct: testCct(from + i), nombre: `Escuela primaria ${from + i}` }));

describe('oficios: one oficio, many school accounts (working the lines together)', () => {
  let t: TestApp;
  let pdf: Buffer;
  const tok: Record<string, string> = {};
  const http = () => request(t.app.getHttpServer());
  const ds = (): DataSource => t.db.dataSource;
  let numero = 0;

  const register = async (annex: { cct: string; nombre: string }[]): Promise<{ id: string; folio: string }> => {
    numero += 1;
    const res = await postOficio(t, tok.oficialia, pdf, {
      procedimiento: 'centro-trabajo-alta',
      numeroOficio: `DEP/L${String(numero).padStart(4, '0')}/2026`,
      fechaOficio: '2026-11-20',
      remitenteNombre: 'Profr. José Ángel Núñez Ceballos',
      remitenteCargo: 'Director de Educación Primaria',
      nivel: 'PRIMARIA',
      asunto: 'Alta de cuentas para los centros de trabajo siguientes',
      lineas: JSON.stringify(annex),
    }).expect(201);
    return res.body as { id: string; folio: string };
  };
  const lineas = async (oficioId: string, q = '', who = 'sistemas'): Promise<Line[]> =>
    (
      (await http().get(`/api/oficios/${oficioId}/lineas${q}`).set('Authorization', `Bearer ${tok[who]}`).expect(200))
        .body as { lineas: Line[] }
    ).lineas;
  const bulk = (who: string, tipo: string, tramites: unknown[], datos?: Record<string, unknown>) =>
    http()
      .post('/api/tramites/eventos')
      .set('Authorization', `Bearer ${tok[who]}`)
      .send({ tipo, tramites, ...(datos ? { datos } : {}) });
  const items = (ls: Line[]) => ls.map((l) => ({ id: l.tramite, version: l.version }));
  const casesOf = async (ls: Line[]): Promise<Map<string, ProcedureCase>> =>
    new Map(
      (
        await ds()
          .getRepository(ProcedureCase)
          .findBy({ id: In(ls.map((l) => l.tramite)) })
      ).map((c) => [c.id, c]),
    );

  beforeAll(async () => {
    t = await createTestApp({ RELAY_INTERVAL_MS: '60000' });
    await addNiveles(ds());
    await createStaff(ds(), 'oficialia', 'subdireccion');
    await createStaff(ds(), 'sistemas', 'subjefatura');
    await createStaff(ds(), 'primaria', 'nivel', { nivelClave: 'PRIMARIA' });
    await createStaff(ds(), 'secundaria', 'nivel', { nivelClave: 'SECUNDARIA' });
    for (const u of ['oficialia', 'sistemas', 'primaria', 'secundaria']) tok[u] = await login(t.app, u);
    await addCentros(ds(), 600);
    pdf = await scannedOficio('Oficio: alta de cuentas para los 25 centros de trabajo siguientes.');
  });
  afterAll(async () => t?.close());

  let oficio: { id: string; folio: string };
  let all: Line[];

  it('lists an oficio’s lines with their case, state and version, optionally those at one step', async () => {
    oficio = await register(lines(1, 25));
    all = await lineas(oficio.id);
    expect(all.map((l) => [l.linea, l.cct, l.estado, l.status, l.resultado])).toEqual(
      lines(1, 25).map((l, i) => [i + 1, l.cct, 'turno', 'activo', null]),
    );
    const cases = await casesOf(all);
    for (const l of all) expect(l.version).toBe(cases.get(l.tramite)!.version);
    expect(await lineas(oficio.id, '?estado=turno')).toHaveLength(25);
    expect(await lineas(oficio.id, '?estado=creacion')).toHaveLength(0);
    // Deny by default: only the Subdirección and the Subjefatura read an oficio's lines; an unknown oficio is a 404.
    await http().get(`/api/oficios/${oficio.id}/lineas`).set('Authorization', `Bearer ${tok.primaria}`).expect(403);
    await http()
      .get('/api/oficios/00000000-0000-4000-8000-000000000001/lineas')
      .set('Authorization', `Bearer ${tok.sistemas}`)
      .expect(404);
    await http().get(`/api/oficios/${oficio.id}/lineas`).expect(401);
  });

  it('the Subdirección turns all 25 lines in one request; the line that changed meanwhile gets its 409 alone', async () => {
    // Line 5 is turned on its own after the list was read: the version the list gave is stale.
    const line5 = all[4];
    await http()
      .post(`/api/tramites/${line5.tramite}/eventos`)
      .set('Authorization', `Bearer ${tok.oficialia}`)
      .send({ tipo: 'TURNAR', version: line5.version })
      .expect(200);
    const res = await bulk('oficialia', 'TURNAR', items(all)).expect(200);
    const body = res.body as Answer;
    expect([body.tipo, body.total, body.hechos, body.conError]).toEqual(['TURNAR', 25, 24, 1]);
    expect(body.resultados.map((r) => r.id)).toEqual(all.map((l) => l.tramite));
    const failed = body.resultados[4];
    expect(failed).toMatchObject({
      ok: false,
      status: 409,
      error: 'VERSION_CAMBIO',
      versionActual: line5.version! + 1,
    });
    expect(failed.mensaje).toContain('cambió desde que lo consultó');
    const cases = await casesOf(all);
    for (const [i, r] of body.resultados.entries()) {
      const c = cases.get(r.id)!;
      expect(c.state).toBe('recepcionSubjefatura');
      // Each case moved once: line 5 by its own request, the others by the bulk one.
      expect(c.version).toBe(all[i].version! + 1);
      if (i !== 4) expect(r).toMatchObject({ ok: true, estado: 'recepcionSubjefatura', version: c.version });
    }
  });

  it('refuses per case what the single route refuses: out of scope or unknown 404, not the role 403', async () => {
    all = await lineas(oficio.id, '?estado=recepcionSubjefatura');
    expect(all).toHaveLength(25);
    const some = items(all.slice(0, 3));
    // A Nivel of another level does not see these cases: 404, as if they did not exist.
    const other = (await bulk('secundaria', 'RECIBIR_TURNO', some).expect(200)).body as Answer;
    expect(other.resultados.map((r) => [r.status, r.error])).toEqual(some.map(() => [404, 'NO_ENCONTRADO']));
    // Their own level sees them but receiving the turn is the Subjefatura's step.
    const own = (await bulk('primaria', 'RECIBIR_TURNO', some).expect(200)).body as Answer;
    expect(own.resultados.map((r) => [r.status, r.error])).toEqual(some.map(() => [403, 'ROL_NO_AUTORIZADO']));
    const odd = (
      await bulk('sistemas', 'RECIBIR_TURNO', [
        { id: '00000000-0000-4000-8000-00000000abcd', version: 1 },
        { id: 'no-es-un-id', version: 1 },
      ]).expect(200)
    ).body as Answer;
    expect(odd.resultados.map((r) => r.status)).toEqual([404, 404]);
    // Nothing moved.
    expect(await lineas(oficio.id, '?estado=recepcionSubjefatura')).toHaveLength(25);
    // Acts that are one case's decision are not sent in bulk; an empty or oversized list is a 400.
    const cancel = await bulk('oficialia', 'CANCELAR', some, { motivo: 'Registrado por error.' }).expect(422);
    expect(cancel.body).toMatchObject({ error: 'ACCION_NO_MASIVA' });
    await bulk('sistemas', 'RECIBIR_TURNO', []).expect(400);
    const over = Array.from({ length: 501 }, () => some[0]);
    expect(JSON.stringify((await bulk('sistemas', 'RECIBIR_TURNO', over).expect(400)).body)).toContain('500');
    await bulk('sistemas', 'RECIBIR_TURNO', [{ id: all[0].tramite }]).expect(400);
    await http().post('/api/tramites/eventos').send({ tipo: 'RECIBIR_TURNO', tramites: some }).expect(401);
    expect(await lineas(oficio.id, '?estado=recepcionSubjefatura')).toHaveLength(25);
  });

  it('the Subjefatura receives all 25 in one request', async () => {
    const res = (await bulk('sistemas', 'RECIBIR_TURNO', items(all)).expect(200)).body as Answer;
    expect([res.hechos, res.conError]).toEqual([25, 0]);
    expect((await lineas(oficio.id, '?estado=creacion')).map((l) => l.linea)).toEqual(all.map((l) => l.linea));
  });

  it('CREAR_CUENTA on all lines takes each school and its director: each case in provisioning with its own command', async () => {
    all = await lineas(oficio.id, '?estado=creacion');
    // The catalog names a director for every school but line 7's.
    const directors = new Map<string, string>();
    for (const l of all) {
      if (l.linea === 7) continue;
      const d = await addWorker(ds(), { nombre: `Director ${l.linea}`, primerApellido: 'Pérez' });
      directors.set(l.cct, d.curp);
      await ds().getRepository(CentroTrabajo).update({ cct: l.cct }, { directorCurp: d.curp });
    }
    const res = (await bulk('sistemas', 'CREAR_CUENTA', items(all)).expect(200)).body as Answer;
    expect([res.hechos, res.conError]).toEqual([24, 1]);
    expect(res.resultados[6]).toMatchObject({ ok: false, status: 422, error: 'SIN_DIRECTOR' });
    expect(res.resultados[6].mensaje).toContain(all[6].cct);
    // The Subjefatura records line 7's director in the catalog (the access link and the reply letter take the
    // director from there) and sends line 7 alone, this time with the CURP as that case's data: a malformed one is
    // that case's 422, the right one goes through.
    const d7 = await addWorker(ds(), { nombre: 'Directora Siete', primerApellido: 'Ruiz' });
    directors.set(all[6].cct, d7.curp);
    await ds().getRepository(CentroTrabajo).update({ cct: all[6].cct }, { directorCurp: d7.curp });
    const typo = (
      await bulk('sistemas', 'CREAR_CUENTA', [{ ...items([all[6]])[0], datos: { directorCurp: 'RUZD800101' } }]).expect(
        200,
      )
    ).body as Answer;
    expect(typo.resultados).toEqual([expect.objectContaining({ ok: false, status: 422 })]);
    expect(typo.resultados[0].mensaje).toContain('CURP del director');
    const seven = (
      await bulk('sistemas', 'CREAR_CUENTA', [{ ...items([all[6]])[0], datos: { directorCurp: d7.curp } }]).expect(200)
    ).body as Answer;
    expect(seven.resultados).toEqual([expect.objectContaining({ ok: true, estado: 'aprovisionamiento' })]);
    expect(JSON.stringify([res, seven])).not.toMatch(/password|contrase/i);

    const cases = await casesOf(all);
    expect([...cases.values()].map((c) => c.state)).toEqual(all.map(() => 'aprovisionamiento'));
    const commands = await ds()
      .getRepository(OutboxCommand)
      .find({ where: { caseId: In(all.map((l) => l.tramite)), type: 'provision' } });
    expect(commands).toHaveLength(25);
    const byCase = new Map(commands.map((c) => [c.caseId, JSON.parse(c.payload) as Record<string, unknown>]));
    for (const l of all)
      expect(byCase.get(l.tramite)).toEqual({
        op: 'create',
        tipo: 'centro_trabajo',
        cct: l.cct,
        curp: directors.get(l.cct),
      });
  });

  it('a line whose provisioning fails becomes an incident; the other 24 get their account and wait for the one letter', async () => {
    // Line 12's school got an account another way meanwhile: its create is refused (never a second account).
    const line12 = all[11];
    await ds().getRepository(Cuenta).insert({
      id: '00000000-0000-4000-8000-000000000912',
      direccion: 'otra.cuenta12@colima.gob.mx',
      localPart: 'otra.cuenta12',
      dominio: 'colima.gob.mx',
      tipo: 'centro_trabajo',
      titularTipo: 'centro',
      titularCurp: null,
      titularCct: line12.cct,
      estado: 'activa',
      proveedor: 'local',
      proveedorId: 'p912',
    });
    const others = all.filter((l) => l !== line12);
    const parkedLetters = () =>
      ds()
        .getRepository(OutboxCommand)
        .countBy({ caseId: In(others.map((l) => l.tramite)), type: 'renderReplyLetter', status: 'en_espera' });
    await until(
      'las 24 líneas con cuenta esperan, en su paso de oficio de respuesta, el oficio único',
      async () => {
        await settle(t);
        const now = await casesOf(others);
        return others.every((l) => now.get(l.tramite)?.state === 'oficioRespuesta') && (await parkedLetters()) === 24;
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    const cases = await casesOf(all);
    const c12 = cases.get(line12.tramite)!;
    expect([c12.status, c12.state]).toEqual(['incidente', 'incidente']);
    expect(c12.incidentMessage).toContain('ya tiene la cuenta otra.cuenta12@colima.gob.mx');
    for (const l of others) {
      const c = cases.get(l.tramite)!;
      expect([l.linea, c.status, c.state, c.incidentMessage]).toEqual([l.linea, 'activo', 'oficioRespuesta', null]);
    }
    const cuentas = await ds()
      .getRepository(Cuenta)
      .findBy({ titularCct: In(all.map((l) => l.cct)) });
    expect(cuentas).toHaveLength(25);
    const mine = cuentas.filter((c) => c.id !== '00000000-0000-4000-8000-000000000912');
    expect(mine.map((c) => c.titularCct).sort()).toEqual(others.map((l) => l.cct).sort());
    for (const c of mine) expect([c.estado, c.proveedor, c.proveedorId !== null]).toEqual(['activa', 'local', true]);
    // No letter yet: it must state line 12's result too.
    expect(await ds().getRepository(IssuedDocument).countBy({ oficioId: oficio.id, kind: 'respuesta' })).toBe(0);
    const now = await lineas(oficio.id);
    expect(now.filter((l) => l.status === 'incidente').map((l) => l.linea)).toEqual([12]);
    expect(now.filter((l) => l.estado === 'oficioRespuesta')).toHaveLength(24);
  });

  it('line 12 answered as not proceeding completes the oficio: ONE signed letter lists the 25 results', async () => {
    const line12 = all[11];
    const [l12] = (await lineas(oficio.id)).filter((l) => l.linea === 12);
    await http()
      .post(`/api/tramites/${line12.tramite}/eventos`)
      .set('Authorization', `Bearer ${tok.sistemas}`)
      .send({ tipo: 'CANCELAR', version: l12.version, datos: { motivo: 'El centro de trabajo ya tiene su cuenta.' } })
      .expect(200);
    await until(
      'las 25 líneas reciben el oficio de respuesta único',
      async () => {
        await settle(t);
        const now = await casesOf(all);
        return all.every((l) => now.get(l.tramite)?.state === 'envioRespuesta');
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    const letters = await ds().getRepository(IssuedDocument).findBy({ oficioId: oficio.id, kind: 'respuesta' });
    expect(letters).toHaveLength(1);
    const [letter] = letters;
    // Every line's case took that letter; no command was left waiting or failed.
    const cases = await casesOf(all);
    for (const l of all) {
      const ctx = JSON.stringify(cases.get(l.tramite)!.snapshot);
      expect(ctx).toContain(letter.id);
    }
    const cmds = await ds()
      .getRepository(OutboxCommand)
      .findBy({ caseId: In(all.map((l) => l.tramite)), type: 'renderReplyLetter' });
    expect(cmds.map((c) => c.status).sort()).toEqual(all.map(() => 'hecho'));
    // One número de oficio spent.
    expect(letter.numeroOficio).toMatch(/^SSST\/\d{4}\/\d{4}$/);
    const pdf = await t.app.get<FileStore>(FILE_STORE).read(letter.storageKey);
    expect(pdfsig(pdf)).toContain('Signature is Valid.');
    const text = pdfText(pdf).replace(/\s+/g, ' ');
    expect(text).toContain('para 25 centros de trabajo');
    expect(text).toContain('24 creadas y 1 no procede');
    for (const l of all) expect(text).toContain(l.cct);
    expect(text).toContain('No procede: El centro de trabajo ya tiene su cuenta.');
    const created = await ds()
      .getRepository(Cuenta)
      .findBy({ titularCct: In(all.filter((l) => l !== line12).map((l) => l.cct)) });
    for (const c of created) expect(text).toContain(c.direccion);
    expect(text).not.toMatch(/contrase(ñ|n)a:/i);
    process.stdout.write(`\n[oficio-bulk] 25-line reply letter: ${letter.paginas} pages, ${letter.bytes} bytes\n`);

    // Every line's case answers with the letter; the Nivel gets it only once the Subdirección turned it.
    const replyOf = (caseId: string, who: string) =>
      http().get(`/api/oficios/${caseId}/respuesta`).set('Authorization', `Bearer ${tok[who]}`);
    expect((await replyOf(all[20].tramite, 'sistemas').expect(200)).body.documento.id).toBe(letter.id);
    await replyOf(all[3].tramite, 'primaria').expect(404);
    await http().get(`/api/documentos/${letter.id}/pdf`).set('Authorization', `Bearer ${tok.primaria}`).expect(404);
    const sent = (await bulk('sistemas', 'ENVIAR_RESPUESTA', items(await lineas(oficio.id))).expect(200))
      .body as Answer;
    expect(sent.hechos).toBe(25);
    const turned = (await bulk('oficialia', 'TURNAR_RESPUESTA', items(await lineas(oficio.id))).expect(200))
      .body as Answer;
    expect(turned.hechos).toBe(25);
    expect((await replyOf(all[3].tramite, 'primaria').expect(200)).body.documento.id).toBe(letter.id);
    await http().get(`/api/documentos/${letter.id}/pdf`).set('Authorization', `Bearer ${tok.primaria}`).expect(200);
    await http().get(`/api/documentos/${letter.id}/pdf`).set('Authorization', `Bearer ${tok.secundaria}`).expect(404);
  });

  it('500 lines are turned in one request', async () => {
    const big = await register(lines(51, 500));
    const ls = await lineas(big.id, '', 'oficialia');
    expect(ls).toHaveLength(500);
    const t0 = performance.now();
    const res = (await bulk('oficialia', 'TURNAR', items(ls)).expect(200)).body as Answer;
    const ms = performance.now() - t0;
    process.stdout.write(`\n[oficio-bulk] TURNAR on 500 cases on ${ds().options.type}: ${Math.round(ms)} ms\n`);
    expect([res.hechos, res.conError]).toEqual([500, 0]);
    expect(await lineas(big.id, '?estado=recepcionSubjefatura')).toHaveLength(500);
  });
});
