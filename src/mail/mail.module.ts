import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { identityOf } from '../render/identity';
import { MailTemplates } from './mail-templates';
import { MAILER, type Mailer, createMailer } from './mailer';
import { SentMailLedger } from './sent-mail-ledger';

/** Closes the SMTP connection (or the stream transport) when the app or worker stops. */
@Injectable()
class MailerShutdown implements OnApplicationShutdown {
  constructor(@Inject(MAILER) private readonly mailer: Mailer) {}

  async onApplicationShutdown(): Promise<void> {
    await this.mailer.close();
  }
}

/**
 * Provides `MAILER` (SMTP when SMTP_URL is set, the `.eml` outbox otherwise, both recording what they send in the
 * database's `sent_mail`) and `MailTemplates`, loaded and checked at boot so a broken template stops the start instead
 * of a notification job. Needs the global ConfigModule and the application's DataSource.
 */
@Module({
  providers: [
    {
      provide: SentMailLedger,
      inject: [DataSource],
      useFactory: (ds: DataSource): SentMailLedger => new SentMailLedger(ds),
    },
    {
      provide: MAILER,
      inject: [APP_CONFIG, SentMailLedger],
      useFactory: (config: AppConfig, ledger: SentMailLedger): Mailer => createMailer(config, { ledger }),
    },
    {
      provide: MailTemplates,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): MailTemplates => MailTemplates.load(undefined, identityOf(config.institution)),
    },
    MailerShutdown,
  ],
  exports: [MAILER, MailTemplates],
})
export class MailModule {}
