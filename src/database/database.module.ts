import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { buildDataSourceOptions } from './data-source-options';
import { SqliteMaintenance } from './sqlite-maintenance';

/**
 * One connection for the whole process, built by the same factory as ormconfig.ts and the CLIs. The entities are the
 * modules' own lists, gathered by the composition root (src/entities.ts).
 */
@Module({})
export class DatabaseModule {
  static forRoot(entities: DataSourceOptions['entities']): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            ...buildDataSourceOptions(config, entities),
            // Migrations run explicitly at boot (see bootstrap in main.ts), never through synchronize.
            migrationsRun: false,
          }),
        }),
      ],
      providers: [SqliteMaintenance],
    };
  }
}
