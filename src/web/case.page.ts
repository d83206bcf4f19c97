import { StaffUsersService } from '../auth/staff-users.service';
import { Body, Controller, Get, Inject, Injectable, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { CaseContext } from '../../machines';
import type { AuthenticatedStaff } from '../auth/auth.service';
import { CatalogSearchDto } from '../catalog/catalog-search.dto';
import { CatalogSearchService } from '../catalog/catalog-search.service';
import { CatalogRecords, type CuentaRecord } from '../catalog/catalog-records';
import { TIPO_CUENTA_LABEL } from '../catalog/cuenta-tipos';
import { normalizeCct, normalizeCurp } from '../validation';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { caseDiagram } from '../diagram/diagram';
import { type CaseView, CaseQueryService } from '../engine/case-query.service';
import { EngineService } from '../engine/engine.service';
import { DocumentsService } from '../oficios/documents.service';
import { type OficioView, OficiosService } from '../oficios/oficios.service';
import { AddressAvailability } from '../provisioning/address/address-availability';
import { ACTION_FIELDS, ACTION_LABELS, type ActionKind, actionKind, actionPrefix } from './action-forms';
import { renderCase } from './case.view';
import { fechaHora, fechaIso, nivelNombre } from './format';
import { type FieldError, type Form, dataOf, fieldProblems, formErrors, readForm, validateDto } from './forms';
import { avisoOf, type Chrome } from './layout';
import { PageChrome, seeOther, sendHtml, StaffPages } from './page-auth';
import { ProcedureLabels } from './procedure-labels';

export type AccountHit = Awaited<ReturnType<CatalogSearchService['accounts']>>[number];
export type WorkerHit = Awaited<ReturnType<CatalogSearchService['workers']>>[number];
export type SchoolHit = Awaited<ReturnType<CatalogSearchService['schools']>>[number];

const SearchDto = CatalogSearchDto;

/** The field of an action's form a refusal of the page itself is about (the picked account, the account name). */
const PAGE_REFUSAL_FIELD: Record<string, string> = {
  CUENTA_REQUERIDA: 'buscarCuenta',
  DIRECCION_OCUPADA: 'localPart',
  NOMBRE_CUENTA_INVALIDO: 'localPart',
  NOMBRE_SIN_LETRAS: 'localPart',
};
const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });
const EVENT = /^[A-Z][A-Z0-9_]{1,59}$/;

export interface ActionVm {
  evento: string;
  etiqueta: string;
  kind: ActionKind;
  values: Form;
  cuentas: AccountHit[] | null;
  trabajadores: WorkerHit[] | null;
  centros: SchoolHit[] | null;
  /** A search that could not run (term too short). */
  avisoBusqueda: string | null;
}

export interface AccountInfo {
  id: string;
  direccion: string;
  tipo: string;
  estado: string;
  titularCurp: string | null;
  titularCct: string | null;
}

export interface MovementRow {
  seq: number;
  fecha: string;
  quien: string;
  rol: string;
  accion: string;
  pasos: string;
  datos: [string, string][];
}

export interface DocumentRow {
  id: string;
  tipo: string;
  folio: string;
  numeroOficio: string | null;
  emitido: Date;
  estado: string;
  paginas: number;
}

export interface CasePageVm {
  caso: CaseView;
  seccion: string;
  datos: Partial<CaseContext>;
  /** The procedure's SVG diagram (current step highlighted), base64 for an `<img>`: its own stylesheet stays inside it. */
  diagrama: string;
  /** Where the current step is in the drawing (0..1): the diagram's box scrolls there on a narrow screen. */
  diagramaFoco: { x: number; y: number } | null;
  movimientos: MovementRow[];
  documentos: DocumentRow[];
  oficio: OficioView | null;
  cuenta: AccountInfo | null;
  acciones: ActionVm[];
  mailDomain: string;
  /** No person has a task open and the case runs: the system is working (provisioning, letters). */
  enEspera: boolean;
  /** A line of an oficio for many schools waiting for the others before the oficio's one reply letter. */
  esperaLineas: string | null;
  error: string | null;
  /** The fields of the posted action's form its refusal is about. */
  campos: FieldError[];
  aviso: string | null;
}

export interface CaseViewOptions {
  posted?: Form;
  /** Why the posted action was refused. */
  error?: DomainError | null;
  /** The `?aviso=` code of a redirect. */
  aviso?: unknown;
  hecho?: unknown;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Names for the data of one movement: the label of a key, the name of a value of a list. */
type DataNamer = (key: string) => { label: string; names: Readonly<Record<string, string>> };

/**
 * A value of event data as a person reads it: dates in Mexico City, yes or no, a level or an account by its name, a
 * value of a list by its label, nested objects as "Etiqueta valor, …" — never JSON nor an internal key.
 */
function text(key: string, v: unknown, namer: DataNamer, accounts: ReadonlyMap<string, string>): string {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    return Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== null && x !== undefined && x !== '')
      .map(([k, x]) => `${namer(k).label} ${text(k, x, namer, accounts)}`)
      .join(', ');
  }
  if (Array.isArray(v)) return v.map((x) => text(key, x, namer, accounts)).join(', ');
  if (typeof v === 'boolean') return v ? 'Sí' : 'No';
  if (typeof v !== 'string') return String(v);
  if (ISO_INSTANT.test(v) && !Number.isNaN(Date.parse(v))) return fechaHora(v);
  if (ISO_DATE.test(v)) return fechaIso(v);
  if (key === 'nivel') return nivelNombre(v);
  if (key === 'cuentaId') return accounts.get(v) ?? v;
  return namer(key).names[v] ?? v;
}

/** Event data as two short columns for the movement log; the instant is already in its own column. */
function dataPairs(datos: unknown, namer: DataNamer, accounts: ReadonlyMap<string, string>): [string, string][] {
  if (!datos || typeof datos !== 'object') return [];
  return Object.entries(datos as Record<string, unknown>)
    .filter(([k, v]) => k !== 'at' && v !== null && v !== undefined && v !== '')
    .map(([k, v]) => [namer(k).label, text(k, v, namer, accounts).slice(0, 200)]);
}

/** The accounts a movement log names by id, by address. */
function accountIdsOf(datos: unknown[]): string[] {
  const ids = new Set<string>();
  for (const d of datos) {
    const id = d && typeof d === 'object' ? (d as { cuentaId?: unknown }).cuentaId : undefined;
    if (typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id)) ids.add(id);
  }
  return [...ids];
}

/**
 * The case page as a view model: CaseQueryService (case, actions, diagram, movements), the documents the user may
 * download, the oficio that opened it, and for each available action the form it needs with its catalog searches.
 */
@Injectable()
export class CasePageService {
  constructor(
    private readonly records: CatalogRecords,
    private readonly cases: CaseQueryService,
    private readonly engine: EngineService,
    private readonly oficios: OficiosService,
    private readonly documents: DocumentsService,
    private readonly catalog: CatalogSearchService,
    private readonly names: AddressAvailability,
    private readonly labels: ProcedureLabels,
    private readonly staff: StaffUsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async view(id: string, staff: AuthenticatedStaff, opts: CaseViewOptions = {}): Promise<CasePageVm> {
    const caso = await this.cases.get(id, staff);
    const [diagrama, movs] = await Promise.all([
      this.cases.position(id, staff).then(caseDiagram),
      this.cases.movements(id, staff),
    ]);
    const datos = (caso.datos ?? {}) as Partial<CaseContext>;
    const oficio = await this.oficioOf(caso);
    const names = await this.staff.namesOf(movs.map((m) => m.actor));
    const accounts = new Map<string, string>();
    for (const accountId of accountIdsOf(movs.map((m) => m.datos))) {
      const a = await this.records.cuenta(accountId);
      if (a) accounts.set(accountId, a.direccion);
    }
    const docs = await this.documents.listForCase(id, staff);
    const cuentaId = datos.cuenta?.cuentaId;
    const cuenta = cuentaId ? await this.records.cuenta(cuentaId) : null;
    const acciones: ActionVm[] = [];
    for (const a of caso.acciones)
      acciones.push(
        await this.action(caso, a, datos, oficio, opts.posted?.evento === a.evento ? opts.posted : undefined),
      );
    const working = caso.situacion === 'activo' && !caso.tareas.some((t) => t.estado === 'abierta');
    // Waiting for other lines may take days: said so, and the page does not keep reloading.
    const esperaLineas = working ? await this.documents.replyWait(id) : null;
    const hecho =
      typeof opts.hecho === 'string' && EVENT.test(opts.hecho)
        ? this.labels.eventLabel(caso.procedimiento, caso.versionProcedimiento, opts.hecho)
        : null;
    return {
      caso,
      seccion: this.labels.section(caso.procedimiento),
      datos,
      diagrama: Buffer.from(diagrama.svg, 'utf8').toString('base64'),
      diagramaFoco: diagrama.focus,
      movimientos: movs.map((m) => ({
        seq: m.seq,
        fecha: m.fecha,
        quien: names.get(m.actor) ?? (m.actor === 'sistema' ? 'Sistema' : m.actor),
        rol: m.rol,
        accion: this.labels.eventLabel(caso.procedimiento, caso.versionProcedimiento, m.evento),
        pasos: m.pasos,
        datos: dataPairs(
          m.datos,
          (key) => this.labels.dataLabel(caso.procedimiento, caso.versionProcedimiento, m.evento, key),
          accounts,
        ),
      })),
      documentos: docs.map((d) => ({
        id: d.id,
        tipo: d.kind === 'acuse' ? 'Acuse de recibo' : 'Oficio de respuesta',
        folio: d.folio,
        numeroOficio: d.numeroOficio,
        emitido: d.signedAt,
        estado: d.status,
        paginas: d.paginas,
      })),
      oficio,
      cuenta: cuenta ? accountInfo(cuenta) : null,
      acciones,
      mailDomain: this.config.mailDomain,
      enEspera: working && !esperaLineas,
      esperaLineas,
      ...this.errorsOf(caso, opts),
      aviso:
        opts.aviso === 'registrado' && caso.folio
          ? `Oficio registrado con el folio ${caso.folio}. El acuse de recibo se genera en unos segundos y aparecerá en «Documentos».`
          : (avisoOf(opts.aviso) ?? (hecho && hecho !== opts.hecho ? `Listo: «${hecho}».` : null)),
    };
  }

  /** A refusal of the posted action: beside the fields of its form that are on the page, the rest at the top. */
  private errorsOf(caso: CaseView, opts: CaseViewOptions): { error: string | null; campos: FieldError[] } {
    const e = opts.error;
    if (!e) return { error: null, campos: [] };
    const evento = opts.posted?.evento ?? '';
    if (!caso.acciones.some((a) => a.evento === evento)) return { error: e.message, campos: [] };
    const fields = ACTION_FIELDS[actionKind(caso.procedimiento, evento)];
    const labels = Object.fromEntries(
      Object.entries(ACTION_LABELS).filter(
        ([k]) => fields.includes(k) && (k !== 'buscarCuenta' || fields.includes('cuentaId')),
      ),
    );
    // The page's own refusals (the account not picked, the account name taken or malformed) name no field: place them.
    const campo = PAGE_REFUSAL_FIELD[e.code];
    const problems = campo ? [{ campo, mensaje: e.message }] : fieldProblems(e);
    return formErrors(e, labels, { prefix: actionPrefix(evento), problems });
  }

  /**
   * Sends the action of a submitted form to the engine with the version the page was drawn from, so a stale page
   * gets the engine's 409. A search or "use this" button only redraws the form: returns false.
   */
  async submit(id: string, staff: AuthenticatedStaff, form: Form): Promise<boolean> {
    const evento = form.evento ?? '';
    if (!EVENT.test(evento)) throw new DomainError('ACCION_INVALIDA', 'La acción no es válida.', 400);
    if (form._buscar !== undefined || form._usar !== undefined) return false;
    const version = Number(form.version);
    if (!Number.isInteger(version) || version < 1)
      throw new DomainError('VERSION_REQUERIDA', 'Falta la versión del trámite que consultó; recargue la página.', 400);
    const caso = await this.cases.get(id, staff);
    const payload = await this.payload(actionKind(caso.procedimiento, evento), form);
    await this.engine.send(id, { ...payload, type: evento }, staff, { expectedVersion: version });
    return true;
  }

  /**
   * The event of a form: the page only tidies what a person typed (capitals, spaces) and looks the picked account up;
   * whether the data are right is the engine's to say (machines/parts/payloads.ts), the same for the page and the API.
   */
  private async payload(kind: ActionKind, form: Form): Promise<Record<string, unknown>> {
    switch (kind) {
      case 'crear-centro':
        return {
          tipo: 'centro_trabajo',
          cct: normalizeCct(form.cct ?? ''),
          directorCurp: normalizeCurp(form.directorCurp ?? ''),
        };
      case 'crear-servicio':
        // The account name is folded (accents, capitals), checked against the provider's reserved names and against the
        // accounts and the directory here (taken: a 409 on the form, with or without JavaScript): that knowledge is the
        // address generator's and the directory's, not the machine's.
        return {
          tipo: form.tipo,
          curp: normalizeCurp(form.curp ?? ''),
          localPart: await this.names.freeServiceName(form.localPart ?? ''),
        };
      case 'nombre':
        return { localPart: await this.names.freeServiceName(form.localPart ?? '') };
      case 'cuenta':
        return { cuentaId: (await this.pickedAccount(form.cuentaId)).id };
      case 'reasignar': {
        const account = await this.pickedAccount(form.cuentaId);
        // The previous holder is whoever holds the account now (correction 9: both appear in the movement log).
        return { cuentaId: account.id, newCurp: normalizeCurp(form.newCurp ?? ''), previousCurp: account.titularCurp };
      }
      case 'motivo':
        return { motivo: (form.motivo ?? '').trim() };
      case 'boton':
        return {};
    }
  }

  private async pickedAccount(id: string | undefined): Promise<CuentaRecord> {
    const account = id && /^[0-9a-f-]{36}$/i.test(id) ? await this.records.cuenta(id) : null;
    if (!account)
      throw new DomainError('CUENTA_REQUERIDA', 'Busque la cuenta y elíjala de la lista de resultados.', 400);
    return account;
  }

  /** The oficio that opened the case: whoever may see the case (checked by CaseQueryService.get) may read it. */
  private async oficioOf(caso: CaseView): Promise<OficioView | null> {
    return caso.folio ? this.oficios.ofCase(caso.id) : null;
  }

  /** The scanned oficio of a case, for whoever may see the case (404 for anyone else, as the case itself). */
  async scan(id: string, staff: AuthenticatedStaff): Promise<{ data: Buffer; mime: string; nombre: string }> {
    await this.cases.position(id, staff);
    return this.oficios.scanOf(id);
  }

  private async action(
    caso: CaseView,
    a: CaseView['acciones'][number],
    datos: Partial<CaseContext>,
    oficio: OficioView | null,
    posted: Form | undefined,
  ): Promise<ActionVm> {
    const kind = actionKind(caso.procedimiento, a.evento);
    const fields = ACTION_FIELDS[kind];
    const values: Form = posted ? dataOf(posted, fields) : this.defaults(kind, datos, oficio);
    if (posted?._usar) {
      try {
        const chosen = JSON.parse(posted._usar) as Record<string, unknown>;
        for (const [k, v] of Object.entries(chosen)) if (fields.includes(k) && typeof v === 'string') values[k] = v;
      } catch {
        // A hand-made value: ignore it, the form stays as it was.
      }
    }
    const vm: ActionVm = {
      evento: a.evento,
      etiqueta: a.etiqueta,
      kind,
      values,
      cuentas: null,
      trabajadores: null,
      centros: null,
      avisoBusqueda: null,
    };
    const search = async <T>(term: string | undefined, run: (q: { q: string }) => Promise<T>): Promise<T | null> => {
      if (!term?.trim()) return null;
      try {
        return await run(await validateDto(SearchDto, { q: term.trim() }));
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        vm.avisoBusqueda = e.message;
        return null;
      }
    };
    if (fields.includes('buscarCuenta'))
      vm.cuentas = await search(values.buscarCuenta, (q) => this.catalog.accounts(q));
    if (fields.includes('buscarTrabajador'))
      vm.trabajadores = await search(values.buscarTrabajador, (q) => this.catalog.workers(q));
    if (fields.includes('buscarCentro')) vm.centros = await search(values.buscarCentro, (q) => this.catalog.schools(q));
    return vm;
  }

  /** What the oficio already says, so the Subjefatura starts from the account, school or person it names. */
  private defaults(kind: ActionKind, datos: Partial<CaseContext>, oficio: OficioView | null): Form {
    const c = oficio?.concierne;
    switch (kind) {
      case 'crear-centro':
        return { buscarCentro: oficio?.cct ?? datos.cct ?? c?.ccts[0] ?? '' };
      case 'crear-servicio':
        return { tipo: 'servicio', buscarTrabajador: c?.curps[0] ?? '' };
      case 'cuenta':
        return { buscarCuenta: c?.cuentas[0] ?? datos.cct ?? c?.ccts[0] ?? c?.curps[0] ?? '' };
      case 'reasignar':
        return { buscarCuenta: c?.cuentas[0] ?? '', buscarTrabajador: c?.curps[0] ?? '' };
      case 'nombre': {
        // The name that failed, to be edited rather than typed again from nothing.
        const anterior = datos.alta && datos.alta.tipo !== 'centro_trabajo' ? datos.alta.localPart : '';
        return { localPart: anterior, anterior };
      }
      case 'motivo':
      case 'boton':
        return {};
    }
  }
}

/** `inline` with the file's name: ASCII for old clients, UTF-8 (RFC 6266 / 8187) for the rest; quotes never break out. */
export function inlineDisposition(name: string): string {
  const ascii =
    name
      .normalize('NFD')
      .replace(/[^\x20-\x7e]/g, '')
      .replace(/["\\]/g, '_') || 'oficio';
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

function accountInfo(c: CuentaRecord): AccountInfo {
  return {
    id: c.id,
    direccion: c.direccion,
    tipo: TIPO_CUENTA_LABEL[c.tipo] ?? c.tipo,
    estado: c.estado,
    titularCurp: c.titularCurp,
    titularCct: c.titularCct,
  };
}

@StaffPages()
@Controller('tramites')
export class CasePage {
  constructor(private readonly pages: CasePageService) {}

  @Get(':id')
  async show(
    @PageChrome() chrome: Chrome,
    @Param('id', uuid) id: string,
    @Query('hecho') hecho: unknown,
    @Query('aviso') aviso: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const vm = await this.pages.view(id, chrome.staff!, { hecho, aviso });
    sendHtml(res, renderCase(chrome, vm));
  }

  /**
   * The scan the Subdirección uploaded, shown inside the case page (PDF in a frame, an image as an image): its stored
   * type, inline, never sniffed into anything else, not cached.
   */
  @Get(':id/oficio')
  async scan(@PageChrome() chrome: Chrome, @Param('id', uuid) id: string, @Res() res: Response): Promise<void> {
    const { data, mime, nombre } = await this.pages.scan(id, chrome.staff!);
    res
      .status(200)
      .type(mime)
      .setHeader('Content-Disposition', inlineDisposition(nombre))
      .setHeader('X-Content-Type-Options', 'nosniff')
      .setHeader('Cache-Control', 'private, no-store')
      .send(data);
  }

  @Post(':id/acciones')
  async act(
    @PageChrome() chrome: Chrome,
    @Param('id', uuid) id: string,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const form = readForm(body);
    try {
      if (await this.pages.submit(id, chrome.staff!, form)) {
        seeOther(res, `/tramites/${id}?hecho=${encodeURIComponent(form.evento)}`);
        return;
      }
      sendHtml(res, renderCase(chrome, await this.pages.view(id, chrome.staff!, { posted: form })));
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      sendHtml(res, renderCase(chrome, await this.pages.view(id, chrome.staff!, { posted: form, error: e })), e.status);
    }
  }
}
