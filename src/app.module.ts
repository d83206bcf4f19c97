import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module';
import { CatalogModule } from './catalog/catalog.module';
import { loggerParams } from './common/logging';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DiagramModule } from './diagram/diagram.module';
import { ENTITIES } from './entities';
import { EngineModule } from './engine/engine.module';
import type { EngineProcedure } from './engine/procedure-registry';
import { HealthModule } from './health/health.module';
import { OficiosModule } from './oficios/oficios.module';
import { loadPdfSigner } from './oficios/pdf-signer.provider';
import { ProvisioningModule } from './provisioning/provisioning.module';
import { QueueModule } from './queue/queue.module';
import type { QueueRole } from './queue/queue-runtime.service';
import { SelfServiceModule } from './selfservice/selfservice.module';
import { WebModule } from './web/web.module';

/**
 * One module tree for both entry points: `web` (serves and enqueues) and `worker` (runs the jobs). The signing
 * certificate is loaded here, before Nest builds anything: one that is not valid stops the start before any connection.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, procedures: EngineProcedure[], role: QueueRole = 'web'): DynamicModule {
    const signer = loadPdfSigner(config);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config)),
        DatabaseModule.forRoot(ENTITIES),
        HealthModule,
        AuthModule,
        EngineModule.forRoot(procedures, signer),
        DiagramModule,
        ProvisioningModule,
        OficiosModule.forRoot(signer),
        QueueModule.forRoot(role),
        SelfServiceModule,
        CatalogModule,
        WebModule,
      ],
    };
  }
}
