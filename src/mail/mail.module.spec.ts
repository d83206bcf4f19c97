import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/config';
import { ConfigModule } from '../config/config.module';
import { MailModule } from './mail.module';
import { MailTemplates } from './mail-templates';
import { MAILER, type Mailer, OutboxMailer, SmtpMailer } from './mailer';
import type { Claim, SentMailEntry } from './sent-mail-ledger';
import { SentMailLedger } from './sent-mail-ledger';

/** The application's DataSource, as TypeOrmModule provides it globally (never queried here: the ledger is faked). */
@Global()
@Module({ providers: [{ provide: DataSource, useValue: {} }], exports: [DataSource] })
class FakeDatabaseModule {}

/** A ledger that lets every message through and remembers what it was asked. */
class RecordingLedger {
  claimed: SentMailEntry[] = [];
  sent: string[] = [];
  claim(entry: SentMailEntry, now: Date, leaseMs: number): Promise<Claim> {
    this.claimed.push(entry);
    return Promise.resolve({
      kind: 'claimed',
      token: 't',
      leaseUntil: new Date(now.getTime() + leaseMs),
      previousClaims: 0,
    });
  }
  markSent(messageId: string): Promise<void> {
    this.sent.push(messageId);
    return Promise.resolve();
  }
}

describe('MailModule', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mail-module-'));
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  let ledger: RecordingLedger;

  async function moduleWith(env: Record<string, string>) {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, ...env });
    ledger = new RecordingLedger();
    return Test.createTestingModule({ imports: [ConfigModule.forRoot(config), FakeDatabaseModule, MailModule] })
      .overrideProvider(SentMailLedger)
      .useValue(ledger)
      .compile();
  }

  it('wires the outbox under DATA_DIR by default, with the templates loaded, recording what it sends', async () => {
    const app = await moduleWith({});
    const mailer = app.get<Mailer>(MAILER);
    expect(mailer).toBeInstanceOf(OutboxMailer);
    expect((mailer as OutboxMailer).dir).toBe(join(dataDir, 'outbox'));
    const mail = app.get(MailTemplates).render('bloqueo', {
      nombre: 'Ana',
      correo: 'ana@colima.gob.mx',
      folio: 'F-1',
      fecha: new Date('2026-11-28T18:00:00Z'),
    });
    const { messageId } = await mailer.send({ to: ['ana@ejemplo.mx'], ...mail });
    expect(readdirSync(join(dataDir, 'outbox'))).toHaveLength(1);
    expect(ledger.claimed).toEqual([{ messageId, to: ['ana@ejemplo.mx'], subject: mail.subject }]);
    expect(ledger.sent).toEqual([messageId]);
    await app.close();
  });

  it('switches to SMTP when SMTP_URL is set', async () => {
    const app = await moduleWith({ SMTP_URL: 'smtp://127.0.0.1:2525' });
    expect(app.get(MAILER)).toBeInstanceOf(SmtpMailer);
    await app.close();
  });
});
