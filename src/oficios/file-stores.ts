import type { DataSource } from 'typeorm';
import { type AppConfig, ConfigError } from '../config/config';
import { DatabaseFileStore } from './database-file-store';
import { type FileStore, LocalFileStore } from './file-store';
import { S3FileStore } from './s3-file-store';

export type DocumentStoreName = AppConfig['documentStore'];
export const DOCUMENT_STORES: readonly DocumentStoreName[] = ['base', 'archivos', 's3'];

/** The store DOCUMENT_STORE names (`base`, `archivos` or `s3`), or the one given. */
export function fileStoreFor(config: AppConfig, ds: DataSource, which = config.documentStore): FileStore {
  switch (which) {
    case 'base':
      return new DatabaseFileStore(ds);
    case 'archivos':
      return new LocalFileStore(config.dataDir);
    case 's3':
      if (!config.s3)
        throw new ConfigError(
          'S3_ENDPOINT',
          'es obligatoria para usar el almacén s3 (defina también S3_BUCKET, S3_ACCESS_KEY_ID y S3_SECRET_ACCESS_KEY)',
          'is required to use the s3 store (with S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY)',
        );
      return new S3FileStore(config.s3);
  }
}
