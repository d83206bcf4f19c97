import { readFileSync } from 'node:fs';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/config';
import type { DirectoryProvider, TipoCuentaDirectorio } from './directory-provider';
import { GoogleDirectoryProvider, googleServiceAccountAuth } from './google/google-directory.provider';
import { LdapDirectoryProvider, type LdapDirectoryOptions } from './ldap/ldap-directory.provider';
import { LocalDirectoryProvider } from './local/local-directory.provider';

/** What each adapter needs from the validated configuration (DIRECTORY_PROVIDER picks one). */
export type DirectoryProviderSettings =
  | { provider: 'local'; dataSource: DataSource }
  | { provider: 'ldap'; ldap: LdapDirectoryOptions }
  | {
      provider: 'google';
      google: {
        /** Path of the service account's JSON key (client_email, private_key). */
        serviceAccountKeyFile: string;
        /** The Workspace administrator the service account acts as (domain-wide delegation). */
        adminSubject: string;
        orgUnits?: Partial<Record<TipoCuentaDirectorio, string>>;
      };
    };

export function createDirectoryProvider(s: DirectoryProviderSettings): DirectoryProvider {
  switch (s.provider) {
    case 'local':
      return new LocalDirectoryProvider(s.dataSource);
    case 'ldap':
      return new LdapDirectoryProvider(s.ldap);
    case 'google': {
      let key: { client_email?: unknown; private_key?: unknown };
      try {
        key = JSON.parse(readFileSync(s.google.serviceAccountKeyFile, 'utf8')) as typeof key;
      } catch (e) {
        throw new Error(
          `No se pudo leer la llave de la cuenta de servicio de Google (${s.google.serviceAccountKeyFile}): ${(e as Error).message}`,
        );
      }
      if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string') {
        throw new Error(
          `La llave ${s.google.serviceAccountKeyFile} no es la de una cuenta de servicio (faltan client_email o private_key).`,
        );
      }
      return new GoogleDirectoryProvider({
        auth: googleServiceAccountAuth({
          clientEmail: key.client_email,
          privateKey: key.private_key,
          subject: s.google.adminSubject,
        }),
        orgUnits: s.google.orgUnits,
      });
    }
  }
}

/** The adapter the configuration names (DIRECTORY_PROVIDER): the app's provider and the CLIs' build it here. */
export function directoryProviderFromConfig(config: AppConfig, ds: DataSource): DirectoryProvider {
  switch (config.directoryProvider) {
    case 'local':
      return createDirectoryProvider({ provider: 'local', dataSource: ds });
    case 'ldap':
      return createDirectoryProvider({ provider: 'ldap', ldap: config.ldap! });
    case 'google':
      return createDirectoryProvider({ provider: 'google', google: config.google! });
  }
}
