import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join } from 'node:path';
import request from 'supertest';
import { In } from 'typeorm';
import { PROCEDURES } from '../../machines';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { Movement } from '../../src/engine/entities/movement.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { CalendarService } from '../../src/engine/calendar.service';
import { TransparencyLog } from '../../src/engine/transparency/transparency-log';
import { EngineService } from '../../src/engine/engine.service';
import type { EngineProcedure } from '../../src/engine/procedure-registry';
import { maskEmail, sha256 } from '../../src/letters/verification';
import { DocumentDownload, IssuedDocument } from '../../src/oficios/entities/document.entity';
import { FolioCounter } from '../../src/oficios/entities/folio-counter.entity';
import { Oficio } from '../../src/oficios/entities/oficio.entity';
import { StoredFileRow } from '../../src/oficios/entities/stored-file.entity';
import { FILE_STORE, type FileStore } from '../../src/oficios/file-store';
import { folioYear, inNumberingTransaction, takeNumber } from '../../src/oficios/folio';
import { AcuseProcessor, ReplyLetterProcessor } from '../../src/oficios/letters.processor';
import { addWorker } from '../support/pipeline';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';
import { addNiveles, pdfsig, pdfText, requireTool, scannedOficio, settle } from './support';

const run = promisify(execFile);
const BASE = 'https://correo.example.test';
const YEAR = folioYear(new Date());
const FOLIO = /^SSST-(\d{4})-(\d{6})$/;
const folioNumber = (folio: string): number => Number(FOLIO.exec(folio)?.[2]);

describe('oficios: registration with folio, acuse, reply letter, verification and delivery', () => {
  let t: TestApp;
  let pdf: Buffer;
  const tok: Record<string, string> = {};
  const users: Record<string, string> = {};
  const http = () => request(t.app.getHttpServer());
  const ds = () => t.db.dataSource;

  /** A registration as the clerk sends it: the form fields and the scan. */
  const register = (
    fields: Record<string, string>,
    file: { data: Buffer; name?: string; type?: string } = { data: pdf },
    token = tok.oficialia,
  ) => {
    const r = http().post('/api/oficios').set('Authorization', `Bearer ${token}`);
    const all: Record<string, string> = {
      procedimiento: 'cuenta-bloquear',
      numeroOficio: 'DA/0001/2026',
      fechaOficio: '2026-11-20',
      remitenteNombre: 'Lic. Ana Sofía Cárdenas Muñoz',
      remitenteCargo: 'Directora Administrativa',
      area: 'Dirección Administrativa',
      asunto: 'Solicitud de bloqueo de la cuenta programa.lectura@colima.gob.mx',
      ...fields,
    };
    for (const [k, v] of Object.entries(all)) void r.field(k, v);
    return r.attach('archivo', file.data, {
      filename: file.name ?? 'oficio.pdf',
      contentType: file.type ?? 'application/pdf',
    });
  };

  beforeAll(async () => {
    requireTool('pdfsig', 'poppler-utils');
    // The relay never fires by itself here: each test runs the processors or the queue when it means to.
    t = await createTestApp(
      { RELAY_INTERVAL_MS: '60000', PUBLIC_BASE_URL: BASE },
      { procedures: PROCEDURES as unknown as EngineProcedure[] },
    );
    await addNiveles(ds());
    await createStaff(ds(), 'oficialia', 'subdireccion', { nombre: 'María Fernanda Ochoa Larios' });
    users.sistemas = (await createStaff(ds(), 'sistemas', 'subjefatura')).id;
    users.primaria = (await createStaff(ds(), 'primaria', 'nivel', { nivelClave: 'PRIMARIA' })).id;
    await createStaff(ds(), 'secundaria', 'nivel', { nivelClave: 'SECUNDARIA' });
    await createStaff(ds(), 'becas', 'responsable');
    await createStaff(ds(), 'admin', 'administrador');
    for (const u of ['oficialia', 'sistemas', 'primaria', 'secundaria', 'becas', 'admin'])
      tok[u] = await login(t.app, u);
    pdf = await scannedOficio('Oficio DEP/0457/2026. Solicitud de cuenta de correo institucional.');
  });
  afterAll(async () => t?.close());

  let acuseCaseId = '';
  let acuseOficioId = '';

  it('registers an uploaded PDF: SSST folio of the year, stored by SHA-256, case in «turno» with its acuse in the outbox', async () => {
    const res = await register({
      procedimiento: 'centro-trabajo-alta',
      numeroOficio: 'DEP/0457/2026',
      nivel: 'primaria',
      area: '',
      cct: '06dpr0012x',
      remitenteNombre: 'Profr. José Ángel Núñez Ceballos',
      remitenteCargo: 'Director de Educación Primaria',
      asunto: 'Solicitud de cuenta de correo institucional para la escuela primaria "Benito Juárez"',
      fojas: '2',
      anexos: 'Copia del nombramiento del director',
      curps: '',
      ccts: '06DPR0012X',
    }).expect(201);
    const body = res.body;
    expect(body.folio).toMatch(FOLIO);
    expect(FOLIO.exec(body.folio)?.[1]).toBe(String(YEAR));
    expect(body).toMatchObject({
      estado: 'registrado',
      nivel: 'PRIMARIA',
      area: 'Primaria',
      cct: '06DPR0012X',
      fojas: 2,
      numeroOficio: 'DEP/0457/2026',
      concierne: { ccts: ['06DPR0012X'], curps: [], cuentas: [] },
    });
    expect(body.archivo).toMatchObject({
      sha256: sha256(pdf),
      tipo: 'application/pdf',
      bytes: pdf.length,
      nombre: 'oficio.pdf',
    });
    expect(body.recibido.por).toBe('María Fernanda Ochoa Larios');
    expect(body.caso.state).toBe('turno');
    expect(body.caso.commands.map((c: { type: string }) => c.type)).toContain('renderAcuse');
    // The scan is in the store under its own hash, byte for byte: a file on the embedded default, rows on MariaDB.
    const key = `${sha256(pdf).slice(0, 2)}/${sha256(pdf)}`;
    expect((await t.app.get<FileStore>(FILE_STORE).read(key)).equals(pdf)).toBe(true);
    const onDisk = join(t.db.dataDir, 'documentos', key);
    if (t.db.dialect === 'mysql') {
      expect(existsSync(onDisk)).toBe(false);
      expect(await ds().getRepository(StoredFileRow).findOneBy({ key })).toMatchObject({ bytes: pdf.length });
    } else expect(readFileSync(onDisk).equals(pdf)).toBe(true);
    // The case carries the registration folio and the Nivel; SOLICITAR and RECIBIR_OFICIO happened in its opening.
    const row = await ds().getRepository(ProcedureCase).findOneByOrFail({ id: body.tramite });
    expect(row).toMatchObject({
      folio: body.folio,
      state: 'turno',
      nivelClave: 'PRIMARIA',
      procedureId: 'centro-trabajo-alta',
    });
    const cmds = await ds()
      .getRepository(OutboxCommand)
      .find({ where: { caseId: body.tramite, type: 'renderAcuse' } });
    expect(cmds).toHaveLength(1);
    expect(cmds[0].status).toBe('pendiente');
    acuseCaseId = body.tramite;
    acuseOficioId = body.id;
  });

  it('runs the acuse processor: a signed acuse pdfsig accepts, stored once however often the job is replayed', async () => {
    const cmd = await ds().getRepository(OutboxCommand).findOneByOrFail({ caseId: acuseCaseId, type: 'renderAcuse' });
    const processor = t.app.get(AcuseProcessor);
    await expect(processor.handle(cmd)).resolves.toBeNull();
    await expect(processor.handle(cmd)).resolves.toBeNull();
    const docs = await ds()
      .getRepository(IssuedDocument)
      .find({ where: { caseId: acuseCaseId } });
    expect(docs).toHaveLength(1);
    const doc = docs[0];
    const oficio = await ds().getRepository(Oficio).findOneByOrFail({ id: acuseOficioId });
    expect(doc).toMatchObject({
      kind: 'acuse',
      oficioId: acuseOficioId,
      folio: oficio.folio,
      status: 'vigente',
      nivelClave: 'PRIMARIA',
      outboxId: cmd.id,
      prueba: true,
    });
    expect(doc.codigo).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
    const file = await t.app.get<FileStore>(FILE_STORE).read(doc.storageKey);
    expect(sha256(file)).toBe(doc.sha256);
    const sig = pdfsig(file);
    expect(sig).toContain('Signature is Valid.');
    expect(sig).toContain('Total document signed');
    const text = pdfText(file).replace(/\s+/g, ' ');
    expect(text).toContain(oficio.folio);
    expect(text).toContain('DEP/0457/2026');
    expect(text.replace(/\s/g, '')).toContain(sha256(pdf));
    expect(text).toContain(`/v/${doc.codigo}`);
  });

  const REGISTRATIONS = 50;
  it('gives 50 concurrent registrations 50 distinct folios with no gap, promptly even with the holiday cache cold', async () => {
    const before =
      (await ds().getRepository(FolioCounter).findOneBy({ area: 'SSST', tipo: 'recepcion', anio: YEAR }))?.ultimo ?? 0;
    // As after a start or every 10 minutes: the first case to open a task reads the días inhábiles while its transaction
    // holds the folio counter and the movement chain (on MariaDB, 50 registrations hold every pooled connection and wait for more).
    Reflect.set(t.app.get(CalendarService), 'cache', undefined);
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: REGISTRATIONS }, (_, i) =>
        register(
          { numeroOficio: `DA/${String(100 + i).padStart(4, '0')}/2026` },
          { data: Buffer.concat([pdf, Buffer.from(`%${i}\n`)]) },
        ),
      ),
    );
    // Not the 50 s of InnoDB's lock wait timeout (a registration waiting for a connection while holding the lock).
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(results.map((r) => r.status)).toEqual(results.map(() => 201));
    const numbers = results.map((r) => folioNumber(r.body.folio as string)).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: REGISTRATIONS }, (_, i) => before + 1 + i));
    const after = await ds()
      .getRepository(FolioCounter)
      .findOneByOrFail({ area: 'SSST', tipo: 'recepcion', anio: YEAR });
    expect(after.ultimo).toBe(before + REGISTRATIONS);
    // Every one started its own case.
    const cases = await ds().getRepository(ProcedureCase).countBy({ procedureId: 'cuenta-bloquear', state: 'turno' });
    expect(cases).toBeGreaterThanOrEqual(REGISTRATIONS);
  });

  it('creates a counter on first use while 20 transactions race for it: numbers 1..20, none lost or repeated', async () => {
    const got = await Promise.all(
      Array.from({ length: 20 }, () =>
        inNumberingTransaction(ds(), (em) => takeNumber(em, 'PRUEBA', 'recepcion', 2031)),
      ),
    );
    expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(
      (await ds().getRepository(FolioCounter).findOneByOrFail({ area: 'PRUEBA', tipo: 'recepcion', anio: 2031 }))
        .ultimo,
    ).toBe(20);
  });

  it('takes the folio year from the reception date in Mexico City (31 Dec 23:30 in Colima is still last year)', async () => {
    const res = await register({
      numeroOficio: 'DA/9999/2025',
      fechaOficio: '2025-12-30',
      recibidoEn: '2026-01-01T05:30:00Z',
    }).expect(201);
    expect(res.body.folio).toBe('SSST-2025-000001');
    expect(res.body.recibido.en).toBe('2026-01-01T05:30:00.000Z');
  });

  it('detects the same sender number twice (409 with the existing folio) and registers it when confirmed', async () => {
    const first = await register({
      numeroOficio: 'DB/0042/2026',
      area: 'Dirección de Becas',
      responsableId: '',
    }).expect(201);
    const dup = await register({ numeroOficio: 'db / 0042/2026', area: 'DIRECCION  DE BECAS' }).expect(409);
    expect(dup.body).toMatchObject({
      error: 'OFICIO_DUPLICADO',
      folioExistente: first.body.folio,
      oficioExistente: first.body.id,
    });
    expect(dup.body.mensaje).toMatch(/ya se registró con el folio/);
    // The same number from another sender is another oficio.
    await register({ numeroOficio: 'DB/0042/2026', area: 'Dirección de Recursos Humanos' }).expect(201);
    const confirmed = await register({
      numeroOficio: 'DB/0042/2026',
      area: 'Dirección de Becas',
      confirmarDuplicado: 'true',
    }).expect(201);
    expect(folioNumber(confirmed.body.folio)).toBeGreaterThan(folioNumber(first.body.folio));
  });

  it('checks the file by its content: a text file named .pdf gets 415 in Spanish and spends no folio; an image is accepted', async () => {
    const before = await ds()
      .getRepository(FolioCounter)
      .findOneByOrFail({ area: 'SSST', tipo: 'recepcion', anio: YEAR });
    const res = await register(
      { numeroOficio: 'DA/0500/2026' },
      { data: Buffer.from('Esto no es un PDF, es texto.\n'), name: 'oficio.pdf', type: 'application/pdf' },
    ).expect(415);
    expect(res.body).toMatchObject({ error: 'TIPO_DE_ARCHIVO_NO_ADMITIDO' });
    expect(res.body.mensaje).toMatch(/no es un PDF ni una imagen/);
    const after = await ds()
      .getRepository(FolioCounter)
      .findOneByOrFail({ area: 'SSST', tipo: 'recepcion', anio: YEAR });
    expect(after.ultimo).toBe(before.ultimo);
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 1)]);
    const img = await register(
      { numeroOficio: 'DA/0501/2026' },
      { data: jpeg, name: 'oficio.pdf', type: 'application/pdf' },
    ).expect(201);
    expect(img.body.archivo.tipo).toBe('image/jpeg');
  });

  it('refuses a file over 10 MB with 413 in Spanish, and a registration without file or with bad fields with 400', async () => {
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(10 * 1024 * 1024, 0x20)]);
    const res = await register({ numeroOficio: 'DA/0600/2026' }, { data: big }).expect(413);
    expect(res.body).toMatchObject({ error: 'ARCHIVO_DEMASIADO_GRANDE' });
    expect(res.body.mensaje).toMatch(/excede el tamaño máximo permitido \(10 MB\)/);
    const none = await http()
      .post('/api/oficios')
      .set('Authorization', `Bearer ${tok.oficialia}`)
      .field('procedimiento', 'cuenta-bloquear')
      .field('numeroOficio', 'X/1')
      .field('fechaOficio', '2026-11-20')
      .field('remitenteNombre', 'A')
      .field('remitenteCargo', 'B')
      .field('area', 'C')
      .field('asunto', 'D')
      .expect(400);
    expect(none.body.error).toBe('ARCHIVO_REQUERIDO');
    const bad = await register({ fechaOficio: '20/11/2026', ccts: '06DPR0012X, 99XXX', extra: '1' }).expect(400);
    expect(bad.body.mensaje).toMatch(/AAAA-MM-DD/);
    expect(bad.body.mensaje).toMatch(/«extra» no se admite/);
    const future = await register({ numeroOficio: 'DA/0601/2026', fechaOficio: '2099-01-01' }).expect(400);
    expect(future.body.error).toBe('FECHA_FUTURA');
    const unknownNivel = await register({
      procedimiento: 'centro-trabajo-alta',
      nivel: 'INICIAL',
      numeroOficio: 'DA/0602/2026',
    }).expect(422);
    expect(unknownNivel.body.mensaje).toMatch(/PRIMARIA, SECUNDARIA/);
    // Only the Subdirección registers oficios.
    await register({ numeroOficio: 'DA/0603/2026' }, { data: pdf }, tok.primaria).expect(403);
  });

  it('registers all or nothing: a failure inside the case start leaves no oficio, no case, no movement and no spent folio', async () => {
    const engine = t.app.get(EngineService);
    const counter = async () =>
      (await ds().getRepository(FolioCounter).findOneBy({ area: 'SSST', tipo: 'recepcion', anio: YEAR }))?.ultimo ?? 0;
    const movements = () => ds().getRepository(Movement).count();
    const before = {
      counter: await counter(),
      movements: await movements(),
      oficios: await ds().getRepository(Oficio).count(),
      cases: await ds().getRepository(ProcedureCase).count(),
    };
    // The case row and its first movements are written, then the database refuses a write (here: the tasks step).
    const internals = engine as unknown as { syncTasks: (...args: unknown[]) => Promise<void> };
    const real = internals.syncTasks.bind(engine);
    let failed = 0;
    const spy = jest.spyOn(internals, 'syncTasks').mockImplementationOnce(async (...args: unknown[]) => {
      await real(...args);
      failed += 1;
      throw new Error('disco lleno');
    });
    try {
      await register({ numeroOficio: 'DA/0700/2026' }).expect(500);
    } finally {
      spy.mockRestore();
    }
    expect(failed).toBe(1);
    expect(await ds().getRepository(Oficio).existsBy({ numeroRemitente: 'DA/0700/2026' })).toBe(false);
    expect(await ds().getRepository(Oficio).count()).toBe(before.oficios);
    expect(await ds().getRepository(ProcedureCase).count()).toBe(before.cases);
    expect(await counter()).toBe(before.counter);
    expect(await movements()).toBe(before.movements);
    // Nothing blocks registering it again (no 409 duplicate), and it takes the number the failed try did not keep.
    const again = await register({ numeroOficio: 'DA/0700/2026' }).expect(201);
    expect(folioNumber(again.body.folio)).toBe(before.counter + 1);
    expect(await ds().getRepository(ProcedureCase).findOneByOrFail({ id: again.body.tramite })).toMatchObject({
      folio: again.body.folio,
      state: 'turno',
    });
  });

  it('shows the public verification page: vigente, exact copy «coincide», one changed byte «no coincide», unknown 404', async () => {
    const doc = await ds().getRepository(IssuedDocument).findOneByOrFail({ caseId: acuseCaseId, kind: 'acuse' });
    const file = await t.app.get<FileStore>(FILE_STORE).read(doc.storageKey);
    const page = await http()
      .get(`/verificar/${doc.codigo}`)
      .expect(200)
      .expect('Content-Type', /text\/html/);
    expect(page.text).toContain('VIGENTE');
    expect(page.text).toContain(doc.folio);
    expect(page.text).toContain(doc.certificadoSerie);
    expect(page.text).toContain('Acuse de recibo');
    expect(page.text).toContain('DOCUMENTO DE PRUEBA');
    expect(page.text).not.toMatch(/<script/i);
    expect(page.text).not.toContain('coincide'); // no comparison before an upload
    // The short URL printed under the QR, typed in lower case with a dash.
    const short = await http()
      .get(`/v/${doc.codigo.slice(0, 5).toLowerCase()}-${doc.codigo.slice(5).toLowerCase()}`)
      .expect(302);
    expect(short.headers.location).toBe(`/verificar/${doc.codigo}`);

    const same = await http()
      .post(`/verificar/${doc.codigo}`)
      .attach('archivo', file, { filename: 'acuse.pdf', contentType: 'application/pdf' })
      .expect(200);
    expect(same.text).toContain('El archivo coincide');
    expect(same.text).not.toContain('no coincide');
    // One byte of a signed range (the document's Info dictionary, after the signature's contents).
    const tampered = Buffer.from(file);
    const m = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+)/.exec(file.toString('latin1'));
    const at = file.indexOf('(Mi Correo Institucional)', Number(m?.[3]), 'latin1') + 4;
    expect(at).toBeGreaterThan(Number(m?.[3]));
    tampered[at] ^= 0x01;
    const other = await http()
      .post(`/verificar/${doc.codigo}`)
      .attach('archivo', tampered, { filename: 'acuse.pdf', contentType: 'application/pdf' })
      .expect(200);
    expect(other.text).toContain('El archivo no coincide');
    expect(pdfsig(tampered)).not.toContain('Signature is Valid.');

    const missing = await http()
      .get('/verificar/0000000000')
      .expect(404)
      .expect('Content-Type', /text\/html/);
    expect(missing.text).toContain('Documento no encontrado');
    const json = await http().get(`/api/verificar/${doc.codigo}`).expect(200);
    expect(json.body).toMatchObject({
      codigo: doc.codigo,
      folio: doc.folio,
      estado: 'vigente',
      tipo: 'Acuse de recibo',
      sha256: doc.sha256,
    });
    expect(JSON.stringify(json.body)).not.toMatch(/storage|outbox|caseId|sello/i);
  });

  it('shows where the case stands in the signed movement log; its proof verifies offline, a changed hash does not', async () => {
    const doc = await ds().getRepository(IssuedDocument).findOneByOrFail({ caseId: acuseCaseId, kind: 'acuse' });
    await t.app.get(TransparencyLog).integrate();
    const moves = await ds().getRepository(Movement).countBy({ caseId: acuseCaseId });
    const head = await http().get('/api/bitacora/cabeza').expect(200);
    expect(head.body).toMatchObject({
      format: 'mci-tree-head-v1',
      treeSize: await ds().getRepository(Movement).count(),
    });
    const page = await http().get(`/verificar/${doc.codigo}`).expect(200);
    expect(page.text).toContain(`Los ${moves} movimientos del trámite de este documento están en la bitácora`);
    expect(page.text).toContain(head.body.rootHash);

    const proof = await http().get(`/verificar/${doc.codigo}/bitacora.json`).expect(200);
    const body = JSON.parse(proof.text) as { movements: { movementHash: string }[]; head: { treeSize: number } };
    expect(body.movements).toHaveLength(moves);
    expect(proof.text).not.toMatch(/curp|nombre|asunto|correo/i);
    const dir = mkdtempSync(join(tmpdir(), 'prueba-bitacora-'));
    const verify = async (content: string): Promise<{ code: number; out: string }> => {
      writeFileSync(join(dir, 'bitacora.json'), content);
      try {
        const r = await run(
          process.execPath,
          ['-r', './scripts/register.js', 'src/cli/verify-proof.ts', join(dir, 'bitacora.json')],
          {
            cwd: join(__dirname, '..', '..'),
          },
        );
        return { code: 0, out: r.stdout };
      } catch (e) {
        const err = e as { code: number; stdout: string; stderr: string };
        return { code: err.code, out: err.stdout + err.stderr };
      }
    };
    const good = await verify(proof.text);
    expect(good).toMatchObject({ code: 0 });
    expect(good.out).toContain(`Verifica: los ${moves} movimiento(s) del trámite están en la bitácora firmada`);
    const edited = JSON.parse(proof.text) as typeof body;
    edited.movements[0].movementHash = edited.movements[0].movementHash.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const bad = await verify(JSON.stringify(edited));
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/el movimiento 1 \(hoja \d+\) no está en el árbol que firmó la cabeza/);
    rmSync(dir, { recursive: true, force: true });

    // Consistency between two heads, as an auditor holding the older one asks for it.
    await http().get('/api/bitacora/consistencia?desde=abc&hasta=2').expect(400);
    await http()
      .get(`/api/bitacora/consistencia?desde=1&hasta=${body.head.treeSize + 1000}`)
      .expect(404);
  });

  it('lists and searches oficios; a cancelled registration stays visible as cancelado, and its acuse reads cancelado', async () => {
    const found = await http()
      .get('/api/oficios')
      .query({ remitente: 'Núñez', anio: YEAR })
      .set('Authorization', `Bearer ${tok.sistemas}`)
      .expect(200);
    expect(found.body.items.map((o: { id: string }) => o.id)).toEqual([acuseOficioId]);
    // The register reads only the columns its rows show (REGISTER_COLUMNS): each item is the oficio's whole view.
    const whole = await http()
      .get(`/api/oficios/${acuseOficioId}`)
      .set('Authorization', `Bearer ${tok.sistemas}`)
      .expect(200);
    expect(found.body.items).toEqual([whole.body]);
    const byNumber = await http()
      .get('/api/oficios')
      .query({ numero: 'dep/0457' })
      .set('Authorization', `Bearer ${tok.oficialia}`)
      .expect(200);
    expect(byNumber.body.total).toBe(1);
    expect(byNumber.body.items).toEqual([whole.body]);
    await http().get('/api/oficios').set('Authorization', `Bearer ${tok.primaria}`).expect(403);

    const target = await register({ numeroOficio: 'DA/0800/2026' }).expect(201);
    await settle(t); // the queue issues its acuse
    const acuse = await ds()
      .getRepository(IssuedDocument)
      .findOneByOrFail({ caseId: target.body.tramite, kind: 'acuse' });
    const cancelled = await http()
      .post(`/api/oficios/${target.body.id}/cancelar`)
      .set('Authorization', `Bearer ${tok.oficialia}`)
      .send({ motivo: 'Registrado por error: corresponde a otra dependencia.' })
      .expect(200);
    expect(cancelled.body).toMatchObject({
      folio: target.body.folio,
      estado: 'cancelado',
      cancelacion: { motivo: 'Registrado por error: corresponde a otra dependencia.' },
    });
    await http()
      .post(`/api/oficios/${target.body.id}/cancelar`)
      .set('Authorization', `Bearer ${tok.oficialia}`)
      .send({ motivo: 'otra vez' })
      .expect(409);
    const listed = await http()
      .get('/api/oficios')
      .query({ folio: target.body.folio })
      .set('Authorization', `Bearer ${tok.oficialia}`)
      .expect(200);
    expect(listed.body.items).toEqual([cancelled.body]);
    expect(listed.body.items[0]).toMatchObject({ folio: target.body.folio, estado: 'cancelado' });
    const page = await http().get(`/verificar/${acuse.codigo}`).expect(200);
    expect(page.text).toContain('CANCELADO');
    expect(page.text).not.toContain('VIGENTE');
  });

  it('5.2.1 end to end: the reply letter is rendered in the queue, only the addressed Nivel opens it, downloads are recorded, the Nivel acknowledges', async () => {
    const director = await addWorker(ds(), {
      nombre: 'Rocío Guadalupe',
      primerApellido: 'Peña',
      correoAlterno: 'rocio.pena.gtz@gmail.com',
    });
    await ds().getRepository(CentroTrabajo).insert({
      cct: '06DPR0012X',
      nombre: 'Escuela Primaria "Benito Juárez"',
      nivelClave: 'PRIMARIA',
      directorCurp: director.curp,
      correo: null,
      estatus: 'activo',
    });
    const caseId = acuseCaseId;
    const ev = async (token: string, tipo: string, datos: Record<string, unknown> = {}) => {
      const c = await ds().getRepository(ProcedureCase).findOneByOrFail({ id: caseId });
      return http()
        .post(`/api/tramites/${caseId}/eventos`)
        .set('Authorization', `Bearer ${token}`)
        .send({ tipo, version: c.version, datos });
    };
    expect((await ev(tok.oficialia, 'TURNAR')).status).toBe(200);
    expect((await ev(tok.sistemas, 'RECIBIR_TURNO')).status).toBe(200);
    expect(
      (
        await ev(tok.sistemas, 'CREAR_CUENTA', {
          tipo: 'centro_trabajo',
          cct: '06DPR0012X',
          directorCurp: director.curp,
        })
      ).status,
    ).toBe(200);
    await settle(t); // provision → credentials by e-mail → reply letter → LETTER_READY
    const row = await ds().getRepository(ProcedureCase).findOneByOrFail({ id: caseId });
    expect(row.state).toBe('envioRespuesta');
    const letterId = (JSON.parse(row.snapshot) as { context: { letterId: string } }).context.letterId;
    const doc = await ds().getRepository(IssuedDocument).findOneByOrFail({ id: letterId });
    expect(doc).toMatchObject({ kind: 'respuesta', nivelClave: 'PRIMARIA', status: 'vigente' });
    expect(doc.numeroOficio).toMatch(new RegExp(`^SSST/\\d{4}/${YEAR}$`));
    const cuenta = await ds().getRepository(Cuenta).findOneByOrFail({ titularCct: '06DPR0012X' });

    const file = await t.app.get<FileStore>(FILE_STORE).read(doc.storageKey);
    const sig = pdfsig(file);
    expect(sig).toContain('Signature is Valid.');
    expect(sig).toContain('Total document signed');
    const text = pdfText(file).replace(/\s+/g, ' ');
    expect(text).toContain(doc.numeroOficio);
    expect(text).toContain(cuenta.direccion);
    expect(text).toContain('Rocío Guadalupe Peña Ochoa');
    expect(text).toContain(maskEmail('rocio.pena.gtz@gmail.com')); // where the activation link went, masked
    expect(text).not.toContain('rocio.pena.gtz@gmail.com');
    expect(text).toContain('DEP/0457/2026');
    expect(text).toContain('PROFR. JOSÉ ÁNGEL NÚÑEZ CEBALLOS'); // the addressee, as the letter prints it

    // A replay of the job returns the same letter and spends no number.
    const cmd = await ds().getRepository(OutboxCommand).findOneByOrFail({ caseId, type: 'renderReplyLetter' });
    const counter = await ds()
      .getRepository(FolioCounter)
      .findOneByOrFail({ area: 'SSST', tipo: 'respuesta', anio: YEAR });
    await expect(t.app.get(ReplyLetterProcessor).handle(cmd, JSON.parse(cmd.payload))).resolves.toEqual({
      type: 'LETTER_READY',
      letterId,
    });
    expect(
      (await ds().getRepository(FolioCounter).findOneByOrFail({ area: 'SSST', tipo: 'respuesta', anio: YEAR })).ultimo,
    ).toBe(counter.ultimo);

    expect((await ev(tok.sistemas, 'ENVIAR_RESPUESTA')).status).toBe(200);
    expect((await ev(tok.oficialia, 'TURNAR_RESPUESTA')).status).toBe(200);

    // Another level, a responsable and the administrator: the letter does not exist for them.
    for (const who of ['secundaria', 'becas', 'admin']) {
      await http()
        .get(`/api/oficios/${acuseOficioId}/respuesta`)
        .set('Authorization', `Bearer ${tok[who]}`)
        .expect(404);
      await http().get(`/api/documentos/${letterId}/pdf`).set('Authorization', `Bearer ${tok[who]}`).expect(404);
    }
    expect(await ds().getRepository(DocumentDownload).countBy({ documentId: letterId })).toBe(0);

    const reply = await http()
      .get(`/api/oficios/${caseId}/respuesta`)
      .set('Authorization', `Bearer ${tok.primaria}`)
      .expect(200);
    expect(reply.body).toMatchObject({
      documento: {
        id: letterId,
        numeroOficio: doc.numeroOficio,
        pdf: `/api/documentos/${letterId}/pdf`,
        verificacion: `${BASE}/verificar/${doc.codigo}`,
      },
      tramite: { id: caseId, estado: 'acuseRespuesta', acuse: { evento: 'ACUSAR_RECIBO', disponible: true } },
    });
    const dl = await http()
      .get(reply.body.documento.pdf)
      .set('Authorization', `Bearer ${tok.primaria}`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200)
      .expect('Content-Type', 'application/pdf');
    expect(sha256(dl.body as Buffer)).toBe(doc.sha256);
    expect(dl.headers['content-disposition']).toContain(`oficio-${doc.numeroOficio!.replace(/\//g, '-')}.pdf`);
    await http().get(reply.body.documento.pdf).set('Authorization', `Bearer ${tok.sistemas}`).expect(200);
    const downloads = await ds()
      .getRepository(DocumentDownload)
      .find({ where: { documentId: letterId } });
    expect(downloads.map((d) => `${d.userId}:${d.userRole}`).sort()).toEqual(
      [`${users.primaria}:nivel`, `${users.sistemas}:subjefatura`].sort(),
    );
    // Downloads and refused attempts are movements of the case too (its signed record); no open form went stale.
    const acts = await ds()
      .getRepository(Movement)
      .find({
        where: { caseId, eventType: In(['DESCARGAR_DOCUMENTO', 'DESCARGA_RECHAZADA']) },
        order: { caseSeq: 'ASC' },
      });
    expect(acts.map((m) => `${m.eventType}:${m.actorRole}:${JSON.parse(m.data).documento}`)).toEqual([
      'DESCARGA_RECHAZADA:nivel:respuesta',
      'DESCARGA_RECHAZADA:responsable:respuesta',
      'DESCARGA_RECHAZADA:administrador:respuesta',
      'DESCARGAR_DOCUMENTO:nivel:respuesta',
      'DESCARGAR_DOCUMENTO:subjefatura:respuesta',
    ]);

    // "Firma y sella de recibido": the machine event, sent by the Nivel through the engine API.
    const ack = await http()
      .post(reply.body.tramite.acuse.ruta)
      .set('Authorization', `Bearer ${tok.primaria}`)
      .send({ tipo: 'ACUSAR_RECIBO', version: reply.body.tramite.version })
      .expect(200);
    expect(ack.body.state).toBe('entregaEscuela');
  });

  it('numbers reply letters issued at the same moment one after another: no gap, no repeat, one code each', async () => {
    const cmd = await ds()
      .getRepository(OutboxCommand)
      .findOneByOrFail({ caseId: acuseCaseId, type: 'renderReplyLetter' });
    const before = await ds()
      .getRepository(FolioCounter)
      .findOneByOrFail({ area: 'SSST', tipo: 'respuesta', anio: YEAR });
    const processor = t.app.get(ReplyLetterProcessor);
    const events = await Promise.all(
      Array.from({ length: 6 }, () => processor.handle({ ...cmd, id: randomUUID() }, { outcome: 'creada' })),
    );
    const ids = events.map((e) => String(e?.letterId));
    const docs = await ds()
      .getRepository(IssuedDocument)
      .find({ where: { id: In(ids) } });
    expect(docs).toHaveLength(6);
    const numbers = docs.map((d) => Number(/^SSST\/(\d{4})\//.exec(d.numeroOficio ?? '')?.[1])).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 6 }, (_, i) => before.ultimo + 1 + i));
    expect(new Set(docs.map((d) => d.codigo)).size).toBe(6);
    // Each PDF prints its own number.
    for (const d of docs)
      expect(pdfText(await t.app.get<FileStore>(FILE_STORE).read(d.storageKey))).toContain(d.numeroOficio);
  });

  it('fails a reply letter it cannot fill before spending a number, and reports LETTER_ERROR for the incident', async () => {
    // A block request whose case has no account yet: the template needs {{correo}}.
    const reg = await register({ numeroOficio: 'DA/0900/2026' }).expect(201);
    const before = await ds()
      .getRepository(FolioCounter)
      .findOneByOrFail({ area: 'SSST', tipo: 'respuesta', anio: YEAR });
    const processor = t.app.get(ReplyLetterProcessor);
    const cmd = {
      ...(await ds().getRepository(OutboxCommand).findOneByOrFail({ caseId: reg.body.tramite, type: 'renderAcuse' })),
      id: randomUUID(),
      type: 'renderReplyLetter',
    };
    await expect(processor.handle(cmd, { outcome: 'bloqueada' })).rejects.toMatchObject({
      code: 'PLANTILLA_DATO_FALTANTE',
      status: 422,
    });
    await expect(processor.handle(cmd, { outcome: 'inventada' })).rejects.toMatchObject({
      code: 'RESULTADO_DESCONOCIDO',
    });
    expect(
      (await ds().getRepository(FolioCounter).findOneByOrFail({ area: 'SSST', tipo: 'respuesta', anio: YEAR })).ultimo,
    ).toBe(before.ultimo);
    expect(await ds().getRepository(IssuedDocument).countBy({ caseId: reg.body.tramite, kind: 'respuesta' })).toBe(0);
    expect(processor.failureEvent(cmd, {}, 'falta el dato')).toEqual({
      type: 'LETTER_ERROR',
      message: 'falta el dato',
      permanent: true,
    });
  });
});
