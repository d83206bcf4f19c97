import { Global, Module } from '@nestjs/common';
import { NIVEL_CATALOG } from '../auth/nivel-catalog';
import { EVENT_DEFAULTS } from '../engine/event-defaults';
import { EVENT_FACTS } from '../engine/event-facts';
import { CatalogAccounts } from './catalog-accounts';
import { CatalogEventDefaults } from './catalog-event-defaults';
import { CatalogEventFacts } from './catalog-event-facts';
import { CatalogRecords } from './catalog-records';
import { CatalogSearchService } from './catalog-search.service';
import { CatalogController } from './catalog.controller';
import { ReconciliationCaseOpener } from './reconciliation/case-opener';

/** The catalog answers what auth (the levels) and the engine (the facts an event is checked against) ask of it. */
@Global()
@Module({
  controllers: [CatalogController],
  providers: [
    CatalogSearchService,
    CatalogRecords,
    CatalogAccounts,
    { provide: NIVEL_CATALOG, useExisting: CatalogRecords },
    { provide: EVENT_FACTS, useClass: CatalogEventFacts },
    { provide: EVENT_DEFAULTS, useClass: CatalogEventDefaults },
    ReconciliationCaseOpener,
  ],
  exports: [
    CatalogSearchService,
    CatalogRecords,
    CatalogAccounts,
    NIVEL_CATALOG,
    EVENT_FACTS,
    EVENT_DEFAULTS,
    ReconciliationCaseOpener,
  ],
})
export class CatalogModule {}
