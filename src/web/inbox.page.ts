import { StaffUsersService } from '../auth/staff-users.service';
import { Body, Controller, Get, Injectable, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { AuthenticatedStaff } from '../auth/auth.service';
import { DomainError } from '../common/domain-error';
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
  ) {}

  async view(
    staff: AuthenticatedStaff,
    raw: Record<string, unknown>,
    msg: { error?: string | null; aviso?: string | null } = {},
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
      error: msg.error ?? null,
      aviso: msg.aviso ?? null,
    };
    try {
      const q = await validateDto(InboxQueryDto, { ...filtros, ...cursor, porPagina: '25' });
      const page = await this.inbox.list(staff, { ...q, vencidas: filtros.vencidas === 'true' });
      const names = await this.staff.namesOf(page.items.map((i) => i.asignadaA));
      vm.items = page.items.map((i) => ({
        ...i,
        procedimientoTitulo: this.labels.title(i.procedimiento),
        seccion: this.labels.section(i.procedimiento),
        asignadaNombre: i.asignadaA ? (names.get(i.asignadaA) ?? 'otra persona') : null,
        mia: i.asignadaA === staff.id,
      }));
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
