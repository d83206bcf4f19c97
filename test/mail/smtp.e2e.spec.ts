import { linkExpiry, newAccountMail, temporaryPasswordMail } from '../../src/mail/account-mails';
import { MailTemplates } from '../../src/mail/mail-templates';
import {
  type MailLog,
  MailDeliveryError,
  type Mailer,
  SmtpMailer,
  createMailer,
  messageIdFor,
} from '../../src/mail/mailer';
import { SentMailLedger } from '../../src/mail/sent-mail-ledger';
import { generateTemporaryPassword } from '../../src/security/password-policy';
import { newToken } from '../../src/security/secret-box';
import { lineProblems, parseMessage } from './support/mime';
import { type SmtpSink, startSmtpSink } from './support/smtp-sink';
import { createTestDb, type TestDb } from '../support/test-db';

/**
 * The SMTP transport against a real SMTP server (smtp-server) on a free loopback port: what a receiving server gets
 * is what a teacher's mailbox would get.
 */
const templates = MailTemplates.load();
const config = { mailFrom: 'Mi Correo Institucional <no-responder@colima.gob.mx>', mailDomain: 'colima.gob.mx' };
const TEMP_PASSWORD_SHAPE = /[A-HJ-NP-Za-km-z2-9]{4}(-[A-HJ-NP-Za-km-z2-9]{4}){3}/;

// The record of sent mail (the at-most-once part has its own suite, on both dialects: sent-once.db.spec.ts).
let db: TestDb;
let ledger: SentMailLedger;
beforeAll(async () => {
  db = await createTestDb('sqlite');
  ledger = new SentMailLedger(db.dataSource);
});
afterAll(async () => {
  await db?.close();
});

class RecordingLog implements MailLog {
  lines: string[] = [];
  log(m: string): void {
    this.lines.push(m);
  }
  warn(m: string): void {
    this.lines.push(m);
  }
}

function activationMail(key?: string) {
  const token = newToken();
  const enlace = `https://correo.colima.gob.mx/activar/${token}`;
  const mail = newAccountMail(templates, {
    holder: { tipo: 'funcion', nombre: 'José Ñúñez Peña', correoAlterno: 'jose.nunez@ejemplo.mx' },
    correo: 'jose.nunez@colima.gob.mx',
    enlace,
    venceEl: linkExpiry(new Date('2026-11-28T16:00:00Z')),
    idempotencyKey: key,
  });
  return { mail, enlace };
}

describe('SMTP transport (real SMTP server on loopback)', () => {
  let sink: SmtpSink;
  let mailer: Mailer;
  let log: RecordingLog;
  const credentials = { user: 'relay@colima.gob.mx', pass: 'pa:ss@w/rd ñ' };

  beforeAll(async () => {
    sink = await startSmtpSink({ credentials, rejectDomain: 'rechaza.example' });
    log = new RecordingLog();
    const smtpUrl = `smtp://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.pass)}@127.0.0.1:${sink.port}`;
    mailer = createMailer({ ...config, smtpUrl, dataDir: '/nonexistent' }, { ledger, logger: log });
  });

  afterAll(async () => {
    await mailer?.close();
    await sink?.close();
  });

  it('is chosen by createMailer when SMTP_URL is set, and logs in with the decoded credentials', async () => {
    expect(mailer).toBeInstanceOf(SmtpMailer);
    await mailer.verify();
    expect(sink.authAttempts.at(-1)).toEqual({ username: credentials.user, password: credentials.pass });
  });

  it('delivers the activation mail: recipients, Spanish subject and body intact in UTF-8, the link, no password', async () => {
    const { mail, enlace } = activationMail('case-1:alta:notificar');
    const before = sink.received.length;
    const { messageId } = await mailer.send(mail);

    expect(sink.received).toHaveLength(before + 1);
    const got = sink.received.at(-1)!;
    expect(got.rcptTo).toEqual(['jose.nunez@ejemplo.mx']);
    expect(got.mailFrom).toBe('no-responder@colima.gob.mx');
    expect(got.user).toBe(credentials.user);
    expect(lineProblems(got.raw)).toEqual([]);

    const parsed = parseMessage(got.raw);
    expect(parsed.header('to')).toBe('jose.nunez@ejemplo.mx');
    expect(parsed.header('from')).toBe('Mi Correo Institucional <no-responder@colima.gob.mx>');
    expect(parsed.header('subject')).toBe('Cuenta de correo institucional de Función: jose.nunez@colima.gob.mx');
    // Non-ASCII header text travels as RFC 2047 encoded words, never as raw 8-bit bytes.
    const rawHeaders = got.raw.subarray(0, got.raw.indexOf('\r\n\r\n')).toString('latin1');
    expect(rawHeaders).toMatch(/^Subject: .*=\?UTF-8\?[QB]\?/im);
    expect(rawHeaders).not.toMatch(/[\u0080-\u00ff]/);
    expect(parsed.header('message-id')).toBe(messageId);
    expect(messageId).toBe(messageIdFor('colima.gob.mx', 'case-1:alta:notificar'));
    expect(parsed.header('auto-submitted')).toBe('auto-generated');
    expect(parsed.contentType).toBe('multipart/alternative');
    expect(parsed.leaves.map((l) => [l.contentType, l.params.charset])).toEqual([
      ['text/plain', 'utf-8'],
      ['text/html', 'utf-8'],
    ]);

    const text = parsed.text!.replace(/\r\n/g, '\n');
    expect(text).toBe(mail.text);
    expect(text).toContain('Estimado(a) José Ñúñez Peña:');
    expect(text).toContain('de tipo Función:\n\njose.nunez@colima.gob.mx');
    expect(text).toContain(
      'Usted queda como responsable de la cuenta. Para empezar a usarla, defina su contraseña en este enlace:',
    );
    expect(text).toContain('Coordinación de los Servicios Educativos del Estado de Colima');
    expect(text).toContain(enlace);
    expect(parsed.html).toContain(`href="${enlace}"`);
    expect(parsed.html).toContain('José Ñúñez Peña');
    // The link kind never carries a password.
    expect(text).not.toMatch(TEMP_PASSWORD_SHAPE);
    expect(text).not.toMatch(/contraseña temporal/i);
    expect(parsed.html).not.toMatch(TEMP_PASSWORD_SHAPE);
  });

  it('gives a retried job the same Message-ID, and does not deliver it again', async () => {
    const before = sink.received.length;
    const first = await mailer.send(activationMail('case-2:alta:notificar').mail);
    const retry = await mailer.send(activationMail('case-2:alta:notificar').mail);
    const other = await mailer.send(activationMail('case-3:alta:notificar').mail);
    expect(retry.messageId).toBe(first.messageId);
    expect(other.messageId).not.toBe(first.messageId);
    const ids = sink.received.slice(before).map((r) => parseMessage(r.raw).header('message-id'));
    expect(ids).toEqual([first.messageId, other.messageId]);
  });

  it('delivers the temporary-password variant with the password in both parts', async () => {
    const password = generateTemporaryPassword();
    const mail = temporaryPasswordMail(templates, {
      holder: { tipo: 'funcion', nombre: 'Dirección de Educación Primaria', correoAlterno: 'titular@ejemplo.mx' },
      correo: 'dir.primaria@colima.gob.mx',
      motivo: 'alta',
      contrasenaTemporal: password,
    });
    await mailer.send(mail);
    const parsed = parseMessage(sink.received.at(-1)!.raw);
    expect(parsed.header('subject')).toBe('Datos de acceso de dir.primaria@colima.gob.mx');
    expect(parsed.text).toContain(`Contraseña temporal: ${password}`);
    expect(parsed.html).toContain(password);
  });

  it('never logs a body, a link or a recipient address', async () => {
    const { mail, enlace } = activationMail();
    const marker = 'MARCADOR-DEL-CUERPO-4f1c';
    await mailer.send({ ...mail, text: `${mail.text}\n${marker}\n`, html: `${mail.html}<p>${marker}</p>` });
    await expect(mailer.send({ ...mail, to: ['alguien@rechaza.example'] })).rejects.toThrow(MailDeliveryError);
    const all = log.lines.join('\n');
    expect(log.lines.length).toBeGreaterThanOrEqual(2);
    expect(all).not.toContain(marker);
    expect(all).not.toContain(enlace);
    expect(all).not.toContain('jose.nunez@ejemplo.mx');
    expect(all).not.toContain(credentials.pass);
  });

  it('reports a refused recipient as a permanent failure', async () => {
    let error: unknown;
    try {
      await mailer.send({ ...activationMail().mail, to: ['alguien@rechaza.example'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MailDeliveryError);
    expect(error).toMatchObject({ permanent: true, responseCode: 550 });
    expect((error as Error).message).toMatch(
      /^No se pudo entregar el correo a smtp:\/\/127\.0\.0\.1:\d+: el servidor no aceptó el mensaje: 550/,
    );
    expect((error as Error).message).not.toContain('Estimado');
  });
});

describe('SMTP transport failures and TLS', () => {
  it('reports a 451 on DATA as transient, so the job retries', async () => {
    const sink = await startSmtpSink({ dataReplyCode: 451 });
    const mailer = new SmtpMailer(
      { ...config, smtpUrl: `smtp://127.0.0.1:${sink.port}` },
      { ledger, logger: new RecordingLog() },
    );
    try {
      await expect(mailer.send(activationMail().mail)).rejects.toMatchObject({
        name: 'MailDeliveryError',
        permanent: false,
        responseCode: 451,
      });
    } finally {
      await mailer.close();
      await sink.close();
    }
  });

  it('reports a wrong login from verify() without the password', async () => {
    const sink = await startSmtpSink({ credentials: { user: 'u', pass: 'right' } });
    const mailer = new SmtpMailer(
      { ...config, smtpUrl: `smtp://u:wrong-secret@127.0.0.1:${sink.port}` },
      { ledger, logger: new RecordingLog() },
    );
    try {
      let message = '';
      await mailer.verify().catch((e: Error) => (message = e.message));
      expect(message).toMatch(/^No se pudo conectar al servidor de correo smtp:\/\/127\.0\.0\.1:\d+: 535/);
      expect(message).not.toContain('wrong-secret');
    } finally {
      await mailer.close();
      await sink.close();
    }
  });

  it('delivers over smtps:// (implicit TLS)', async () => {
    const sink = await startSmtpSink({ secure: true });
    // The test server's certificate is self-signed; production keeps verification on.
    const mailer = new SmtpMailer(
      { ...config, smtpUrl: `smtps://127.0.0.1:${sink.port}?tls.rejectUnauthorized=false` },
      { ledger, logger: new RecordingLog() },
    );
    try {
      const { mail, enlace } = activationMail();
      await mailer.send(mail);
      expect(sink.received).toHaveLength(1);
      expect(sink.received[0].secure).toBe(true);
      expect(parseMessage(sink.received[0].raw).text).toContain(enlace);
    } finally {
      await mailer.close();
      await sink.close();
    }
  });

  it('refuses smtps:// to a server whose certificate it cannot verify', async () => {
    const sink = await startSmtpSink({ secure: true });
    const mailer = new SmtpMailer(
      { ...config, smtpUrl: `smtps://127.0.0.1:${sink.port}` },
      { ledger, logger: new RecordingLog() },
    );
    try {
      const error = await mailer.send(activationMail().mail).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MailDeliveryError);
      expect((error as Error).message).toMatch(/certificate/);
      expect(sink.received).toHaveLength(0);
    } finally {
      await mailer.close();
      await sink.close();
    }
  });
});
