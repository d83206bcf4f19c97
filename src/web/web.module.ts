import { Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AdminAccountsPage, AdminAccountsService } from './admin-accounts.page';
import { AdminCalendarPage, AdminCalendarService } from './admin-calendar.page';
import { AdminLetterheadPage, LogoUpload } from './admin-letterhead.page';
import { AdminCatalogsPage, AdminCatalogsService } from './admin-catalogs.page';
import { AdminImportsPage, CatalogUpload } from './admin-imports.page';
import { CatalogImportJobs } from '../catalog/import/import-jobs';
import { ImportService } from '../catalog/import/import.service';
import { CasePage, CasePageService } from './case.page';
import { CaseHistoryPage, CaseHistoryService, DashboardPage, DashboardPageService } from './dashboard.page';
import { InboxPage, InboxPageService } from './inbox.page';
import { LandingPage } from './landing.page';
import { OficioPagesService, OficiosPage, PageUpload } from './oficios.page';
import { CsrfTokens, PageFilter, PageGuard } from './page-auth';
import { ProcedureLabels } from './procedure-labels';
import { DirectoryReconciliation } from '../provisioning/directory-reconciliation';
import { DIRECTORY_PROVIDER, type DirectoryProvider } from '../provisioning/providers/directory-provider';
import { ReconciliationPage, ReconciliationPageService } from './reconciliation.page';
import { SessionPages } from './session.pages';
import { UsersPage, UsersPageService } from './users.page';

/**
 * The front door (/) and the staff's pages (server-rendered HTML over the existing services): sign-in and password (/personal), the task
 * inbox (/bandeja), a case (/tramites/:id), oficio registration and register (/oficios), staff users
 * (/admin/usuarios). Needs the global Auth, Engine, Oficios and Provisioning modules.
 */
@Module({
  controllers: [
    LandingPage,
    SessionPages,
    InboxPage,
    CasePage,
    OficiosPage,
    UsersPage,
    AdminCalendarPage,
    AdminLetterheadPage,
    DashboardPage,
    CaseHistoryPage,
    AdminAccountsPage,
    AdminCatalogsPage,
    AdminImportsPage,
    ReconciliationPage,
  ],
  providers: [
    CsrfTokens,
    PageGuard,
    PageFilter,
    PageUpload,
    ProcedureLabels,
    InboxPageService,
    CasePageService,
    OficioPagesService,
    UsersPageService,
    AdminCalendarService,
    LogoUpload,
    DashboardPageService,
    CaseHistoryService,
    AdminAccountsService,
    AdminCatalogsService,
    ImportService,
    CatalogImportJobs,
    CatalogUpload,
    ReconciliationPageService,
    {
      // One per process: its background run and the «one at a time» rule (any process) live in conciliacion_corrida.
      provide: DirectoryReconciliation,
      inject: [getDataSourceToken(), DIRECTORY_PROVIDER],
      useFactory: (ds: DataSource, provider: DirectoryProvider) => new DirectoryReconciliation(ds, provider),
    },
  ],
})
export class WebModule {}
