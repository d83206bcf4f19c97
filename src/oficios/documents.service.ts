import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { DomainError, notFound } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { type Actor, isAddressedTo, ROLE_LABEL } from '../auth/actor';
import { CaseRecords } from '../engine/case-records';
import { EngineService } from '../engine/engine.service';
import { type CaseInclusion, TransparencyLog } from '../engine/transparency/transparency-log';
import { publishedHead } from '../engine/transparency/tree-head';
import { formatFechaHora } from '../letters/fecha';
import { normalizeVerificationCode, sha256, verifyUrl } from '../letters/verification';
import { DocumentDownload, IssuedDocument } from './entities/document.entity';
import { Oficio } from './entities/oficio.entity';
import { OficioLinea } from './entities/oficio-linea.entity';
import { parkedReason } from '../engine/effects/effect-processor';
import { FILE_STORE, type FileStore } from './file-store';
import { oficioOfCase } from './oficio-batch';
import { combinedReplyOf, combinedReplyOfCase, lineCaseIds } from './oficio-reply';

/**
 * What the public verification page shows: what identifies the document (type, folio, number, date, signer and
 * certificate, pages, file hash) and its status. Nothing the clerk typed: the subject is free text, where CURPs,
 * addresses and phone numbers end up, and the page is public.
 */
export interface VerificationView {
  codigo: string;
  tipo: 'Acuse de recibo' | 'Oficio de respuesta';
  folio: string;
  numeroOficio: string | null;
  /** Signing instant, UTC. */
  emitido: string;
  /** The same, as people read it in Colima. */
  fecha: string;
  firmante: string;
  certificadoSerie: string;
  estado: 'vigente' | 'cancelado';
  prueba: boolean;
  sha256: string;
  paginas: number;
}

/** An issued document (acuse, reply letter) as other modules read it. */
export type DocumentRecord = Readonly<IssuedDocument>;

export interface ComparisonResult {
  coincide: boolean;
  sha256: string;
}

export interface ReplyView {
  documento: {
    id: string;
    numeroOficio: string | null;
    folio: string;
    asunto: string;
    emitido: string;
    estado: IssuedDocument['status'];
    paginas: number;
    sha256: string;
    pdf: string;
    verificacion: string;
  };
  oficio: { id: string; folio: string };
  /** How the addressee acknowledges it: the machine event ACUSAR_RECIBO through the engine API. */
  tramite: {
    id: string;
    estado: string;
    version: number;
    acuse: { evento: 'ACUSAR_RECIBO'; ruta: string; disponible: boolean };
  };
}

type Reader = Actor;

/**
 * Who may open an issued document: the Subdirección and the Subjefatura, and the addressee — the users of the Nivel
 * it is addressed to, or the responsable user it names — who get the reply letter only once the Subdirección has
 * forwarded it to them (`replyForwarded`; guía 5.2.1 paso 11, 5.3.1 paso 8: the Subdirección "envía oficio al área").
 * Anyone else is told it does not exist (404, not 403), so letters cannot be discovered by trying ids.
 */
export function canOpen(
  doc: Pick<IssuedDocument, 'nivelClave' | 'responsableId'> & { kind?: IssuedDocument['kind'] },
  actor: Reader,
  replyForwarded: boolean,
): boolean {
  switch (actor.role) {
    case 'subdireccion':
    case 'subjefatura':
      return true;
    case 'nivel':
    case 'responsable':
      return isAddressedTo(doc, actor) && (doc.kind !== 'respuesta' || replyForwarded);
    case 'administrador':
    case 'trabajador':
    case 'centro_trabajo':
    case 'sistema':
      return false;
  }
}

/** Delivery (download, the reply of a case) and public verification of issued documents. */
@Injectable()
export class DocumentsService {
  private readonly log = new Logger('Documentos');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(FILE_STORE) private readonly files: FileStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cases: CaseRecords,
    private readonly transparency: TransparencyLog,
    private readonly engine: EngineService,
  ) {}

  /** The documents of a case this actor may open (acuse, reply letter), oldest first. */
  async listForCase(caseId: string, actor: Reader): Promise<IssuedDocument[]> {
    const docs = await this.ds.getRepository(IssuedDocument).find({ where: { caseId }, order: { signedAt: 'ASC' } });
    // A line of an oficio for many schools is answered by the oficio's one letter, stored under another line's case.
    const combined = await combinedReplyOfCase(this.ds.manager, caseId);
    if (combined && !docs.some((d) => d.id === combined)) {
      const letter = await this.ds.getRepository(IssuedDocument).findOne({ where: { id: combined } });
      if (letter) docs.push(letter);
    }
    const forwarded = await this.replyForwarded(caseId);
    return docs.filter((d) => canOpen(d, actor, forwarded));
  }

  /**
   * Why a line of an oficio for many schools waits at its reply step, if it does: its letter command is parked until
   * every line has a result (oficio-reply.ts); the message says how many lines it waits for.
   */
  async replyWait(caseId: string): Promise<string | null> {
    const line = await this.ds
      .getRepository(OficioLinea)
      .findOne({ where: { caseId }, select: { oficioId: true, linea: true, respuestaOutboxId: true } });
    return line?.respuestaOutboxId ? parkedReason(this.ds.manager, line.respuestaOutboxId) : null;
  }

  /**
   * Every document of these cases, newest first, with no addressee filter: for the administrators' account page only
   * (its controller admits the Administrador and the Subdirección, who see every case of an account).
   */
  async ofCases(caseIds: readonly string[]): Promise<DocumentRecord[]> {
    if (!caseIds.length) return [];
    return this.ds
      .getRepository(IssuedDocument)
      .find({ where: { caseId: In([...caseIds]) }, order: { signedAt: 'DESC' } });
  }

  /** Whether the Subdirección has forwarded the case's reply to whoever sent the oficio (its TURNAR_RESPUESTA). */
  private replyForwarded(caseId: string): Promise<boolean> {
    return this.cases.hasMovement(caseId, 'TURNAR_RESPUESTA');
  }

  /**
   * Whether a document's reply was forwarded: the oficio's one letter for many schools once the Subdirección turned it
   * in any of its lines (it is one paper), any other document with its own case.
   */
  private async documentForwarded(doc: IssuedDocument, combined?: string | null): Promise<boolean> {
    const oneLetter =
      combined === undefined && doc.kind === 'respuesta' && doc.oficioId
        ? await combinedReplyOf(this.ds.manager, doc.oficioId)
        : combined;
    if (doc.oficioId && oneLetter === doc.id)
      return this.cases.hasAnyMovement(await lineCaseIds(this.ds.manager, doc.oficioId), 'TURNAR_RESPUESTA');
    return this.replyForwarded(doc.caseId);
  }

  /** The PDF as issued; every download is recorded with the user (Guía: the Nivel downloads and acknowledges). */
  async download(id: string, actor: Reader, now = new Date()): Promise<{ pdf: Buffer; filename: string }> {
    const doc = await this.ds.getRepository(IssuedDocument).findOne({ where: { id } });
    if (!doc) throw notFound('El documento');
    const what = { documento: doc.kind, folio: doc.folio, codigo: doc.codigo };
    if (!canOpen(doc, actor, await this.documentForwarded(doc))) {
      // A refused attempt on a document that exists is part of its case's record (who tried, when).
      await this.engine.recordAct(doc.caseId, actor, { type: 'DESCARGA_RECHAZADA', ...what }, now);
      throw notFound('El documento');
    }
    const pdf = await this.files.read(doc.storageKey);
    if (sha256(pdf) !== doc.sha256) {
      this.log.error(
        { documentId: id, key: doc.storageKey },
        'El archivo guardado no coincide con la huella del documento emitido',
      );
      throw new DomainError(
        'DOCUMENTO_ALTERADO',
        'El archivo guardado de este documento no coincide con el que se emitió; se avisó a la Subjefatura de Sistemas.',
        503,
      );
    }
    await this.ds
      .getRepository(DocumentDownload)
      .insert({ id: randomUUID(), documentId: id, userId: actor.id.slice(0, 36), userRole: actor.role, at: now });
    await this.engine.recordAct(doc.caseId, actor, { type: 'DESCARGAR_DOCUMENTO', ...what }, now);
    const filename =
      doc.kind === 'respuesta' && doc.numeroOficio
        ? `oficio-${doc.numeroOficio.replace(/\//g, '-')}.pdf`
        : `acuse-${doc.folio}.pdf`;
    return { pdf, filename };
  }

  /** The reply letter of an oficio (by oficio id or case id), for its addressee, with how to acknowledge it. */
  async replyOf(id: string, actor: Reader): Promise<ReplyView> {
    // By oficio id, or by case id: the oficio's own case or a line's (an oficio for many schools, oficio-batch.ts).
    const oficio =
      (await this.ds.getRepository(Oficio).findOne({ where: { id } })) ?? (await oficioOfCase(this.ds.manager, id));
    if (!oficio || !canOpen(oficio, actor, false)) throw notFound('El oficio');
    const caseId = oficio.id === id ? oficio.caseId : id;
    const combined = await combinedReplyOf(this.ds.manager, oficio.id);
    const doc = await this.ds
      .getRepository(IssuedDocument)
      .findOne({ where: combined ? { id: combined } : { caseId, kind: 'respuesta' }, order: { createdAt: 'DESC' } });
    if (!doc)
      throw new DomainError(
        'RESPUESTA_PENDIENTE',
        `El oficio de respuesta del folio ${oficio.folio} aún no se ha emitido.`,
        404,
      );
    if (!canOpen(doc, actor, await this.documentForwarded(doc, combined))) {
      throw new DomainError(
        'RESPUESTA_PENDIENTE',
        `La ${ROLE_LABEL.subdireccion} aún no le ha enviado el oficio de respuesta del folio ${oficio.folio}.`,
        404,
      );
    }
    const c = await this.cases.find(caseId);
    return {
      documento: {
        id: doc.id,
        numeroOficio: doc.numeroOficio,
        folio: doc.folio,
        asunto: doc.asunto,
        emitido: doc.signedAt.toISOString(),
        estado: doc.status,
        paginas: doc.paginas,
        sha256: doc.sha256,
        pdf: `/api/documentos/${doc.id}/pdf`,
        verificacion: verifyUrl(this.config.publicBaseUrl, doc.codigo),
      },
      oficio: { id: oficio.id, folio: oficio.folio },
      tramite: {
        id: caseId,
        estado: c?.state ?? '(desconocido)',
        version: c?.version ?? 0,
        acuse: {
          evento: 'ACUSAR_RECIBO',
          ruta: `/api/tramites/${caseId}/eventos`,
          disponible: c?.state === 'acuseRespuesta',
        },
      },
    };
  }

  async verification(code: string): Promise<VerificationView> {
    return toVerificationView(await this.byCode(code));
  }

  /** Where the movements of the document's case stand in the signed movement log (null before its first head). */
  async logInclusion(code: string): Promise<CaseInclusion | null> {
    return this.transparency.caseInclusion((await this.byCode(code)).caseId);
  }

  /**
   * The file the verification page offers to check offline (npm run verify:proof): the signed head, the certificate
   * that signed it, and every movement's inclusion proof. Hashes only: nothing about the people in the case.
   */
  async logProof(code: string): Promise<Record<string, unknown>> {
    const doc = await this.byCode(code);
    const inclusion = await this.transparency.caseInclusion(doc.caseId);
    if (!inclusion)
      throw new DomainError(
        'BITACORA_SIN_CABEZA',
        'La bitácora aún no tiene una cabeza firmada que incluya este trámite; intente de nuevo en unos segundos.',
        404,
      );
    const der = await this.transparency.certificate(inclusion.head.keyId);
    return {
      format: 'mci-inclusion-v1',
      documento: { codigo: doc.codigo, folio: doc.folio },
      head: publishedHead(inclusion.head),
      certificate: der
        ? `-----BEGIN CERTIFICATE-----\n${der
            .toString('base64')
            .replace(/(.{64})/g, '$1\n')
            .trimEnd()}\n-----END CERTIFICATE-----\n`
        : null,
      movements: inclusion.movements,
      pending: inclusion.pending,
    };
  }

  /** Whether a file is byte for byte the document issued under this code. The file is not kept. */
  async compare(code: string, file: Buffer): Promise<{ view: VerificationView; result: ComparisonResult }> {
    const doc = await this.byCode(code);
    const digest = sha256(file);
    return { view: toVerificationView(doc), result: { coincide: digest === doc.sha256, sha256: digest } };
  }

  private async byCode(raw: string): Promise<IssuedDocument> {
    const code = normalizeVerificationCode(raw);
    const doc = code ? await this.ds.getRepository(IssuedDocument).findOne({ where: { codigo: code } }) : null;
    if (!doc) {
      throw new DomainError(
        'CODIGO_DESCONOCIDO',
        'No existe un documento emitido con ese código de verificación. Revise el código impreso junto al código QR.',
        404,
      );
    }
    return doc;
  }
}

export function toVerificationView(doc: IssuedDocument): VerificationView {
  return {
    codigo: doc.codigo,
    tipo: doc.kind === 'acuse' ? 'Acuse de recibo' : 'Oficio de respuesta',
    folio: doc.folio,
    numeroOficio: doc.numeroOficio,
    emitido: doc.signedAt.toISOString(),
    fecha: formatFechaHora(doc.signedAt),
    firmante: doc.firmanteNombre,
    certificadoSerie: doc.certificadoSerie,
    estado: doc.status,
    prueba: doc.prueba,
    sha256: doc.sha256,
    paginas: doc.paginas,
  };
}
