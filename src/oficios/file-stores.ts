import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { DatabaseFileStore } from './database-file-store';
import { type FileStore, LocalFileStore } from './file-store';

/** The store DOCUMENT_STORE names (`base` or `archivos`), or the one given. */
export function fileStoreFor(config: AppConfig, ds: DataSource, which = config.documentStore): FileStore {
  return which === 'base' ? new DatabaseFileStore(ds) : new LocalFileStore(config.dataDir);
}
