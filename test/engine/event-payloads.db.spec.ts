/**
 * The engine checks what each event carries against the machines' declarations (machines/parts/payloads.ts) for every
 * caller: the REST API refuses what the web page refuses, with the same Spanish message, before writing anything.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import type { Trabajador } from '../../src/catalog/entities/trabajador.entity';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Movement } from '../../src/engine/entities/movement.entity';
import { addNiveles, scannedOficio, settle } from '../oficios/support';
import { addWorker } from '../support/pipeline';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';

type Who = 'oficialia' | 'sistemas' | 'becas';

describe('event payloads over the REST API', () => {
  let t: TestApp;
  let pdf: Buffer;
  let holder: Trabajador;
  let cuenta: Cuenta;
  const tok = {} as Record<Who, string>;
  const ids = {} as Record<Who, string>;
  const http = () => request(t.app.getHttpServer());
  const ds = () => t.db.dataSource;

  beforeAll(async () => {
    t = await createTestApp({ RELAY_INTERVAL_MS: '60000' });
    await addNiveles(ds());
    ids.oficialia = (await createStaff(ds(), 'oficialia10', 'subdireccion')).id;
    ids.sistemas = (await createStaff(ds(), 'sistemas10', 'subjefatura')).id;
    ids.becas = (await createStaff(ds(), 'becas10', 'responsable')).id;
    for (const who of ['oficialia', 'sistemas', 'becas'] as const) tok[who] = await login(t.app, `${who}10`);
    pdf = await scannedOficio('Oficio de solicitud (prueba de datos).');
    holder = await addWorker(ds(), { nombre: 'Fidel', primerApellido: 'Campos' });
    cuenta = {
      id: randomUUID(),
      direccion: 'programa.datos@colima.gob.mx',
      localPart: 'programa.datos',
      dominio: 'colima.gob.mx',
      tipo: 'servicio',
      titularTipo: 'trabajador',
      titularCurp: holder.curp,
      titularCct: null,
      estado: 'activa',
      proveedor: 'local',
      proveedorId: null,
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    await ds().getRepository(Cuenta).insert(cuenta);
  });
  afterAll(async () => t?.close());

  const send = (who: Who, caseId: string, tipo: string, version: number, datos?: Record<string, unknown>) =>
    http()
      .post(`/api/tramites/${caseId}/eventos`)
      .set('Authorization', `Bearer ${tok[who]}`)
      .send({ tipo, version, ...(datos ? { datos } : {}) });

  /** A 5.4 oficio registered, turned and received: the Subjefatura looks for the account. */
  async function reassignmentAtSubjefatura(numeroOficio: string): Promise<string> {
    const r = http().post('/api/oficios').set('Authorization', `Bearer ${tok.oficialia}`);
    const fields = {
      procedimiento: 'cuenta-reasignar',
      numeroOficio,
      area: 'Dirección de Becas',
      responsableId: ids.becas,
      asunto: 'Reasignar programa.datos',
      cuentas: cuenta.direccion,
      fechaOficio: '2026-11-20',
      remitenteNombre: 'Profr. José Núñez',
      remitenteCargo: 'Director',
    };
    for (const [k, v] of Object.entries(fields)) void r.field(k, v);
    const res = await r.attach('archivo', pdf, { filename: 'oficio.pdf', contentType: 'application/pdf' });
    if (res.status !== 201) throw new Error(`registro → ${res.status}: ${JSON.stringify(res.body)}`);
    const caseId = (res.body as { tramite: string }).tramite;
    await settle(t);
    let version = (await state(caseId)).version;
    await send('oficialia', caseId, 'TURNAR', version).expect(200);
    version += 1;
    await send('sistemas', caseId, 'RECIBIR_TURNO', version).expect(200);
    return caseId;
  }

  const state = async (caseId: string) => {
    const row = await ds().getRepository(ProcedureCase).findOneByOrFail({ id: caseId });
    return {
      version: row.version,
      state: row.state,
      status: row.status,
      movements: await ds().getRepository(Movement).countBy({ caseId }),
    };
  };

  it('refuses a reassignment to a malformed CURP: 422, the field named, nothing saved', async () => {
    const caseId = await reassignmentAtSubjefatura('DB/1001/2026');
    const before = await state(caseId);
    const res = await send('sistemas', caseId, 'REASIGNAR', before.version, {
      cuentaId: cuenta.id,
      newCurp: 'GOMC850315',
      previousCurp: holder.curp,
    }).expect(422);
    expect(res.body).toMatchObject({ error: 'DATOS_INVALIDOS', campo: 'newCurp' });
    expect(res.body.mensaje).toMatch(/^CURP del nuevo titular: .*18 caracteres/);
    expect(await state(caseId)).toEqual(before);
  });

  it('refuses a cancellation without motivo, and a field the event does not carry', async () => {
    const caseId = await reassignmentAtSubjefatura('DB/1002/2026');
    const before = await state(caseId);
    const sinMotivo = await send('sistemas', caseId, 'CANCELAR', before.version).expect(422);
    expect(sinMotivo.body).toMatchObject({ error: 'DATOS_INVALIDOS', campo: 'motivo', mensaje: 'Escriba el motivo.' });
    const blank = await send('sistemas', caseId, 'CANCELAR', before.version, { motivo: '   ' }).expect(422);
    expect(blank.body.mensaje).toBe('Escriba el motivo.');
    const extra = await send('sistemas', caseId, 'REASIGNAR', before.version, {
      cuentaId: cuenta.id,
      newCurp: holder.curp,
      previousCurp: null,
      contrasena: 'x',
    }).expect(422);
    expect(extra.body).toMatchObject({
      error: 'DATOS_INVALIDOS',
      campo: 'contrasena',
      mensaje: 'La acción «REASIGNAR» no lleva el dato «contrasena»; quítelo.',
    });
    expect(await state(caseId)).toEqual(before);
    // The same case takes a well-formed cancellation, answered with the rejection letter (version 2).
    await send('sistemas', caseId, 'CANCELAR', before.version, { motivo: 'El área retiró la solicitud.' }).expect(200);
    expect(await state(caseId)).toMatchObject({ version: before.version + 1, state: 'oficioRespuesta' });
  });
});
