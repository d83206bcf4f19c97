import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { CentroTrabajo } from '../../src/catalog/entities/centro-trabajo.entity';
import { Nivel } from '../../src/catalog/entities/nivel.entity';
import { StoredFileChunk } from '../../src/oficios/entities/stored-file.entity';
import { InProcessDriver } from '../../src/queue/in-process.driver';
import { QueueRuntime } from '../../src/queue/queue-runtime.service';
import type { TestApp } from '../support/test-app';

export { scannedOficio } from '../support/app-flows';

export async function addNiveles(ds: DataSource): Promise<void> {
  for (const [clave, nombre] of [
    ['PRIMARIA', 'Primaria'],
    ['SECUNDARIA', 'Secundaria'],
  ]) {
    if (!(await ds.getRepository(Nivel).exists({ where: { clave } })))
      await ds.getRepository(Nivel).insert({ clave, nombre });
  }
}

/** The CCT of the n-th test school of Colima (06DPR0001A, 06DPR0002A…). */
export const testCct = (n: number): string => `06DPR${String(n).padStart(4, '0')}A`;

/** Schools 1..n of PRIMARIA in the catalog, active but for those in `inactive` (inserted 100 a statement). */
export async function addCentros(ds: DataSource, n: number, inactive: number[] = []): Promise<void> {
  const centros = Array.from({ length: n }, (_, i): Omit<CentroTrabajo, 'createdAt' | 'updatedAt'> => ({
    cct: testCct(i + 1),
    nombre: `Escuela ${i + 1}`,
    nombreBusqueda: `escuela ${i + 1}`,
    nivelClave: 'PRIMARIA',
    directorCurp: null,
    correo: null,
    estatus: inactive.includes(i + 1) ? 'inactivo' : 'activo',
  }));
  for (let i = 0; i < centros.length; i += 100) await ds.getRepository(CentroTrabajo).insert(centros.slice(i, i + 100));
}

export function requireTool(bin: string, pkg: string): void {
  if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) {
    throw new Error(`These tests need "${bin}": install it with  apt-get install -y --no-install-recommends ${pkg}`);
  }
}

/** poppler's verdict on a PDF's signature: pdfsig exits 0 even on a digest mismatch, so its text is what counts. */
export function pdfsig(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'mci-pdfsig-'));
  try {
    const file = join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    const r = spawnSync('pdfsig', [file], { encoding: 'utf8' });
    return r.stdout + r.stderr;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'mci-pdftext-'));
  try {
    const file = join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    return spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rows of every table of the schema: what «nothing written» compares. */
export async function census(ds: DataSource): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of ds.entityMetadatas) {
    const rows: { n: string | number }[] = await ds.query(`SELECT COUNT(*) AS n FROM ${m.tableName}`);
    out[m.tableName] = Number(rows[0].n);
  }
  return out;
}

/** Relays the outbox and waits for the in-process jobs, as the running app does every RELAY_INTERVAL_MS. */
export async function settle(t: TestApp): Promise<void> {
  const runtime = t.app.get(QueueRuntime);
  for (let i = 0; i < 30; i++) {
    const n = await runtime.relayOnce();
    await (runtime.driver as InProcessDriver).idle();
    if (n === 0) return;
  }
  throw new Error('la cola no se vació');
}

/** The Subdirección registers an oficio with its scan through the API (multipart), as the clerk's form sends it. */
export function postOficio(t: TestApp, token: string, pdf: Buffer, fields: Record<string, string>): request.Test {
  const r = request(t.app.getHttpServer()).post('/api/oficios').set('Authorization', `Bearer ${token}`);
  for (const [k, v] of Object.entries(fields)) void r.field(k, v);
  return r.attach('archivo', pdf, { filename: 'oficio.pdf', contentType: 'application/pdf' });
}

let registered = 0;

/**
 * The Subdirección registers a 5.3.1 oficio (servicio-alta) through the API with a sender number never used before;
 * `fields` adds the sender (nivel, or area and responsable) and may replace any default.
 */
export async function registerServicioAlta(
  t: TestApp,
  token: string,
  pdf: Buffer,
  fields: Record<string, string>,
): Promise<{ folio: string; tramite: string }> {
  registered += 1;
  const res = await postOficio(t, token, pdf, {
    procedimiento: 'servicio-alta',
    numeroOficio: `SOL/${String(registered).padStart(4, '0')}/2026`,
    fechaOficio: '2026-11-20',
    remitenteNombre: 'Lic. Ana Sofía Cárdenas Muñoz',
    remitenteCargo: 'Directora',
    asunto: 'Cuenta de servicio para el programa de lectura',
    ...fields,
  }).expect(201);
  return { folio: res.body.folio as string, tramite: res.body.tramite as string };
}

/** The scan of a case's oficio as the web page serves it to a signed-in clerk (GET /tramites/:id/oficio), 200 checked. */
export async function downloadScan(app: HttpServerOf, caseId: string, token: string): Promise<Buffer> {
  const res = await request(app.getHttpServer())
    .get(`/tramites/${caseId}/oficio`)
    .set('Cookie', `mci_sesion=${token}`)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    })
    .expect(200);
  return res.body as Buffer;
}

type HttpServerOf = { getHttpServer(): Parameters<typeof request>[0] };

/** Replaces a stored file's content behind the product's back (someone with access to the disk or the database). */
export async function alterStoredFile(t: TestApp, key: string, data: Buffer): Promise<void> {
  if (t.config.documentStore === 'archivos') {
    writeFileSync(join(t.config.dataDir, 'documentos', key), data);
    return;
  }
  await t.db.dataSource.getRepository(StoredFileChunk).delete({ key });
  await t.db.dataSource.getRepository(StoredFileChunk).insert({ key, seq: 0, data });
}

/** The fields of a «bloqueo» oficio from the Dirección Administrativa, numbered as given (the document store tests). */
export const bloqueoFields = (numeroOficio: string): Record<string, string> => ({
  procedimiento: 'cuenta-bloquear',
  numeroOficio,
  fechaOficio: '2026-11-20',
  remitenteNombre: 'A',
  remitenteCargo: 'B',
  area: 'Dirección Administrativa',
  asunto: 'Bloqueo',
});
