import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { loadConfig } from '../config/config';
import { ConfigModule } from '../config/config.module';
import { MailModule } from './mail.module';
import { MailTemplates } from './mail-templates';
import { MAILER, type Mailer, OutboxMailer, SmtpMailer } from './mailer';

describe('MailModule', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mail-module-'));
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  async function moduleWith(env: Record<string, string>) {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, ...env });
    return Test.createTestingModule({ imports: [ConfigModule.forRoot(config), MailModule] }).compile();
  }

  it('wires the outbox under DATA_DIR by default, with the templates loaded', async () => {
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
    await mailer.send({ to: ['ana@ejemplo.mx'], ...mail });
    expect(readdirSync(join(dataDir, 'outbox'))).toHaveLength(1);
    await app.close();
  });

  it('switches to SMTP when SMTP_URL is set', async () => {
    const app = await moduleWith({ SMTP_URL: 'smtp://127.0.0.1:2525' });
    expect(app.get(MAILER)).toBeInstanceOf(SmtpMailer);
    await app.close();
  });
});
