/**
 * Another state can run it (issue 13): the letterhead's names and the place a letter is dated come from the
 * configuration (INSTITUTION_NAME, LETTERHEAD_AREA, LETTER_PLACE, LETTERHEAD_LOGO); nothing set prints Colima's CSEEE.
 * The signed PDFs are read back with pdftotext (poppler-utils).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config';
import { demoAcuse, demoReplyLetter } from '../../src/letters/demo-data';
import { renderSignedAcuse, renderSignedReplyLetter } from '../../src/letters/renderer';
import { loadOrCreateTestSigner, type PdfSigner } from '../../src/letters/signer';
import { membreteOf } from '../../src/oficios/letter-settings.service';
import { pdfText } from '../oficios/support';

const NOW = new Date('2026-11-28T17:05:00Z');
const SETTINGS = { logo: null, leyenda: '', direccion1: '', direccion2: '' };
const NAYARIT = {
  INSTITUTION_NAME: 'Servicios de Educación Pública del Estado de Nayarit',
  LETTERHEAD_AREA: 'Dirección de Tecnologías de la Información',
  LETTER_PLACE: 'Tepic, Nay.',
};

let dir: string;
let signer: PdfSigner;

beforeAll(() => {
  if (spawnSync('sh', ['-c', 'command -v pdftotext']).status !== 0)
    throw new Error('These tests need "pdftotext": apt-get install -y poppler-utils');
  dir = mkdtempSync(join(tmpdir(), 'mci-institution-'));
  signer = loadOrCreateTestSigner(join(dir, 'data'), NOW);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const institutionOf = (env: Record<string, string>) =>
  loadConfig({ DATA_DIR: mkdtempSync(join(dir, 'cfg-')), ...env }).institution;
const text = (pdf: Buffer): string => pdfText(pdf).replace(/\s+/g, ' ');

describe('letters of another institution', () => {
  it("print the configured institution, area and place on the reply letter, not Colima's", async () => {
    const membrete = membreteOf(SETTINGS, institutionOf(NAYARIT));
    const signed = await renderSignedReplyLetter(demoReplyLetter({ fecha: NOW }), signer, { signedAt: NOW, membrete });
    const t = text(signed.pdf);
    expect(t).toContain(NAYARIT.INSTITUTION_NAME);
    expect(t).toContain(NAYARIT.LETTERHEAD_AREA);
    expect(t).toContain('Tepic, Nay., a 28 de noviembre de 2026');
    // The letterhead, above the test banner (the demo letter's addressee is still a person of Colima's CSEEE).
    expect(t.split(' DOCUMENTO DE PRUEBA')[0]).toBe(` ${NAYARIT.INSTITUTION_NAME} ${NAYARIT.LETTERHEAD_AREA}`);
  });

  it('print them on the acuse too, which names the area as the one that received the oficio', async () => {
    const membrete = membreteOf(SETTINGS, institutionOf(NAYARIT));
    const data = demoAcuse({ recibidoEn: NOW, recibio: { nombre: 'Ana Ruiz', cargo: membrete.area } });
    const t = text((await renderSignedAcuse(data, signer, { signedAt: NOW, membrete })).pdf);
    expect(t).toContain(NAYARIT.INSTITUTION_NAME);
    expect(t).toContain(NAYARIT.LETTERHEAD_AREA);
    expect(t.split(' DOCUMENTO DE PRUEBA')[0]).toBe(` ${NAYARIT.INSTITUTION_NAME} ${NAYARIT.LETTERHEAD_AREA}`);
    expect(t).toMatch(new RegExp(`Ana Ruiz,? ${NAYARIT.LETTERHEAD_AREA}`));
  });

  it("print Colima's CSEEE with nothing configured", async () => {
    const membrete = membreteOf(SETTINGS, institutionOf({}));
    const t = text(
      (await renderSignedReplyLetter(demoReplyLetter({ fecha: NOW }), signer, { signedAt: NOW, membrete })).pdf,
    );
    expect(t).toContain('Coordinación de los Servicios Educativos del Estado de Colima');
    expect(t).toContain('Subdirección de Sistemas y Servicios Telemáticos');
    expect(t).toContain('Colima, Col., a 28 de noviembre de 2026');
  });

  it('take the logo of LETTERHEAD_LOGO until an administrator saves one', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    );
    const file = join(dir, 'logo.png');
    writeFileSync(file, png);
    const institution = institutionOf({ LETTERHEAD_LOGO: file });
    expect(institution.letterheadLogo).toEqual(png);
    const signed = await renderSignedReplyLetter(demoReplyLetter({ fecha: NOW }), signer, {
      signedAt: NOW,
      membrete: membreteOf({ ...SETTINGS, logo: institution.letterheadLogo }, institution),
    });
    const pdf = join(dir, 'con-logo.pdf');
    writeFileSync(pdf, signed.pdf);
    const images = spawnSync('pdfimages', ['-list', pdf], { encoding: 'utf8' }).stdout.split('\n').slice(2);
    // The QR code is an image of every letter; the logo is one more.
    const count = (out: string[]) => out.filter((l) => l.trim().split(/\s+/)[2] === 'image').length;
    const without = join(dir, 'sin-logo.pdf');
    writeFileSync(
      without,
      (
        await renderSignedReplyLetter(demoReplyLetter({ fecha: NOW }), signer, {
          signedAt: NOW,
          membrete: membreteOf(SETTINGS, institution),
        })
      ).pdf,
    );
    const none = spawnSync('pdfimages', ['-list', without], { encoding: 'utf8' }).stdout.split('\n').slice(2);
    expect(count(images)).toBe(count(none) + 1);
  });
});
