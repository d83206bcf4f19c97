import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type SelectQueryBuilder } from 'typeorm';
import type { Actor } from '../auth/actor';
import { DomainError } from '../common/domain-error';
import { type CaseAct, CaseRecords, type CaseSummary } from '../engine/case-records';
import { canOpen } from './documents.service';
import { DocumentDownload, IssuedDocument } from './entities/document.entity';
import { Oficio } from './entities/oficio.entity';
import type { OficioRegisterQuery } from './oficio.dto';
import { filterOficios, type OficioView, toView } from './oficios.service';

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
}

export interface RegisterPage {
  items: RegisterEntry[];
  /** Matches counted up to REGISTER_COUNT_CAP; past it `totalAcotado`. */
  total: number;
  totalAcotado: boolean;
  siguiente: string | null;
  anterior: string | null;
}

export const REGISTER_COUNT_CAP = 1000;

/** The position of an oficio in the register's order (newest folio first): year and number of its folio. */
interface RegisterKey {
  anio: number;
  numero: number;
}

const encodeKey = (k: RegisterKey): string => Buffer.from(JSON.stringify([k.anio, k.numero])).toString('base64url');

function decodeKey(cursor: string, param: 'despues' | 'antes'): RegisterKey {
  const bad = new DomainError(
    'CURSOR_INVALIDO',
    `El parámetro «${param}» no es válido: use el enlace «${param === 'despues' ? 'Siguiente' : 'Anterior'}» de la página, sin modificarlo.`,
    400,
  );
  let parsed: unknown;
  try {
    parsed = /^[A-Za-z0-9_-]{1,60}$/.test(cursor)
      ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
      : null;
  } catch {
    throw bad;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw bad;
  const [anio, numero] = parsed as unknown[];
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 1e9;
  if (!ok(anio) || !ok(numero)) throw bad;
  return { anio, numero };
}

/**
 * The correspondence register of each role: every oficio it may see, newest folio first, with where its case stands
 * (the open step, who holds it, until when) and its documents (acuse, reply, downloads, acknowledgement). Deny by
 * default, as the case pages: the Subdirección, the Subjefatura and administrators see every oficio; a Nivel the
 * oficios of its level; a responsable the ones addressed to them; any other role none.
 *
 * Pages by keyset on (folio_anio, folio_numero), the same index order per scope (idx_oficio_orden,
 * idx_oficio_nivel_orden, idx_oficio_resp_orden), so page 200 costs what page 1 does.
 */
@Injectable()
export class OficioRegisterService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly cases: CaseRecords,
  ) {}

  async page(actor: Actor, q: OficioRegisterQuery): Promise<RegisterPage> {
    const porPagina = Number.isInteger(q.porPagina) ? Math.min(Math.max(q.porPagina!, 1), 100) : 25;
    if (q.despues && q.antes)
      throw new DomainError('CURSOR_INVALIDO', 'Indique «despues» o «antes», no los dos a la vez.', 400);
    const after = q.despues ? decodeKey(q.despues, 'despues') : undefined;
    const before = q.antes ? decodeKey(q.antes, 'antes') : undefined;

    const filtered = () => {
      const qb = filterOficios(this.ds.getRepository(Oficio).createQueryBuilder('o'), q);
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
      return qb;
    };

    const qb = filtered();
    const key = after ?? before;
    if (key) {
      // Newest first: «after» goes to older folios, «before» to newer ones. A year is one value of folio_anio, so the
      // condition must let the planner seek to the cursor inside it, not read every folio of the year from its top
      // (page 200 of 2 M oficios read 5 000 index entries): SQLite seeks to a row value; MariaDB makes two ranges of
      // the OR, the cursor's year from its number and the years before whole.
      const lt = after ? '<' : '>';
      qb.andWhere(
        this.ds.options.type === 'better-sqlite3'
          ? `(o.folioAnio, o.folioNumero) ${lt} (:ka, :kn)`
          : `(o.folioAnio ${lt} :ka OR (o.folioAnio = :ka AND o.folioNumero ${lt} :kn))`,
        { ka: key.anio, kn: key.numero },
      );
    }
    const dir = before ? 'ASC' : 'DESC';
    const fetched = await qb
      .orderBy('o.folioAnio', dir)
      .addOrderBy('o.folioNumero', dir)
      .take(porPagina + 1)
      .getMany();
    const more = fetched.length > porPagina;
    const rows = fetched.slice(0, porPagina);
    if (before) rows.reverse();
    const total = !key && !more ? rows.length : await this.cappedCount(filtered());
    const first = rows[0];
    const last = rows[rows.length - 1];
    const keyOf = (o: Oficio): string => encodeKey({ anio: o.folioAnio, numero: o.folioNumero });
    return {
      items: await this.entries(rows, actor),
      total: Math.min(total, REGISTER_COUNT_CAP),
      totalAcotado: total > REGISTER_COUNT_CAP,
      siguiente: last && (before || more) ? keyOf(last) : null,
      anterior: first && (after || (before && more)) ? keyOf(first) : null,
    };
  }

  /** At most REGISTER_COUNT_CAP + 1 index entries are read, never the whole table. */
  private async cappedCount(qb: SelectQueryBuilder<Oficio>): Promise<number> {
    const sub = qb.select('o.id').limit(REGISTER_COUNT_CAP + 1);
    const [sql, params] = sub.getQueryAndParameters();
    const [r] = await this.ds.query<{ cnt: number | string }[]>(`SELECT COUNT(*) AS cnt FROM (${sql}) capped`, params);
    return Number(r.cnt);
  }

  /** Case status, documents, downloads and acknowledgements of one page: a few indexed queries, not one per row. */
  private async entries(rows: Oficio[], actor: Actor): Promise<RegisterEntry[]> {
    if (rows.length === 0) return [];
    const caseIds = rows.map((o) => o.caseId);
    // One statement after the other: a request holds one connection of the pool, not three.
    const summaries = await this.cases.summaries(caseIds);
    const acts = await this.cases.actsOf(caseIds, ['TURNAR_RESPUESTA', 'ACUSAR_RECIBO']);
    const docs = await this.ds.getRepository(IssuedDocument).find({
      where: { oficioId: In(rows.map((o) => o.id)) },
      order: { signedAt: 'ASC' },
    });
    const downloads = docs.length
      ? await this.ds.getRepository(DocumentDownload).find({
          where: { documentId: In(docs.map((d) => d.id)) },
          order: { at: 'ASC' },
        })
      : [];
    const actOf = (caseId: string, type: string): CaseAct | undefined =>
      acts.filter((a) => a.caseId === caseId && a.eventType === type).pop();
    return rows.map((o) => {
      const forwarded = !!actOf(o.caseId, 'TURNAR_RESPUESTA');
      const ack = actOf(o.caseId, 'ACUSAR_RECIBO');
      return {
        oficio: toView(o),
        caso: summaries.get(o.caseId) ?? null,
        documentos: docs
          .filter((d) => d.oficioId === o.id && canOpen(d, actor, forwarded))
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
      };
    });
  }
}
