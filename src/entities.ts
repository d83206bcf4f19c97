import type { DataSourceOptions } from 'typeorm';
import { AUTH_ENTITIES } from './auth/auth.entities';
import { CATALOG_ENTITIES } from './catalog/catalog.entities';
import { buildDataSourceOptions, type DataSourceSettings } from './database/data-source-options';
import { ENGINE_ENTITIES } from './engine/engine.entities';
import { MAIL_ENTITIES } from './mail/mail.entities';
import { OFICIOS_ENTITIES } from './oficios/oficios.entities';
import { PROVISIONING_ENTITIES } from './provisioning/provisioning.entities';
import { QUEUE_ENTITIES } from './queue/queue.entities';
import { SELFSERVICE_ENTITIES } from './selfservice/selfservice.entities';

/**
 * Every table of the product, gathered at the composition root: each module owns and lists its own entities
 * (`<module>.entities.ts`); src/database knows none of them (it is the floor the modules stand on).
 */
export const ENTITIES = [
  ...CATALOG_ENTITIES,
  ...AUTH_ENTITIES,
  ...ENGINE_ENTITIES,
  ...PROVISIONING_ENTITIES,
  ...OFICIOS_ENTITIES,
  ...MAIL_ENTITIES,
  ...SELFSERVICE_ENTITIES,
  ...QUEUE_ENTITIES,
];

/** The product's connection options (the app, the worker, the CLIs, ormconfig.ts and the tests use this one). */
export function dataSourceOptions(settings: DataSourceSettings): DataSourceOptions {
  return buildDataSourceOptions(settings, ENTITIES);
}
