/**
 * The membrete and signer of the letters, set from the browser (/admin/membrete, issue 12 §3): administrators only;
 * saving changes the next acuse and reply letter (logo, year legend, address, «Mtra.» and the position) while the
 * letters already issued stay the stored PDFs they were; a non-image, a too-large logo or an empty signer are refused
 * in Spanish with nothing saved; the preview renders a sample letter with unsaved settings. Runs on SQLite and, with
 * TEST_DB=mariadb, on MariaDB.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { PROCEDURES } from '../../machines';
import { SESSION_COOKIE } from '../../src/auth/auth.guard';
import { CsrfTokens } from '../../src/auth/csrf';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import type { EngineProcedure } from '../../src/engine/procedure-registry';
import { sha256 } from '../../src/letters/verification';
import { IssuedDocument } from '../../src/oficios/entities/document.entity';
import { LetterSettings } from '../../src/oficios/entities/letter-settings.entity';
import { FILE_STORE, type FileStore } from '../../src/oficios/file-store';
import { addNiveles, pdfText, postOficio, requireTool, scannedOficio, settle } from '../oficios/support';
import { createStaff, login } from '../support/staff';
import type { TestApp } from '../support/test-app';
import { createWebApp } from '../web/support';

jest.setTimeout(120_000);

/** A 1 × 1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const SETTINGS = {
  leyenda: '2026, Año de la Educación Colimense',
  direccion1: 'Av. Gonzalo de Sandoval 760, Col. Las Víboras, C.P. 28040, Colima, Col.',
  direccion2: 'Tel. 312 316 1000 · www.seecolima.gob.mx',
  firmante_titulo: 'Mtra.',
  firmante_nombre: 'Rosa Elena Villaseñor Díaz',
  firmante_cargo: 'Subdirectora de Sistemas y Servicios Telemáticos',
};

/** `pdfimages -list`: the images of a PDF (not their transparency masks, nor the two header lines). */
function imagesOf(pdf: Buffer): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'mci-pdfimages-'));
  try {
    const file = join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    const out = spawnSync('pdfimages', ['-list', file], { encoding: 'utf8' }).stdout;
    return out
      .split('\n')
      .slice(2)
      .filter((l) => l.trim().split(/\s+/)[2] === 'image');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('letter settings (/admin/membrete)', () => {
  let t: TestApp & { base: string };
  let scan: Buffer;
  const tok: Record<string, string> = {};
  const users: Record<string, string> = {};
  const ds = () => t.db.dataSource;
  const http = () => request(t.app.getHttpServer());
  const text = (pdf: Buffer) => pdfText(pdf).replace(/\s+/g, ' ');
  let numero = 0;

  /** The form as the browser posts it: multipart, the token, the fields, and a logo when given. */
  const send = (
    path: string,
    fields: Record<string, string>,
    logo?: { data: Buffer; name: string; type: string },
    token = tok.admin,
  ) => {
    const r = http()
      .post(path)
      .set('Cookie', `${SESSION_COOKIE}=${token}`)
      .redirects(0)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    void r.field('_csrf', t.app.get(CsrfTokens).tokenFor(token));
    for (const [k, v] of Object.entries(fields)) void r.field(k, v);
    return logo ? r.attach('logo', logo.data, { filename: logo.name, contentType: logo.type }) : r;
  };
  const body = (res: request.Response) => (res.body as Buffer).toString('utf8');

  /** Registers an oficio (its acuse is issued) and, with `reject`, cancels it so the rejection letter is signed. */
  const oficioWithLetters = async (reject: boolean): Promise<{ acuse: IssuedDocument; reply?: IssuedDocument }> => {
    numero += 1;
    const res = await postOficio(t, tok.oficialia, scan, {
      procedimiento: 'cuenta-bloquear',
      numeroOficio: `DA/${String(numero).padStart(4, '0')}/2026`,
      fechaOficio: '2026-11-20',
      remitenteNombre: 'Lic. Ana Sofía Cárdenas Muñoz',
      remitenteCargo: 'Directora Administrativa',
      area: 'Dirección Administrativa',
      responsableId: users.becas,
      asunto: 'Solicitud de bloqueo de la cuenta programa.lectura@colima.gob.mx',
    }).expect(201);
    const caseId = res.body.tramite as string;
    await settle(t);
    const docs = ds().getRepository(IssuedDocument);
    const acuse = await docs.findOneByOrFail({ caseId, kind: 'acuse' });
    if (!reject) return { acuse };
    for (const [token, tipo, datos] of [
      [tok.oficialia, 'TURNAR', undefined],
      [tok.sistemas, 'RECIBIR_TURNO', undefined],
      [tok.sistemas, 'CANCELAR', { motivo: 'La cuenta no existe en el directorio institucional.' }],
    ] as const) {
      const { version } = await ds().getRepository(ProcedureCase).findOneByOrFail({ id: caseId });
      await http()
        .post(`/api/tramites/${caseId}/eventos`)
        .set('Authorization', `Bearer ${token}`)
        .send({ tipo, version, ...(datos ? { datos } : {}) })
        .expect(200);
    }
    await settle(t);
    return { acuse, reply: await docs.findOneByOrFail({ caseId, kind: 'respuesta' }) };
  };
  const fileOf = (d: IssuedDocument) => t.app.get<FileStore>(FILE_STORE).read(d.storageKey);
  const saved = () => ds().getRepository(LetterSettings).find();

  beforeAll(async () => {
    requireTool('pdfimages', 'poppler-utils');
    t = await createWebApp(
      { RELAY_INTERVAL_MS: '60000', PUBLIC_BASE_URL: 'https://correo.example.test' },
      { procedures: PROCEDURES as unknown as EngineProcedure[] },
    );
    await addNiveles(ds());
    users.admin = (await createStaff(ds(), 'admin', 'administrador')).id;
    users.oficialia = (await createStaff(ds(), 'oficialia', 'subdireccion')).id;
    users.sistemas = (await createStaff(ds(), 'sistemas', 'subjefatura')).id;
    users.becas = (await createStaff(ds(), 'becas', 'responsable')).id;
    for (const u of ['admin', 'oficialia', 'sistemas', 'becas']) tok[u] = await login(t.app, u);
    scan = await scannedOficio('Oficio DA/0001/2026. Solicitud de bloqueo de cuenta.');
  });
  afterAll(async () => t?.close());

  it('is for administrators only: other staff get 403 on the page, the save and the preview', async () => {
    for (const u of ['oficialia', 'sistemas', 'becas']) {
      const page = await http().get('/admin/membrete').set('Cookie', `${SESSION_COOKIE}=${tok[u]}`).redirects(0);
      expect(page.status).toBe(403);
      expect((await send('/admin/membrete', SETTINGS, undefined, tok[u])).status).toBe(403);
      expect((await send('/admin/membrete/vista-previa', SETTINGS, undefined, tok[u])).status).toBe(403);
    }
    expect(await saved()).toEqual([]);
    const page = await http().get('/admin/membrete').set('Cookie', `${SESSION_COOKIE}=${tok.admin}`).redirects(0);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<label for="f-firmante_nombre">Nombre del firmante</label>');
    expect(page.text).toContain('href="/admin/membrete" aria-current="page"');
  });

  it('refuses a non-image, a too-large logo and an empty signer in Spanish, saving nothing', async () => {
    const fake = await send('/admin/membrete', SETTINGS, {
      data: Buffer.from('no soy una imagen'),
      name: 'logo.png',
      type: 'image/png',
    });
    expect(fake.status).toBe(400);
    expect(body(fake)).toContain('El logotipo debe ser una imagen PNG o JPEG.');
    expect(body(fake)).toContain('aria-invalid="true"');
    // PNG magic bytes, but not an image pdfkit can read.
    const broken = await send('/admin/membrete', SETTINGS, {
      data: Buffer.concat([PNG.subarray(0, 8), Buffer.alloc(40)]),
      name: 'logo.png',
      type: 'image/png',
    });
    expect(broken.status).toBe(400);
    expect(body(broken)).toContain('No se pudo leer la imagen del logotipo');
    const big = await send('/admin/membrete', SETTINGS, {
      data: Buffer.concat([PNG, Buffer.alloc(600 * 1024)]),
      name: 'logo.png',
      type: 'image/png',
    });
    expect(big.status).toBe(413);
    expect(body(big)).toContain('El logotipo pasa de 512 KB');
    const noSigner = await send(
      '/admin/membrete',
      { ...SETTINGS, firmante_nombre: '  ' },
      {
        data: PNG,
        name: 'logo.png',
        type: 'image/png',
      },
    );
    expect(noSigner.status).toBe(400);
    expect(body(noSigner)).toContain('Escriba el campo «Nombre del firmante».');
    // The other values come back as typed.
    expect(body(noSigner)).toContain(`value="${SETTINGS.firmante_cargo}"`);
    expect(await saved()).toEqual([]);
  });

  it('previews a sample letter with unsaved settings, inline, saving nothing', async () => {
    const res = await send(
      '/admin/membrete/vista-previa',
      { ...SETTINGS, leyenda: '2026, Año de la vista previa' },
      { data: PNG, name: 'logo.png', type: 'image/png' },
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toMatch(/^inline/);
    const pdf = res.body as Buffer;
    expect(text(pdf)).toContain('2026, Año de la vista previa');
    expect(text(pdf)).toContain('MTRA. ROSA ELENA VILLASEÑOR DÍAZ');
    expect(imagesOf(pdf)).toHaveLength(1);
    expect(await saved()).toEqual([]);
    const bad = await send('/admin/membrete/vista-previa', { ...SETTINGS, firmante_cargo: '' });
    expect(bad.status).toBe(400);
    expect(body(bad)).toContain('Escriba el campo «Cargo del firmante».');
  });

  it('saving changes the next acuse and reply letter; letters already issued stay as signed', async () => {
    const before = await oficioWithLetters(true);
    const oldAcuse = await fileOf(before.acuse);
    const oldReply = await fileOf(before.reply!);
    expect(text(oldReply)).not.toContain(SETTINGS.leyenda);
    expect(imagesOf(oldAcuse)).toHaveLength(0);

    const res = await send('/admin/membrete', SETTINGS, { data: PNG, name: 'escudo.png', type: 'image/png' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/membrete?aviso=guardado');
    const [row] = await saved();
    expect(row).toMatchObject({ firmanteNombre: SETTINGS.firmante_nombre, updatedBy: users.admin });
    const page = await http().get(res.headers.location).set('Cookie', `${SESSION_COOKIE}=${tok.admin}`);
    expect(page.text).toContain('Se guardó el membrete.');
    expect(page.text).toContain(`value="${SETTINGS.leyenda}"`);
    expect(page.text).toMatch(/Último cambio: .+, por /);

    const after = await oficioWithLetters(true);
    const acuse = await fileOf(after.acuse);
    const reply = await fileOf(after.reply!);
    for (const pdf of [acuse, reply]) {
      expect(text(pdf)).toContain(SETTINGS.leyenda);
      expect(text(pdf)).toContain(SETTINGS.direccion1);
      expect(text(pdf)).toContain(SETTINGS.direccion2);
      expect(imagesOf(pdf).length).toBeGreaterThanOrEqual(1);
    }
    expect(text(reply)).toContain('MTRA. ROSA ELENA VILLASEÑOR DÍAZ');
    expect(text(reply)).toContain(SETTINGS.firmante_cargo);
    // The letters signed before are the same files, byte for byte.
    expect(sha256(await fileOf(before.acuse))).toBe(before.acuse.sha256);
    expect(sha256(await fileOf(before.reply!))).toBe(before.reply!.sha256);
    expect(text(await fileOf(before.reply!))).not.toContain('VILLASEÑOR');

    // Saving without a new logo keeps it; «Quitar el logotipo actual» removes it from the next letter.
    await send('/admin/membrete', { ...SETTINGS, leyenda: '' }).expect(303);
    expect((await saved())[0].logoKey).toBe(row.logoKey);
    await send('/admin/membrete', { ...SETTINGS, quitar_logo: 'si' }).expect(303);
    const plain = await oficioWithLetters(false);
    expect(imagesOf(await fileOf(plain.acuse))).toHaveLength(0);
  });
});
