import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/entities';
import { type MailLog, type Mailer, type OutgoingMail, createMailer, messageIdFor } from '../../src/mail/mailer';
import { SentMailLedger } from '../../src/mail/sent-mail-ledger';
import { createTestDb, type TestDb } from '../support/test-db';
import { CrashBeforeRecord } from './support/crash-before-record';
import { parseMessage } from './support/mime';
import { type SmtpSink, startSmtpSink } from './support/smtp-sink';

/**
 * At most once per Message-ID (issue 9): the database records every message the mailer sends, so a retried job, a
 * second process running the same job, or a crash after the server's 250 does not deliver the message again (the
 * last at most once more). On both dialects, against a real SMTP server on loopback.
 */
const config = { mailFrom: 'Mi Correo Institucional <no-responder@colima.gob.mx>', mailDomain: 'colima.gob.mx' };
const quiet: MailLog = { log: () => undefined, warn: () => undefined };
const T0 = new Date('2027-03-01T16:00:00Z');

const enlace = 'https://correo.colima.gob.mx/activar/SECRETO-q8Z-pL2_vX9mN4bT7cR1sW6yK3hJ5gF0dA8eU2iO4oP';
function mail(idempotencyKey: string): OutgoingMail {
  return {
    to: ['Jose.Nunez@ejemplo.mx'],
    subject: 'Cuenta de correo institucional de Función: jose.nunez@colima.gob.mx',
    text: `Defina su contraseña en este enlace: ${enlace}`,
    html: `<p><a href="${enlace}">Definir contraseña</a></p>`,
    idempotencyKey,
  };
}

interface MailerOptions {
  ds: DataSource;
  now?: () => Date;
  smtpPort?: number;
  dataDir?: string;
  /** Simulates a process that dies after the server's 250 and before it records the send. */
  crashAfterAccepted?: boolean;
}

function mailerOn(o: MailerOptions): Mailer {
  const smtpUrl = o.smtpPort === undefined ? undefined : `smtp://127.0.0.1:${o.smtpPort}`;
  const ledger = o.crashAfterAccepted ? new CrashBeforeRecord(o.ds) : new SentMailLedger(o.ds);
  return createMailer(
    { ...config, smtpUrl, dataDir: o.dataDir ?? '/nonexistent' },
    { ledger, logger: quiet, now: o.now },
  );
}

/** A second connection to the same database, as another web or worker process has. */
async function secondConnection(db: TestDb): Promise<DataSource> {
  const ds = new DataSource(
    dataSourceOptions({ databaseUrl: db.databaseUrl, dataDir: db.dataDir, sqliteFile: db.sqliteFile }),
  );
  await ds.initialize();
  return ds;
}

describe('mail is sent at most once per Message-ID', () => {
  let db: TestDb;
  let other: DataSource;
  let sink: SmtpSink;
  const opened: Mailer[] = [];
  const open = (o: MailerOptions): Mailer => {
    const m = mailerOn(o);
    opened.push(m);
    return m;
  };
  const deliveredIds = (): (string | undefined)[] => sink.received.map((r) => parseMessage(r.raw).header('message-id'));

  beforeAll(async () => {
    db = await createTestDb();
    other = await secondConnection(db);
  });

  afterAll(async () => {
    if (other?.isInitialized) await other.destroy();
    await db?.close();
  });

  beforeEach(async () => {
    sink = await startSmtpSink();
  });

  afterEach(async () => {
    for (const m of opened.splice(0)) await m.close();
    await sink.close();
  });

  it('does not deliver a retried message again, and records it without the body', async () => {
    const mailer = open({ ds: db.dataSource, smtpPort: sink.port, now: () => T0 });
    const first = await mailer.send(mail('caso-1:3:0'));
    const retry = await mailer.send(mail('caso-1:3:0'));
    expect(retry).toEqual(first);
    expect(deliveredIds()).toEqual([messageIdFor('colima.gob.mx', 'caso-1:3:0')]);

    const rows: Record<string, unknown>[] = await db.dataSource.query('SELECT * FROM sent_mail');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      message_id: first.messageId,
      status: 'enviado',
      subject: mail('x').subject,
      recipients: 1,
    });
    // The activation link is a secret: neither the body nor the recipient's address is kept.
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain('SECRETO');
    expect(stored).not.toContain('Definir');
    expect(stored.toLowerCase()).not.toContain('jose.nunez@ejemplo.mx');
  });

  it('lets only one of two processes deliver the same message at the same time', async () => {
    const a = open({ ds: db.dataSource, smtpPort: sink.port, now: () => T0 });
    const b = open({ ds: other, smtpPort: sink.port, now: () => T0 });
    const results = await Promise.allSettled([a.send(mail('caso-2:1:0')), b.send(mail('caso-2:1:0'))]);

    expect(deliveredIds()).toEqual([messageIdFor('colima.gob.mx', 'caso-2:1:0')]);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    // The loser is told to try again later, when the winner has finished: the job retries, it does not fail.
    expect(refused[0].reason).toMatchObject({ name: 'MailDeliveryError', permanent: false, code: 'ENVIO_EN_CURSO' });
    expect((refused[0].reason as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    // Its retry finds the message sent and returns as done.
    await expect(b.send(mail('caso-2:1:0'))).resolves.toEqual({
      messageId: messageIdFor('colima.gob.mx', 'caso-2:1:0'),
    });
    expect(sink.received).toHaveLength(1);
  });

  it('after a crash between the 250 and the record, resends at most once, once the claim has expired', async () => {
    const crashed = open({ ds: db.dataSource, smtpPort: sink.port, now: () => T0, crashAfterAccepted: true });
    await crashed.send(mail('caso-3:2:0')).catch(() => undefined);
    expect(sink.received).toHaveLength(1);

    // The job runs again (another worker, or the same one restarted) while the dead attempt's claim still holds.
    const soon = open({ ds: other, smtpPort: sink.port, now: () => new Date(T0.getTime() + 60_000) });
    await expect(soon.send(mail('caso-3:2:0'))).rejects.toMatchObject({ permanent: false, code: 'ENVIO_EN_CURSO' });
    expect(sink.received).toHaveLength(1);

    // Once the claim has expired nothing says whether the server got it: it is sent again, once.
    const later = open({ ds: other, smtpPort: sink.port, now: () => new Date(T0.getTime() + 60 * 60_000) });
    await later.send(mail('caso-3:2:0'));
    await later.send(mail('caso-3:2:0'));
    const again = open({ ds: db.dataSource, smtpPort: sink.port, now: () => new Date(T0.getTime() + 2 * 60 * 60_000) });
    await again.send(mail('caso-3:2:0'));
    expect(deliveredIds()).toEqual([
      messageIdFor('colima.gob.mx', 'caso-3:2:0'),
      messageIdFor('colima.gob.mx', 'caso-3:2:0'),
    ]);
  });

  it('a message the server refused is not recorded as sent: the retry delivers it at once', async () => {
    const refusing = await startSmtpSink({ dataReplyCode: 451 });
    try {
      const failing = open({ ds: db.dataSource, smtpPort: refusing.port, now: () => T0 });
      await expect(failing.send(mail('caso-4:1:0'))).rejects.toMatchObject({ permanent: false, responseCode: 451 });
    } finally {
      await refusing.close();
    }
    const retry = open({ ds: other, smtpPort: sink.port, now: () => new Date(T0.getTime() + 2_000) });
    await retry.send(mail('caso-4:1:0'));
    expect(deliveredIds()).toEqual([messageIdFor('colima.gob.mx', 'caso-4:1:0')]);
  });

  it('sends nothing when the record cannot be read, and lets the job retry', async () => {
    const gone = await secondConnection(db);
    await gone.destroy();
    const mailer = open({ ds: gone, smtpPort: sink.port, now: () => T0 });
    await expect(mailer.send(mail('caso-6:1:0'))).rejects.toMatchObject({
      name: 'MailDeliveryError',
      permanent: false,
      code: 'REGISTRO',
    });
    expect(sink.received).toHaveLength(0);
  });

  it('the .eml outbox shares the record: two processes write one file', async () => {
    const a = open({ ds: db.dataSource, dataDir: db.dataDir, now: () => T0 });
    const b = open({ ds: other, dataDir: db.dataDir, now: () => T0 });
    await Promise.allSettled([a.send(mail('caso-5:1:0')), b.send(mail('caso-5:1:0'))]);
    await b.send(mail('caso-5:1:0')).catch(() => undefined);
    const id = messageIdFor('colima.gob.mx', 'caso-5:1:0').replace(/^<|@.*$/g, '');
    expect(readdirSync(join(db.dataDir, 'outbox')).filter((f) => f.includes(id))).toHaveLength(1);
    const rows: { status: string }[] = await db.dataSource.query('SELECT status FROM sent_mail WHERE message_id = ?', [
      messageIdFor('colima.gob.mx', 'caso-5:1:0'),
    ]);
    expect(rows).toEqual([{ status: 'enviado' }]);
  });
});
