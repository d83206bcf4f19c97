import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MailTemplates } from './mail-templates';
import { MAILER, type Mailer, createMailer } from './mailer';

/** Closes the SMTP connection (or the stream transport) when the app or worker stops. */
@Injectable()
class MailerShutdown implements OnApplicationShutdown {
  constructor(@Inject(MAILER) private readonly mailer: Mailer) {}

  async onApplicationShutdown(): Promise<void> {
    await this.mailer.close();
  }
}

/**
 * Provides `MAILER` (SMTP when SMTP_URL is set, the `.eml` outbox otherwise) and `MailTemplates`, loaded and checked
 * at boot so a broken template stops the start instead of a notification job. Needs the global ConfigModule.
 */
@Module({
  providers: [
    { provide: MAILER, inject: [APP_CONFIG], useFactory: (config: AppConfig): Mailer => createMailer(config) },
    { provide: MailTemplates, useFactory: (): MailTemplates => MailTemplates.load() },
    MailerShutdown,
  ],
  exports: [MAILER, MailTemplates],
})
export class MailModule {}
