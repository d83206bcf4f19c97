import { StaffUsersService } from '../auth/staff-users.service';
import { Body, Controller, Get, Injectable, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { AuthenticatedStaff } from '../auth/auth.service';
import { DomainError } from '../common/domain-error';
import { type BulkAnswer, BULK_EVENTS, BULK_MAX, BulkEventsService, type CaseStanding } from '../engine/bulk-events';
import { CaseRecords } from '../engine/case-records';
import { InboxQueryDto } from '../engine/engine.dto';
import { type InboxItem, InboxService } from '../engine/inbox.service';
import { type Form, readForm, validateDto } from './forms';
import { renderInbox } from './inbox.view';
import { avisoOf, type Chrome } from './layout';
import { PageChrome, seeOther, sendHtml, StaffPages } from './page-auth';
import { ProcedureLabels, type TaskStep } from './procedure-labels';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

export const FILTER_KEYS = ['rol', 'procedimiento', 'paso', 'folio', 'curp', 'cct', 'vencidas', 'asignacion'] as const;

/** Where a page starts: the cursors of the inbox's «siguiente» / «anterior» links (not filters: a new search starts over). */
const CURSOR_KEYS = ['despues', 'antes'] as const;

export interface InboxRow extends InboxItem {
  procedimientoTitulo: string;
  seccion: string;
  asignadaNombre: string | null;
  mia: boolean;
  /** The case's version when the page was drawn: an act on a selection is refused (409) for a case changed since. */
  version?: number | null;
}

/** What «Aplicar a los seleccionados» did: how many cases advanced, and each failure with its message. */
export interface BulkResult {
  texto: string;
  fallas: { tarea: string; mensaje: string }[];
}

export interface InboxVm {
  filtros: Form;
  /** Whose inbox: the user's role, or the one an administrator picked. */
  rol: string;
  esAdmin: boolean;
  items: InboxRow[];
  total: number;
  /** More than `total` match: shown as «más de 1 000». */
  totalAcotado: boolean;
  /** Cursors of the neighbouring pages (null at either end). */
  siguiente: string | null;
  anterior: string | null;
  /** The cursor of the page shown (empty on the first page), so a claim / release comes back to it. */
  cursor: Form;
  procedimientos: { value: string; label: string }[];
  pasos: TaskStep[];
  /**
   * The acts this user may do to every task of the page at once: only when the page shows one step (filtered by
   * «Paso») and the step's act needs nothing typed. Empty otherwise.
   */
  acciones?: { tipo: string; label: string }[];
  lote?: BulkResult | null;
  error: string | null;
  aviso: string | null;
}

const firstString = (v: unknown): string =>
  typeof v === 'string' ? v.trim() : Array.isArray(v) && typeof v[0] === 'string' ? v[0].trim() : '';

/** The filters as typed: trimmed, the identifiers in capitals, blanks dropped. */
function filtersOf(raw: Record<string, unknown>): Form {
  const f: Form = {};
  for (const k of FILTER_KEYS) {
    const s = firstString(raw[k]);
    if (s) f[k] = ['folio', 'curp', 'cct'].includes(k) ? s.toUpperCase() : s;
  }
  return f;
}

/** The cursor of the URL, one at most (`despues` wins). */
function cursorOf(raw: Record<string, unknown>): Form {
  for (const k of CURSOR_KEYS) {
    const s = firstString(raw[k]);
    if (s) return { [k]: s };
  }
  return {};
}

/** The task inbox as a page: InboxService.list with the filters of the form, names instead of ids. */
@Injectable()
export class InboxPageService {
  constructor(
    private readonly inbox: InboxService,
    private readonly labels: ProcedureLabels,
    private readonly staff: StaffUsersService,
    private readonly bulk: BulkEventsService,
    private readonly cases: CaseRecords,
  ) {}

  async view(
    staff: AuthenticatedStaff,
    raw: Record<string, unknown>,
    msg: { error?: string | null; aviso?: string | null; lote?: BulkResult } = {},
  ): Promise<InboxVm> {
    const esAdmin = staff.role === 'administrador';
    const filtros = filtersOf(raw);
    const cursor = cursorOf(raw);
    if (esAdmin && !filtros.rol) filtros.rol = 'subjefatura';
    if (!esAdmin) delete filtros.rol;
    const rol = esAdmin ? filtros.rol : staff.role;
    const vm: InboxVm = {
      filtros,
      rol,
      esAdmin,
      items: [],
      total: 0,
      totalAcotado: false,
      siguiente: null,
      anterior: null,
      cursor,
      procedimientos: this.labels.procedures([
        ...new Set(this.labels.taskSteps.filter((s) => s.role === rol).map((s) => s.procedure)),
      ]),
      pasos: this.labels.taskSteps.filter(
        (s) => s.role === rol && (!filtros.procedimiento || s.procedure === filtros.procedimiento),
      ),
      acciones: [],
      lote: msg.lote ?? null,
      error: msg.error ?? null,
      aviso: msg.aviso ?? null,
    };
    try {
      const q = await validateDto(InboxQueryDto, { ...filtros, ...cursor, porPagina: '25' });
      // The versions and the step's acts only serve the checkboxes, which a page shows only when filtered by one step.
      // All at once, and with the page's parent oficios: none needs another's answer.
      let names = new Map<string, string>();
      let standing = new Map<string, CaseStanding>();
      let acciones: { tipo: string; label: string }[] = [];
      const page = await this.inbox.list(staff, { ...q, vencidas: filtros.vencidas === 'true' }, new Date(), (items) =>
        Promise.all([
          this.staff.namesOf(items.map((i) => i.asignadaA)),
          filtros.paso ? this.bulk.standing(items.map((i) => i.tramite)) : standing,
          this.plainActs(staff, filtros.paso, items),
        ]).then((read) => ([names, standing, acciones] = read)),
      );
      vm.items = page.items.map((i) => ({
        ...i,
        procedimientoTitulo: this.labels.title(i.procedimiento),
        seccion: this.labels.section(i.procedimiento),
        asignadaNombre: i.asignadaA ? (names.get(i.asignadaA) ?? 'otra persona') : null,
        mia: i.asignadaA === staff.id,
        version: standing.get(i.tramite)?.version ?? null,
      }));
      vm.acciones = acciones;
      vm.total = page.total;
      vm.totalAcotado = page.totalAcotado;
      vm.siguiente = page.siguiente;
      vm.anterior = page.anterior;
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      vm.error = vm.error ?? e.message;
    }
    return vm;
  }

  /**
   * The acts of the page's one step that need nothing typed, as this user may do them (the step's transitions, for
   * the first task's case: the tasks of one step share them). 5.2.1's CREAR_CUENTA takes each school and its director from
   * its case and the catalog; any other CREAR_CUENTA needs data, so it is done case by case.
   */
  private async plainActs(
    staff: AuthenticatedStaff,
    paso: string | undefined,
    items: readonly Pick<InboxRow, 'tramite' | 'paso' | 'procedimiento'>[],
  ): Promise<{ tipo: string; label: string }[]> {
    const [first] = items;
    if (!paso || !first || items.some((i) => i.paso !== first.paso || i.procedimiento !== first.procedimiento))
      return [];
    // From the step's definition, not the first case's restored snapshot: a page of tasks restores no case.
    return (await this.cases.stepEvents(first.tramite, first.paso))
      .filter((a) => a.roles.includes(staff.role) && (BULK_EVENTS as readonly string[]).includes(a.event))
      .filter((a) => a.event !== 'CREAR_CUENTA' || first.procedimiento === 'centro-trabajo-alta')
      .map((a) => ({ tipo: a.event, label: a.label }));
  }

  /** «Aplicar a los seleccionados»: `ids` holds «case id:version» of each ticked task (the name personal.js ticks). */
  async applyToSelection(staff: AuthenticatedStaff, form: Form): Promise<BulkResult> {
    const picked = (form.ids ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (picked.length === 0)
      throw new DomainError('SELECCION_VACIA', 'Seleccione al menos una tarea para aplicarle la acción.', 400);
    if (picked.length > BULK_MAX)
      throw new DomainError('SELECCION_GRANDE', `Seleccione hasta ${BULK_MAX} tareas a la vez.`, 400);
    const items = picked.map((p) => {
      const [id, v] = p.split(':');
      return { id: id ?? '', version: Number(v) || 0 };
    });
    const answer: BulkAnswer = await this.bulk.send(staff, form.tipo ?? '', items);
    const fallas: BulkResult['fallas'] = [];
    for (const r of answer.resultados) {
      if (r.ok) continue;
      // A case the user may not see (404) is named by the id they sent, never by what it holds.
      const c = r.status === 404 ? null : await this.cases.find(r.id);
      const tarea = c
        ? [c.folio ? `Folio ${c.folio}` : '', c.cct ? `CCT ${c.cct}` : '', c.curp ? `CURP ${c.curp}` : '']
            .filter(Boolean)
            .join(', ') || `Trámite ${r.id}`
        : `Trámite ${r.id}`;
      fallas.push({ tarea, mensaje: r.mensaje });
    }
    const n = (k: number): string => k.toLocaleString('es-MX');
    return {
      texto:
        `${n(answer.hechos)} ${answer.hechos === 1 ? 'trámite atendido' : 'trámites atendidos'}, ` +
        `${n(answer.conError)} con error` +
        (answer.conError ? ' (esos siguen en su paso; los demás avanzaron).' : '.'),
      fallas,
    };
  }

  claim(taskId: string, staff: AuthenticatedStaff): Promise<unknown> {
    return this.inbox.claim(taskId, staff);
  }

  release(taskId: string, staff: AuthenticatedStaff): Promise<unknown> {
    return this.inbox.release(taskId, staff);
  }
}

/** The filters (and page) a claim / release form came from, as a query string (never anything else from the form). */
function backTo(form: Form, aviso?: string): string {
  const params = new URLSearchParams(form.volver ?? '');
  const q = new URLSearchParams();
  for (const k of [...FILTER_KEYS, ...CURSOR_KEYS]) {
    const v = params.get(k);
    if (v) q.set(k, v);
  }
  if (aviso) q.set('aviso', aviso);
  const s = q.toString();
  return `/bandeja${s ? `?${s}` : ''}`;
}

@StaffPages()
@Controller('bandeja')
export class InboxPage {
  constructor(private readonly pages: InboxPageService) {}

  @Get()
  async list(@PageChrome() chrome: Chrome, @Query() q: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const vm = await this.pages.view(chrome.staff!, q, { aviso: avisoOf(q.aviso) });
    sendHtml(res, renderInbox(chrome, vm), vm.error ? 400 : 200);
  }

  @Post('lote')
  async applyToSelection(@PageChrome() chrome: Chrome, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const form = readForm(body);
    const back = Object.fromEntries(new URLSearchParams(form.volver ?? ''));
    try {
      const lote = await this.pages.applyToSelection(chrome.staff!, form);
      sendHtml(res, renderInbox(chrome, await this.pages.view(chrome.staff!, back, { lote })), 200);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      sendHtml(res, renderInbox(chrome, await this.pages.view(chrome.staff!, back, { error: e.message })), e.status);
    }
  }

  @Post('tareas/:id/tomar')
  async claim(
    @PageChrome() chrome: Chrome,
    @Param('id', uuid) id: string,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    await this.act(chrome, body, res, 'tomada', () => this.pages.claim(id, chrome.staff!));
  }

  @Post('tareas/:id/liberar')
  async release(
    @PageChrome() chrome: Chrome,
    @Param('id', uuid) id: string,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    await this.act(chrome, body, res, 'liberada', () => this.pages.release(id, chrome.staff!));
  }

  private async act(
    chrome: Chrome,
    body: unknown,
    res: Response,
    aviso: string,
    run: () => Promise<unknown>,
  ): Promise<void> {
    const form = readForm(body);
    try {
      await run();
      seeOther(res, backTo(form, aviso));
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      const vm = await this.pages.view(chrome.staff!, Object.fromEntries(new URLSearchParams(form.volver ?? '')), {
        error: e.message,
      });
      sendHtml(res, renderInbox(chrome, vm), e.status);
    }
  }
}
