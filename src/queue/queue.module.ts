import { type DynamicModule, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { BullDriver } from './bull.driver';
import { RELAY_WAKE } from './outbox-wake';
import { InProcessDriver } from './in-process.driver';
import { QUEUE_DRIVER } from './queue-driver';
import { MaintenanceLease } from './maintenance-lease';
import { MAINTENANCE_LEASE, QUEUE_ROLE, type QueueRole, QueueRuntime } from './queue-runtime.service';

/**
 * The queues and their runtime, knowing nothing of the work: Bull on Redis when REDIS_URL is set, in-process
 * otherwise (n8n's precedent: two drivers, one set of processors). The module that owns the jobs registers their
 * consumer, relays and maintenance with QueueRuntime.
 */
@Module({})
export class QueueModule {
  static forRoot(role: QueueRole): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      providers: [
        {
          provide: QUEUE_DRIVER,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) =>
            config.redisUrl
              ? new BullDriver(config.redisUrl, config.queuePrefix, config.queueStalledMs)
              : new InProcessDriver(),
        },
        {
          provide: QUEUE_ROLE,
          inject: [APP_CONFIG],
          // Without Redis there is no separate worker: the web process runs the jobs itself.
          useFactory: (config: AppConfig): QueueRole => (role === 'web' && !config.redisUrl ? 'all-in-one' : role),
        },
        { provide: MAINTENANCE_LEASE, inject: [DataSource], useFactory: (ds: DataSource) => new MaintenanceLease(ds) },
        QueueRuntime,
        // The wake a commit that wrote outbox rows signals (see outbox-wake.ts): this process's runtime.
        { provide: RELAY_WAKE, useExisting: QueueRuntime },
      ],
      exports: [QUEUE_DRIVER, QueueRuntime, RELAY_WAKE],
    };
  }
}
