import type { DataSource } from 'typeorm';
import { DomainError } from '../../common/domain-error';
import {
  type AccionHallazgo,
  ConciliacionCorrida,
  ConciliacionHallazgo,
  type EstadoCorrida,
  type EstadoHallazgo,
  type OrigenConciliacion,
  TIPOS_HALLAZGO_CATALOGO,
  TIPOS_HALLAZGO_DIRECTORIO,
  type TipoHallazgo,
} from '../entities/conciliacion.entity';
import { isPolicyDecision } from './auto-block';
import { parseEvidencia } from './catalog-reconciliation';

export const TIPOS_HALLAZGO: readonly TipoHallazgo[] = [...TIPOS_HALLAZGO_CATALOGO, ...TIPOS_HALLAZGO_DIRECTORIO];
export const ESTADOS_HALLAZGO: readonly EstadoHallazgo[] = ['pendiente', 'aceptado', 'rechazado', 'cerrado'];
export type { AccionHallazgo, EstadoCorrida, EstadoHallazgo, OrigenConciliacion, TipoHallazgo };

/** A finding as the review page shows it, evidence parsed (dates as ISO, UTC). */
export interface FindingRecord {
  id: string;
  tipo: TipoHallazgo;
  cuentaId: string | null;
  direccion: string;
  evidencia: Record<string, unknown>;
  accion: AccionHallazgo;
  estado: EstadoHallazgo;
  vigente: boolean;
  motivo: string | null;
  decididoPor: string | null;
  /** Accepted by the automatic blocking policy (decididoPor then says which), not by a person. */
  porPolitica: boolean;
  decididoAt: Date | null;
  caseId: string | null;
  detectadoAt: Date;
}

export interface RunRecord {
  id: string;
  origen: OrigenConciliacion;
  estado: EstadoCorrida;
  importacionAt: Date | null;
  startedAt: Date;
  finishedAt: Date | null;
  vigentes: number;
  nuevos: number;
  cerrados: number;
  /** Findings the automatic blocking policy accepted after the run. */
  automaticos: number;
  procesados: number;
  latidoAt: Date | null;
  error: string | null;
}

export interface FindingsPageQuery {
  estado?: EstadoHallazgo;
  tipo?: TipoHallazgo;
  /** The `siguiente` cursor of the previous page. */
  despues?: string;
  limit?: number;
}

export interface FindingsPage {
  items: FindingRecord[];
  /** Findings matching the filters (all pages). */
  total: number;
  /** Cursor of the next page; null on the last. */
  siguiente: string | null;
}

interface Key {
  d: string;
  i: string;
}

const CURSOR_SHAPE = /^[A-Za-z0-9_-]{1,200}$/;
const badCursor = () =>
  new DomainError('CURSOR_INVALIDO', 'El enlace de la página no es válido; vuelva a la primera página.', 400, {
    campo: 'despues',
  });

function decodeCursor(cursor: string): { at: Date; id: string } {
  if (!CURSOR_SHAPE.test(cursor)) throw badCursor();
  let k: Partial<Key>;
  try {
    k = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Key>;
  } catch {
    throw badCursor();
  }
  const at = typeof k.d === 'string' ? new Date(k.d) : new Date(NaN);
  if (Number.isNaN(at.getTime()) || typeof k.i !== 'string' || !/^[0-9a-f-]{36}$/i.test(k.i)) throw badCursor();
  return { at, id: k.i };
}

const encodeCursor = (h: Pick<ConciliacionHallazgo, 'detectadoAt' | 'id'>): string =>
  Buffer.from(JSON.stringify({ d: h.detectadoAt.toISOString(), i: h.id } satisfies Key)).toString('base64url');

function evidenceOf(h: ConciliacionHallazgo): Record<string, unknown> {
  try {
    return (TIPOS_HALLAZGO_CATALOGO as readonly string[]).includes(h.tipo)
      ? { ...parseEvidencia(h.evidencia) }
      : (JSON.parse(h.evidencia) as Record<string, unknown>);
  } catch {
    return {};
  }
}

/**
 * What the Subjefatura's review page reads (issue 14): the findings, newest first, a page at a time by keyset on
 * (detectado_at, id) — the index (estado, detectado_at) serves the state filter — and the latest runs with their
 * counters and progress. «Abiertos» (no state asked) are the findings whose fact still holds, whatever was decided;
 * «cerrado» shows those a run found no longer true.
 */
export class FindingsView {
  constructor(private readonly ds: DataSource) {}

  async page(q: FindingsPageQuery): Promise<FindingsPage> {
    const limit = Math.min(200, Math.max(1, q.limit ?? 50));
    const qb = this.ds.getRepository(ConciliacionHallazgo).createQueryBuilder('h');
    if (q.estado === 'cerrado') qb.andWhere('h.estado = :estado', { estado: 'cerrado' });
    else {
      qb.andWhere('h.vigente = :v', { v: true });
      if (q.estado) qb.andWhere('h.estado = :estado', { estado: q.estado });
    }
    if (q.tipo) qb.andWhere('h.tipo = :tipo', { tipo: q.tipo });
    const total = await qb.clone().getCount();
    if (q.despues) {
      const after = decodeCursor(q.despues);
      qb.andWhere('(h.detectadoAt < :at OR (h.detectadoAt = :at AND h.id > :id))', { at: after.at, id: after.id });
    }
    const rows = await qb
      .orderBy('h.detectadoAt', 'DESC')
      .addOrderBy('h.id', 'ASC')
      .take(limit + 1)
      .getMany();
    const more = rows.length > limit;
    const items = rows.slice(0, limit);
    return {
      total,
      siguiente: more ? encodeCursor(items[items.length - 1]) : null,
      items: items.map((h) => ({
        id: h.id,
        tipo: h.tipo,
        cuentaId: h.cuentaId,
        direccion: h.direccion,
        evidencia: evidenceOf(h),
        accion: h.accion,
        estado: h.estado,
        vigente: h.vigente === true,
        motivo: h.motivo,
        decididoPor: h.decididoPor,
        porPolitica: h.estado === 'aceptado' && isPolicyDecision(h.decididoPor),
        decididoAt: h.decididoAt,
        caseId: h.caseId,
        detectadoAt: h.detectadoAt,
      })),
    };
  }

  /** The addresses of some findings by id (a result names each by its account, wherever it is in the list). */
  async addresses(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.ds
      .getRepository(ConciliacionHallazgo)
      .createQueryBuilder('h')
      .select(['h.id', 'h.direccion'])
      .where('h.id IN (:...ids)', { ids: [...ids] })
      .getMany();
    return new Map(rows.map((h) => [h.id, h.direccion]));
  }

  /** The latest runs, newest first (catalog and directory alike). */
  async runs(limit = 10): Promise<RunRecord[]> {
    const rows = await this.ds
      .getRepository(ConciliacionCorrida)
      .find({ order: { startedAt: 'DESC', id: 'ASC' }, take: Math.min(50, Math.max(1, limit)) });
    return rows.map((r) => ({ ...r }));
  }
}
