import {
  type BeforeApplicationShutdown,
  Body,
  Controller,
  Get,
  Inject,
  Injectable,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { Roles } from '../auth/auth.guard';
import { StaffUsersService } from '../auth/staff-users.service';
import {
  type AcceptResult,
  ESTADOS_HALLAZGO,
  type EstadoHallazgo,
  type FindingRecord,
  FindingsView,
  reconcileCatalog,
  type ReconcileResult,
  ReconciliationReview,
  type RunRecord,
  TIPOS_HALLAZGO,
  type TipoHallazgo,
} from '../catalog/reconciliation';
import { ReconciliationCaseOpener } from '../catalog/reconciliation/case-opener';
import { DomainError, notFound } from '../common/domain-error';
import { UUID } from '../common/uuid';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DIRECTORY_RUN_STALE_MS, DirectoryReconciliation } from '../provisioning/directory-reconciliation';
import type { Chrome } from './layout';
import { PageChrome, seeOther, sendHtml, StaffPages } from './page-auth';
import { renderReconciliation } from './reconciliation.view';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });
/** One page of findings; a bulk acceptance takes at most what a page shows. */
export const FINDINGS_PAGE = 50;

/** The page's filters as the query string carries them (validated). */
export interface ReconciliationFilters {
  estado?: EstadoHallazgo;
  tipo?: TipoHallazgo;
  despues?: string;
}

export interface FindingRow extends FindingRecord {
  decididoPorNombre: string | null;
}

/** What happened after a POST, shown above the list. */
export type Outcome =
  | { kind: 'aceptados'; result: AcceptResult; direcciones: Map<string, string> }
  | { kind: 'catalogo'; result: ReconcileResult }
  | { kind: 'aviso'; text: string };

export interface ReconciliationVm {
  filtros: ReconciliationFilters;
  items: FindingRow[];
  total: number;
  siguiente: string | null;
  corridas: RunRecord[];
  /** A directory run is reporting progress: the page reloads itself. */
  directorioEnCurso: boolean;
  esAdmin: boolean;
  outcome: Outcome | null;
  error: string | null;
  /** The finding whose rejection was refused, the reason typed and the message beside it. */
  rechazo: { id: string; motivo: string; mensaje: string } | null;
}

const firstString = (v: unknown): string =>
  typeof v === 'string' ? v.trim() : Array.isArray(v) && typeof v[0] === 'string' ? v[0].trim() : '';

/** The filters of the query string; an unknown state or kind is a Spanish 400 (never a silent «todos»). */
export function filtersOf(raw: Record<string, unknown>): ReconciliationFilters {
  const f: ReconciliationFilters = {};
  const estado = firstString(raw.estado);
  const tipo = firstString(raw.tipo);
  const despues = firstString(raw.despues);
  if (estado) {
    if (!(ESTADOS_HALLAZGO as readonly string[]).includes(estado))
      throw new DomainError('FILTRO_INVALIDO', 'Elija un estado de la lista.', 400, { campo: 'estado' });
    f.estado = estado as EstadoHallazgo;
  }
  if (tipo) {
    if (!(TIPOS_HALLAZGO as readonly string[]).includes(tipo))
      throw new DomainError('FILTRO_INVALIDO', 'Elija un tipo de hallazgo de la lista.', 400, { campo: 'tipo' });
    f.tipo = tipo as TipoHallazgo;
  }
  if (despues) f.despues = despues;
  return f;
}

/** The ids a bulk form posts (checkboxes named «ids»): uuids only, each once, at most a page of them. */
export function selectedIds(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  const ids = [...new Set(list.filter((v): v is string => typeof v === 'string' && UUID.test(v.trim())))];
  if (ids.length === 0)
    throw new DomainError('SELECCION_VACIA', 'Seleccione al menos un hallazgo para aceptarlo.', 400, { campo: 'ids' });
  if (ids.length > FINDINGS_PAGE)
    throw new DomainError(
      'SELECCION_GRANDE',
      `Seleccione a lo más ${FINDINGS_PAGE} hallazgos a la vez (los de una página).`,
      400,
      { campo: 'ids' },
    );
  return ids;
}

/**
 * The Subjefatura's review of reconciliation findings (issue 14): the findings and the latest runs, and the four
 * decisions: accept (one or a selection: each opens its 5.5/5.4 case), reject with a reason, reconcile the catalogs
 * now, start the directory comparison in the background.
 */
@Injectable()
export class ReconciliationPageService implements BeforeApplicationShutdown {
  private readonly view: FindingsView;
  private readonly review: ReconciliationReview;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly staff: StaffUsersService,
    private readonly directory: DirectoryReconciliation,
    private readonly opener: ReconciliationCaseOpener,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'reconciliationAutoBlockDays'>,
  ) {
    this.view = new FindingsView(ds);
    this.review = new ReconciliationReview(ds);
  }

  async page(
    chrome: Chrome,
    filtros: ReconciliationFilters,
    extra: Partial<Pick<ReconciliationVm, 'outcome' | 'error' | 'rechazo'>> = {},
    now = new Date(),
  ): Promise<ReconciliationVm> {
    const [page, corridas] = await Promise.all([
      this.view.page({ ...filtros, limit: FINDINGS_PAGE }),
      this.view.runs(8),
    ]);
    const names = await this.staff.namesOf(page.items.map((h) => h.decididoPor));
    const rechazo = extra.rechazo ?? null;
    const shown = !!rechazo && page.items.some((h) => h.id === rechazo.id);
    const since = now.getTime() - DIRECTORY_RUN_STALE_MS;
    return {
      filtros,
      items: page.items.map((h) => ({
        ...h,
        // The policy's decision names the policy (with its days), never a person.
        decididoPorNombre: h.porPolitica
          ? h.decididoPor
          : h.decididoPor
            ? (names.get(h.decididoPor) ?? 'otra persona')
            : null,
      })),
      total: page.total,
      siguiente: page.siguiente,
      corridas,
      directorioEnCurso: corridas.some(
        (r) => r.origen === 'directorio' && r.estado === 'en_curso' && (r.latidoAt?.getTime() ?? 0) > since,
      ),
      esAdmin: chrome.staff?.role === 'administrador',
      outcome: extra.outcome ?? null,
      // A refused rejection's message goes beside its reason, or at the top when its row is on another page.
      error: extra.error ?? (rechazo && !shown ? rechazo.mensaje : null),
      rechazo,
    };
  }

  /** Each finding opens its 5.5/5.4 case through the catalog's opener (src/catalog/reconciliation/case-opener.ts). */
  async accept(ids: readonly string[], actorId: string, now = new Date()): Promise<Outcome> {
    const result = await this.review.accept(ids, actorId, now, this.opener.open);
    const direcciones = await this.view.addresses(result.failed.map((f) => f.hallazgoId));
    return { kind: 'aceptados', result, direcciones };
  }

  /** Rejects one finding; 422 without a reason, 404 when there is no such finding, 409 when it is no longer pending. */
  async reject(id: string, motivo: string, actorId: string, now = new Date()): Promise<void> {
    const changed = await this.review.reject([id], motivo, actorId, now);
    if (changed === 0 && !(await this.view.addresses([id])).has(id)) throw notFound('El hallazgo');
    if (changed === 0)
      throw new DomainError(
        'HALLAZGO_DECIDIDO',
        'Ese hallazgo ya no está pendiente (alguien lo decidió o dejó de cumplirse); no se cambió nada.',
        409,
      );
  }

  /** With RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS set, the run is followed by the policy (same opener as accept). */
  reconcileCatalogs(now = new Date()): Promise<ReconcileResult> {
    const dias = this.config.reconciliationAutoBlockDays;
    return reconcileCatalog(this.ds, {
      origen: 'manual',
      now,
      ...(dias ? { autoBlock: { dias, open: this.opener.open } } : {}),
    });
  }

  /** A directory run started from the page ends before the database closes (else it dies half way, «en curso»). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.directory.whenIdle();
  }

  /** Starts the directory comparison in the background; 409 while another one reports progress. */
  startDirectory(): Promise<string> {
    return this.directory.start();
  }
}

/** Where a POST comes back to: the list with the filters it was posted from. */
function listUrl(f: ReconciliationFilters, hecho?: string): string {
  const q = new URLSearchParams();
  if (f.estado) q.set('estado', f.estado);
  if (f.tipo) q.set('tipo', f.tipo);
  if (hecho) q.set('hecho', hecho);
  const s = q.toString();
  return `/conciliacion${s ? `?${s}` : ''}`;
}

/** Notices a redirect carries (`?hecho=`): anything else is ignored, never echoed. */
export const HECHOS: Record<string, string> = {
  rechazado: 'Hallazgo rechazado; el motivo quedó registrado con su nombre.',
  directorio:
    'Comenzó la conciliación con el directorio; su avance se ve abajo, en «Conciliaciones recientes» (la página se actualiza sola).',
};

@StaffPages()
@Roles('subjefatura', 'administrador')
@Controller('conciliacion')
export class ReconciliationPage {
  constructor(private readonly service: ReconciliationPageService) {}

  @Get()
  async list(
    @PageChrome() chrome: Chrome,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    let filtros: ReconciliationFilters;
    try {
      filtros = filtersOf(query);
    } catch (e) {
      return this.refuse(chrome, {}, e, res);
    }
    const hecho = HECHOS[firstString(query.hecho)];
    try {
      const vm = await this.service.page(chrome, filtros, hecho ? { outcome: { kind: 'aviso', text: hecho } } : {});
      sendHtml(res, renderReconciliation(chrome, vm));
    } catch (e) {
      // A cursor this page did not write: the first page, with the message.
      if (!(e instanceof DomainError) || !filtros.despues) throw e;
      return this.refuse(chrome, { ...filtros, despues: undefined }, e, res);
    }
  }

  @Post('aceptar')
  async acceptSelected(
    @PageChrome() chrome: Chrome,
    @Query() query: Record<string, unknown>,
    @Body() body: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const filtros = this.postedFilters(query);
    let ids: string[];
    try {
      ids = selectedIds(body.ids);
    } catch (e) {
      return this.refuse(chrome, filtros, e, res);
    }
    await this.accept(chrome, filtros, ids, res);
  }

  @Post(':id/aceptar')
  async acceptOne(
    @PageChrome() chrome: Chrome,
    @Param('id', uuid) id: string,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    await this.accept(chrome, this.postedFilters(query), [id], res);
  }

  @Post(':id/rechazar')
  async reject(
    @PageChrome() chrome: Chrome,
    @Param('id', uuid) id: string,
    @Query() query: Record<string, unknown>,
    @Body() body: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const filtros = this.postedFilters(query);
    const motivo = typeof body.motivo === 'string' ? body.motivo : '';
    try {
      await this.service.reject(id, motivo, chrome.staff!.id);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      const rechazo = e.status === 422 ? { id, motivo: motivo.slice(0, 500), mensaje: e.message } : null;
      const vm = await this.service.page(chrome, filtros, { error: rechazo ? null : e.message, rechazo });
      return sendHtml(res, renderReconciliation(chrome, vm), e.status);
    }
    seeOther(res, listUrl(filtros, 'rechazado'));
  }

  @Post('conciliar')
  async reconcileNow(
    @PageChrome() chrome: Chrome,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const filtros = this.postedFilters(query);
    const result = await this.service.reconcileCatalogs();
    sendHtml(
      res,
      renderReconciliation(chrome, await this.service.page(chrome, filtros, { outcome: { kind: 'catalogo', result } })),
    );
  }

  @Post('directorio')
  async startDirectory(
    @PageChrome() chrome: Chrome,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const filtros = this.postedFilters(query);
    try {
      await this.service.startDirectory();
    } catch (e) {
      return this.refuse(chrome, filtros, e, res);
    }
    seeOther(res, listUrl(filtros, 'directorio'));
  }

  /** The list with what the acceptance did (not a redirect: its failures carry their messages). */
  private async accept(chrome: Chrome, filtros: ReconciliationFilters, ids: string[], res: Response): Promise<void> {
    const outcome = await this.service.accept(ids, chrome.staff!.id);
    sendHtml(res, renderReconciliation(chrome, await this.service.page(chrome, filtros, { outcome })));
  }

  /** A form posts back the filters it was shown with; ones this page did not write are dropped, not refused. */
  private postedFilters(query: Record<string, unknown>): ReconciliationFilters {
    try {
      const { estado, tipo } = filtersOf(query);
      return { estado, tipo };
    } catch {
      return {};
    }
  }

  private async refuse(chrome: Chrome, filtros: ReconciliationFilters, e: unknown, res: Response): Promise<void> {
    if (!(e instanceof DomainError)) throw e;
    const vm = await this.service.page(chrome, filtros, { error: e.message });
    sendHtml(res, renderReconciliation(chrome, vm), e.status);
  }
}
