/**
 * One oficio, many accounts (issue 14, part 2) for an area's Servicio accounts (Guía 5.3.1): POST /api/oficios with
 * `lineas: [{ curp, cuenta, tipo? }]` registers one oficio and one servicio-alta case per line, each line checked
 * against Capital Humano and the accounts before anything is written; CREAR_CUENTA sent to all the lines without data
 * takes each line's holder, type and name; ONE signed letter answers the oficio with a row per account.
 */
import request from 'supertest';
import { type DataSource, In } from 'typeorm';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import type { Trabajador } from '../../src/catalog/entities/trabajador.entity';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { IssuedDocument } from '../../src/oficios/entities/document.entity';
import { OficioLinea } from '../../src/oficios/entities/oficio-linea.entity';
import { FILE_STORE, type FileStore } from '../../src/oficios/file-store';
import { OficioLineDefaults } from '../../src/oficios/oficio-line-defaults';
import { generateCurp } from '../../src/validation/curp-generate';
import { addWorker } from '../support/pipeline';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';
import { until } from '../support/until';
import { addNiveles, census as censusOf, pdfText, postOficio, scannedOficio, settle } from './support';

jest.setTimeout(300_000);

interface Line {
  linea: number;
  curp: string | null;
  tramite: string;
  estado: string | null;
  version: number | null;
}
interface Answer {
  hechos: number;
  conError: number;
  resultados: { ok: boolean; estado?: string; mensaje?: string }[];
}

const NAMES = ['Ana', 'Bruno', 'Carla', 'Diego', 'Elena'];

describe('oficios: one oficio, many Servicio accounts (5.3.1 lines)', () => {
  let t: TestApp;
  let pdf: Buffer;
  const tok: Record<string, string> = {};
  const http = () => request(t.app.getHttpServer());
  const ds = (): DataSource => t.db.dataSource;
  let numero = 0;
  let holders: Trabajador[];
  let inactive: Trabajador;
  let domain: string;

  const fields = (lineas: unknown): Record<string, string> => {
    numero += 1;
    return {
      procedimiento: 'servicio-alta',
      numeroOficio: `DB/${String(numero).padStart(4, '0')}/2026`,
      fechaOficio: '2026-11-20',
      remitenteNombre: 'Lic. Ana Sofía Cárdenas Muñoz',
      remitenteCargo: 'Directora',
      area: 'Dirección de Becas',
      asunto: 'Cuentas de servicio para los programas siguientes',
      lineas: JSON.stringify(lineas),
    };
  };
  const census = () => censusOf(ds());
  const lineas = async (oficioId: string): Promise<Line[]> =>
    (
      (await http().get(`/api/oficios/${oficioId}/lineas`).set('Authorization', `Bearer ${tok.sistemas}`).expect(200))
        .body as { lineas: Line[] }
    ).lineas;
  const bulk = async (who: string, tipo: string, ls: Line[]): Promise<Answer> =>
    (
      await http()
        .post('/api/tramites/eventos')
        .set('Authorization', `Bearer ${tok[who]}`)
        .send({ tipo, tramites: ls.map((l) => ({ id: l.tramite, version: l.version })) })
        .expect(200)
    ).body as Answer;
  const casesOf = async (ls: Line[]): Promise<ProcedureCase[]> =>
    ds()
      .getRepository(ProcedureCase)
      .findBy({ id: In(ls.map((l) => l.tramite)) });

  beforeAll(async () => {
    t = await createTestApp({ RELAY_INTERVAL_MS: '60000' });
    domain = t.config.mailDomain;
    await addNiveles(ds());
    await createStaff(ds(), 'oficialia', 'subdireccion');
    await createStaff(ds(), 'sistemas', 'subjefatura');
    for (const u of ['oficialia', 'sistemas']) tok[u] = await login(t.app, u);
    holders = [];
    for (const nombre of NAMES) holders.push(await addWorker(ds(), { nombre, primerApellido: 'Servín' }));
    inactive = await addWorker(ds(), { nombre: 'Inés', primerApellido: 'Baja', activo: false });
    await ds()
      .getRepository(Cuenta)
      .insert({
        id: '00000000-0000-4000-8000-000000000531',
        direccion: `becas.tomada@${domain}`,
        localPart: 'becas.tomada',
        dominio: domain,
        tipo: 'servicio',
        titularTipo: 'trabajador',
        titularCurp: holders[0].curp,
        titularCct: null,
        estado: 'activa',
        proveedor: 'local',
        proveedorId: 'p531',
      });
    pdf = await scannedOficio('Oficio: cuentas de servicio para los programas siguientes.');
  });
  afterAll(async () => t?.close());

  // Line 4 asks for a Función account; the others for Servicio (the default).
  const annex = (): { curp: string; cuenta: string; tipo?: string }[] =>
    holders.map((h, i) => ({
      curp: h.curp,
      cuenta: `becas.programa${i + 1}`,
      ...(i === 3 ? { tipo: 'funcion' } : {}),
    }));
  let oficio: { id: string; folio: string; lineas: { linea: number; curp: string; tipo: string; tramite: string }[] };

  it('an annex with bad lines: 422 naming every bad line and field, nothing written in any table', async () => {
    const before = await census();
    const good = annex();
    const unknown = generateCurp({
      nombre: 'Nadie',
      primerApellido: 'Desconocido',
      segundoApellido: 'Ochoa',
      fechaNacimiento: { year: 1979, month: 2, day: 13 },
      sexo: 'M',
      estado: 'CM',
      diferenciador: '0',
    });
    const res = await postOficio(
      t,
      tok.oficialia,
      pdf,
      fields([
        good[0],
        { curp: 'XXXX800101', cuenta: 'becas.corta' },
        { curp: unknown, cuenta: 'becas.desconocida' },
        { curp: inactive.curp, cuenta: 'becas.inactiva' },
        { curp: good[1].curp, cuenta: 'Becas.Mayusculas' },
        { curp: good[2].curp, cuenta: 'becas.tomada' },
        { curp: good[3].curp, cuenta: good[0].cuenta },
        { curp: good[4].curp, cuenta: 'becas.personal', tipo: 'personal' },
      ]),
    ).expect(422);
    expect(res.body.error).toBe('LINEAS_INVALIDAS');
    expect(res.body.mensaje).toContain('7 de 8 líneas');
    const bad = (res.body as { lineas: { linea: number; curp: string; errores: { campo: string }[] }[] }).lineas;
    expect(bad.map((l) => [l.linea, l.errores.map((e) => e.campo)])).toEqual([
      [2, ['curp']],
      [3, ['curp']],
      [4, ['curp']],
      [5, ['cuenta']],
      [6, ['cuenta']],
      [7, ['cuenta']],
      [8, ['tipo']],
    ]);
    const messages = JSON.stringify(bad);
    expect(messages).toContain(`No hay un trabajador con CURP ${unknown} en el catálogo de Capital Humano.`);
    expect(messages).toContain(`El trabajador con CURP ${inactive.curp} no está activo en Capital Humano.`);
    expect(messages).toContain('minúsculas');
    expect(messages).toContain(`La dirección becas.tomada@${domain} ya está en uso`);
    expect(messages).toContain(`La cuenta ${good[0].cuenta} ya está en la línea 1.`);
    expect(bad.find((l) => l.linea === 4)?.curp).toBe(inactive.curp);
    expect(await census()).toEqual(before);
  });

  it('a 5-line oficio registers once: 1 oficio, 5 lines with holder, type and name, 5 servicio-alta cases', async () => {
    const before = await census();
    const res = await postOficio(t, tok.oficialia, pdf, fields(annex())).expect(201);
    oficio = res.body as typeof oficio;
    const after = await census();
    expect([after.oficio - before.oficio, after.oficio_linea - before.oficio_linea]).toEqual([1, 5]);
    expect(after.procedure_case - before.procedure_case).toBe(5);
    const rows = await ds()
      .getRepository(OficioLinea)
      .find({ where: { oficioId: oficio.id }, order: { linea: 'ASC' } });
    expect(rows.map((l) => [l.linea, l.cct, l.curp, l.tipoCuenta, l.nombreCuenta])).toEqual(
      annex().map((l, i) => [i + 1, null, l.curp, l.tipo ?? 'servicio', l.cuenta]),
    );
    expect(oficio.lineas.map((l) => [l.linea, l.curp, l.tipo, l.tramite])).toEqual(
      rows.map((l) => [l.linea, l.curp, l.tipoCuenta, l.caseId]),
    );
    const cases = await ds()
      .getRepository(ProcedureCase)
      .findBy({ id: In(rows.map((l) => l.caseId)) });
    expect(cases.map((c) => [c.procedureId, c.folio, c.state])).toEqual(
      cases.map(() => ['servicio-alta', oficio.folio, 'turno']),
    );
  });

  it('TURNAR, RECIBIR_TURNO and CREAR_CUENTA without data on all lines: each provisions its own line', async () => {
    let ls = await lineas(oficio.id);
    expect(ls.map((l) => l.curp)).toEqual(holders.map((h) => h.curp));
    expect((await bulk('oficialia', 'TURNAR', ls)).hechos).toBe(5);
    ls = await lineas(oficio.id);
    expect((await bulk('sistemas', 'RECIBIR_TURNO', ls)).hechos).toBe(5);
    ls = await lineas(oficio.id);
    expect(ls.map((l) => l.estado)).toEqual(ls.map(() => 'creacion'));
    // What a sender gives wins over the line, field by field (the bulk request's per-case `datos`).
    const own = await t.app
      .get(OficioLineDefaults)
      .fill(
        ds().manager,
        { id: ls[4].tramite, procedureId: 'servicio-alta', cct: null, curp: null },
        { type: 'CREAR_CUENTA', localPart: 'becas.propia' },
      );
    expect(own).toEqual({ type: 'CREAR_CUENTA', tipo: 'servicio', curp: holders[4].curp, localPart: 'becas.propia' });
    const created = await bulk('sistemas', 'CREAR_CUENTA', ls);
    expect([created.hechos, created.conError]).toEqual([5, 0]);
    expect(created.resultados.map((r) => r.estado)).toEqual(ls.map(() => 'aprovisionamiento'));
    const commands = await ds()
      .getRepository(OutboxCommand)
      .findBy({ caseId: In(ls.map((l) => l.tramite)), type: 'provision' });
    const byCase = new Map(commands.map((c) => [c.caseId, JSON.parse(c.payload) as Record<string, unknown>]));
    expect(ls.map((l) => byCase.get(l.tramite))).toEqual(
      annex().map((l) => ({ op: 'create', tipo: l.tipo ?? 'servicio', curp: l.curp, localPart: l.cuenta })),
    );
  });

  it('the 5 accounts are made for their holders; ONE signed letter lists the 5 lines; all 5 cases reach envioRespuesta', async () => {
    const ls = await lineas(oficio.id);
    await until(
      'las 5 líneas reciben el oficio de respuesta único',
      async () => {
        await settle(t);
        return (await casesOf(ls)).every((c) => c.state === 'envioRespuesta');
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    const cuentas = await ds()
      .getRepository(Cuenta)
      .findBy({ direccion: In(annex().map((l) => `${l.cuenta}@${domain}`)) });
    expect(
      cuentas
        .map((c) => [c.localPart, c.tipo, c.titularTipo, c.titularCurp, c.estado])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual(annex().map((l) => [l.cuenta, l.tipo ?? 'servicio', 'trabajador', l.curp, 'activa']));

    const letters = await ds().getRepository(IssuedDocument).findBy({ oficioId: oficio.id, kind: 'respuesta' });
    expect(letters).toHaveLength(1);
    const [letter] = letters;
    for (const c of await casesOf(ls)) expect(JSON.stringify(c.snapshot)).toContain(letter.id);
    const file = await t.app.get<FileStore>(FILE_STORE).read(letter.storageKey);
    const text = pdfText(file).replace(/\s+/g, ' ');
    expect(text).toContain('5 cuentas de servicio');
    expect(text).toContain('5 creadas');
    expect(text).toMatch(/No\. CURP Titular Resultado/);
    expect(text.match(/ Creada /g)).toHaveLength(5);
    // One row per line: each CURP, its holder, its address and where its link went, once.
    for (const [i, l] of annex().entries()) {
      expect(text.split(l.curp)).toHaveLength(2);
      expect(text).toContain(`${l.cuenta}@${domain}`);
      expect(text).toContain(`${NAMES[i]} Servín`);
    }
    expect(text).toContain('Enlace de activación enviado a');
    expect(text).not.toMatch(/contrase(ñ|n)a:/i);
  });
});
