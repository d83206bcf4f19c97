import { ConfigError } from '../config/config';
import { messageIdFor, smtpOptionsFromUrl } from './mailer';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('smtpOptionsFromUrl', () => {
  it('reads host, port and TLS mode from the scheme, with submission ports by default', () => {
    expect(smtpOptionsFromUrl('smtp://mail.colima.gob.mx')).toMatchObject({
      host: 'mail.colima.gob.mx',
      port: 587,
      secure: false,
    });
    expect(smtpOptionsFromUrl('smtps://mail.colima.gob.mx')).toMatchObject({ port: 465, secure: true });
    expect(smtpOptionsFromUrl('smtp://127.0.0.1:2525')).toMatchObject({ host: '127.0.0.1', port: 2525 });
    expect(smtpOptionsFromUrl('smtp://[::1]:25')).toMatchObject({ host: '::1', port: 25 });
  });

  it('decodes percent-encoded credentials', () => {
    const o = smtpOptionsFromUrl('smtp://relay%40colima.gob.mx:p%3Ass%40w%2Frd%20%C3%B1@mail:587');
    expect(o.auth).toEqual({ user: 'relay@colima.gob.mx', pass: 'p:ss@w/rd ñ' });
    expect(smtpOptionsFromUrl('smtp://mail').auth).toBeUndefined();
  });

  it('passes the allowed query parameters, typed', () => {
    const o = smtpOptionsFromUrl(
      'smtps://mail?tls.rejectUnauthorized=false&tls.servername=correo.colima.gob.mx&name=mci',
    );
    expect(o.tls).toEqual({ rejectUnauthorized: false, servername: 'correo.colima.gob.mx' });
    expect(o.name).toBe('mci');
    expect(smtpOptionsFromUrl('smtp://mail?requireTLS=true').requireTLS).toBe(true);
  });

  it('keeps nodemailer logging and file/URL access off, whatever the URL says', () => {
    const o = smtpOptionsFromUrl('smtp://mail');
    expect(o).toMatchObject({
      logger: false,
      debug: false,
      transactionLog: false,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    for (const param of ['debug=true', 'logger=true', 'transactionLog=true', 'pool=true']) {
      const e = configError(() => smtpOptionsFromUrl(`smtp://user:s3creto@mail?${param}`));
      expect(e.variable).toBe('SMTP_URL');
      expect(e.message).toContain(`"${param.split('=')[0]}"`);
      expect(e.message).not.toContain('s3creto');
    }
  });

  it('refuses other schemes, a missing host and a non-boolean flag', () => {
    expect(configError(() => smtpOptionsFromUrl('http://mail')).message).toMatch(/smtp:\/\/ o smtps:\/\//);
    expect(configError(() => smtpOptionsFromUrl('no es url')).message).toMatch(/no es una URL válida/);
    expect(configError(() => smtpOptionsFromUrl('smtp://mail?requireTLS=si')).message).toMatch(/debe ser true o false/);
  });
});

describe('messageIdFor', () => {
  it('derives the same Message-ID from the same idempotency key', () => {
    const a = messageIdFor('colima.gob.mx', 'case-1:alta:notificar');
    expect(a).toMatch(/^<[0-9a-f]{32}@colima\.gob\.mx>$/);
    expect(messageIdFor('colima.gob.mx', 'case-1:alta:notificar')).toBe(a);
    expect(messageIdFor('colima.gob.mx', 'case-1:alta:notificar:2')).not.toBe(a);
  });

  it('makes a random one without a key', () => {
    const a = messageIdFor('colima.gob.mx');
    expect(a).toMatch(/^<[0-9a-f-]{36}@colima\.gob\.mx>$/);
    expect(messageIdFor('colima.gob.mx')).not.toBe(a);
    expect(messageIdFor('colima.gob.mx', '')).not.toBe(messageIdFor('colima.gob.mx', ''));
  });
});
