import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { CaseContext } from '../../machines/parts/setup';
import { CatalogRecords, type TrabajadorRecord } from '../catalog/catalog-records';
import { TIPO_CUENTA_LABEL } from '../catalog/cuenta-tipos';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { inTransaction } from '../database/transaction';
import {
  type CommandProcessor,
  type EffectCommand,
  type EffectControl,
  EffectProcessor,
  TransientError,
} from '../engine/effects/effect-processor';
import type { EngineEvent } from '../engine/engine.service';
import { CaseRecords } from '../engine/case-records';
import { formatFechaLarga } from '../letters/fecha';
import { type LineResult, linesKindOf, linesTable, linesValues } from '../letters/lines-table';
import {
  type AcuseData,
  type LetterTable,
  renderSignedAcuse,
  renderSignedReplyLetter,
  type ReplyLetterData,
  type SignedDocument,
} from '../letters/renderer';
import type { PdfSigner } from '../letters/signer';
import {
  COMBINED_OUTCOME,
  DEFAULT_LETTER_TEMPLATES_DIR,
  fillLetterTemplate,
  type FilledLetter,
  LETTER_OUTCOMES,
  LETTER_PROCEDURES,
  type LetterOutcome,
  type LetterProcedure,
  type LetterValues,
  loadLetterTemplate,
} from '../letters/templates';
import { maskEmail, newVerificationCode, shortVerifyUrl, verifyUrl } from '../letters/verification';
import { LINK_VALIDITY_HOURS } from '../mail/account-mails';
import { type DocumentKind, IssuedDocument } from './entities/document.entity';
import { Oficio } from './entities/oficio.entity';
import { FILE_STORE, type FileStore } from './file-store';
import { AREA_SSST, folioYear, inNumberingTransaction, isUniqueViolation, replyNumber, takeNumber } from './folio';
import { firmanteOf, LetterSettingsService } from './letter-settings.service';
import { lineOfCase, lockOficio, oficioOfCase } from './oficio-batch';
import type { OficioLinea } from './entities/oficio-linea.entity';
import { combinedReplyOf, lineAsksForReply, linesOf, recordCombinedReply } from './oficio-reply';
import { PDF_SIGNER } from './pdf-signer.provider';

/** An oficio's one letter for many accounts: its table, and how it is named the oficio's letter once stored. */
interface Combined {
  tabla: LetterTable;
  record: (em: EntityManager, doc: IssuedDocument) => Promise<boolean>;
}

/** Who the acuse names as turned to (Guía: the Subdirección turns every oficio to the Subjefatura). */
const TURNADO_A = 'Subjefatura de Sistemas';
/** The position printed under the signer's name on reply letters (the certificate carries only the name). */
/** Outcomes whose letter gives access: it says where the activation link went. */
const GIVES_ACCESS: ReadonlySet<LetterOutcome> = new Set(['creada', 'restablecida', 'reasignada']);
/** A code collision (50 random bits) is practically impossible; a few tries are plenty. */
const CODE_ATTEMPTS = 3;
/** Another letter may take the number we drew between rendering and saving; then we draw again. */
const NUMBER_ATTEMPTS = 8;

const fullName = (t: Pick<TrabajadorRecord, 'nombre' | 'primerApellido' | 'segundoApellido'>): string =>
  [t.nombre, t.primerApellido, t.segundoApellido].filter(Boolean).join(' ');

/** "2026-11-25" → "25 de noviembre de 2026" (noon in Mexico City, so no time-zone shift can change the day). */
export const fechaLargaDe = (isoDate: string): string => formatFechaLarga(new Date(`${isoDate}T18:00:00Z`));

/** The number drawn for a letter was taken by another one meanwhile. */
class NumberTaken extends Error {
  constructor(readonly current: number) {
    super('número de oficio tomado');
  }
}

/** The insert met a unique key: a concurrent replay of the command or a verification-code collision. */
class CodeOrReplay extends Error {
  constructor() {
    super('documento ya emitido o código repetido');
  }
}

/** What the processors share: the signer (loaded once), the store, and how a signed document becomes a row. */
@Injectable()
export class DocumentIssuer {
  constructor(
    @InjectDataSource() readonly ds: DataSource,
    @Inject(PDF_SIGNER) readonly signer: PdfSigner,
    @Inject(FILE_STORE) readonly files: FileStore,
    @Inject(APP_CONFIG) readonly config: AppConfig,
    readonly settings: LetterSettingsService,
  ) {}

  /** The number the next document of a kind would take this year (read without the counter's lock). */
  async nextNumber(tipo: 'respuesta', anio: number): Promise<number> {
    const rows: { ultimo: number }[] = await this.ds.query(
      'SELECT ultimo FROM folio_counter WHERE area = ? AND tipo = ? AND anio = ?',
      [AREA_SSST, tipo, anio],
    );
    return Number(rows[0]?.ultimo ?? 0) + 1;
  }

  /** A replayed outbox command finds the document it already issued. */
  issuedFor(outboxId: string): Promise<IssuedDocument | null> {
    return this.ds.getRepository(IssuedDocument).findOne({ where: { outboxId } });
  }

  urls(code: string): { verifyUrl: string; shortUrl: string } {
    return {
      verifyUrl: verifyUrl(this.config.publicBaseUrl, code),
      shortUrl: shortVerifyUrl(this.config.publicBaseUrl, code),
    };
  }

  /** The registered oficio of a case; an oficio procedure started without registration cannot be acknowledged. */
  async oficioOf(caseId: string): Promise<Oficio> {
    // A line of a many-schools oficio finds the oficio through its line (oficio-batch.ts).
    const oficio = await oficioOfCase(this.ds.manager, caseId);
    if (!oficio) {
      throw new DomainError(
        'OFICIO_NO_REGISTRADO',
        'El trámite no tiene un oficio registrado en la Subdirección (POST /api/oficios): no hay datos para el acuse ni para el oficio de respuesta.',
        422,
      );
    }
    return oficio;
  }

  row(
    cmd: EffectCommand,
    oficio: Oficio,
    kind: DocumentKind,
    code: string,
    signed: SignedDocument,
    key: string,
    extra: { numeroOficio: string | null; asunto: string; destinatario: string },
  ): IssuedDocument {
    return {
      id: randomUUID(),
      kind,
      caseId: cmd.caseId,
      oficioId: oficio.id,
      outboxId: cmd.id,
      folio: oficio.folio,
      numeroOficio: extra.numeroOficio,
      codigo: code,
      sha256: signed.sha256,
      contentDigest: signed.contentDigest,
      cadenaOriginal: signed.cadenaOriginal.slice(0, 400),
      sello: signed.sello,
      asunto: extra.asunto.slice(0, 500),
      firmanteNombre: signed.certificate.subject.nombre.slice(0, 200),
      certificadoSerie: signed.certificate.serial.slice(0, 80),
      signedAt: signed.signedAt,
      paginas: signed.pages,
      bytes: signed.pdf.length,
      prueba: signed.testDocument,
      // Decided by insert(), from the oficio as it is when the row is stored.
      status: 'vigente',
      canceladoAt: null,
      nivelClave: oficio.nivelClave,
      area: oficio.area,
      responsableId: oficio.responsableId,
      destinatario: extra.destinatario.slice(0, 340),
      storageKey: key,
      createdAt: new Date(),
    };
  }

  /**
   * Inserts a document in the caller's transaction, with its oficio's row locked and its status read there. The oficio
   * read before drawing may be stale (drawing takes a while): a cancellation committed since makes the document
   * cancelado; one that comes later waits for this transaction and then cancels the document with its oficio
   * (OficiosService.markCancelled). Undefined on a unique violation: a concurrent replay of the same command or a
   * verification-code collision (draw another code).
   */
  async insert(em: EntityManager, row: IssuedDocument): Promise<IssuedDocument | undefined> {
    const oficio = row.oficioId ? await lockOficio(em, row.oficioId) : null;
    if (oficio?.status === 'cancelado') {
      row.status = 'cancelado';
      // Cancelled before it was signed, or while it was being stored: whichever came last.
      row.canceladoAt = new Date(Math.max(row.signedAt.getTime(), oficio.canceladoAt?.getTime() ?? 0));
    }
    try {
      await em.insert(IssuedDocument, row);
      return row;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      return undefined;
    }
  }
}

/**
 * renderAcuse (Guía 5.2.1 paso 3 and its twins: "firma y sella de recibido"): the signed acuse of a registered
 * oficio. Fire-and-forget: the case does not wait for it.
 */
@Injectable()
@EffectProcessor()
export class AcuseProcessor implements CommandProcessor {
  readonly type = 'renderAcuse' as const;
  readonly queue = 'letters' as const;

  constructor(private readonly issuer: DocumentIssuer) {}

  async handle(cmd: EffectCommand): Promise<EngineEvent | null> {
    if (await this.issuer.issuedFor(cmd.id)) return null;
    const oficio = await this.issuer.oficioOf(cmd.caseId);
    // One acuse per oficio: of a many-schools oficio, only the case the oficio names (line 1) issues it.
    if (oficio.caseId !== cmd.caseId) return null;
    const dependencia = oficio.area ?? undefined;
    const membrete = this.issuer.settings.membrete(await this.issuer.settings.current());
    for (let i = 0; i < CODE_ATTEMPTS; i++) {
      const code = newVerificationCode();
      const data: AcuseData = {
        folio: oficio.folio,
        recibidoEn: oficio.recibidoAt,
        recibio: { nombre: oficio.recibidoPorNombre, cargo: membrete.area },
        turnadoA: TURNADO_A,
        remitente: {
          nombre: oficio.remitenteNombre,
          cargo: oficio.remitenteCargo,
          ...(dependencia ? { dependencia } : {}),
        },
        oficio: { numero: oficio.numeroRemitente, fecha: oficio.fechaOficio },
        asunto: oficio.asunto,
        fojas: oficio.fojas,
        ...(oficio.anexos ? { anexos: oficio.anexos } : {}),
        archivoSha256: oficio.archivoSha256,
        ...this.issuer.urls(code),
        testDocument: false,
      };
      const signed = await renderSignedAcuse(data, this.issuer.signer, { signedAt: new Date(), membrete });
      const stored = await this.issuer.files.save(signed.pdf);
      const row = this.issuer.row(cmd, oficio, 'acuse', code, signed, stored.key, {
        numeroOficio: null,
        asunto: `Acuse de recibo: ${oficio.asunto}`,
        destinatario: [oficio.remitenteNombre, oficio.remitenteCargo, oficio.area].filter(Boolean).join(', '),
      });
      if (await inTransaction(this.issuer.ds, (em) => this.issuer.insert(em, row))) return null;
      if (await this.issuer.issuedFor(cmd.id)) return null;
    }
    throw new TransientError('No se pudo asignar un código de verificación único al acuse; se reintentará.');
  }
}

/**
 * renderReplyLetter (Guía 5.2.1 paso 8, 5.3.1, 5.3.2, 5.4, 5.5): the reply letter of the case from the template of
 * its procedure and outcome, addressed to the requesting area or Nivel, numbered SSST/0001/2026, signed and stored.
 * Reports LETTER_READY { letterId }; a failure for good reports LETTER_ERROR (the case's incident).
 */
@Injectable()
@EffectProcessor()
export class ReplyLetterProcessor implements CommandProcessor {
  readonly type = 'renderReplyLetter' as const;
  readonly queue = 'letters' as const;
  templatesDir = DEFAULT_LETTER_TEMPLATES_DIR;

  constructor(
    private readonly issuer: DocumentIssuer,
    private readonly cases: CaseRecords,
    private readonly catalog: CatalogRecords,
  ) {}

  async handle(cmd: EffectCommand, payload: unknown, control?: EffectControl): Promise<EngineEvent | null> {
    const done = await this.issuer.issuedFor(cmd.id);
    if (done) return { type: 'LETTER_READY', letterId: done.id };
    const outcome = (payload as { outcome?: unknown } | null)?.outcome;
    if (typeof outcome !== 'string' || !(LETTER_OUTCOMES as readonly string[]).includes(outcome)) {
      throw new DomainError(
        'RESULTADO_DESCONOCIDO',
        `No hay oficio de respuesta para el resultado «${String(outcome)}».`,
        422,
      );
    }
    const row = await this.cases.find(cmd.caseId);
    if (!row) throw new DomainError('TRAMITE_NO_ENCONTRADO', 'El trámite del oficio de respuesta no existe.', 422);
    if (!(LETTER_PROCEDURES as readonly string[]).includes(row.procedureId)) {
      throw new DomainError(
        'SIN_OFICIO_DE_RESPUESTA',
        `El procedimiento «${row.procedureId}» no se responde con oficio.`,
        422,
      );
    }
    // A line of an oficio for many schools: one letter answers them all (oficio-reply.ts).
    const line = await lineOfCase(this.issuer.ds.manager, cmd.caseId);
    if (line) return this.answerLine(cmd, line, row.procedureId as LetterProcedure, outcome, control);
    const oficio = await this.issuer.oficioOf(cmd.caseId);
    const context = row.context as Partial<CaseContext> as CaseContext;
    if (Object.keys(context).length === 0)
      throw new DomainError('TRAMITE_SIN_DATOS', 'El trámite no tiene datos para el oficio de respuesta.', 422);
    // Wording first: a template that cannot be filled fails before a number is spent.
    const values = await this.values(oficio, context, outcome as LetterOutcome);
    const filled = fillLetterTemplate(
      loadLetterTemplate(row.procedureId as LetterProcedure, outcome as LetterOutcome, this.templatesDir),
      values,
    );

    return this.issueReady(cmd, oficio, filled);
  }

  /**
   * Issues the letter with a fresh verification code until one is free, and reports it; a replay of the command (or,
   * for an oficio's one letter, another line that stored it first) reports the letter already issued.
   */
  private async issueReady(
    cmd: EffectCommand,
    oficio: Oficio,
    filled: FilledLetter,
    combined?: Combined,
  ): Promise<EngineEvent> {
    for (let i = 0; i < CODE_ATTEMPTS; i++) {
      const doc = await this.issue(cmd, oficio, filled, newVerificationCode(), combined);
      const issued =
        doc?.id ??
        (await this.issuer.issuedFor(cmd.id))?.id ??
        (combined ? await combinedReplyOf(this.issuer.ds.manager, oficio.id) : null);
      if (issued) return { type: 'LETTER_READY', letterId: issued };
    }
    throw new TransientError('No se pudo asignar un código de verificación único al oficio; se reintentará.');
  }

  /**
   * A line asks for the oficio's one letter: answered already (its id), or parked until the other lines ask, or, as
   * the line that completes the oficio, it draws the letter with a table of every line's result.
   */
  private async answerLine(
    cmd: EffectCommand,
    line: OficioLinea,
    procedure: LetterProcedure,
    outcome: string,
    control: EffectControl | undefined,
  ): Promise<EngineEvent> {
    const step = await lineAsksForReply(this.issuer.ds, cmd, line, outcome, control);
    if (step.step === 'answered') return { type: 'LETTER_READY', letterId: step.documentId };
    const { oficio } = step;
    const { values, tabla } = await this.linesTable(oficio);
    const filled = fillLetterTemplate(loadLetterTemplate(procedure, COMBINED_OUTCOME, this.templatesDir), values);
    const record = (em: EntityManager, doc: IssuedDocument) => recordCombinedReply(em, oficio.id, doc.id, doc.signedAt);
    return this.issueReady(cmd, oficio, filled, { tabla, record });
  }

  /**
   * The oficio's values and the table of its lines: one row per line, in annex order, with its result and whom it is
   * for (a school, or a Servicio account's holder, named from the catalog when the line made no account).
   */
  private async linesTable(oficio: Oficio): Promise<{ values: LetterValues; tabla: LetterTable }> {
    const results: LineResult[] = [];
    for (const l of await linesOf(this.issuer.ds.manager, oficio.id)) {
      const resultado = l.respuesta ?? l.resultado ?? 'concluido';
      const c = await this.cases.find(l.caseId);
      const context = (c?.context ?? {}) as Partial<CaseContext> as CaseContext;
      const v = (LETTER_OUTCOMES as readonly string[]).includes(resultado)
        ? await this.values(oficio, { ...context, cct: context.cct ?? l.cct }, resultado as LetterOutcome)
        : {};
      const holder = l.curp && !v.nombre ? await this.catalog.trabajador(l.curp) : null;
      results.push({
        linea: l.linea,
        ...(l.curp
          ? { curp: l.curp, titular: v.nombre ?? (holder ? fullName(holder) : '') }
          : { cct: l.cct ?? '', centroTrabajo: v.centroTrabajo ?? l.nombreCuenta }),
        resultado,
        correo: v.correo,
        correoAlterno: v.correoAlterno,
        motivo: v.motivo,
      });
    }
    const values: LetterValues = {
      folio: oficio.folio,
      numeroOficioSolicitud: oficio.numeroRemitente,
      fechaOficioSolicitud: fechaLargaDe(oficio.fechaOficio),
      remitente: oficio.remitenteNombre,
      ...linesValues(results),
      vigenciaEnlace: `${LINK_VALIDITY_HOURS} horas`,
    };
    const nivel = oficio.nivelClave
      ? ((await this.catalog.nivel(oficio.nivelClave))?.nombre ?? oficio.nivelClave)
      : undefined;
    if (nivel) values.nivel = nivel;
    return { values, tabla: linesTable(results, linesKindOf(oficio.procedureId)) };
  }

  failureEvent(_cmd: EffectCommand, _payload: unknown, message: string): EngineEvent {
    return { type: 'LETTER_ERROR', message, permanent: true };
  }

  /**
   * The número de oficio is printed in the PDF, so it is known before rendering, but it is only taken (under the
   * counter's lock) in the short transaction that stores the document: render with the next free number, then take
   * it; if another letter took it meanwhile, render again with the new one. No lock is held while a PDF is drawn, and
   * a letter that fails to render or store spends no number.
   */
  private async issue(
    cmd: EffectCommand,
    oficio: Oficio,
    filled: FilledLetter,
    code: string,
    combined?: Combined,
  ): Promise<IssuedDocument | undefined> {
    const signedAt = new Date();
    const anio = folioYear(signedAt);
    let expected = await this.peek(anio);
    // Read once per letter: the settings in force when it is signed; issued letters are stored PDFs and keep theirs.
    const settings = await this.issuer.settings.current();
    for (let attempt = 0; attempt < NUMBER_ATTEMPTS; attempt++) {
      const numeroOficio = replyNumber(anio, expected);
      const data: ReplyLetterData = {
        folio: oficio.folio,
        numeroOficio,
        fecha: signedAt,
        asunto: filled.asunto,
        destinatario: {
          nombre: oficio.remitenteNombre,
          cargo: oficio.remitenteCargo,
          ...(oficio.area ? { area: oficio.area } : {}),
        },
        cuerpo: filled.cuerpo,
        ...(combined ? { tabla: combined.tabla } : {}),
        firmante: firmanteOf(settings),
        ccp: filled.ccp,
        ...this.issuer.urls(code),
        testDocument: false,
      };
      const signed = await renderSignedReplyLetter(data, this.issuer.signer, {
        signedAt,
        membrete: this.issuer.settings.membrete(settings),
      });
      const stored = await this.issuer.files.save(signed.pdf);
      try {
        return await inNumberingTransaction(this.issuer.ds, async (em) => {
          const n = await takeNumber(em, AREA_SSST, 'respuesta', anio);
          if (n !== expected) throw new NumberTaken(n);
          const row = this.issuer.row(cmd, oficio, 'respuesta', code, signed, stored.key, {
            numeroOficio,
            asunto: filled.asunto,
            destinatario: [oficio.remitenteNombre, oficio.remitenteCargo, oficio.area].filter(Boolean).join(', '),
          });
          const inserted = await this.issuer.insert(em, row);
          // Give the number back: a replay, a code collision or another letter of the same oficio leaves no gap.
          if (!inserted || (combined && !(await combined.record(em, inserted)))) throw new CodeOrReplay();
          return inserted;
        });
      } catch (e) {
        if (e instanceof NumberTaken) {
          expected = e.current;
          continue;
        }
        if (e instanceof CodeOrReplay) return undefined;
        throw e;
      }
    }
    // Many letters at once: the queue tries this one again later (backoff) instead of failing the case.
    throw new TransientError(
      'No se pudo asignar número de oficio: hay demasiados oficios emitiéndose a la vez; se reintentará.',
    );
  }

  /** The number the next letter of the year would get. */
  private async peek(anio: number): Promise<number> {
    return this.issuer.nextNumber('respuesta', anio);
  }

  /**
   * The template's values from the case and the catalogs: the account's address and holder, where the activation
   * link went (masked), never a password (there is no placeholder for one and fillLetterTemplate refuses any).
   */
  private async values(oficio: Oficio, context: CaseContext, outcome: LetterOutcome): Promise<LetterValues> {
    const values: LetterValues = {
      folio: oficio.folio,
      numeroOficioSolicitud: oficio.numeroRemitente,
      fechaOficioSolicitud: fechaLargaDe(oficio.fechaOficio),
      remitente: oficio.remitenteNombre,
    };
    const nivelNombre = async (clave: string | null): Promise<string | undefined> =>
      clave ? ((await this.catalog.nivel(clave))?.nombre ?? clave) : undefined;
    values.nivel = await nivelNombre(oficio.nivelClave);
    const cct = oficio.cct ?? context.cct;
    if (cct) values.cct = cct;
    if (context.motivo) values.motivo = context.motivo;

    let sentTo: string | null | undefined;
    const cuentaId = context.cuenta?.cuentaId;
    const cuenta = cuentaId ? await this.catalog.cuenta(cuentaId) : null;
    if (cuenta) {
      values.correo = cuenta.direccion;
      values.tipoCuenta = TIPO_CUENTA_LABEL[cuenta.tipo];
      if (cuenta.titularTipo === 'centro' && cuenta.titularCct) {
        const centro = await this.catalog.centro(cuenta.titularCct);
        values.cct = cuenta.titularCct;
        if (centro) {
          values.centroTrabajo = centro.nombre;
          values.nivel = values.nivel ?? (await nivelNombre(centro.nivelClave));
          const director = centro.directorCurp ? await this.catalog.trabajador(centro.directorCurp) : null;
          if (director) values.nombre = fullName(director);
          // Same rule as the credentials mail: the director's alternate address, else the school's.
          sentTo = director?.correoAlterno ?? centro.correo;
        }
      } else if (cuenta.titularCurp) {
        const titular = await this.catalog.trabajador(cuenta.titularCurp);
        if (titular) {
          values.nombre = fullName(titular);
          sentTo = titular.correoAlterno;
        }
      }
    } else if (context.cuenta?.address) {
      values.correo = context.cuenta.address;
    }
    if (!values.centroTrabajo && cct) {
      const centro = await this.catalog.centro(cct);
      if (centro) values.centroTrabajo = centro.nombre;
    }
    const previous = context.reasignacion?.previousCurp;
    if (previous) {
      const anterior = await this.catalog.trabajador(previous);
      if (anterior) values.titularAnterior = fullName(anterior);
    }
    if (GIVES_ACCESS.has(outcome) && sentTo) {
      values.correoAlterno = maskEmail(sentTo);
      values.vigenciaEnlace = `${LINK_VALIDITY_HOURS} horas`;
    }
    return values;
  }
}
