import { type DynamicModule, Inject, Module, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DiscoveryModule } from '@nestjs/core';
import { MailModule } from '../mail/mail.module';
import { BulkEventsService } from './bulk-events';
import { CalendarService } from './calendar.service';
import { CaseQueryService } from './case-query.service';
import { CaseRecords } from './case-records';
import { DashboardService } from './dashboard.service';
import { DashboardCounts } from './dashboard-counts';
import { EffectProcessors } from './effects/effect-processor';
import { EffectQueues } from './effects/effect-queues';
import { JobRunner } from './effects/job-runner.service';
import { OutboxRelay } from './effects/outbox-relay.service';
import { TaskDigestProcessor } from './effects/task-digest.processor';
import { TaskReminderProcessor } from './effects/task-reminder.processor';
import { TaskDigestScheduler } from './task-digest';
import { EngineController } from './engine.controller';
import { EngineService } from './engine.service';
import { IdleCaseExpiry } from './idle-expiry';
import { TaskReminderSweep } from './effects/task-reminder-sweep';
import { InboxService } from './inbox.service';
import { type EngineProcedure, PROCEDURE_DEFINITIONS } from './procedure-registry';
import { DirectoryHeadExport } from './transparency/head-export';
import { Sequencer } from './transparency/sequencer';
import { TransparencyController } from './transparency/transparency.controller';
import { HEAD_EXPORT, TransparencyLog } from './transparency/transparency-log';
import { HEAD_SIGNER, type HeadSigner } from './transparency/tree-head';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RELAY_WAKE, type RelayWake, setRelayWake } from '../queue/outbox-wake';

/**
 * The procedure engine and its side effects: the outbox it writes with each transition, relayed to the queues
 * (QueueModule) and run by the @EffectProcessor() providers of whichever module owns each effect.
 */
@Module({})
export class EngineModule implements OnApplicationBootstrap {
  constructor(
    private readonly engine: EngineService,
    private readonly calendar: CalendarService,
    @InjectDataSource() ds: DataSource,
    // The queues' runtime (QueueModule): outbox rows committed in this process wake its relay.
    @Optional() @Inject(RELAY_WAKE) wake?: RelayWake,
  ) {
    setRelayWake(ds, wake);
  }

  /** `signer`: the institution's signing certificate, which also signs the movement log's tree heads. */
  static forRoot(definitions: EngineProcedure[], signer: HeadSigner): DynamicModule {
    return {
      module: EngineModule,
      global: true,
      // MailModule: the task reminders' mail.
      imports: [DiscoveryModule, MailModule],
      controllers: [EngineController, TransparencyController],
      providers: [
        { provide: PROCEDURE_DEFINITIONS, useValue: definitions },
        CalendarService,
        EngineService,
        BulkEventsService,
        InboxService,
        CaseQueryService,
        CaseRecords,
        DashboardService,
        DashboardCounts,
        IdleCaseExpiry,
        TaskReminderSweep,
        { provide: EffectProcessors, useFactory: () => new EffectProcessors() },
        JobRunner,
        OutboxRelay,
        EffectQueues,
        TaskReminderProcessor,
        TaskDigestScheduler,
        TaskDigestProcessor,
        { provide: HEAD_SIGNER, useValue: signer },
        {
          provide: HEAD_EXPORT,
          inject: [APP_CONFIG],
          useFactory: (c: AppConfig) => (c.auditHeadsDir ? new DirectoryHeadExport(c.auditHeadsDir) : null),
        },
        TransparencyLog,
        Sequencer,
      ],
      exports: [
        EngineService,
        BulkEventsService,
        InboxService,
        CaseQueryService,
        CalendarService,
        CaseRecords,
        DashboardService,
        JobRunner,
        OutboxRelay,
        TransparencyLog,
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.engine.syncCatalog();
    await this.calendar.ensureOfficialHolidays();
  }
}
