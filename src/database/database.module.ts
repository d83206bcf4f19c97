import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { buildDataSourceOptions } from './data-source-options';
import { SqliteMaintenance } from './sqlite-maintenance';

/** One connection for the whole process, built by the same factory as ormconfig.ts and the CLIs. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions(config),
        // Migrations run explicitly at boot (see bootstrap in main.ts), never through synchronize.
        migrationsRun: false,
      }),
    }),
  ],
  providers: [SqliteMaintenance],
})
export class DatabaseModule {}
