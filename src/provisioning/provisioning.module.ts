import { Global, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MailModule } from '../mail/mail.module';
import { ActivationController } from './activation.controller';
import { ActivationService } from './activation.service';
import { ChosenPasswords } from './chosen-passwords';
import { AddressGenerator } from './address/address-generator';
import { HoldersService } from './holders.service';
import { NotifyHolderProcessor, SendCredentialsProcessor, TaskReminderProcessor } from './notification.processors';
import { createDirectoryProvider } from './providers/create-directory-provider';
import { DIRECTORY_PROVIDER } from './providers/directory-provider';
import { ProvisionProcessor, WipeChosenPasswordProcessor } from './provision.processor';

export const PROVISIONING_PROCESSORS = [ProvisionProcessor, WipeChosenPasswordProcessor, SendCredentialsProcessor, NotifyHolderProcessor, TaskReminderProcessor];

/** The guide's "Servicio": the directory adapter, address rules, mail, single-use links and their processors. */
@Global()
@Module({
  imports: [MailModule],
  controllers: [ActivationController],
  providers: [
    {
      provide: DIRECTORY_PROVIDER,
      inject: [APP_CONFIG, getDataSourceToken()],
      useFactory: (config: AppConfig, ds: DataSource) => {
        switch (config.directoryProvider) {
          case 'local':
            return createDirectoryProvider({ provider: 'local', dataSource: ds });
          case 'ldap':
            return createDirectoryProvider({ provider: 'ldap', ldap: config.ldap! });
          case 'google':
            return createDirectoryProvider({ provider: 'google', google: config.google! });
        }
      },
    },
    { provide: AddressGenerator, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new AddressGenerator({ domain: config.mailDomain }) },
    HoldersService,
    ActivationService,
    ChosenPasswords,
    ...PROVISIONING_PROCESSORS,
  ],
  exports: [MailModule, DIRECTORY_PROVIDER, AddressGenerator, HoldersService, ActivationService, ...PROVISIONING_PROCESSORS, ChosenPasswords],
})
export class ProvisioningModule {}
