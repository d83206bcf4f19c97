import { Module } from '@nestjs/common';
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
  ],
})
export class WebModule {}
