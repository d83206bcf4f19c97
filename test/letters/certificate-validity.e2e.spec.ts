import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { certificateExpiryWarning, createSignerFromEnv, loadOrCreateTestSigner } from '../../src/letters/signer';
import { createStaff, login } from '../support/staff';
import { createTestApp } from '../support/test-app';
import { makeCertificate, makeP12, makeSatPair } from './certificates';

/** The injected clock: any instant works, every certificate is built relative to it. */
const NOW = new Date('2031-03-15T18:00:00Z');
const DAY = 86_400_000;
const PASS = 'frase de prueba';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cert-validity-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function p12File(name: string, notBefore: Date, notAfter: Date): string {
  const made = makeCertificate({ subject: [{ shortName: 'CN', value: `Oficialía ${name}` }], notBefore, notAfter });
  const file = join(dir, `${name}.p12`);
  writeFileSync(file, makeP12(made, PASS));
  return file;
}

const p12Env = (file: string) => ({ SIGNING_P12: file, SIGNING_P12_PASSPHRASE: PASS });

describe('the signing certificate is checked at startup, against the clock', () => {
  it('refuses an expired P12, naming the variable and the date it expired', () => {
    const file = p12File('vencido', new Date(NOW.getTime() - 400 * DAY), new Date(NOW.getTime() - DAY));
    expect(() => createSignerFromEnv(p12Env(file), dir, true, NOW)).toThrow(
      expect.objectContaining({
        code: 'FIRMA_CERTIFICADO_NO_VIGENTE',
        message: expect.stringMatching(/SIGNING_P12.*venció el 14 de marzo de 2031/),
      }),
    );
  });

  it('refuses a SAT pair that is not valid yet, naming SIGNING_CER', () => {
    const sat = makeSatPair('clave', {
      notBefore: new Date(NOW.getTime() + 2 * DAY),
      notAfter: new Date(NOW.getTime() + 700 * DAY),
    });
    writeFileSync(join(dir, 'futuro.cer'), sat.cer);
    writeFileSync(join(dir, 'futuro.key'), sat.key);
    const env = {
      SIGNING_CER: join(dir, 'futuro.cer'),
      SIGNING_KEY: join(dir, 'futuro.key'),
      SIGNING_KEY_PASSPHRASE: 'clave',
    };
    expect(() => createSignerFromEnv(env, dir, true, NOW)).toThrow(
      expect.objectContaining({
        code: 'FIRMA_CERTIFICADO_NO_VIGENTE',
        message: expect.stringMatching(/SIGNING_CER.*a partir del 17 de marzo de 2031/),
      }),
    );
  });

  it('refuses the embedded test certificate once it expired', () => {
    const data = join(dir, 'data-vieja');
    loadOrCreateTestSigner(data, new Date(NOW.getTime() - 11 * 365 * DAY));
    expect(() => createSignerFromEnv({}, data, false, NOW)).toThrow(
      expect.objectContaining({
        code: 'FIRMA_CERTIFICADO_NO_VIGENTE',
        message: expect.stringMatching(/firma-prueba\.pem/),
      }),
    );
  });

  it('accepts a current certificate and warns from 30 days before it expires', () => {
    const far = createSignerFromEnv(
      p12Env(p12File('lejos', new Date(NOW.getTime() - DAY), new Date(NOW.getTime() + 31 * DAY))),
      dir,
      true,
      NOW,
    );
    expect(certificateExpiryWarning(far.certificate, NOW)).toBeUndefined();
    const near = createSignerFromEnv(
      p12Env(p12File('cerca', new Date(NOW.getTime() - DAY), new Date(NOW.getTime() + 30 * DAY - 60_000))),
      dir,
      true,
      NOW,
    );
    expect(certificateExpiryWarning(near.certificate, NOW)).toMatch(
      /certificado de firma .* vence el 14 de abril de 2031 \(en 30 días\)/,
    );
    const expiredMeanwhile = certificateExpiryWarning(near.certificate, new Date(NOW.getTime() + 31 * DAY));
    expect(expiredMeanwhile).toMatch(/venció el 14 de abril de 2031/);
  });
});

describe('the running application', () => {
  it('does not start with an expired certificate', async () => {
    const now = new Date();
    const file = p12File('app-vencido', new Date(now.getTime() - 400 * DAY), new Date(now.getTime() - DAY));
    await expect(createTestApp(p12Env(file))).rejects.toMatchObject({ code: 'FIRMA_CERTIFICADO_NO_VIGENTE' });
  });

  it('reports a certificate near expiry to administrators (degraded, still 200) ', async () => {
    const now = new Date();
    const file = p12File('app-cerca', new Date(now.getTime() - DAY), new Date(now.getTime() + 10 * DAY));
    const t = await createTestApp(p12Env(file));
    try {
      await createStaff(t.db.dataSource, 'admin-certificado', 'administrador');
      const token = await login(t.app, 'admin-certificado');
      const res = await request(t.app.getHttpServer())
        .get('/api/admin/salud')
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      expect(res.body.estado).toBe('degradado');
      expect(res.body.certificado).toMatchObject({ diasRestantes: expect.any(Number), prueba: false });
      expect(res.body.certificado.diasRestantes).toBeLessThanOrEqual(10);
      expect(res.body.avisos).toEqual([expect.stringMatching(/certificado de firma .* vence el/)]);
    } finally {
      await t.close();
    }
  });
});
