import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDirectoryProvider } from './create-directory-provider';

describe('createDirectoryProvider', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mci-sa-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds the google adapter from a service account key file', () => {
    const file = join(dir, 'sa.json');
    const private_key = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    writeFileSync(
      file,
      JSON.stringify({ type: 'service_account', client_email: 'mci@p.iam.gserviceaccount.com', private_key }),
    );
    const p = createDirectoryProvider({
      provider: 'google',
      google: { serviceAccountKeyFile: file, adminSubject: 'admin@colima.gob.mx' },
    });
    expect([p.name, p.supportsForcedChange]).toEqual(['google', true]);
  });

  it('says in Spanish what is wrong with the key file', () => {
    const bad = join(dir, 'oauth-client.json');
    writeFileSync(bad, JSON.stringify({ installed: { client_id: 'x' } }));
    expect(() =>
      createDirectoryProvider({ provider: 'google', google: { serviceAccountKeyFile: bad, adminSubject: 'a@b.mx' } }),
    ).toThrow(/no es la de una cuenta de servicio/);
    expect(() =>
      createDirectoryProvider({
        provider: 'google',
        google: { serviceAccountKeyFile: join(dir, 'no-existe.json'), adminSubject: 'a@b.mx' },
      }),
    ).toThrow(/No se pudo leer la llave/);
  });

  it('builds the ldap adapter with the configured entry layout', () => {
    const p = createDirectoryProvider({
      provider: 'ldap',
      ldap: {
        url: 'ldap://127.0.0.1:1',
        bindDN: 'cn=admin',
        bindPassword: 'x',
        baseDN: 'ou=people,dc=x',
        forcedChange: false,
      },
    });
    expect([p.name, p.supportsForcedChange]).toEqual(['ldap', false]);
  });
});
