import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

const dataDir = (): string => mkdtempSync(join(tmpdir(), 'mci-cfg-'));

describe('loadConfig', () => {
  it('gives a working embedded default with nothing set: SQLite, local directory, public URL on the port', () => {
    const c = loadConfig({ DATA_DIR: dataDir() });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
    expect(c.port).toBe(3000);
    expect(c.directoryProvider).toBe('local');
    expect(c.publicBaseUrl).toBe('http://localhost:3000');
    expect(c.secretKey).toHaveLength(32);
  });

  it('keeps the generated secret key across starts on the embedded default', () => {
    const dir = dataDir();
    expect(loadConfig({ DATA_DIR: dir }).secretKey.equals(loadConfig({ DATA_DIR: dir }).secretKey)).toBe(true);
  });

  it.each([
    ['PORT', 'abc', /PORT debe ser un número entero entre 1 y 65535.*Invalid configuration: PORT/],
    ['PORT', '70000', /PORT debe ser un número entero/],
    ['DATABASE_URL', 'postgres://x@y/z', /DATABASE_URL debe empezar con mysql:\/\/ o mariadb:\/\//],
    ['DATABASE_URL', 'no es url', /DATABASE_URL no es una URL válida/],
    ['REDIS_URL', 'http://x', /REDIS_URL debe empezar con redis:\/\//],
    ['DIRECTORY_PROVIDER', 'exchange', /DIRECTORY_PROVIDER debe ser uno de: local, ldap, google/],
    ['SECRET_KEY', 'corta', /SECRET_KEY debe tener 64 caracteres hexadecimales/],
    ['MAIL_DOMAIN', 'no_valido', /MAIL_DOMAIN no es un dominio válido/],
    ['DB_QUERY_TIMEOUT_MS', '10s', /DB_QUERY_TIMEOUT_MS debe ser un número entero entre 0 y 3600000/],
    ['DB_CONNECT_TIMEOUT_MS', '100', /DB_CONNECT_TIMEOUT_MS debe ser un número entero entre 500 y 120000/],
    ['DB_ACQUIRE_TIMEOUT_MS', '0', /DB_ACQUIRE_TIMEOUT_MS debe ser un número entero entre 500 y 600000/],
  ])('stops on a wrong %s and names it', (name, value, message) => {
    const run = (): unknown => loadConfig({ DATA_DIR: dataDir(), [name]: value });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(message);
  });

  it('bounds every wait for MySQL/MariaDB by default; DB_*_TIMEOUT_MS tune it (0: no statement timeout)', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).dbTimeouts).toEqual({
      connectMs: 5000,
      acquireMs: 5000,
      queryMs: 10000,
    });
    const c = loadConfig({
      DATA_DIR: dataDir(),
      DB_CONNECT_TIMEOUT_MS: '2000',
      DB_ACQUIRE_TIMEOUT_MS: '3000',
      DB_QUERY_TIMEOUT_MS: '0',
    });
    expect(c.dbTimeouts).toEqual({ connectMs: 2000, acquireMs: 3000, queryMs: 0 });
  });

  it('has no metrics without METRICS_TOKEN; refuses a short token and a worker metrics port without one', () => {
    expect(loadConfig({ DATA_DIR: dataDir() })).toMatchObject({ metricsToken: undefined, metricsPort: undefined });
    const token = 'a1'.repeat(12);
    expect(loadConfig({ DATA_DIR: dataDir(), METRICS_TOKEN: token, METRICS_PORT: '9464' })).toMatchObject({
      metricsToken: token,
      metricsPort: 9464,
    });
    expect(() => loadConfig({ DATA_DIR: dataDir(), METRICS_TOKEN: 'corto' })).toThrow(/METRICS_TOKEN .*24 caracteres/);
    expect(() => loadConfig({ DATA_DIR: dataDir(), METRICS_PORT: '9464' })).toThrow(
      /METRICS_PORT necesita METRICS_TOKEN/,
    );
    expect(() => loadConfig({ DATA_DIR: dataDir(), METRICS_TOKEN: token, METRICS_PORT: '70000' })).toThrow(
      /METRICS_PORT/,
    );
  });

  it('refuses a shared folder (sticky bit, as /tmp) for DATA_DIR instead of closing it to everyone', () => {
    const shared = dataDir();
    chmodSync(shared, 0o1777);
    expect(() => loadConfig({ DATA_DIR: shared })).toThrow(/DATA_DIR es una carpeta compartida/);
    expect(statSync(shared).mode & 0o7777).toBe(0o1777);
    // A folder of its own inside it is fine.
    expect(loadConfig({ DATA_DIR: join(shared, 'mci') }).dataDir).toBe(join(shared, 'mci'));
  });

  it('trusts X-Forwarded-For from loopback by default; TRUST_PROXY names other proxies, never everyone', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).trustProxy).toEqual(['loopback']);
    expect(
      loadConfig({ DATA_DIR: dataDir(), TRUST_PROXY: 'loopback, 172.18.0.0/16 ,10.0.0.7, fd00::/8, uniquelocal' })
        .trustProxy,
    ).toEqual(['loopback', '172.18.0.0/16', '10.0.0.7', 'fd00::/8', 'uniquelocal']);
    for (const bad of ['true', '*', '300.1.1.1', '10.0.0.0/33', 'loopback, proxy.local', '10.0.0.0/8/1', ','])
      expect(() => loadConfig({ DATA_DIR: dataDir(), TRUST_PROXY: bad })).toThrow(/TRUST_PROXY debe listar/);
  });

  it('runs recovery every minute by default; RECOVERY_INTERVAL_MS tunes it within bounds', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).recoveryIntervalMs).toBe(60_000);
    expect(loadConfig({ DATA_DIR: dataDir(), RECOVERY_INTERVAL_MS: '2000' }).recoveryIntervalMs).toBe(2000);
    expect(() => loadConfig({ DATA_DIR: dataDir(), RECOVERY_INTERVAL_MS: '10' })).toThrow(/RECOVERY_INTERVAL_MS/);
  });

  it('mails the digest of new tasks every 15 minutes at most by default; TASK_DIGEST_INTERVAL_MIN tunes it, 0 turns it off', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).taskDigestIntervalMin).toBe(15);
    expect(loadConfig({ DATA_DIR: dataDir(), TASK_DIGEST_INTERVAL_MIN: '0' }).taskDigestIntervalMin).toBe(0);
    expect(loadConfig({ DATA_DIR: dataDir(), TASK_DIGEST_INTERVAL_MIN: '60' }).taskDigestIntervalMin).toBe(60);
    for (const bad of ['-1', '1441', 'quince'])
      expect(() => loadConfig({ DATA_DIR: dataDir(), TASK_DIGEST_INTERVAL_MIN: bad })).toThrow(
        /TASK_DIGEST_INTERVAL_MIN/,
      );
  });

  it('blocks nothing automatically by default; RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS sets the days of baja', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).reconciliationAutoBlockDays).toBeNull();
    expect(
      loadConfig({ DATA_DIR: dataDir(), RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS: '  ' }).reconciliationAutoBlockDays,
    ).toBeNull();
    expect(
      loadConfig({ DATA_DIR: dataDir(), RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS: '30' }).reconciliationAutoBlockDays,
    ).toBe(30);
    expect(
      loadConfig({ DATA_DIR: dataDir(), RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS: '1' }).reconciliationAutoBlockDays,
    ).toBe(1);
    for (const bad of ['0', '-5', '2.5', 'treinta', '30d', '3651']) {
      expect(() => loadConfig({ DATA_DIR: dataDir(), RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS: bad })).toThrow(
        ConfigError,
      );
      expect(() => loadConfig({ DATA_DIR: dataDir(), RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS: bad })).toThrow(
        `Configuración inválida: RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS debe ser un número entero entre 1 y 3650 (recibido: "${bad}")`,
      );
    }
  });

  it('requires PUBLIC_BASE_URL and SECRET_KEY in production, so no QR points nowhere', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir(), SECRET_KEY: 'a'.repeat(64) })).toThrow(
      /PUBLIC_BASE_URL es obligatoria/,
    );
    expect(() =>
      loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir(), PUBLIC_BASE_URL: 'https://correo.example.mx' }),
    ).toThrow(/SECRET_KEY es obligatoria/);
    const c = loadConfig({
      NODE_ENV: 'production',
      DATA_DIR: dataDir(),
      PUBLIC_BASE_URL: 'https://correo.example.mx/',
      SECRET_KEY: 'ab'.repeat(32),
    });
    expect(c.publicBaseUrl).toBe('https://correo.example.mx');
  });
});

describe('loadConfig: directory and signing', () => {
  it('asks for the LDAP settings when DIRECTORY_PROVIDER=ldap, naming the missing one', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), DIRECTORY_PROVIDER: 'ldap' })).toThrow(
      /LDAP_URL es obligatoria con DIRECTORY_PROVIDER=ldap/,
    );
    expect(() =>
      loadConfig({ DATA_DIR: dataDir(), DIRECTORY_PROVIDER: 'ldap', LDAP_URL: 'ldap://127.0.0.1:389' }),
    ).toThrow(/LDAP_BIND_DN/);
    const c = loadConfig({
      DATA_DIR: dataDir(),
      DIRECTORY_PROVIDER: 'ldap',
      LDAP_URL: 'ldap://127.0.0.1:389',
      LDAP_BIND_DN: 'cn=admin,dc=x',
      LDAP_BIND_PASSWORD: 'x',
      LDAP_BASE_DN: 'ou=people,dc=x',
    });
    expect(c.ldap).toMatchObject({ url: 'ldap://127.0.0.1:389', rdnAttribute: 'uid' });
  });

  it('rejects an unknown way to deliver credentials', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), CREDENTIAL_DELIVERY: 'correo' })).toThrow(
      /CREDENTIAL_DELIVERY debe ser uno de: enlace, temporal/,
    );
  });
});

describe('loadConfig: the institution (another state can run it)', () => {
  /** A 1 × 1 PNG. */
  const PNG = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  );
  const fileWith = (data: Buffer | string): string => {
    const file = join(dataDir(), 'logo');
    writeFileSync(file, data);
    return file;
  };

  it("is Colima's CSEEE with nothing set", () => {
    const c = loadConfig({ DATA_DIR: dataDir() });
    expect(c.institution).toEqual({
      name: 'Coordinación de los Servicios Educativos del Estado de Colima',
      shortName: 'CSEEE',
      stateName: 'Colima',
      letterPlace: 'Colima, Col.',
      letterheadArea: 'Subdirección de Sistemas y Servicios Telemáticos',
      letterheadLogo: null,
    });
    expect(c.cctStateCode).toBe('06');
    expect(c.holidaysExtra).toEqual([]);
    expect(c.mailDomain).toBe('colima.gob.mx');
  });

  it("takes another state's name, letterhead, logo, CCT code and días inhábiles", () => {
    const c = loadConfig({
      DATA_DIR: dataDir(),
      INSTITUTION_NAME: '  Servicios de Educación Pública del Estado de Nayarit ',
      INSTITUTION_SHORT_NAME: 'SEPEN',
      STATE_NAME: 'Nayarit',
      LETTER_PLACE: 'Tepic, Nay.',
      LETTERHEAD_AREA: 'Dirección de Tecnologías de la Información',
      LETTERHEAD_LOGO: fileWith(PNG),
      CCT_STATE_CODE: '18',
      HOLIDAYS_EXTRA: '02-26=Aniversario de la erección del Estado, 11-02',
    });
    expect(c.institution).toEqual({
      name: 'Servicios de Educación Pública del Estado de Nayarit',
      shortName: 'SEPEN',
      stateName: 'Nayarit',
      letterPlace: 'Tepic, Nay.',
      letterheadArea: 'Dirección de Tecnologías de la Información',
      letterheadLogo: PNG,
    });
    expect(c.cctStateCode).toBe('18');
    expect(c.holidaysExtra).toEqual([
      { mesDia: '02-26', descripcion: 'Aniversario de la erección del Estado' },
      { mesDia: '11-02', descripcion: 'Día inhábil del estado' },
    ]);
  });

  it.each([
    ['CCT_STATE_CODE', '6', /CCT_STATE_CODE debe ser la clave de dos dígitos de una entidad federativa, de 01 a 32/],
    ['CCT_STATE_CODE', '00', /CCT_STATE_CODE debe ser .*recibido: "00"/],
    ['CCT_STATE_CODE', '33', /CCT_STATE_CODE debe ser .*recibido: "33"/],
    ['INSTITUTION_NAME', 'x'.repeat(121), /INSTITUTION_NAME debe tener entre 2 y 120 caracteres \(tiene 121\)/],
    ['INSTITUTION_SHORT_NAME', 'X', /INSTITUTION_SHORT_NAME debe tener entre 2 y 20 caracteres/],
    ['STATE_NAME', 'x'.repeat(61), /STATE_NAME debe tener entre 2 y 60 caracteres/],
    ['LETTER_PLACE', 'x'.repeat(81), /LETTER_PLACE debe tener entre 2 y 80 caracteres/],
    ['LETTERHEAD_AREA', 'x'.repeat(121), /LETTERHEAD_AREA debe tener entre 2 y 120 caracteres/],
    ['HOLIDAYS_EXTRA', '26-02', /HOLIDAYS_EXTRA debe ser una lista de días «MM-DD».*«26-02» no es una fecha MM-DD/],
    ['HOLIDAYS_EXTRA', '02-30=Nunca', /HOLIDAYS_EXTRA .*«02-30=Nunca» no es una fecha/],
    ['HOLIDAYS_EXTRA', '2026-03-23', /HOLIDAYS_EXTRA .*«2026-03-23» no es una fecha/],
    ['HOLIDAYS_EXTRA', '03-23,03-23=Otra vez', /HOLIDAYS_EXTRA .*«03-23=Otra vez» está repetido/],
    ['HOLIDAYS_EXTRA', `03-23=${'x'.repeat(121)}`, /HOLIDAYS_EXTRA .*descripción de más de 120 caracteres/],
  ])('stops on a wrong %s and names it', (name, value, message) => {
    const run = (): unknown => loadConfig({ DATA_DIR: dataDir(), [name]: value });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(message);
  });

  it('refuses a LETTERHEAD_LOGO that is missing, not an image or too large', () => {
    const run = (file: string) => () => loadConfig({ DATA_DIR: dataDir(), LETTERHEAD_LOGO: file });
    expect(run('/no/existe/logo.png')).toThrow(/LETTERHEAD_LOGO no se puede leer \(ENOENT/);
    expect(run(fileWith('%PDF-1.7'))).toThrow(/LETTERHEAD_LOGO debe ser una imagen PNG o JPEG/);
    expect(run(fileWith(Buffer.concat([PNG, Buffer.alloc(512 * 1024)])))).toThrow(/LETTERHEAD_LOGO pasa de 512 KB/);
  });
});
