import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoAcuse } from '../../src/letters/demo-data';
import { renderSignedAcuse } from '../../src/letters/renderer';
import { loadP12Signer, verifySello } from '../../src/letters/signer';
import { makeCertificate, makeP12 } from './certificates';

/** A passphrase an official in Colima would choose: OpenSSL 3 writes it as UTF-8 (PBES2/AES, PBKDF2). */
const PASS = 'contraseña';
let dir: string;
let keyPem: string;
let certPem: string;

function opensslP12(name: string, extra: string[] = []): string {
  const out = join(dir, `${name}.p12`);
  execFileSync(
    'openssl',
    ['pkcs12', '-export', ...extra, '-inkey', keyPem, '-in', certPem, '-out', out, '-passout', `pass:${PASS}`],
    { stdio: 'ignore' },
  );
  return out;
}

beforeAll(() => {
  if (spawnSync('sh', ['-c', 'command -v openssl']).status !== 0)
    throw new Error('These tests need "openssl": apt-get install -y openssl');
  dir = mkdtempSync(join(tmpdir(), 'p12-pass-'));
  keyPem = join(dir, 'key.pem');
  certPem = join(dir, 'cert.pem');
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
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a P12 whose passphrase has non-ASCII characters', () => {
  it('opens an OpenSSL 3 P12 (default PBES2/AES) and signs with it', async () => {
    const signer = loadP12Signer(opensslP12('openssl3'), PASS);
    expect(signer.certificate.subject.nombre).toBe('Oficialia CSEEE');
    const now = new Date();
    const doc = await renderSignedAcuse(demoAcuse(), signer, { signedAt: now });
    expect(verifySello(doc.cadenaOriginal, doc.sello, signer.certificateDer)).toBe(true);
  });

  it('opens an OpenSSL 3 -legacy P12 (PKCS#12 3DES/RC2) and a node-forge P12', () => {
    expect(loadP12Signer(opensslP12('legacy', ['-legacy']), PASS).certificate.subject.nombre).toBe('Oficialia CSEEE');
    const made = makeCertificate({ subject: [{ shortName: 'CN', value: 'Forge' }] });
    writeFileSync(join(dir, 'forge.p12'), makeP12(made, 'frase de prueba ñ'));
    expect(loadP12Signer(join(dir, 'forge.p12'), 'frase de prueba ñ').certificate.subject.nombre).toBe('Forge');
  });

  it('says the passphrase is wrong when it is (not "unsupported cipher")', () => {
    const file = opensslP12('wrong');
    for (const wrong of ['contrasena', 'contraseñas', 'CONTRASEÑA']) {
      expect(() => loadP12Signer(file, wrong)).toThrow(/contraseña \(SIGNING_P12_PASSPHRASE\) no es correcta/);
    }
  });
});
