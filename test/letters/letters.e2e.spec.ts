import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { DomainError } from '../../src/common/domain-error';
import { demoAcuse, demoReplyLetter, demoValues } from '../../src/letters/demo-data';
import { renderSignedAcuse, renderSignedReplyLetter, TEST_MARK, type SignedDocument } from '../../src/letters/renderer';
import {
  loadOrCreateTestSigner,
  loadP12Signer,
  loadSatSigner,
  verifySello,
  type PdfSigner,
} from '../../src/letters/signer';
import { fillLetterTemplate, loadLetterTemplate, SHIPPED_LETTERS } from '../../src/letters/templates';
import { makeCertificate, makeP12, makeSatPair } from './certificates';

// Real verifiers, as a person checking a letter would use them: poppler (pdfsig, pdftotext, pdftoppm) and zbar.
function requireTool(bin: string, pkg: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`]);
  if (r.status !== 0) {
    throw new Error(`These tests need "${bin}": install it with  apt-get install -y --no-install-recommends ${pkg}`);
  }
}

let dir: string;
const pdfPath = (name: string): string => join(dir, `${name}.pdf`);

function pdfsig(pdf: Buffer, name: string): string {
  const file = pdfPath(name);
  writeFileSync(file, pdf);
  // pdfsig exits 0 even on a digest mismatch: read its text.
  return spawnSync('pdfsig', [file], { encoding: 'utf8' }).stdout;
}

function pageTexts(pdf: Buffer, name: string, pages: number): string[] {
  const file = pdfPath(name);
  writeFileSync(file, pdf);
  const texts: string[] = [];
  for (let p = 1; p <= pages; p++) {
    texts.push(
      execFileSync('pdftotext', ['-f', String(p), '-l', String(p), '-layout', file, '-'], { encoding: 'utf8' }),
    );
  }
  return texts;
}

function qrOnPage(pdf: Buffer, name: string, page: number): string {
  const file = pdfPath(name);
  writeFileSync(file, pdf);
  const prefix = join(dir, `${name}-qr`);
  execFileSync('pdftoppm', ['-png', '-r', '150', '-f', String(page), '-l', String(page), '-singlefile', file, prefix]);
  const r = spawnSync('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', `${prefix}.png`], {
    encoding: 'utf8',
  });
  return r.stdout.trim();
}

/** Flips one byte of a signed range: the link's URI in the first range (pdfkit writes it first) or the Info dict. */
function tamper(pdf: Buffer, where: 'first-range' | 'second-range'): Buffer {
  const copy = Buffer.from(pdf);
  const m = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+)/.exec(copy.toString('latin1'));
  if (m === null) throw new Error('no ByteRange');
  const [, , len1, start2] = m.map(Number);
  let i: number;
  if (where === 'first-range') {
    i = copy.indexOf('/URI (https://correo', 0, 'latin1') + 14;
    expect(i).toBeGreaterThan(13);
    expect(i).toBeLessThan(len1);
  } else {
    i = copy.indexOf('(Mi Correo Institucional)', start2, 'latin1') + 4;
    expect(i).toBeGreaterThan(start2);
  }
  copy[i] = copy[i] ^ 0x01;
  return copy;
}

const flat = (s: string): string => s.replace(/\s+/g, ' ');

/** In the order beforeAll builds them. */
const SIGNER_LABELS = [
  'P12 made by node-forge',
  'P12 made by OpenSSL 3',
  'SAT e.firma .cer + .key',
  'test certificate',
];

interface SignerCase {
  signer: PdfSigner;
  cn: string;
  test: boolean;
}

const signers: SignerCase[] = [];
/**
 * The suite's clock, read once the certificates exist (OpenSSL starts a certificate's validity at the current second):
 * every document is signed at it, so nothing depends on which day the suite runs.
 */
let NOW: Date;
const P12_PASS = 'frase de prueba ñ';
const SAT_PASS = 'Llave-SAT-2026';

beforeAll(() => {
  requireTool('pdfsig', 'poppler-utils');
  requireTool('pdftotext', 'poppler-utils');
  requireTool('pdftoppm', 'poppler-utils');
  requireTool('zbarimg', 'zbar-tools');
  requireTool('openssl', 'openssl');
  dir = mkdtempSync(join(tmpdir(), 'letters-e2e-'));

  const inst = makeCertificate({
    subject: [
      {
        shortName: 'CN',
        value: 'Subdirección de Sistemas y Servicios Telemáticos',
        valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class,
      },
      { shortName: 'O', value: 'CSEEE Colima' },
      { shortName: 'C', value: 'MX' },
    ],
  });
  signers.push({
    signer: loadP12Signer(makeP12(inst, P12_PASS), P12_PASS),
    cn: 'Subdirección de Sistemas y Servicios Telemáticos',
    test: false,
  });

  // The P12 an institution would export with the OpenSSL 3 command line (default AES/PBKDF2/SHA-256 MAC).
  const keyPem = join(dir, 'inst-key.pem');
  const certPem = join(dir, 'inst-cert.pem');
  const p12 = join(dir, 'inst.p12');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyPem,
      '-out',
      certPem,
      '-days',
      '30',
      '-subj',
      '/CN=Oficialia CSEEE/O=CSEEE/C=MX',
    ],
    { stdio: 'ignore' },
  );
  execFileSync(
    'openssl',
    ['pkcs12', '-export', '-inkey', keyPem, '-in', certPem, '-out', p12, '-passout', 'pass:openssl3'],
    { stdio: 'ignore' },
  );
  signers.push({ signer: loadP12Signer(p12, 'openssl3'), cn: 'Oficialia CSEEE', test: false });
  NOW = new Date();

  const sat = makeSatPair(SAT_PASS);
  writeFileSync(join(dir, 'firma.cer'), sat.cer);
  writeFileSync(join(dir, 'firma.key'), sat.key);
  signers.push({
    signer: loadSatSigner(join(dir, 'firma.cer'), join(dir, 'firma.key'), SAT_PASS),
    cn: 'JOSÉ ÁNGEL NÚÑEZ CEBALLOS',
    test: false,
  });

  signers.push({
    signer: loadOrCreateTestSigner(join(dir, 'data'), NOW),
    cn: 'Firma de prueba — Mi Correo Institucional',
    test: true,
  });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('every document kind, signed with every kind of signer, passes pdfsig', () => {
  const kinds = ['acuse', 'respuesta'] as const;
  SIGNER_LABELS.forEach((label, signerIndex) => {
    for (const kind of kinds) {
      it(`${kind} · ${label}`, async () => {
        const { signer, cn, test } = signers[signerIndex];
        const name = `${kind}-${signerIndex}`;
        const doc: SignedDocument =
          kind === 'acuse'
            ? await renderSignedAcuse(demoAcuse({ testDocument: false }), signer, { signedAt: NOW })
            : await renderSignedReplyLetter(demoReplyLetter({ testDocument: false }), signer, { signedAt: NOW });

        const sig = pdfsig(doc.pdf, name);
        expect(sig).toContain('Signature is Valid.');
        expect(sig).toContain(`Signer Certificate Common Name: ${cn}`);
        expect(sig).toContain('Total document signed');
        expect(sig).toContain('Signature Type: adbe.pkcs7.detached');

        for (const where of ['first-range', 'second-range'] as const) {
          const bad = pdfsig(tamper(doc.pdf, where), `${name}-tampered`);
          expect(sig).not.toBe(bad);
          expect(bad).toContain('Digest Mismatch');
          expect(bad).not.toContain('Signature is Valid.');
        }

        const texts = pageTexts(doc.pdf, name, doc.pages);
        const all = texts.join('\n');
        expect(all).toContain('MCI-2026-000123');
        for (const t of texts) {
          expect(t).toContain('correo.colima.gob.mx/v/7K3QXM2PZA');
          // The mark is on every page of a test certificate's documents and nowhere else.
          expect(t.includes(TEST_MARK)).toBe(test);
        }
        expect(doc.testDocument).toBe(test);
        if (kind === 'respuesta') expect(all).toContain('Colima, Col., a 28 de noviembre de 2026');
        else expect(all).toContain('28/11/2026 11:05:00 h');
        // The signature block names the certificate and carries the cadena original and its sello.
        expect(flat(all)).toContain(signer.certificate.serial);
        const compact = all.replace(/\s+/g, '');
        expect(compact).toContain(doc.cadenaOriginal);
        expect(doc.cadenaOriginal).toMatch(
          new RegExp(
            `^\\|\\|MCI-2026-000123\\|\\|${NOW.toISOString().slice(0, 19)}Z\\|\\|${signer.signerId}\\|\\|[0-9a-f]{64}\\|\\|$`,
          ),
        );
        expect(verifySello(doc.cadenaOriginal, doc.sello, signer.certificateDer)).toBe(true);
        expect(compact).toContain(doc.sello);
      });
    }
  });
});

describe('SAT e.firma pair', () => {
  it('reads the holder, RFC, CURP and the 20-digit certificate number', () => {
    const c = signers[2].signer.certificate;
    expect(c.subject.nombre).toBe('JOSÉ ÁNGEL NÚÑEZ CEBALLOS');
    expect(c.subject.rfc).toBe('NUCJ800101AB1');
    expect(c.subject.curp).toBe('NUCJ800101HCMXBL09');
    expect(c.serial).toBe('30001000000500003416');
    expect(signers[2].signer.signerId).toBe('NUCJ800101AB1');
    expect(c.validTo.getTime()).toBeGreaterThan(Date.now());
    expect(c.test).toBe(false);
  });

  it('refuses a wrong passphrase, a .key of another pair and a certificate out of validity', async () => {
    const sat = makeSatPair(SAT_PASS);
    const other = makeSatPair(SAT_PASS);
    expect(() => loadSatSigner(sat.cer, sat.key, 'otra')).toThrow(
      expect.objectContaining({ code: 'FIRMA_KEY_ILEGIBLE' }) as DomainError,
    );
    expect(() => loadSatSigner(sat.cer, other.key, SAT_PASS)).toThrow(
      expect.objectContaining({ code: 'FIRMA_LLAVE_NO_CORRESPONDE' }) as DomainError,
    );
    const expired = makeSatPair(SAT_PASS, {
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2024-01-01T00:00:00Z'),
    });
    const signer = loadSatSigner(expired.cer, expired.key, SAT_PASS);
    await expect(renderSignedAcuse(demoAcuse(), signer, { signedAt: NOW })).rejects.toMatchObject({
      code: 'FIRMA_CERTIFICADO_NO_VIGENTE',
    });
  });

  it('refuses a P12 with the wrong passphrase, in Spanish', () => {
    const inst = makeCertificate({ subject: [{ shortName: 'CN', value: 'X' }] });
    expect(() => loadP12Signer(makeP12(inst, 'buena'), 'mala')).toThrow(/contraseña .* no es correcta/);
  });
});

describe('test certificate', () => {
  it('is made once per data directory and reused', () => {
    const again = loadOrCreateTestSigner(join(dir, 'data'));
    expect(again.certificate.serialHex).toBe(signers[3].signer.certificate.serialHex);
    const elsewhere = loadOrCreateTestSigner(join(dir, 'data-2'));
    expect(elsewhere.certificate.serialHex).not.toBe(again.certificate.serialHex);
    expect(readFileSync(join(dir, 'data', 'firma', 'firma-prueba.pem'), 'utf8')).toContain('PRIVATE KEY');
  });

  it('marks a document as a test even when its data say otherwise, and a real signer marks it on request', async () => {
    const byTestCert = await renderSignedAcuse(demoAcuse({ testDocument: false }), signers[3].signer);
    expect(pageTexts(byTestCert.pdf, 'forced-test', 1)[0]).toContain(TEST_MARK);
    const requested = await renderSignedAcuse(demoAcuse({ testDocument: true }), signers[0].signer);
    expect(requested.testDocument).toBe(true);
    expect(pageTexts(requested.pdf, 'requested-test', 1)[0]).toContain(TEST_MARK);
    expect(pdfsig(requested.pdf, 'requested-test')).toContain('Signature is Valid.');
  });
});

describe('reply letters from every shipped template', () => {
  for (const { procedure, outcome } of SHIPPED_LETTERS) {
    it(`${procedure} → ${outcome}`, async () => {
      const filled = fillLetterTemplate(loadLetterTemplate(procedure, outcome), demoValues(procedure, outcome));
      const doc = await renderSignedReplyLetter(
        demoReplyLetter({ ...filled, testDocument: false }),
        signers[2].signer,
        { signedAt: NOW },
      );
      const name = `${procedure}-${outcome}`;
      expect(pdfsig(doc.pdf, name)).toContain('Signature is Valid.');
      const all = flat(pageTexts(doc.pdf, name, doc.pages).join('\n'));
      expect(all).toContain(flat(filled.asunto));
      // pdftotext may close up letter-spaced words.
      expect(all).toMatch(/P ?r ?e ?s ?e ?n ?t ?e/);
      expect(all).toMatch(/A ?t ?e ?n ?t ?a ?m ?e ?n ?t ?e/);
      expect(all).toContain('c.c.p. Subjefatura de Sistemas');
      expect(all).not.toMatch(/\{\{|\}\}/);
      // No letter states a password: letters point to the activation link sent to the masked alternate address.
      expect(all).not.toMatch(/(contraseña|password)\s*(temporal|inicial|provisional|asignada)?\s*[:=]/i);
      const values = demoValues(procedure, outcome);
      if (values.correoAlterno !== undefined) {
        expect(all).toContain(values.correoAlterno);
        expect(values.correoAlterno).toContain('*');
      }
      // Corrección 5: a block confirms; it gives no access.
      if (outcome === 'bloqueada') expect(all).not.toMatch(/enlace|código de|correo alterno/i);
      expect(all).not.toContain(TEST_MARK);
    });
  }

  it('refuses to sign a letter that states a password', async () => {
    await expect(
      renderSignedReplyLetter(
        demoReplyLetter({ cuerpo: 'Su cuenta fue creada.\n\nContraseña temporal: Xk9#mP2qL7' }),
        signers[3].signer,
      ),
    ).rejects.toMatchObject({ code: 'OFICIO_CON_CONTRASENA' });
  });
});

describe('QR and short URL on every page', () => {
  it('a three-page letter carries a readable QR to the verification URL and the short URL on each page', async () => {
    const long = Array.from(
      { length: 14 },
      (_, i) =>
        `Párrafo ${i + 1}. En atención a su oficio se revisaron los antecedentes del trámite, el Catálogo de Centros de ` +
        'Trabajo y la información de Capital Humano; se verificó que la persona titular cuente con correo alterno ' +
        'vigente y que el centro de trabajo tenga sus datos generales actualizados, como lo piden las políticas.',
    ).join('\n\n');
    const data = demoReplyLetter({ cuerpo: long });
    const doc = await renderSignedReplyLetter(data, signers[3].signer, { signedAt: NOW });
    expect(doc.pages).toBeGreaterThanOrEqual(2);
    expect(pdfsig(doc.pdf, 'long')).toContain('Signature is Valid.');
    const texts = pageTexts(doc.pdf, 'long', doc.pages);
    texts.forEach((t, i) => {
      expect(t).toContain(data.shortUrl);
      expect(t).toContain(`Página ${i + 1} de ${doc.pages}`);
      expect(t).toContain(TEST_MARK);
      expect(t).toContain('Coordinación de los Servicios Educativos del Estado de Colima');
    });
    for (let p = 1; p <= doc.pages; p++) expect(qrOnPage(doc.pdf, 'long', p)).toBe(data.verifyUrl);
    // Nothing fell off the bottom: the last paragraph and the signature block are there, once.
    const all = texts.join('\n');
    expect(all.match(/Párrafo 14\./g)).toHaveLength(1);
    expect(all.match(/FIRMA ELECTRÓNICA/g)).toHaveLength(1);
  });

  it('the acuse QR decodes to the verification URL', async () => {
    const data = demoAcuse();
    const doc = await renderSignedAcuse(data, signers[0].signer, { signedAt: NOW });
    expect(qrOnPage(doc.pdf, 'acuse-qr', 1)).toBe(data.verifyUrl);
  });
});
