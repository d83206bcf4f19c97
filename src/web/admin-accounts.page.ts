import { Controller, Get, Injectable, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Roles } from '../auth/auth.guard';
import type { AuthenticatedStaff } from '../auth/auth.service';
import { CatalogRecords, type CuentaHistorialRecord, type CuentaRecord } from '../catalog/catalog-records';
import { CatalogSearchService } from '../catalog/catalog-search.service';
import { notFound } from '../common/domain-error';
import { localDate } from '../engine/business-calendar';
import { type CaseRecord, CaseRecords } from '../engine/case-records';
import { type DocumentRecord, DocumentsService } from '../oficios/documents.service';
import { renderAccount, renderAccounts } from './admin-accounts.view';
import type { Chrome } from './layout';
import { PageChrome, sendHtml, StaffPages } from './page-auth';
import { ProcedureLabels } from './procedure-labels';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });
const MAX_RESULTS = 50;

export interface AccountRow {
  id: string;
  direccion: string;
  tipo: string;
  estado: string;
  titular: string;
}

export interface AccountsVm {
  q: string;
  cuentas: AccountRow[] | null;
  error: string | null;
}

/** The procedures an account page starts, each through the oficio that asks for it (registered as /oficios/nuevo). */
export interface StartOption {
  procedimiento: string;
  titulo: string;
  accion: string;
}

export interface AccountVm {
  cuenta: CuentaRecord;
  titular:
    | { tipo: 'trabajador'; curp: string; nombre: string; cct: string | null; nivel: string | null; activo: boolean }
    | { tipo: 'centro'; cct: string; nombre: string; nivel: string | null; estatus: string }
    | { tipo: 'desconocido'; clave: string | null };
  historial: CuentaHistorialRecord[];
  tramites: (CaseRecord & { titulo: string })[];
  documentos: (DocumentRecord & { tramiteFolio: string | null })[];
  iniciar: StartOption[];
  /** Only the Subdirección registers oficios (Guía: "Recibe oficio"): others see what would start, not the forms. */
  puedeRegistrar: boolean;
  /** Where a Personal account's owner resets their password themselves (5.1.2). */
  autoservicio: boolean;
  hoy: string;
}

const ACTIONS: Record<string, string> = {
  'servicio-restablecer': 'Restablecer contraseña',
  'cuenta-reasignar': 'Reasignar cuenta',
  'cuenta-bloquear': 'Bloquear cuenta',
};

/** «Editar una cuenta»: find an account by address, holder's name, CURP or CCT; its holder, state and history. */
@Injectable()
export class AdminAccountsService {
  constructor(
    private readonly search: CatalogSearchService,
    private readonly records: CatalogRecords,
    private readonly cases: CaseRecords,
    private readonly documents: DocumentsService,
    private readonly labels: ProcedureLabels,
  ) {}

  async find(raw: unknown): Promise<AccountsVm> {
    const q = typeof raw === 'string' ? raw.trim().slice(0, 120) : '';
    if (!q) return { q, cuentas: null, error: null };
    if (q.length < 2) return { q, cuentas: null, error: 'Escriba al menos 2 caracteres.' };
    // By address, CURP or CCT (the catalog's account search), and by the holder's name through the workers' search.
    const [direct, people] = await Promise.all([
      this.search.accounts({ q, limite: MAX_RESULTS }),
      this.search.workers({ q, limite: MAX_RESULTS }),
    ]);
    const ids = new Set(direct.map((c) => c.id));
    const byHolder = await this.records.cuentasDeTrabajadores(
      people.map((p) => p.curp),
      MAX_RESULTS,
    );
    const all = [...(await this.records.cuentas([...ids])), ...byHolder.filter((c) => !ids.has(c.id))]
      .sort((a, b) => a.direccion.localeCompare(b.direccion))
      .slice(0, MAX_RESULTS);
    const names = new Map(people.map((p) => [p.curp, p.nombre]));
    for (const c of all)
      if (c.titularCurp && !names.has(c.titularCurp)) {
        const t = await this.records.trabajador(c.titularCurp);
        if (t) names.set(c.titularCurp, fullName(t));
      }
    return {
      q,
      error: null,
      cuentas: all.map((c) => ({
        id: c.id,
        direccion: c.direccion,
        tipo: c.tipo,
        estado: c.estado,
        titular: c.titularCurp
          ? `${names.get(c.titularCurp) ?? 'Sin registro en el catálogo'} (${c.titularCurp})`
          : (c.titularCct ?? '—'),
      })),
    };
  }

  async account(id: string, staff: Pick<AuthenticatedStaff, 'role'>, now = new Date()): Promise<AccountVm> {
    const cuenta = await this.records.cuenta(id);
    if (!cuenta) throw notFound('La cuenta');
    const historial = await this.records.historial(id, 200);
    const caseIds = [...new Set([...historial.map((h) => h.caseId).filter((c): c is string => !!c)])];
    const cases = await this.cases.ofAccount(id, caseIds, 200);
    const docs = await this.documents.ofCases(cases.map((c) => c.id));
    return {
      cuenta,
      titular: await this.holder(cuenta),
      historial,
      tramites: cases.map((c) => Object.assign(c, { titulo: this.labels.title(c.procedureId) })),
      documentos: docs.map((d) =>
        Object.assign(d, { tramiteFolio: cases.find((c) => c.id === d.caseId)?.folio ?? null }),
      ),
      iniciar: this.startOptions(cuenta),
      puedeRegistrar: staff.role === 'subdireccion',
      autoservicio: cuenta.tipo === 'personal',
      hoy: localDate(now),
    };
  }

  /**
   * Guía 5.3.2 (restablecer una cuenta de servicio o función), 5.4 (reasignar) and 5.5 (bloquear) start with an
   * oficio: the page offers each one that applies, prefilled with the account. A Personal account's owner resets it
   * themselves (5.1.2), a school's through the PII (5.2.2); a blocked account is not blocked again.
   */
  private startOptions(c: CuentaRecord): StartOption[] {
    const ids = [
      ...(c.tipo === 'servicio' || c.tipo === 'funcion' ? ['servicio-restablecer'] : []),
      'cuenta-reasignar',
      ...(c.estado === 'bloqueada' ? [] : ['cuenta-bloquear']),
    ];
    return ids.map((p) => ({ procedimiento: p, titulo: this.labels.title(p), accion: ACTIONS[p] }));
  }

  private async holder(c: CuentaRecord): Promise<AccountVm['titular']> {
    if (c.titularTipo === 'trabajador' && c.titularCurp) {
      const t = await this.records.trabajador(c.titularCurp);
      if (t)
        return {
          tipo: 'trabajador',
          curp: t.curp,
          nombre: fullName(t),
          cct: t.cct,
          nivel: t.nivelClave,
          activo: t.activo,
        };
    }
    if (c.titularTipo === 'centro' && c.titularCct) {
      const s = await this.records.centro(c.titularCct);
      if (s) return { tipo: 'centro', cct: s.cct, nombre: s.nombre, nivel: s.nivelClave, estatus: s.estatus };
    }
    return { tipo: 'desconocido', clave: c.titularCurp ?? c.titularCct };
  }
}

const fullName = (t: { nombre: string; primerApellido: string; segundoApellido?: string | null }): string =>
  [t.nombre, t.primerApellido, t.segundoApellido].filter(Boolean).join(' ');

@StaffPages()
@Roles('administrador', 'subdireccion')
@Controller('admin/cuentas')
export class AdminAccountsPage {
  constructor(private readonly accounts: AdminAccountsService) {}

  @Get()
  async list(@PageChrome() chrome: Chrome, @Query('q') q: unknown, @Res() res: Response): Promise<void> {
    const vm = await this.accounts.find(q);
    sendHtml(res, renderAccounts(chrome, vm), vm.error ? 400 : 200);
  }

  @Get(':id')
  async show(@PageChrome() chrome: Chrome, @Param('id', uuid) id: string, @Res() res: Response): Promise<void> {
    sendHtml(res, renderAccount(chrome, await this.accounts.account(id, chrome.staff!)));
  }
}
