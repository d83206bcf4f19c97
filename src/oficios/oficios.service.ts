import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { CaseContext } from '../../machines/index';
import type { StepMeta } from '../../machines/types';
import { StaffUsersService } from '../auth/staff-users.service';
import { CatalogRecords } from '../catalog/catalog-records';
import { DomainError, notFound } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { cctProblem } from '../validation/cct';
import { inTransaction } from '../database/transaction';
import { type Actor, ROLE_LABEL } from '../auth/actor';
import { type CaseEnd, EngineService, type TransitionResult } from '../engine/engine.service';
import { type CaseRecord, CaseRecords } from '../engine/case-records';
import { mexicoCityParts } from '../letters/fecha';
import type { LetterProcedure } from '../letters/templates';
import { IssuedDocument } from './entities/document.entity';
import { Oficio, type OficioConcierne } from './entities/oficio.entity';
import type { OficioLinea } from './entities/oficio-linea.entity';
import { FILE_STORE, type FileStore } from './file-store';
import { AREA_SSST, folioYear, inNumberingTransaction, registrationFolio, takeNumber } from './folio';
import type { CancelOficioDto, ListOficiosQuery, RegisterOficioDto } from './oficio.dto';
import { normalizeNumber, OficioSearch, receiptMonth, type RegisterRow, type SearchPage } from './oficio-search';
import { writeOficioWords } from './oficio-words';
import { checkOficioLines, checkServicioLines } from './oficio-lines';
import {
  allLinesCancelled,
  insertLines,
  lineErrors,
  oficioOfCase,
  oficiosWithLines,
  openLines,
  recordLineEnd,
  type RegisteredLine,
} from './oficio-batch';
import { lineEndedUnanswered, lineForEnd } from './oficio-reply';
import { detectType, type UploadedFileData } from './upload';
import { sha256 } from '../letters/verification';
import { searchText } from '../common/search-text';

export interface OficioView {
  id: string;
  folio: string;
  estado: Oficio['status'];
  procedimiento: string;
  tramite: string;
  numeroOficio: string;
  fechaOficio: string;
  remitente: { nombre: string; cargo: string };
  nivel: string | null;
  area: string | null;
  responsableId: string | null;
  asunto: string;
  cct: string | null;
  concierne: OficioConcierne;
  fojas: number;
  anexos: string | null;
  archivo: { sha256: string; tipo: string; bytes: number; nombre: string | null };
  recibido: { en: string; por: string };
  cancelacion: { en: string; motivo: string } | null;
}

export interface RegisteredOficio extends OficioView {
  /** The case as the engine left it: state `turno` with the acuse command in the outbox. */
  caso: Pick<TransitionResult, 'state' | 'version' | 'commands'>;
  /** An oficio for many accounts (5.2.1, 5.3.1): its lines, each with its own case (the case above is line 1's). */
  lineas?: RegisteredLine[];
}

/** Who cancelled an oficio, why and when. */
interface Cancellation {
  por: string;
  motivo: string;
  en: Date;
}

/** A line of the annex once checked, as its row will hold it. */
type AnnexLine = Pick<OficioLinea, 'linea' | 'cct' | 'curp' | 'tipoCuenta' | 'nombreCuenta'>;

/** Actor of a registration: a signed-in staff user. */
type Registrar = Actor & { nombre?: string };

/** Upper case without accents and with single spaces: "Dirección  de Becas" and "DIRECCION DE BECAS" are one sender. */
export const normalizeSender = (s: string): string =>
  s.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase().replace(/\s+/g, ' ').trim();
export { normalizeNumber };

/** GET /api/oficios pages by number up to this many oficios; past them, by the cursors. */
export const LIST_OFFSET_MAX = 10_000;

/** A page of GET /api/oficios. */
export interface OficioListPage extends Omit<SearchPage, 'rows'> {
  items: OficioView[];
  pagina: number;
  porPagina: number;
}

/**
 * Registration of incoming oficios by the Subdirección (Guía 5.2.1 paso 3, 5.3.1 paso 3, 5.3.2, 5.4 y 5.5: "recibe
 * oficio, firma y sella de recibido") and the case it starts.
 *
 * One transaction takes the folio, inserts the oficio and opens its case (EngineService.start in our EntityManager):
 * a refusal, an error or a killed process leaves neither an oficio without its case nor a spent number. Only the scan
 * is written before it (files cannot join a transaction); a scan no row references is removed later by
 * StoredFileSweep.
 */
@Injectable()
export class OficiosService implements OnModuleInit {
  private readonly log = new Logger('Oficios');
  /** Whether this process ran reconcileCancelledCases (once, in its first maintenance pass as the lease's holder). */
  private reconciled = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly engine: EngineService,
    @Inject(FILE_STORE) private readonly files: FileStore,
    private readonly cases: CaseRecords,
    private readonly catalog: CatalogRecords,
    private readonly staff: StaffUsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly search: OficioSearch,
  ) {}

  onModuleInit(): void {
    this.engine.onCaseEnd((em, end) => this.followCaseEnd(em, end));
  }

  async register(
    actor: Registrar,
    dto: RegisterOficioDto,
    file: UploadedFileData | undefined,
    now = new Date(),
  ): Promise<RegisteredOficio> {
    if (!file || file.size === 0) {
      throw new DomainError(
        'ARCHIVO_REQUERIDO',
        'Adjunte el oficio escaneado (PDF, PNG, JPEG o TIFF) en el campo «archivo».',
        400,
      );
    }
    const mime = detectType(file.buffer);
    if (!mime) {
      throw new DomainError(
        'TIPO_DE_ARCHIVO_NO_ADMITIDO',
        'El archivo no es un PDF ni una imagen PNG, JPEG o TIFF (se revisa su contenido, no su nombre). Escanee el oficio en uno de esos formatos e intente de nuevo.',
        415,
      );
    }
    const procedure = dto.procedimiento;
    const def = await this.engine.currentVersion(procedure, now);
    if (!def.startRoles.includes(actor.role)) {
      throw new DomainError(
        'ROL_NO_AUTORIZADO',
        `El registro de oficios corresponde a: ${ROLE_LABEL.subdireccion}. Su rol es ${ROLE_LABEL[actor.role]}.`,
        403,
      );
    }
    const nivel = await this.checkSender(dto, procedure);
    const recibidoAt = this.receptionInstant(dto, now);
    // Every line checked against the catalog before anything is written (not even the scan): one bad line, a 422
    // naming every bad line and field.
    const lines = dto.lineas ? await this.checkLines(dto, procedure) : null;
    const withLines = (given: string[] | undefined, of: (l: AnnexLine) => string | null): string[] => {
      const named = (lines ?? []).flatMap((l) => of(l) ?? []);
      return named.length ? [...new Set([...(given ?? []), ...named])] : (given ?? []);
    };
    const concierne: OficioConcierne = {
      curps: withLines(dto.curps, (l) => l.curp),
      ccts: withLines(dto.ccts, (l) => l.cct),
      cuentas: dto.cuentas ?? [],
    };
    const remitenteClave = nivel ? `NIVEL:${nivel.clave}` : `AREA:${normalizeSender(dto.area ?? '')}`;
    const numeroNormalizado = normalizeNumber(dto.numeroOficio);
    const stored = await this.files.save(file.buffer);

    // One transaction: the folio, the oficio and its case (movements, tasks, the acuse in the outbox) commit together or
    // not at all, so a failure or a killed process leaves no oficio without its case and gives the number back.
    const { oficio, started, registeredLines } = await inNumberingTransaction(this.ds, async (em) => {
      const anio = folioYear(recibidoAt);
      const n = await takeNumber(em, AREA_SSST, 'recepcion', anio);
      // Under the counter's lock: two clerks registering the same letter at once cannot both miss each other.
      if (!dto.confirmarDuplicado) {
        const prev = await em.findOne(Oficio, {
          where: { numeroNormalizado, remitenteClave, status: 'registrado' },
          order: { recibidoAt: 'ASC' },
        });
        if (prev) {
          throw new DomainError(
            'OFICIO_DUPLICADO',
            `El oficio ${prev.numeroRemitente} de ${prev.area ?? prev.remitenteNombre} ya se registró con el folio ${prev.folio} ` +
              `el ${dateMx(prev.recibidoAt)}. Si es un oficio distinto con el mismo número, vuelva a enviarlo con confirmarDuplicado=true.`,
            409,
            { folioExistente: prev.folio, oficioExistente: prev.id },
          );
        }
      }
      const row: Oficio = {
        id: randomUUID(),
        folio: registrationFolio(anio, n),
        folioAnio: anio,
        folioNumero: n,
        numeroRemitente: dto.numeroOficio,
        numeroNormalizado,
        remitenteClave: remitenteClave.slice(0, 220),
        fechaOficio: dto.fechaOficio,
        remitenteNombre: dto.remitenteNombre,
        remitenteCargo: dto.remitenteCargo,
        nivelClave: nivel?.clave ?? null,
        area: dto.area ?? nivel?.nombre ?? null,
        responsableId: dto.responsableId ?? null,
        asunto: dto.asunto,
        remitenteBusqueda: searchText(dto.remitenteNombre, dto.remitenteCargo, dto.area ?? nivel?.nombre),
        asuntoBusqueda: searchText(dto.asunto),
        procedureId: procedure,
        caseId: randomUUID(),
        cct: dto.cct ?? null,
        concierne: JSON.stringify(concierne),
        fojas: dto.fojas ?? 1,
        anexos: dto.anexos ?? null,
        archivoSha256: stored.sha256,
        archivoMime: mime,
        archivoBytes: stored.bytes,
        archivoKey: stored.key,
        archivoNombre: file.originalname ? file.originalname.slice(0, 200) : null,
        recibidoAt,
        recibidoMes: receiptMonth(recibidoAt),
        recibidoPor: actor.id.slice(0, 36),
        recibidoPorNombre: (actor.nombre ?? actor.id).slice(0, 160),
        status: 'registrado',
        canceladoAt: null,
        canceladoPor: null,
        motivoCancelacion: null,
        createdAt: now,
      };
      await em.insert(Oficio, row);
      await writeOficioWords(em, null, row);
      // The Subdirección registering a paper oficio both sends it (SOLICITAR) and receives it (RECIBIR_OFICIO, which
      // declares renderAcuse), in the case's opening.
      const open = (caseId: string, cct: string | null) =>
        this.engine.start(
          procedure,
          actor,
          {
            oficio: { folio: row.numeroRemitente, fecha: row.fechaOficio, asunto: row.asunto },
            ...(row.nivelClave ? { nivel: row.nivelClave } : {}),
            ...(cct ? { cct } : {}),
          },
          {
            now,
            folio: row.folio,
            caseId,
            responsableId: row.responsableId,
            followUp: [{ type: 'RECIBIR_OFICIO', at: recibidoAt.toISOString() }],
            em,
          },
        );
      if (!lines) return { oficio: row, started: await open(row.caseId, row.cct), registeredLines: undefined };
      // Many accounts: one child case per line, each opened as a one-line registration opens its case (a school's
      // line with its CCT, the oficio's folio); line 1's case is the one the oficio names, and the only one whose
      // acuse is issued.
      const rows: OficioLinea[] = lines.map((l, i) => ({
        oficioId: row.id,
        ...l,
        caseId: i === 0 ? row.caseId : randomUUID(),
        resultado: null,
        respuesta: null,
        respuestaOutboxId: null,
      }));
      const first = await open(rows[0].caseId, rows[0].cct);
      for (const l of rows.slice(1)) await open(l.caseId, l.cct);
      await insertLines(em, rows);
      const registered = rows.map((l): RegisteredLine => ({
        linea: l.linea,
        ...(l.curp ? { curp: l.curp, tipo: l.tipoCuenta ?? 'servicio' } : { cct: l.cct ?? '' }),
        nombreCuenta: l.nombreCuenta,
        tramite: l.caseId,
      }));
      return { oficio: row, started: first, registeredLines: registered };
    });
    return {
      ...toView(oficio),
      caso: { state: started.state, version: started.version, commands: started.commands },
      ...(registeredLines ? { lineas: registeredLines } : {}),
    };
  }

  /**
   * The lines of an oficio for many accounts (5.2.1: schools; 5.3.1: Servicio accounts), each checked against the
   * catalog (checkOficioLines, checkServicioLines): any error is a 422 with every bad line, its fields and Spanish
   * messages, before anything is written.
   */
  private async checkLines(dto: RegisterOficioDto, procedure: LetterProcedure): Promise<AnnexLine[]> {
    const text = (v: unknown): string => (typeof v === 'string' ? v : '');
    const lineas = dto.lineas ?? [];
    const refuse = (e: DomainError | null): void => {
      if (e) throw e;
    };
    if (procedure === 'servicio-alta') {
      const checks = await checkServicioLines(
        this.catalog,
        this.config.mailDomain,
        lineas.map((l) => ({
          curp: text(l.curp),
          cuenta: text(l.cuenta),
          ...(l.tipo === undefined || l.tipo === null ? {} : { tipo: text(l.tipo) }),
        })),
      );
      refuse(lineErrors(checks, (c) => ({ curp: c.curp })));
      return checks.map((c) => ({
        linea: c.linea,
        cct: null,
        curp: c.curp,
        tipoCuenta: c.tipo,
        nombreCuenta: c.nombreCuenta,
      }));
    }
    if (procedure !== 'centro-trabajo-alta')
      throw new DomainError(
        'LINEAS_NO_ADMITIDAS',
        'Las líneas (varias cuentas en un oficio) son para la cuenta de centros de trabajo (Guía 5.2.1) y las ' +
          'cuentas de servicio o función (Guía 5.3.1).',
        400,
      );
    if (dto.cct)
      throw new DomainError(
        'LINEAS_Y_CCT',
        'Un oficio con líneas indica la CCT de cada escuela en su línea: deje vacío el campo «cct».',
        400,
      );
    const checks = await checkOficioLines(
      this.catalog,
      lineas.map((l) => ({ cct: text(l.cct), nombreCuenta: text(l.nombre) })),
    );
    refuse(lineErrors(checks, (c) => ({ cct: c.cct })));
    return checks.map((c) => ({
      linea: c.linea,
      cct: c.cct,
      curp: null,
      tipoCuenta: null,
      nombreCuenta: c.nombreCuenta,
    }));
  }

  async get(id: string): Promise<OficioView> {
    const row = await this.ds.getRepository(Oficio).findOne({ where: { id } });
    if (!row) throw notFound('El oficio');
    return toView(row);
  }

  /** The oficio a case was opened by, if any (uq_oficio_case). The caller has checked the case is the reader's. */
  async ofCase(caseId: string): Promise<OficioView | null> {
    const row = await oficioOfCase(this.ds.manager, caseId);
    return row ? toView(row) : null;
  }

  /**
   * The scan the Subdirección uploaded for the oficio of a case, as stored (its type detected from the content at
   * registration). The caller has checked the case is the reader's. A file that no longer matches its SHA-256 is not
   * served.
   */
  async scanOf(caseId: string): Promise<{ data: Buffer; mime: string; nombre: string }> {
    const row = await oficioOfCase(this.ds.manager, caseId);
    if (!row) throw notFound('El oficio escaneado');
    const data = await this.files.read(row.archivoKey);
    if (sha256(data) !== row.archivoSha256) {
      this.log.error(
        { oficioId: row.id, key: row.archivoKey },
        'El oficio escaneado guardado no coincide con su huella',
      );
      throw new DomainError(
        'ARCHIVO_ALTERADO',
        'El archivo guardado de este oficio no coincide con el que se recibió; se avisó a la Subjefatura de Sistemas.',
        503,
      );
    }
    return { data, mime: row.archivoMime, nombre: row.archivoNombre ?? `oficio-${row.folio}` };
  }

  /**
   * The API's search: the register's (OficioSearch) for the roles that see every oficio, by page number or by cursor.
   * `total` is counted up to 1,000 (`totalAcotado` past it), as on the «Oficios» page: an exact count read every match.
   */
  async list(q: ListOficiosQuery): Promise<OficioListPage> {
    const pagina = q.pagina ?? 1;
    const porPagina = q.porPagina ?? 25;
    if (pagina > 1 && (q.despues || q.antes))
      throw new DomainError('PAGINA_INVALIDA', 'Indique «pagina» o un cursor («despues» o «antes»), no los dos.', 400);
    if (pagina * porPagina > LIST_OFFSET_MAX)
      throw new DomainError(
        'PAGINA_INVALIDA',
        `Las páginas por número llegan hasta el oficio ${LIST_OFFSET_MAX.toLocaleString('es-MX')} (pagina × porPagina). ` +
          'Para seguir, pida la página siguiente con «despues» igual al «siguiente» de la respuesta anterior.',
        400,
      );
    const { rows, ...page } = await this.search.page(q, {
      porPagina,
      offset: (pagina - 1) * porPagina,
      despues: q.despues,
      antes: q.antes,
      scope: () => undefined,
    });
    return { items: rows.map(toView), ...page, pagina, porPagina };
  }

  /**
   * Cancels an oficio while the Subdirección still holds it (its case in `recepcion` or `turno`, before it is turned
   * to the Subjefatura): CANCELAR with the motivo through the engine, sent as the cancelling user, so it is a movement
   * like any other; the case's end cancels the oficio in the same transaction (`followCaseEnd`), exactly as when the
   * Subjefatura cancels the case from its inbox or anyone cancels from the case page. Once turned, the oficio is the
   * Subjefatura's: 409 saying so.
   */
  async cancel(id: string, actor: Actor, dto: CancelOficioDto, now = new Date()): Promise<OficioView> {
    const row = await this.ds.getRepository(Oficio).findOne({ where: { id } });
    if (!row) throw notFound('El oficio');
    if (row.status === 'cancelado') throw alreadyCancelled(row);
    const motivo = dto.motivo.trim().slice(0, 400);
    if ((await oficiosWithLines(this.ds.manager, [row.id])).size > 0) return this.cancelLines(row, actor, motivo, now);
    const inspected = await this.cases.inspect(row.caseId);
    // An oficio and its case commit together; one without its case was left by an earlier release, whose registration
    // took two transactions and was interrupted between them: there is no case to cancel, only the folio.
    if (!inspected) return this.recordCancellation(row, { por: actor.id, motivo, en: now });
    const caso = inspected.record;
    // A case that ended cancelled before its oficio followed it (before the two were one transaction).
    const earlier = await this.caseCancellation(caso);
    if (earlier) return this.recordCancellation(row, earlier);
    this.assertSubdireccionMayCancel(row, inspected);
    await this.engine.send(caso.id, { type: 'CANCELAR', motivo }, actor, { expectedVersion: caso.version, now });
    return this.get(id);
  }

  /**
   * Cancels an oficio for many schools while the Subdirección still holds every line: CANCELAR on each line's case
   * still open, all in one transaction; the last case's end cancels the oficio (`followCaseEnd`). A line already turned
   * refuses the whole cancellation with the same 409 as a one-line oficio, naming nothing cancelled.
   */
  private async cancelLines(row: Oficio, actor: Actor, motivo: string, now: Date): Promise<OficioView> {
    const lines = await openLines(this.ds.manager, row.id);
    const versions: { caseId: string; version: number }[] = [];
    for (const l of lines) {
      const inspected = await this.cases.inspect(l.caseId);
      if (!inspected) continue;
      this.assertSubdireccionMayCancel(row, inspected);
      versions.push({ caseId: l.caseId, version: inspected.record.version });
    }
    await inTransaction(this.ds, async (em) => {
      for (const v of versions)
        await this.engine.send(v.caseId, { type: 'CANCELAR', motivo }, actor, { expectedVersion: v.version, now, em });
    });
    return this.get(row.id);
  }

  private async recordCancellation(row: Oficio, c: Cancellation): Promise<OficioView> {
    if (!(await inTransaction(this.ds, (em) => this.markCancelled(em, row.id, c)))) throw alreadyCancelled(row);
    return this.get(row.id);
  }

  /**
   * Whatever path ends an oficio's case as cancelled (this service, the case action in the API, the case page), the
   * oficio is cancelled in the same transaction: its folio reads cancelado on the register, and the documents issued
   * for it (the acuse) on the verification page.
   */
  private async followCaseEnd(em: EntityManager, end: CaseEnd): Promise<void> {
    // A line of a many-schools oficio: its result is the line's; the oficio reads cancelado only once every line is.
    const open = await lineForEnd(em, end.row.id);
    if (open) {
      const line = await recordLineEnd(em, open, end.row.outcome);
      // A line that ends without asking for the reply (cancelled before it was worked) may be the one the oficio's
      // letter waited for.
      if (line.respuesta === null) await lineEndedUnanswered(em, line.oficioId, end.now);
      if (end.row.outcome !== 'cancelada' || !(await allLinesCancelled(em, line.oficioId))) return;
      const motivo = typeof end.event.motivo === 'string' ? end.event.motivo : '';
      await this.markCancelled(em, line.oficioId, { por: end.actor.id, motivo, en: end.now });
      return;
    }
    if (end.row.outcome !== 'cancelada') return;
    const oficio = await em.findOne(Oficio, { where: { caseId: end.row.id } });
    if (!oficio) return; // not an oficio's case (self-service, PII)
    const motivo = typeof end.event.motivo === 'string' ? end.event.motivo : '';
    await this.markCancelled(em, oficio.id, { por: end.actor.id, motivo, en: end.now });
  }

  /** The cancellation a case already holds: its last CANCELAR movement (who, why, when), if it ended cancelled. */
  private async caseCancellation(caso: Pick<CaseRecord, 'id' | 'status' | 'outcome'>): Promise<Cancellation | null> {
    if (caso.status !== 'concluido' || caso.outcome !== 'cancelada') return null;
    const last = await this.cases.lastMovement(caso.id, 'CANCELAR');
    if (!last) return null;
    return { por: last.actorId, motivo: typeof last.data.motivo === 'string' ? last.data.motivo : '', en: last.at };
  }

  /** reconcileCancelledCases, the first time this process runs the maintenance (the old start-up's repair). */
  async reconcileOnce(): Promise<string[]> {
    return this.reconciled ? [] : this.reconcileCancelledCases();
  }

  /**
   * Oficios whose case ended cancelled while the oficio stayed registered (cancelled from the inbox or the case page
   * before the oficio followed its case in the same transaction): each takes its case's cancellation. The database
   * finds them in one statement (the cancelled cases joined to their oficio by uq_oficio_case): before, every
   * registered oficio was read into the process and its case asked for 500 at a time, which held the start of every
   * process (20 s and 370 MB of heap at 400,000 oficios).
   */
  async reconcileCancelledCases(): Promise<string[]> {
    const cancelled = this.cases.endedWithQuery('cancelada');
    const registered = await this.ds
      .getRepository(Oficio)
      .createQueryBuilder('o')
      .select('o.id', 'id')
      .addSelect('o.caseId', 'caseId')
      .where("o.status = 'registrado'")
      .andWhere(`o.caseId IN (${cancelled.sql})`, cancelled.params)
      // A many-schools oficio is not its line 1's case: it follows its lines (followCaseEnd), not one of them.
      .andWhere('NOT EXISTS (SELECT 1 FROM oficio_linea l WHERE l.oficio_id = o.id)')
      .getRawMany<{ id: string; caseId: string }>();
    const done: string[] = [];
    for (const { id, caseId } of registered) {
      const c = await this.caseCancellation({ id: caseId, status: 'concluido', outcome: 'cancelada' });
      if (c && (await inTransaction(this.ds, (em) => this.markCancelled(em, id, c)))) done.push(id);
    }
    if (done.length) this.log.warn({ oficios: done }, 'Oficios de trámites cancelados marcados como cancelados');
    this.reconciled = true;
    return done;
  }

  /**
   * The case must be where the Subdirección may still cancel it (the machine's CANCELAR for role subdireccion);
   * otherwise a 409 that says who can act now: the Subjefatura from its inbox, or nobody once the account work began.
   */
  private assertSubdireccionMayCancel(
    row: Oficio,
    { record: caso, snap, available }: NonNullable<Awaited<ReturnType<CaseRecords['inspect']>>>,
  ): void {
    const cancel = available.find((e) => e.event === 'CANCELAR');
    if (cancel?.roles.includes('subdireccion')) return;
    const detalles = { tramite: caso.id, estado: caso.state };
    if (snap.status === 'done') {
      throw new DomainError(
        'TRAMITE_CONCLUIDO',
        `El trámite del oficio ${row.folio} ya concluyó (resultado: ${caso.outcome ?? 'concluido'}); el oficio ya no puede cancelarse.`,
        409,
        detalles,
      );
    }
    const metas = Object.values(snap.getMeta() as Record<string, StepMeta | undefined>);
    const paso = metas.find((m) => m?.task)?.task?.title;
    const enPaso = paso ? ` (paso actual: «${paso}»)` : '';
    const context = snap.context as Partial<CaseContext>;
    if (cancel?.roles.includes('subjefatura') || (!context.intentos?.provision && snap.status === 'active')) {
      throw new DomainError(
        'OFICIO_TURNADO',
        `El oficio ${row.folio} ya se turnó a la ${ROLE_LABEL.subjefatura}${enPaso}: ya no puede cancelarlo la ` +
          `${ROLE_LABEL.subdireccion}. La ${ROLE_LABEL.subjefatura} debe cancelarlo desde su bandeja de tareas ` +
          '(acción «Cancelar el trámite»), indicando el motivo.',
        409,
        detalles,
      );
    }
    throw new DomainError(
      'TRAMITE_EN_PROCESO',
      `El trámite del oficio ${row.folio} ya pasó al servicio de cuentas${enPaso}: ya se pidió crear o modificar la ` +
        'cuenta, así que el oficio ya no puede cancelarse. Si la solicitud no procedía, tramite el oficio que la revierta.',
      409,
      detalles,
    );
  }

  /** Marks a registered oficio cancelled, and the documents issued for it; false when it was not registered any more. */
  private async markCancelled(em: EntityManager, id: string, c: Cancellation): Promise<boolean> {
    const updated = await em.update(
      Oficio,
      { id, status: 'registrado' },
      {
        status: 'cancelado',
        canceladoAt: c.en,
        canceladoPor: c.por.slice(0, 36),
        motivoCancelacion: c.motivo.slice(0, 400),
      },
    );
    if (!updated.affected) return false;
    await em.update(IssuedDocument, { oficioId: id, status: 'vigente' }, { status: 'cancelado', canceladoAt: c.en });
    return true;
  }

  private async checkSender(
    dto: RegisterOficioDto,
    procedure: LetterProcedure,
  ): Promise<{ clave: string; nombre: string } | null> {
    if (!dto.nivel && !dto.area)
      throw new DomainError(
        'REMITENTE_INCOMPLETO',
        'Indique el nivel («nivel») o el área («area») que envía el oficio.',
        400,
      );
    // The DTO checked the shape; a work centre of another state is none of this installation's (CCT_STATE_CODE).
    for (const cct of [dto.cct, ...(dto.ccts ?? [])]) {
      const problem = cct === undefined ? null : cctProblem(cct, this.config.cctStateCode);
      if (problem) throw new DomainError('DATOS_INVALIDOS', problem, 400);
    }
    if (procedure === 'centro-trabajo-alta' && !dto.nivel) {
      throw new DomainError(
        'NIVEL_REQUERIDO',
        'La cuenta de un centro de trabajo la solicita su nivel (Guía 5.2.1): indique «nivel».',
        400,
      );
    }
    let nivel: { clave: string; nombre: string } | null = null;
    if (dto.nivel) {
      nivel = await this.catalog.nivel(dto.nivel);
      if (!nivel) {
        const all = (await this.catalog.niveles()).sort((a, b) => a.clave.localeCompare(b.clave));
        throw new DomainError(
          'NIVEL_DESCONOCIDO',
          `El nivel «${dto.nivel}» no está en el catálogo. Niveles: ${all.map((n) => n.clave).join(', ') || '(catálogo vacío)'}.`,
          422,
        );
      }
    }
    if (dto.responsableId) {
      if (!(await this.staff.hasRole(dto.responsableId, 'responsable')))
        throw new DomainError(
          'RESPONSABLE_DESCONOCIDO',
          'El responsable indicado no es un usuario con rol de responsable de programa, función o servicio.',
          422,
        );
    }
    return nivel;
  }

  private receptionInstant(dto: RegisterOficioDto, now: Date): Date {
    const at = dto.recibidoEn ? new Date(dto.recibidoEn) : now;
    if (Number.isNaN(at.getTime())) throw new DomainError('FECHA_INVALIDA', 'La fecha de recepción no es válida.', 400);
    if (at.getTime() > now.getTime() + 5 * 60_000)
      throw new DomainError('FECHA_FUTURA', 'La fecha de recepción no puede estar en el futuro.', 400);
    const hoy = isoDateMx(now);
    if (dto.fechaOficio > hoy)
      throw new DomainError(
        'FECHA_FUTURA',
        `La fecha del oficio (${dto.fechaOficio}) es posterior a hoy (${hoy}).`,
        400,
      );
    if (dto.fechaOficio > isoDateMx(at)) {
      throw new DomainError(
        'FECHA_INCONGRUENTE',
        `El oficio está fechado el ${dto.fechaOficio}, después de su recepción (${isoDateMx(at)}).`,
        400,
      );
    }
    return at;
  }
}

/** YYYY-MM-DD of an instant in Mexico City. */
export function isoDateMx(at: Date): string {
  const p = mexicoCityParts(at);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

const alreadyCancelled = (row: Oficio): DomainError =>
  new DomainError('OFICIO_YA_CANCELADO', `El oficio con folio ${row.folio} ya estaba cancelado.`, 409);

const dateMx = (at: Date): string => {
  const [y, m, d] = isoDateMx(at).split('-');
  return `${d}/${m}/${y}`;
};

export function toView(o: RegisterRow): OficioView {
  return {
    id: o.id,
    folio: o.folio,
    estado: o.status,
    procedimiento: o.procedureId,
    tramite: o.caseId,
    numeroOficio: o.numeroRemitente,
    fechaOficio: o.fechaOficio,
    remitente: { nombre: o.remitenteNombre, cargo: o.remitenteCargo },
    nivel: o.nivelClave,
    area: o.area,
    responsableId: o.responsableId,
    asunto: o.asunto,
    cct: o.cct,
    concierne: JSON.parse(o.concierne) as OficioConcierne,
    fojas: o.fojas,
    anexos: o.anexos,
    archivo: { sha256: o.archivoSha256, tipo: o.archivoMime, bytes: o.archivoBytes, nombre: o.archivoNombre },
    recibido: { en: o.recibidoAt.toISOString(), por: o.recibidoPorNombre },
    cancelacion:
      o.status === 'cancelado' && o.canceladoAt
        ? { en: o.canceladoAt.toISOString(), motivo: o.motivoCancelacion ?? '' }
        : null,
  };
}
