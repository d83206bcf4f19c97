import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linkExpiry, newAccountMail } from '../../src/mail/account-mails';
import { MailTemplates } from '../../src/mail/mail-templates';
import {
  type MailLog,
  type Mailer,
  type MailerDeps,
  OutboxMailer,
  createMailer,
  messageIdFor,
} from '../../src/mail/mailer';
import { SentMailLedger } from '../../src/mail/sent-mail-ledger';
import { createTestDb, type TestDb } from '../support/test-db';
import { CrashBeforeRecord } from './support/crash-before-record';
import { lineProblems, parseMessage } from './support/mime';

/** The embedded default: each message is an RFC 5322 `.eml` file in `<dataDir>/outbox/`. */
const templates = MailTemplates.load();
const quiet: MailLog = { log: () => undefined, warn: () => undefined };
const config = { mailFrom: 'Mi Correo Institucional <no-responder@colima.gob.mx>', mailDomain: 'colima.gob.mx' };

function directorMail(idempotencyKey?: string) {
  return newAccountMail(templates, {
    holder: {
      tipo: 'centro_trabajo',
      cct: '06DPR0001X',
      centroTrabajo: 'Escuela Primaria "Niños Héroes" & Anexos',
      directorNombre: 'Rosa Ávila Cárdenas',
      directorCorreo: 'direccion.ninosheroes@ejemplo.mx',
    },
    correo: 'esc.06dpr0001x@colima.gob.mx',
    enlace: 'https://correo.colima.gob.mx/activar/q8Z-pL2_vX9mN4bT7cR1sW6yK3hJ5gF0dA8eU2iO4oP',
    venceEl: linkExpiry(new Date('2026-11-28T16:00:00Z')),
    idempotencyKey,
  });
}

describe('.eml outbox (embedded default)', () => {
  let db: TestDb;
  let deps: MailerDeps;
  let dataDir: string;
  let outbox: string;
  let mailer: Mailer;

  beforeAll(async () => {
    db = await createTestDb('sqlite');
    deps = { ledger: new SentMailLedger(db.dataSource), logger: quiet };
  });

  afterAll(async () => {
    await db?.close();
  });

  beforeEach(async () => {
    // Each test is a fresh installation: an empty outbox and an empty record of sent mail.
    await db.dataSource.query('DELETE FROM sent_mail');
    dataDir = mkdtempSync(join(tmpdir(), 'outbox-'));
    outbox = join(dataDir, 'outbox');
    mailer = createMailer({ ...config, smtpUrl: undefined, dataDir }, deps);
  });

  afterEach(async () => {
    await mailer.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const files = () => readdirSync(outbox).sort();

  it('is chosen when SMTP_URL is unset and writes one parseable file per message', async () => {
    expect(mailer).toBeInstanceOf(OutboxMailer);
    const mail = directorMail('case-9:alta:notificar');
    const { messageId } = await mailer.send(mail);

    expect(messageId).toBe(messageIdFor('colima.gob.mx', 'case-9:alta:notificar'));
    const id = messageId.slice(1, messageId.indexOf('@'));
    expect(files()).toEqual([expect.stringMatching(new RegExp(`^\\d{8}T\\d{9}Z-${id}\\.eml$`))]);

    const file = join(outbox, files()[0]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const raw = readFileSync(file);
    expect(lineProblems(raw)).toEqual([]);

    const parsed = parseMessage(raw);
    expect(parsed.header('from')).toBe('Mi Correo Institucional <no-responder@colima.gob.mx>');
    expect(parsed.header('to')).toBe('direccion.ninosheroes@ejemplo.mx');
    expect(parsed.header('subject')).toBe(
      'Correo institucional del centro de trabajo 06DPR0001X: esc.06dpr0001x@colima.gob.mx',
    );
    expect(parsed.header('message-id')).toBe(messageId);
    expect(parsed.header('mime-version')).toBe('1.0');
    expect(parsed.header('content-language')).toBe('es-MX');
    expect(Math.abs(Date.parse(parsed.header('date')!) - Date.now())).toBeLessThan(60_000);
    expect(parsed.contentType).toBe('multipart/alternative');

    expect(parsed.text!.replace(/\r\n/g, '\n')).toBe(mail.text);
    expect(parsed.html!.replace(/\r\n/g, '\n')).toBe(mail.html.replace(/\r\n/g, '\n'));
    expect(parsed.text).toContain('Estimado(a) Rosa Ávila Cárdenas:');
    expect(parsed.text).toContain('Escuela Primaria "Niños Héroes" & Anexos (CCT 06DPR0001X)');
    expect(parsed.html).toContain('Escuela Primaria &quot;Niños Héroes&quot; &amp; Anexos');
    expect(parsed.text).toContain('https://correo.colima.gob.mx/activar/q8Z-pL2_vX9mN4bT7cR1sW6yK3hJ5gF0dA8eU2iO4oP');
    expect(parsed.text).toContain(
      'El enlace vence el 29 de noviembre de 2026 a las 10:00 h (hora del centro de México)',
    );
  });

  it('keeps one file when a job is retried with the same key, and a file per message otherwise', async () => {
    const first = await mailer.send(directorMail('case-9:alta:notificar'));
    const retry = await mailer.send(directorMail('case-9:alta:notificar'));
    expect(retry).toEqual(first);
    expect(files()).toHaveLength(1);

    const a = await mailer.send(directorMail());
    const b = await mailer.send(directorMail());
    expect(a.messageId).not.toBe(b.messageId);
    expect(files()).toHaveLength(3);
    expect(files().filter((f) => !f.endsWith('.eml'))).toEqual([]);
  });

  it('writes no second file when a process died after writing it and before recording it', async () => {
    const t0 = new Date('2027-03-01T16:00:00Z');
    const dead = createMailer(
      { ...config, smtpUrl: undefined, dataDir },
      { ledger: new CrashBeforeRecord(db.dataSource), logger: quiet, now: () => t0 },
    );
    await dead.send(directorMail('case-9:alta:notificar'));
    // The claim expired: the retry takes it over, finds the file and records it as sent.
    const retry = createMailer(
      { ...config, smtpUrl: undefined, dataDir },
      { ...deps, now: () => new Date(t0.getTime() + 3_600_000) },
    );
    await retry.send(directorMail('case-9:alta:notificar'));
    expect(files()).toHaveLength(1);
    expect(await retry.alreadySent(['case-9:alta:notificar'])).toBe(true);
  });

  it('names files so that they sort by time', async () => {
    await mailer.send(directorMail('k-1'));
    await new Promise((r) => setTimeout(r, 5));
    await mailer.send(directorMail('k-0'));
    const [older, newer] = files();
    expect(readFileSync(join(outbox, older), 'latin1')).toContain(messageIdFor('colima.gob.mx', 'k-1'));
    expect(readFileSync(join(outbox, newer), 'latin1')).toContain(messageIdFor('colima.gob.mx', 'k-0'));
  });

  it('refuses a message it must not write, before touching the folder', async () => {
    const base = directorMail();
    const bad: [Partial<typeof base>, RegExp][] = [
      [{ to: [] }, /no tiene destinatarios/],
      [{ to: ['sin-arroba'] }, /destinatario no válida \(1 de 1\)/],
      [{ to: ['a@b.mx', 'x@y.mx>, z@evil.mx'] }, /destinatario no válida \(1 de 2\)/],
      [{ subject: 'Asunto\r\nBcc: z@evil.mx' }, /asunto no puede tener saltos/],
      [{ headers: { From: 'otro@evil.mx' } }, /"From" no se puede fijar/],
      [{ headers: { 'Message-ID': '<x@y>' } }, /"Message-ID" no se puede fijar/],
      [{ headers: { 'Content-Disposition': 'attachment' } }, /"Content-Disposition" no se puede fijar/],
      [{ headers: { 'X-Folio': 'F-1\r\nBcc: z@evil.mx' } }, /no puede tener saltos/],
    ];
    for (const [change, message] of bad) {
      await expect(mailer.send({ ...base, ...change })).rejects.toMatchObject({
        name: 'MailDeliveryError',
        permanent: true,
        message: expect.stringMatching(message),
      });
    }
    expect(() => readdirSync(outbox)).toThrow(/ENOENT/);
  });

  it('writes extra headers and takes the Message-ID domain from MAIL_FROM', async () => {
    const sub = new OutboxMailer(
      outbox,
      { mailFrom: 'CSEEE <avisos@sistemas.colima.gob.mx>', mailDomain: 'colima.gob.mx' },
      deps,
    );
    const { messageId } = await sub.send({ ...directorMail('k'), headers: { 'X-Folio': 'SSST-2026-000123' } });
    expect(messageId).toBe(messageIdFor('sistemas.colima.gob.mx', 'k'));
    const parsed = parseMessage(readFileSync(join(outbox, files()[0])));
    expect(parsed.header('x-folio')).toBe('SSST-2026-000123');
    expect(parsed.header('from')).toBe('CSEEE <avisos@sistemas.colima.gob.mx>');
    await sub.close();
  });

  it('verifies that the folder is writable and leaves nothing behind', async () => {
    await mailer.verify();
    expect(files()).toEqual([]);
    // A file where the folder should be: the outbox cannot be created.
    const blocker = join(dataDir, 'bloqueo');
    writeFileSync(blocker, '');
    const blocked = new OutboxMailer(join(blocker, 'outbox'), config, deps);
    await expect(blocked.verify()).rejects.toThrow(/ENOTDIR/);
    await expect(blocked.send(directorMail())).rejects.toThrow(/ENOTDIR/);
  });
});
