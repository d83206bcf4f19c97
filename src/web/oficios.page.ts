import {
  Body,
  type CallHandler,
  Controller,
  type ExecutionContext,
  Get,
  HttpException,
  Inject,
  Injectable,
  type NestInterceptor,
  PayloadTooLargeException,
  Post,
  Query,
  Req,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import { FileFieldsInterceptor } from '@nestjs/platform-express';
import type { Response } from 'express';
import { type Observable, of } from 'rxjs';
import { Roles } from '../auth/auth.guard';
import type { AuthenticatedStaff } from '../auth/auth.service';
import { StaffUsersService } from '../auth/staff-users.service';
import { CatalogRecords } from '../catalog/catalog-records';
import { DomainError } from '../common/domain-error';
import { LETTER_PROCEDURES } from '../letters/templates';
import { FILE_STORE, type FileStore } from '../oficios/file-store';
import { MAX_OFICIO_LINEAS, OficioRegisterQuery, RegisterOficioDto } from '../oficios/oficio.dto';
import { type RegisterEntry, OficioRegisterService } from '../oficios/oficio-register.service';
import { isoDateMx, OficiosService } from '../oficios/oficios.service';
import { detectType, MAX_UPLOAD_BYTES, tooLarge, UPLOAD_FIELD, type UploadedFileData } from '../oficios/upload';
import {
  type Annex,
  annexOf,
  type LineRow,
  type LineRowView,
  rowsFromFile,
  rowsFromTable,
  rowsFromText,
  rowsWithErrors,
  SCHOOL_ANNEX,
  SERVICIO_ANNEX,
} from './oficio-lines-form';
import {
  type FieldError,
  type FieldLabels,
  type FieldProblem,
  type Form,
  dataOf,
  fieldProblems,
  formErrors,
  readForm,
  validateDto,
} from './forms';
import { datetimeLocalToIso, fechaIso, nivelOptions } from './format';
import { type Chrome, query } from './layout';
import { CsrfTokens, PageChrome, type PageRequest, seeOther, sendHtml, StaffPages } from './page-auth';
import { ProcedureLabels } from './procedure-labels';
import { renderOficioForm, renderOficioList } from './oficios.view';

type UploadRequest = PageRequest & {
  uploadError?: DomainError;
  file?: UploadedFileData;
  files?: Record<string, UploadedFileData[] | undefined>;
  /** The CSV or Excel book of an oficio's schools (field «lineasCsv»), when one was chosen. */
  lineasCsv?: UploadedFileData;
};

/**
 * The uploads of the registration page: the scan (field «archivo», 10 MB, as POST /api/oficios) and the CSV or Excel
 * book of an oficio's schools (field «lineasCsv»), one file each. Their errors are kept for the page to show beside the
 * form instead of ending the request, and the form token is checked once the multipart fields are parsed. The table
 * of lines posts two fields a row: up to 500 rows.
 */
@Injectable()
export class PageUpload implements NestInterceptor {
  private readonly inner = new (FileFieldsInterceptor(
    [
      { name: UPLOAD_FIELD, maxCount: 1 },
      { name: 'lineasCsv', maxCount: 1 },
    ],
    {
      limits: { fileSize: MAX_UPLOAD_BYTES, files: 2, fields: 40 + 2 * MAX_OFICIO_LINEAS, fieldSize: 64 * 1024 },
      defParamCharset: 'utf8',
    },
  ))();

  constructor(private readonly csrf: CsrfTokens) {}

  async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = ctx.switchToHttp().getRequest<UploadRequest>();
    try {
      await this.inner.intercept(ctx, { handle: () => of(null) });
    } catch (e) {
      const refusal =
        e instanceof PayloadTooLargeException
          ? tooLarge()
          : e instanceof HttpException
            ? new DomainError('ARCHIVO_INVALIDO', 'Elija un solo archivo en cada campo.', 400)
            : e;
      if (!(refusal instanceof DomainError)) throw refusal;
      req.uploadError = refusal;
      // A refused upload leaves no file: multer may have left the first of two, without its bytes.
      req.files = undefined;
    }
    req.file = req.files?.[UPLOAD_FIELD]?.[0];
    req.lineasCsv = req.files?.lineasCsv?.[0];
    this.csrf.check(req);
    return next.handle();
  }
}

export const OFICIO_FIELDS = [
  'procedimiento',
  'numeroOficio',
  'fechaOficio',
  'remitenteNombre',
  'remitenteCargo',
  'nivel',
  'area',
  'responsableId',
  'asunto',
  'cct',
  'curps',
  'ccts',
  'cuentas',
  'fojas',
  'anexos',
  'recibidoEn',
  'confirmarDuplicado',
] as const;

/** The labels of the registration form (templates/pages/oficio-nuevo.hbs), for its error messages. */
export const OFICIO_LABELS: FieldLabels = {
  procedimiento: 'Qué solicita el oficio',
  numeroOficio: 'Número del oficio',
  fechaOficio: 'Fecha del oficio',
  remitenteNombre: 'Nombre de quien firma',
  remitenteCargo: 'Cargo de quien firma',
  nivel: 'Nivel que solicita',
  area: 'Área solicitante',
  responsableId: 'Responsable con cuenta en el sistema',
  fojas: 'Fojas',
  asunto: 'Asunto',
  anexos: 'Anexos',
  cct: 'CCT del centro de trabajo',
  cuentas: 'Cuentas de correo',
  curps: 'CURP de las personas',
  ccts: 'CCT de los centros de trabajo',
  recibidoEn: 'Recibido el',
  archivo: 'Oficio escaneado',
  confirmarDuplicado: 'Registrar de todos modos',
  lineas: 'Líneas del oficio',
  lineasTexto: 'Líneas pegadas, una por renglón',
  lineasCsv: 'Archivo del anexo: CSV o Excel (.xlsx)',
};

/**
 * What the page says about a field instead of the API's message, where that one names keys or lists ids
 * («centro-trabajo-alta», «nivel») the form does not show.
 */
const OFICIO_MESSAGES: Record<string, string> = {
  procedimiento: 'Elija en la lista qué solicita el oficio.',
  nivel: 'Elija un nivel de la lista.',
  responsableId: 'Elija un responsable de la lista.',
};

/** A refusal of the registration service, placed on the field it is about, in the form's words. */
function serviceProblem(e: DomainError, annex: Annex): FieldProblem | null {
  const dates = (m: string): string => m.replace(/\b(\d{4}-\d{2}-\d{2})\b/g, (d) => fechaIso(d));
  switch (e.code) {
    case 'ARCHIVO_REQUERIDO':
      return { campo: 'archivo', mensaje: 'Adjunte el oficio escaneado (PDF, PNG, JPEG o TIFF).' };
    case 'ARCHIVO_INVALIDO':
      // The API's words name the multipart field; a person chose more than one file.
      return { campo: 'archivo', mensaje: 'Elija un solo archivo: el oficio escaneado.' };
    case 'TIPO_DE_ARCHIVO_NO_ADMITIDO':
    case 'ARCHIVO_DEMASIADO_GRANDE':
      return { campo: 'archivo', mensaje: e.message };
    case 'REMITENTE_INCOMPLETO':
      return {
        campo: 'nivel',
        mensaje: 'Elija el nivel que solicita, o escriba el área solicitante si no es un nivel.',
      };
    case 'NIVEL_REQUERIDO':
      return {
        campo: 'nivel',
        mensaje: 'La cuenta de un centro de trabajo la solicita su nivel (Guía 5.2.1): elija el nivel que solicita.',
      };
    case 'NIVEL_DESCONOCIDO':
      return { campo: 'nivel', mensaje: OFICIO_MESSAGES.nivel };
    case 'RESPONSABLE_DESCONOCIDO':
      return { campo: 'responsableId', mensaje: OFICIO_MESSAGES.responsableId };
    case 'FECHA_INVALIDA':
      return { campo: 'recibidoEn', mensaje: e.message };
    case 'FECHA_FUTURA':
      return { campo: /recepción/.test(e.message) ? 'recibidoEn' : 'fechaOficio', mensaje: dates(e.message) };
    case 'FECHA_INCONGRUENTE':
      return { campo: 'fechaOficio', mensaje: dates(e.message) };
    case 'LINEAS_INVALIDAS': {
      const bad = Array.isArray(e.details?.lineas) ? e.details.lineas.length : 0;
      return {
        campo: 'lineas',
        mensaje: `${bad === 1 ? `Una ${annex.singular} tiene errores` : `${bad} ${annex.plural} tienen errores`} y no se registró nada: corrija las líneas señaladas y envíe de nuevo.`,
      };
    }
    case 'LINEAS_NO_ADMITIDAS':
      return {
        campo: 'lineas',
        mensaje:
          'Varias cuentas en un oficio son solo para «Alta de cuenta de centro de trabajo» (5.2.1) y para «Alta de cuenta de servicio o función» (5.3.1).',
      };
    case 'LINEAS_Y_CCT':
      return {
        campo: 'cct',
        mensaje: 'Con varias escuelas, la CCT va en cada línea: deje vacío «CCT del centro de trabajo».',
      };
    default:
      return null;
  }
}

/** A scan already received with a form that came back with an error: kept, so it need not be chosen again. */
export interface KeptFile {
  clave: string;
  nombre: string;
  bytes: number;
  firma: string;
}

export interface OficioFormVm {
  values: Form;
  procedimientos: { value: string; label: string }[];
  niveles: { value: string; label: string }[];
  responsables: { value: string; label: string }[];
  archivo: KeptFile | null;
  /** The 409 of a sender number already registered: the page offers to register it anyway. */
  duplicado: boolean;
  error: string | null;
  /** The fields the last submission got wrong. */
  campos: FieldError[];
  /**
   * The tables of an oficio for many: its schools (5.2.1) and its Servicio accounts (5.3.1), as sent, each line with
   * its errors (the view adds blank rows to type in).
   */
  lineas?: LineRowView[];
  lineasServicio?: LineRowView[];
}

export interface OficioListVm {
  filtros: Form;
  /** The cursor of the page shown (empty on the first page). */
  cursor: Form;
  /** A Nivel or a responsable: their own oficios («Mis oficios»), without the level filter. */
  propios: boolean;
  items: RegisterEntry[];
  /** Staff user names of the page (who holds a task, downloaded a document, acknowledged a reply). */
  nombres: Map<string, string>;
  total: number;
  totalAcotado: boolean;
  siguiente: string | null;
  anterior: string | null;
  procedimientos: { value: string; label: string }[];
  niveles: { value: string; label: string }[];
  error: string | null;
}

const LIST_KEYS = [
  'folio',
  'numero',
  'remitente',
  'asunto',
  'nivel',
  'procedimiento',
  'estado',
  'anio',
  'mes',
] as const;
const CURSOR_KEYS = ['despues', 'antes'] as const;
const OWN_ROLES: readonly string[] = ['nivel', 'responsable'];

/** Registration of an incoming oficio (OficiosService.register) and the oficio register (OficiosService.list) as pages. */
@Injectable()
export class OficioPagesService {
  constructor(
    private readonly oficios: OficiosService,
    private readonly registry: OficioRegisterService,
    private readonly catalog: CatalogRecords,
    private readonly staff: StaffUsersService,
    private readonly labels: ProcedureLabels,
    private readonly csrf: CsrfTokens,
    @Inject(FILE_STORE) private readonly files: FileStore,
  ) {}

  async formVm(values: Form, extra: Partial<OficioFormVm> = {}): Promise<OficioFormVm> {
    const [niveles, responsables] = await Promise.all([this.catalog.niveles(), this.staff.activeOfRole('responsable')]);
    return {
      values: { fechaOficio: isoDateMx(new Date()), ...values },
      procedimientos: this.labels.procedures(LETTER_PROCEDURES),
      niveles: nivelOptions(niveles),
      responsables: responsables.map((r) => ({ value: r.id, label: r.nombre })),
      archivo: null,
      duplicado: false,
      error: null,
      campos: [],
      ...extra,
    };
  }

  /** Registers; on a refusal, the form as it was sent, the reason, and the scan kept for the next try. */
  async register(
    staff: AuthenticatedStaff,
    sessionToken: string,
    form: Form,
    upload: UploadedFileData | undefined,
    uploadError: DomainError | undefined,
    annex: { body?: unknown; csv?: UploadedFileData } = {},
  ): Promise<{ tramite: string; folio: string; lineas: number; anexo: Annex } | { vm: OficioFormVm; status: number }> {
    const values = dataOf(form, OFICIO_FIELDS);
    let file: UploadedFileData | undefined = upload && upload.size > 0 ? upload : undefined;
    // Both tables are on the page (without its script both show): the lines are those of the procedure chosen.
    const kind = annexOf(values.procedimiento);
    // The table's rows, then the pasted ones, then the file's (CSV or .xlsx): a refusal's line numbers count so.
    let rows: LineRow[] = [...rowsFromTable(kind, annex.body), ...rowsFromText(kind, form.lineasTexto)];
    try {
      if (uploadError) throw uploadError;
      if (annex.csv && annex.csv.size > 0) rows = [...rows, ...(await rowsFromFile(kind, annex.csv.buffer))];
      file ??= await this.keptFile(sessionToken, form);
      const dto = await validateDto(
        RegisterOficioDto,
        {
          ...values,
          ...(values.recibidoEn ? { recibidoEn: datetimeLocalToIso(values.recibidoEn) } : {}),
          ...(rows.length ? { lineas: JSON.stringify(rows.map(kind.toApi)) } : {}),
        },
        OFICIO_LABELS,
      );
      const done = await this.oficios.register(staff, dto, file);
      return { tramite: done.tramite, folio: done.folio, lineas: done.lineas?.length ?? 0, anexo: kind };
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      const duplicado = e.code === 'OFICIO_DUPLICADO';
      const extra = serviceProblem(e, kind);
      const problems = duplicado
        ? [
            {
              campo: 'numeroOficio',
              mensaje: `${e.message.split(' Si es un oficio distinto')[0]} Si es un oficio distinto con el mismo número, marque «Registrar de todos modos» y envíe de nuevo.`,
            },
          ]
        : [
            ...fieldProblems(e).map((p) => ({ ...p, mensaje: OFICIO_MESSAGES[p.campo] ?? p.mensaje })),
            ...(extra ? [extra] : []),
          ];
      const { error, campos } = formErrors(e, OFICIO_LABELS, { problems });
      const archivo = file && detectType(file.buffer) ? await this.keep(sessionToken, file) : null;
      // The procedure's lines with their errors; the other table as it was typed.
      const shown = (a: Annex): LineRowView[] =>
        a === kind ? rowsWithErrors(a, rows, e) : rowsWithErrors(a, rowsFromTable(a, annex.body));
      return {
        vm: await this.formVm(
          { ...values, confirmarDuplicado: '' },
          { archivo, duplicado, error, campos, lineas: shown(SCHOOL_ANNEX), lineasServicio: shown(SERVICIO_ANNEX) },
        ),
        status: e.status,
      };
    }
  }

  /** The register of the signed-in role (OficioRegisterService.page: scoped, by keyset), with names instead of ids. */
  async list(staff: AuthenticatedStaff, raw: Record<string, unknown>): Promise<OficioListVm> {
    const propios = OWN_ROLES.includes(staff.role);
    const filtros: Form = {};
    for (const k of LIST_KEYS) {
      const v = raw[k];
      if (typeof v === 'string' && v.trim() && !(propios && k === 'nivel')) filtros[k] = v.trim();
    }
    const cursor: Form = {};
    for (const k of CURSOR_KEYS) {
      const v = raw[k];
      if (typeof v === 'string' && v.trim() && !Object.keys(cursor).length) cursor[k] = v.trim();
    }
    // The levels of the filter's list are read while the page is: a round trip less.
    const [niveles, found] = await Promise.all([this.catalog.niveles(), this.found(staff, { ...filtros, ...cursor })]);
    return {
      filtros,
      cursor,
      propios,
      procedimientos: this.labels.procedures(LETTER_PROCEDURES),
      niveles: nivelOptions(niveles),
      ...found,
    };
  }

  /** The register's page for the filters and cursor given, with the names it shows; a request it refuses, as its error. */
  private async found(
    staff: AuthenticatedStaff,
    query: Form,
  ): Promise<Pick<OficioListVm, 'items' | 'nombres' | 'total' | 'totalAcotado' | 'siguiente' | 'anterior' | 'error'>> {
    try {
      const q = await validateDto(OficioRegisterQuery, { ...query, porPagina: '25' });
      const page = await this.registry.page(staff, q);
      const nombres = await this.staff.namesOf(
        page.items.flatMap((e) => [
          ...(e.caso?.tasks.map((t) => t.assigneeId) ?? []),
          ...e.documentos.flatMap((d) => d.descargas.map((x) => x.usuario)),
          e.acuseRecibo?.usuario,
        ]),
      );
      const { items, total, totalAcotado, siguiente, anterior } = page;
      return { items, nombres, total, totalAcotado, siguiente, anterior, error: null };
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      return {
        items: [],
        nombres: new Map(),
        total: 0,
        totalAcotado: false,
        siguiente: null,
        anterior: null,
        error: e.message,
      };
    }
  }

  private async keep(sessionToken: string, file: UploadedFileData): Promise<KeptFile> {
    const stored = await this.files.save(file.buffer);
    const nombre = (file.originalname || 'oficio').slice(0, 200);
    return {
      clave: stored.key,
      nombre,
      bytes: stored.bytes,
      firma: this.csrf.mac(sessionToken, 'archivo', `${stored.key}\0${nombre}`),
    };
  }

  /** The scan kept by a previous try of this same session (the signature proves the page got it from us). */
  private async keptFile(sessionToken: string, form: Form): Promise<UploadedFileData | undefined> {
    const key = form.archivoClave ?? '';
    const nombre = form.archivoNombre ?? '';
    if (!key || !this.csrf.matches(sessionToken, 'archivo', `${key}\0${nombre}`, form.archivoFirma)) return undefined;
    const buffer = await this.files.read(key);
    return { originalname: nombre, mimetype: 'application/octet-stream', size: buffer.length, buffer };
  }
}

/**
 * «Oficio registrado con el folio …: 25 centros de trabajo» (or «3 cuentas de servicio o función», `anexo=servicio`),
 * after the registration of an oficio for many accounts.
 */
function registeredNotice(q: Record<string, unknown>): string | null {
  const n = typeof q.registrado === 'string' && /^\d{1,3}$/.test(q.registrado) ? Number(q.registrado) : 0;
  const folio = typeof q.folio === 'string' ? q.folio.trim() : '';
  if (!n || !folio) return null;
  const what =
    q.anexo === 'servicio'
      ? `${n} ${n === 1 ? 'cuenta' : 'cuentas'} de servicio o función, un trámite por cuenta`
      : `${n} ${n === 1 ? 'centro' : 'centros'} de trabajo, un trámite por centro`;
  return `Oficio registrado con el folio ${folio}: ${what}. El acuse de recibo se genera en unos segundos.`;
}

@StaffPages()
@Controller('oficios')
export class OficiosPage {
  constructor(private readonly pages: OficioPagesService) {}

  /** The register: every oficio for the Subdirección and the Subjefatura, «Mis oficios» for a Nivel or a responsable. */
  @Get()
  @Roles('subdireccion', 'subjefatura', 'nivel', 'responsable')
  async list(@PageChrome() chrome: Chrome, @Query() q: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const vm = await this.pages.list(chrome.staff!, q);
    sendHtml(res, renderOficioList(chrome, vm, new Date(), registeredNotice(q)), vm.error ? 400 : 200);
  }

  @Get('nuevo')
  @Roles('subdireccion')
  async form(@PageChrome() chrome: Chrome, @Res() res: Response): Promise<void> {
    sendHtml(res, renderOficioForm(chrome, await this.pages.formVm({})));
  }

  @Post('nuevo')
  @Roles('subdireccion')
  @UseInterceptors(PageUpload)
  async register(
    @PageChrome() chrome: Chrome,
    @Req() req: UploadRequest,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const out = await this.pages.register(chrome.staff!, req.token ?? '', readForm(body), req.file, req.uploadError, {
      body,
      csv: req.lineasCsv,
    });
    // An oficio for many schools: its row in the register, with its lines' progress («0 de 25 concluidos»).
    if ('tramite' in out && out.lineas > 0)
      seeOther(
        res,
        `/oficios${query({ folio: out.folio, registrado: out.lineas, ...(out.anexo === SERVICIO_ANNEX ? { anexo: 'servicio' } : {}) })}`,
      );
    else if ('tramite' in out) seeOther(res, `/tramites/${out.tramite}?aviso=registrado`);
    else sendHtml(res, renderOficioForm(chrome, out.vm), out.status);
  }
}
