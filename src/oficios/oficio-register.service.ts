import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
import type { Actor } from '../auth/actor';
import { type CaseAct, CaseRecords, type CaseSummary } from '../engine/case-records';
import { RowSql } from '../database/row-sql';
import { canOpen } from './documents.service';
import { DocumentDownload, IssuedDocument } from './entities/document.entity';
import { Oficio } from './entities/oficio.entity';
import type { OficioRegisterQuery } from './oficio.dto';
import { OficioSearch, type RegisterRow } from './oficio-search';
import { type OficioProgress, progressOf } from './oficio-batch';
import { type OficioView, toView } from './oficios.service';

/** A document of an oficio as its register shows it, with who downloaded it and when. */
export interface RegisterDocument {
  id: string;
  tipo: IssuedDocument['kind'];
  numeroOficio: string | null;
  estado: IssuedDocument['status'];
  firmado: Date;
  descargas: { usuario: string; rol: string; en: Date }[];
}

export interface RegisterEntry {
  oficio: OficioView;
  /** The case: status, open tasks (null for an oficio left without its case by an old release). */
  caso: CaseSummary | null;
  documentos: RegisterDocument[];
  /** The addressee's «firma y sella de recibido» of the reply (ACUSAR_RECIBO), if given. */
  acuseRecibo: { usuario: string; en: Date } | null;
  /** An oficio for many schools: its lines' progress (the case above is line 1's); null for a one-line oficio. */
  lineas?: OficioProgress | null;
}

export interface RegisterPage {
  items: RegisterEntry[];
  /** Matches counted up to REGISTER_COUNT_CAP (oficio-search.ts); past it `totalAcotado`. */
  total: number;
  totalAcotado: boolean;
  siguiente: string | null;
  anterior: string | null;
}

const DOWNLOAD = ['id', 'documentId', 'userId', 'userRole', 'at'] as const;

/**
 * The correspondence register of each role: every oficio it may see, newest folio first, with where its case stands
 * (the open step, who holds it, until when) and its documents (acuse, reply, downloads, acknowledgement). Deny by
 * default, as the case pages: the Subdirección, the Subjefatura and administrators see every oficio; a Nivel the
 * oficios of its level; a responsable the ones addressed to them; any other role none.
 *
 * Pages by keyset on (folio_anio, folio_numero), the same index order per scope (idx_oficio_orden,
 * idx_oficio_nivel_orden, idx_oficio_resp_orden), so page 200 costs what page 1 does (OficioSearch).
 */
@Injectable()
export class OficioRegisterService {
  private sql?: { docs: RowSql<IssuedDocument>; downloads: RowSql<DocumentDownload> };

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly cases: CaseRecords,
    private readonly search: OficioSearch,
  ) {}

  async page(actor: Actor, q: OficioRegisterQuery): Promise<RegisterPage> {
    const porPagina = Number.isInteger(q.porPagina) ? Math.min(Math.max(q.porPagina!, 1), 100) : 25;
    const { rows, ...page } = await this.search.page(q, {
      porPagina,
      despues: q.despues,
      antes: q.antes,
      scope: (qb: SelectQueryBuilder<Oficio>) => {
        switch (actor.role) {
          case 'subdireccion':
          case 'subjefatura':
          case 'administrador':
            break;
          case 'nivel':
            if (actor.nivelClave) qb.andWhere('o.nivelClave = :own', { own: actor.nivelClave });
            else qb.andWhere('1 = 0');
            break;
          case 'responsable':
            qb.andWhere('o.responsableId = :own', { own: actor.id });
            break;
          default:
            qb.andWhere('1 = 0');
        }
      },
    });
    return { items: await this.entries(rows, actor), ...page };
  }

  /** Case status, documents, downloads and acknowledgements of one page: a few indexed queries, not one per row. */
  private async entries(rows: RegisterRow[], actor: Actor): Promise<RegisterEntry[]> {
    if (rows.length === 0) return [];
    const caseIds = rows.map((o) => o.caseId);
    const oficioIds = rows.map((o) => o.id);
    // One round of statements sent together, not six one after the other: each costs a round trip, and a request
    // holds its connections for the round's slowest statement (a few index lookups of the page's keys). The acts are
    // read for the page's own cases and the downloads for its oficios' documents (a subquery of their ids), so neither
    // waits for the documents; only a document of another case (a line's reply, an oficio for many schools) costs a
    // second round, for that case's acts.
    const acting = ['TURNAR_RESPUESTA', 'ACUSAR_RECIBO'];
    const sql = (this.sql ??= {
      docs: new RowSql(this.ds, IssuedDocument),
      downloads: new RowSql(this.ds, DocumentDownload),
    });
    const marks = oficioIds.map(() => '?').join(', ');
    const [summaries, progress, docs, ownActs, downloads] = await Promise.all([
      this.cases.summaries(caseIds),
      progressOf(this.ds.manager, oficioIds),
      sql.docs.find(this.ds.manager, {}, { in: { column: 'oficioId', values: oficioIds }, order: 'signedAt' }),
      this.cases.actsOf(caseIds, acting),
      sql.downloads.select(
        `SELECT ${sql.downloads.selectList(DOWNLOAD, 'x')} FROM document_download x WHERE x.document_id IN ` +
          `(SELECT d.id FROM document d WHERE d.oficio_id IN (${marks})) ORDER BY x.at`,
        oficioIds,
        DOWNLOAD,
      ),
    ]);
    const ownCases = new Set(caseIds);
    const otherCases = [...new Set(docs.map((d) => d.caseId))].filter((id) => !ownCases.has(id));
    const acts = otherCases.length ? [...ownActs, ...(await this.cases.actsOf(otherCases, acting))] : ownActs;
    const actOf = (caseId: string, type: string): CaseAct | undefined =>
      acts.filter((a) => a.caseId === caseId && a.eventType === type).pop();
    return rows.map((o) => {
      const ack = actOf(o.caseId, 'ACUSAR_RECIBO');
      return {
        oficio: toView(o),
        caso: summaries.get(o.caseId) ?? null,
        documentos: docs
          .filter((d) => d.oficioId === o.id && canOpen(d, actor, !!actOf(d.caseId, 'TURNAR_RESPUESTA')))
          .map((d) => ({
            id: d.id,
            tipo: d.kind,
            numeroOficio: d.numeroOficio,
            estado: d.status,
            firmado: d.signedAt,
            descargas: downloads
              .filter((x) => x.documentId === d.id)
              .map((x) => ({ usuario: x.userId, rol: x.userRole, en: x.at })),
          })),
        acuseRecibo: ack ? { usuario: ack.actorId, en: ack.at } : null,
        lineas: progress.get(o.id) ?? null,
      };
    });
  }
}
