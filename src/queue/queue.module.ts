import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { PROVISIONING_PROCESSORS } from '../provisioning/provisioning.module';
import { BullDriver } from './bull.driver';
import { InProcessDriver } from './in-process.driver';
import { JobRunner } from './job-runner.service';
import { OutboxRelay } from './outbox-relay.service';
import { QUEUE_DRIVER } from './queue-driver';
import { QUEUE_ROLE, type QueueRole, QueueRuntime } from './queue-runtime.service';
import { COMMAND_PROCESSORS, type CommandProcessor } from './queue.types';

/**
 * Outbox → queues → processors. Two drivers, one set of processors (n8n's precedent): Bull on Redis when REDIS_URL is
 * set, in-process otherwise. `extraProcessors` are the processors other modules own (the letters').
 */
@Module({})
export class QueueModule {
  static forRoot(role: QueueRole, extraProcessors: Type<CommandProcessor>[] = []): DynamicModule {
    const processors = [...PROVISIONING_PROCESSORS, ...extraProcessors];
    return {
      module: QueueModule,
      global: true,
      providers: [
        {
          provide: QUEUE_DRIVER,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => (config.redisUrl ? new BullDriver(config.redisUrl, config.queuePrefix, config.queueStalledMs) : new InProcessDriver()),
        },
        {
          provide: QUEUE_ROLE,
          inject: [APP_CONFIG],
          // Without Redis there is no separate worker: the web process runs the jobs itself.
          useFactory: (config: AppConfig): QueueRole => (role === 'web' && !config.redisUrl ? 'all-in-one' : role),
        },
        { provide: COMMAND_PROCESSORS, inject: processors, useFactory: (...instances: CommandProcessor[]) => instances },
        JobRunner,
        OutboxRelay,
        QueueRuntime,
      ],
      exports: [QUEUE_DRIVER, JobRunner, OutboxRelay, QueueRuntime],
    };
  }
}
