// Ordered lists, one per dialect (n8n's layout). Generate both with scripts/generate-migration.ts and add them here
// in the same commit; test/migrations.e2e.spec.ts proves both dialects reach the same schema.
import { CatalogMysql1795876514799 } from './mysql/1795876514799-Catalog';
import { EngineMysql1795876871508 } from './mysql/1795876871508-Engine';
import { ProvisioningMysql1795877525415 } from './mysql/1795877525415-Provisioning';
import { OficiosMysql1795877921437 } from './mysql/1795877921437-Oficios';
import { ResponsableScopeMysql1795879516425 } from './mysql/1795879516425-ResponsableScope';
import { InboxIndexesMysql1795880282490 } from './mysql/1795880282490-InboxIndexes';
import { SentMailMysql1796225687580 } from './mysql/1796225687580-SentMail';
import { OutboxLeaseMysql1796225937910 } from './mysql/1796225937910-OutboxLease';
import { SelfServiceOpenRequestMysql1796226026204 } from './mysql/1796226026204-SelfServiceOpenRequest';
import { TransparencyLogMysql1796353041307 } from './mysql/1796353041307-TransparencyLog';
import { InboxKeysetMysql1796364276711 } from './mysql/1796364276711-InboxKeyset';
import { OpenTaskIndexesMysql1796364277211 } from './mysql/1796364277211-OpenTaskIndexes';
import { DashboardIndexesMysql1796364280711 } from './mysql/1796364280711-DashboardIndexes';
import { AdminPageIndexesMysql1796364281711 } from './mysql/1796364281711-AdminPageIndexes';
import { OficioRegisterMysql1796376802000 } from './mysql/1796376802000-OficioRegister';
import { SearchTextMysql1796377662000 } from './mysql/1796377662000-SearchText';
import { LetterSettingsMysql1796380000000 } from './mysql/1796380000000-LetterSettings';
import { ReminderSweepMysql1796397000000 } from './mysql/1796397000000-ReminderSweep';
import { TaskDigestMysql1796400000000 } from './mysql/1796400000000-TaskDigest';
import { ProcessLeaseMysql1796410000000 } from './mysql/1796410000000-ProcessLease';
import { StoredFilesMysql1796421190729 } from './mysql/1796421190729-StoredFiles';
import { DashboardCountsMysql1796448293988 } from './mysql/1796448293988-DashboardCounts';
import { OficioSearchMysql1796452839385 } from './mysql/1796452839385-OficioSearch';
import { FileKeyIndexesMysql1796453259445 } from './mysql/1796453259445-FileKeyIndexes';
import { ReconciliationMysql1796472223636 } from './mysql/1796472223636-Reconciliation';
import { ReconciliationDirectoryMysql1796472677223 } from './mysql/1796472677223-ReconciliationDirectory';
import { OficioLineasMysql1796494955569 } from './mysql/1796494955569-OficioLineas';
import { OficioRespuestaMysql1796510000000 } from './mysql/1796510000000-OficioRespuesta';
import { OficioLineaAbiertaMysql1796520000000 } from './mysql/1796520000000-OficioLineaAbierta';
import { ReconciliationAutoBlockMysql1796540000000 } from './mysql/1796540000000-ReconciliationAutoBlock';
import { OficioLineaCurpMysql1796560000000 } from './mysql/1796560000000-OficioLineaCurp';
import { OficioNumeroOrdenMysql1796570000000 } from './mysql/1796570000000-OficioNumeroOrden';
import { OficioProcOrdenMysql1796580000000 } from './mysql/1796580000000-OficioProcOrden';
import { OficioNumeroFiltrosMysql1796590000000 } from './mysql/1796590000000-OficioNumeroFiltros';
import { CatalogSqlite1795876514799 } from './sqlite/1795876514799-Catalog';
import { EngineSqlite1795876871508 } from './sqlite/1795876871508-Engine';
import { ProvisioningSqlite1795877525415 } from './sqlite/1795877525415-Provisioning';
import { OficiosSqlite1795877921437 } from './sqlite/1795877921437-Oficios';
import { ResponsableScopeSqlite1795879516425 } from './sqlite/1795879516425-ResponsableScope';
import { InboxIndexesSqlite1795880282490 } from './sqlite/1795880282490-InboxIndexes';
import { SentMailSqlite1796225687580 } from './sqlite/1796225687580-SentMail';
import { OutboxLeaseSqlite1796225937910 } from './sqlite/1796225937910-OutboxLease';
import { SelfServiceOpenRequestSqlite1796226026204 } from './sqlite/1796226026204-SelfServiceOpenRequest';
import { TransparencyLogSqlite1796353041307 } from './sqlite/1796353041307-TransparencyLog';
import { InboxKeysetSqlite1796364276711 } from './sqlite/1796364276711-InboxKeyset';
import { OpenTaskIndexesSqlite1796364277211 } from './sqlite/1796364277211-OpenTaskIndexes';
import { DashboardIndexesSqlite1796364280711 } from './sqlite/1796364280711-DashboardIndexes';
import { AdminPageIndexesSqlite1796364281711 } from './sqlite/1796364281711-AdminPageIndexes';
import { OficioRegisterSqlite1796376802000 } from './sqlite/1796376802000-OficioRegister';
import { SearchTextSqlite1796377662000 } from './sqlite/1796377662000-SearchText';
import { LetterSettingsSqlite1796380000000 } from './sqlite/1796380000000-LetterSettings';
import { ReminderSweepSqlite1796397000000 } from './sqlite/1796397000000-ReminderSweep';
import { TaskDigestSqlite1796400000000 } from './sqlite/1796400000000-TaskDigest';
import { ProcessLeaseSqlite1796410000000 } from './sqlite/1796410000000-ProcessLease';
import { StoredFilesSqlite1796421190729 } from './sqlite/1796421190729-StoredFiles';
import { DashboardCountsSqlite1796448293988 } from './sqlite/1796448293988-DashboardCounts';
import { OficioSearchSqlite1796452839385 } from './sqlite/1796452839385-OficioSearch';
import { FileKeyIndexesSqlite1796453259445 } from './sqlite/1796453259445-FileKeyIndexes';
import { ReconciliationSqlite1796472223636 } from './sqlite/1796472223636-Reconciliation';
import { ReconciliationDirectorySqlite1796472677223 } from './sqlite/1796472677223-ReconciliationDirectory';
import { OficioLineasSqlite1796494955569 } from './sqlite/1796494955569-OficioLineas';
import { OficioRespuestaSqlite1796510000000 } from './sqlite/1796510000000-OficioRespuesta';
import { OficioLineaAbiertaSqlite1796520000000 } from './sqlite/1796520000000-OficioLineaAbierta';
import { ReconciliationAutoBlockSqlite1796540000000 } from './sqlite/1796540000000-ReconciliationAutoBlock';
import { OficioLineaCurpSqlite1796560000000 } from './sqlite/1796560000000-OficioLineaCurp';
import { OficioNumeroOrdenSqlite1796570000000 } from './sqlite/1796570000000-OficioNumeroOrden';
import { OficioProcOrdenSqlite1796580000000 } from './sqlite/1796580000000-OficioProcOrden';
import { OficioNumeroFiltrosSqlite1796590000000 } from './sqlite/1796590000000-OficioNumeroFiltros';

export const SQLITE_MIGRATIONS: (new () => unknown)[] = [
  CatalogSqlite1795876514799,
  EngineSqlite1795876871508,
  ProvisioningSqlite1795877525415,
  OficiosSqlite1795877921437,
  ResponsableScopeSqlite1795879516425,
  InboxIndexesSqlite1795880282490,
  SentMailSqlite1796225687580,
  OutboxLeaseSqlite1796225937910,
  SelfServiceOpenRequestSqlite1796226026204,
  TransparencyLogSqlite1796353041307,
  InboxKeysetSqlite1796364276711,
  OpenTaskIndexesSqlite1796364277211,
  DashboardIndexesSqlite1796364280711,
  AdminPageIndexesSqlite1796364281711,
  OficioRegisterSqlite1796376802000,
  SearchTextSqlite1796377662000,
  LetterSettingsSqlite1796380000000,
  ReminderSweepSqlite1796397000000,
  TaskDigestSqlite1796400000000,
  ProcessLeaseSqlite1796410000000,
  StoredFilesSqlite1796421190729,
  DashboardCountsSqlite1796448293988,
  OficioSearchSqlite1796452839385,
  FileKeyIndexesSqlite1796453259445,
  ReconciliationSqlite1796472223636,
  ReconciliationDirectorySqlite1796472677223,
  OficioLineasSqlite1796494955569,
  OficioRespuestaSqlite1796510000000,
  OficioLineaAbiertaSqlite1796520000000,
  ReconciliationAutoBlockSqlite1796540000000,
  OficioLineaCurpSqlite1796560000000,
  OficioNumeroOrdenSqlite1796570000000,
  OficioProcOrdenSqlite1796580000000,
  OficioNumeroFiltrosSqlite1796590000000,
];
export const MYSQL_MIGRATIONS: (new () => unknown)[] = [
  CatalogMysql1795876514799,
  EngineMysql1795876871508,
  ProvisioningMysql1795877525415,
  OficiosMysql1795877921437,
  ResponsableScopeMysql1795879516425,
  InboxIndexesMysql1795880282490,
  SentMailMysql1796225687580,
  OutboxLeaseMysql1796225937910,
  SelfServiceOpenRequestMysql1796226026204,
  TransparencyLogMysql1796353041307,
  InboxKeysetMysql1796364276711,
  OpenTaskIndexesMysql1796364277211,
  DashboardIndexesMysql1796364280711,
  AdminPageIndexesMysql1796364281711,
  OficioRegisterMysql1796376802000,
  SearchTextMysql1796377662000,
  LetterSettingsMysql1796380000000,
  ReminderSweepMysql1796397000000,
  TaskDigestMysql1796400000000,
  ProcessLeaseMysql1796410000000,
  StoredFilesMysql1796421190729,
  DashboardCountsMysql1796448293988,
  OficioSearchMysql1796452839385,
  FileKeyIndexesMysql1796453259445,
  ReconciliationMysql1796472223636,
  ReconciliationDirectoryMysql1796472677223,
  OficioLineasMysql1796494955569,
  OficioRespuestaMysql1796510000000,
  OficioLineaAbiertaMysql1796520000000,
  ReconciliationAutoBlockMysql1796540000000,
  OficioLineaCurpMysql1796560000000,
  OficioNumeroOrdenMysql1796570000000,
  OficioProcOrdenMysql1796580000000,
  OficioNumeroFiltrosMysql1796590000000,
];
