import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MailModule } from '../mail/mail.module';
import { QueueRuntime } from '../queue/queue-runtime.service';
import { AccountNameController } from './account-name.controller';
import { ActivationController } from './activation.controller';
import { AddressAvailability } from './address/address-availability';
import { ActivationService } from './activation.service';
import { ChosenPasswords } from './chosen-passwords';
import { AddressGenerator } from './address/address-generator';
import { HoldersService } from './holders.service';
import { NotifyHolderProcessor, NotifySchoolProcessor, SendCredentialsProcessor } from './notification.processors';
import { directoryProviderFromConfig } from './providers/create-directory-provider';
import { DIRECTORY_PROVIDER } from './providers/directory-provider';
import { ProvisionProcessor, WipeChosenPasswordProcessor } from './provision.processor';

/**
 * The guide's "Servicio": the directory adapter, address rules, mail, single-use links and their effect processors
 * (@EffectProcessor(): the engine finds them). 5.2.1's first use is looked for by the queues' periodic job.
 */
@Global()
@Module({
  imports: [MailModule],
  controllers: [ActivationController, AccountNameController],
  providers: [
    {
      provide: DIRECTORY_PROVIDER,
      inject: [APP_CONFIG, getDataSourceToken()],
      useFactory: (config: AppConfig, ds: DataSource) => directoryProviderFromConfig(config, ds),
    },
    {
      provide: AddressGenerator,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new AddressGenerator({ domain: config.mailDomain }),
    },
    AddressAvailability,
    HoldersService,
    ActivationService,
    ChosenPasswords,
    ProvisionProcessor,
    WipeChosenPasswordProcessor,
    SendCredentialsProcessor,
    NotifyHolderProcessor,
    NotifySchoolProcessor,
  ],
  exports: [
    MailModule,
    DIRECTORY_PROVIDER,
    AddressGenerator,
    AddressAvailability,
    HoldersService,
    ActivationService,
    ChosenPasswords,
  ],
})
export class ProvisioningModule implements OnModuleInit {
  constructor(
    private readonly runtime: QueueRuntime,
    private readonly activation: ActivationService,
  ) {}

  onModuleInit(): void {
    this.runtime.addMaintenance('el inicio de uso de las cuentas de centro de trabajo', () =>
      this.activation.sweepFirstUse(),
    );
  }
}
