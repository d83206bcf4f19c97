import { Controller, Get, Injectable, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Roles } from '../auth/auth.guard';
import type { AuthenticatedStaff } from '../auth/auth.service';
import { CatalogRecords } from '../catalog/catalog-records';
import { DomainError } from '../common/domain-error';
import { isCalendarDate, localDate } from '../engine/business-calendar';
import { CaseQueryService } from '../engine/case-query.service';
import { CasePageService, type CasePageVm } from './case.page';
import { type DashboardData, type DashboardFilter, DashboardService } from '../engine/dashboard.service';
import { OficioParents, type OpenParent } from '../oficios/oficio-parents';
import { dashboardCsv, renderCaseHistory, renderDashboard } from './dashboard.view';
import { nivelOptions } from './format';
import type { Chrome } from './layout';
import { PageChrome, sendHtml, StaffPages } from './page-auth';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });
/** The longest period the dashboard reads at once. */
const MAX_PERIOD_DAYS = 731;
/** The default period: the last 30 days, today included. */
const DEFAULT_DAYS = 30;

const invalid = (message: string): DomainError => new DomainError('DATOS_INVALIDOS', message, 400);
const addDays = (ymd: string, n: number): string =>
  new Date(new Date(`${ymd}T12:00:00Z`).getTime() + n * 86400_000).toISOString().slice(0, 10);

export interface DashboardVm {
  data: DashboardData;
  /** «Oficios de varias cuentas en curso»: the newest oficios for many schools with a line still open, of the Nivel chosen. */
  oficios: { items: OpenParent[]; mas: boolean };
  niveles: { value: string; label: string }[];
  /** The page as it prints (no menu, no filters form). */
  imprimir: boolean;
}

/** Reads and checks the filters of the dashboard's URL; a bad one is a Spanish 400, never a guess. */
@Injectable()
export class DashboardPageService {
  constructor(
    private readonly dashboard: DashboardService,
    private readonly catalog: CatalogRecords,
    private readonly parents: OficioParents,
  ) {}

  /** The filters of the URL; the Nivel is checked against the catalog by the caller (`checked`). */
  private filterOf(q: Record<string, unknown>, now = new Date()): DashboardFilter {
    const text = (k: string): string => {
      const v = q[k];
      return typeof v === 'string' ? v.trim() : '';
    };
    const hasta = text('hasta') || localDate(now);
    const desde = text('desde') || addDays(hasta, 1 - DEFAULT_DAYS);
    for (const [label, v] of [
      ['Desde', desde],
      ['Hasta', hasta],
    ])
      if (!isCalendarDate(v)) throw invalid(`La fecha «${label}» debe ser una fecha válida (AAAA-MM-DD).`);
    if (hasta < desde) throw invalid('La fecha «Hasta» no puede ser anterior a «Desde».');
    if ((Date.parse(hasta) - Date.parse(desde)) / 86400_000 + 1 > MAX_PERIOD_DAYS)
      throw invalid('El periodo puede abarcar hasta dos años; elija fechas más cercanas.');
    return { desde, hasta, nivel: text('nivel') || null };
  }

  /** A Spanish 400 when the filter names a Nivel that `niveles` (the catalog) does not hold. */
  private checked(filtro: DashboardFilter, niveles: readonly { clave: string }[]): void {
    const nivel = filtro.nivel;
    if (nivel && !niveles.some((n) => n.clave === nivel)) throw invalid(`No existe el nivel «${nivel.slice(0, 40)}».`);
  }

  async view(q: Record<string, unknown>): Promise<DashboardVm> {
    const filtro = this.filterOf(q);
    // At once: each is a round trip or more, and none needs another's answer. The Nivel is checked against the levels
    // read for the form (no round trip of its own before the others): an unknown one matches nothing in the other
    // reads, and the page answers 400 like a bad date.
    const [niveles, data, oficios] = await Promise.all([
      this.catalog.niveles(),
      this.dashboard.data(filtro),
      this.parents.open(filtro.nivel),
    ]);
    this.checked(filtro, niveles);
    return {
      data,
      oficios,
      niveles: nivelOptions(niveles),
      imprimir: q.imprimir === '1',
    };
  }

  async csv(q: Record<string, unknown>): Promise<{ csv: string; filename: string }> {
    const filtro = this.filterOf(q);
    const [niveles, data] = await Promise.all([this.catalog.niveles(), this.dashboard.data(filtro)]);
    this.checked(filtro, niveles);
    return {
      csv: dashboardCsv(data),
      filename: `tablero-${filtro.desde}-a-${filtro.hasta}${filtro.nivel ? `-${filtro.nivel}` : ''}.csv`,
    };
  }
}

/**
 * The dashboard (Guía: the Subdirección, the Subjefatura and administrators follow the service): open cases by
 * procedure and step, overdue and "falta poco" tasks, cases per Nivel, time to resolve against the service level,
 * incidents; as a page with SVG charts, a print view and a CSV.
 */
@StaffPages()
@Roles('subdireccion', 'subjefatura', 'administrador')
@Controller('tablero')
export class DashboardPage {
  constructor(private readonly pages: DashboardPageService) {}

  @Get()
  async show(@PageChrome() chrome: Chrome, @Query() q: Record<string, unknown>, @Res() res: Response): Promise<void> {
    sendHtml(res, renderDashboard(chrome, await this.pages.view(q)));
  }

  @Get('csv')
  async csv(@Query() q: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const { csv, filename } = await this.pages.csv(q);
    res
      .status(200)
      .type('text/csv; charset=utf-8')
      .setHeader('Cache-Control', 'no-store')
      .setHeader('Content-Disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`);
    res.send(`\uFEFF${csv}`);
  }
}

export interface CaseHistoryVm {
  caso: CasePageVm;
  /** Movement numbers that are acknowledgements and downloads of documents. */
  acuses: Set<number>;
}

const ACK_EVENTS = new Set(['ACUSAR_RECIBO', 'DESCARGAR_DOCUMENTO', 'DESCARGA_RECHAZADA', 'ENTREGAR_CREDENCIALES']);

/** A case's history to print: the case page's own view model (same access rule), without its forms. */
@Injectable()
export class CaseHistoryService {
  constructor(
    private readonly cases: CasePageService,
    private readonly query: CaseQueryService,
  ) {}

  async view(id: string, staff: AuthenticatedStaff): Promise<CaseHistoryVm> {
    const caso = await this.cases.view(id, staff);
    const movs = await this.query.movements(id, staff);
    return { caso, acuses: new Set(movs.filter((m) => ACK_EVENTS.has(m.evento)).map((m) => m.seq)) };
  }
}

/** /tramites/:id/historial: whoever may open the case may print its history. */
@StaffPages()
@Controller('tramites')
export class CaseHistoryPage {
  constructor(private readonly history: CaseHistoryService) {}

  @Get(':id/historial')
  async show(@PageChrome() chrome: Chrome, @Param('id', uuid) id: string, @Res() res: Response): Promise<void> {
    sendHtml(res, renderCaseHistory(chrome, await this.history.view(id, chrome.staff!)));
  }
}
