import { type DynamicModule, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { CalendarService } from './calendar.service';
import { CaseQueryService } from './case-query.service';
import { CaseRecords } from './case-records';
import { EngineController } from './engine.controller';
import { EngineService } from './engine.service';
import { InboxService } from './inbox.service';
import { type EngineProcedure, PROCEDURE_DEFINITIONS } from './procedure-registry';

@Module({})
export class EngineModule implements OnApplicationBootstrap {
  constructor(
    private readonly engine: EngineService,
    private readonly calendar: CalendarService,
  ) {}

  static forRoot(definitions: EngineProcedure[]): DynamicModule {
    return {
      module: EngineModule,
      global: true,
      controllers: [EngineController],
      providers: [
        { provide: PROCEDURE_DEFINITIONS, useValue: definitions },
        CalendarService,
        EngineService,
        InboxService,
        CaseQueryService,
        CaseRecords,
      ],
      exports: [EngineService, InboxService, CaseQueryService, CalendarService, CaseRecords],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.engine.syncCatalog();
    await this.calendar.ensureOfficialHolidays();
  }
}
