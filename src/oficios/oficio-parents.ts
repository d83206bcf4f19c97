import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type Actor, isAddressedTo } from '../auth/actor';
import { type InboxParent, InboxService } from '../engine/inbox.service';
import { RowSql } from '../database/row-sql';
import { Oficio } from './entities/oficio.entity';
import { type OficioProgress, progressOf } from './oficio-batch';

/** An oficio for many schools with lines still open, as the dashboard lists it. */
export interface OpenParent {
  oficio: string;
  folio: string;
  remitenteNombre: string;
  /** The Nivel that sends it, or null for an area. */
  nivel: string | null;
  area: string | null;
  recibido: Date;
  progreso: OficioProgress;
}

const OPEN_PARENT = ['id', 'folio', 'remitenteNombre', 'nivelClave', 'area', 'recibidoAt'] as const;

/**
 * The parent of a line's case where the staff look at cases by the task or by the number (issue 14, part 2: «the
 * register, the inbox and the dashboard show the parent with its progress»): the inbox's items get the oficio, the
 * line and the oficio's progress (a hook of InboxService: the engine knows nothing of oficios), and the dashboard the
 * oficios whose lines are still being worked. Only an oficio of two lines or more is a parent: a one-line oficio reads
 * as any other.
 */
@Injectable()
export class OficioParents implements OnModuleInit {
  private oficioSql?: RowSql<Oficio>;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly inbox: InboxService,
  ) {}

  onModuleInit(): void {
    this.inbox.onParents((actor, caseIds) => this.ofCases(actor, caseIds));
  }

  /**
   * The parents of these cases that `actor` may see in the register (deny by default, as OficioRegisterService.page: a
   * Nivel its level's oficios, a responsable the ones addressed to them, a school none). Two statements at most: the
   * lines by their unique case_id joined to their oficio by its primary key, then progressOf's GROUP BY over the lines'
   * primary key prefix; none at all for a role that sees no oficio.
   */
  async ofCases(actor: Actor, caseIds: string[]): Promise<Map<string, InboxParent>> {
    const out = new Map<string, InboxParent>();
    if (!caseIds.length || !mayHaveOficios(actor)) return out;
    const rows = await this.ds.query<
      {
        case_id: string;
        oficio_id: string;
        linea: number | string;
        folio: string;
        nivel: string | null;
        resp: string | null;
      }[]
    >(
      `SELECT l.case_id AS case_id, l.oficio_id AS oficio_id, l.linea AS linea, o.folio AS folio, ` +
        `o.nivel_clave AS nivel, o.responsable_id AS resp FROM oficio_linea l JOIN oficio o ON o.id = l.oficio_id ` +
        `WHERE l.case_id IN (${caseIds.map(() => '?').join(', ')})`,
      caseIds,
    );
    const seen = rows.filter((r) => seesOficio(actor, { nivelClave: r.nivel, responsableId: r.resp }));
    if (!seen.length) return out;
    const progress = await progressOf(this.ds.manager, [...new Set(seen.map((r) => r.oficio_id))]);
    for (const r of seen) {
      const p = progress.get(r.oficio_id);
      if (!p || p.total < 2) continue;
      out.set(r.case_id, {
        oficio: r.oficio_id,
        folio: r.folio,
        linea: Number(r.linea),
        lineas: p.total,
        conResultado: p.conResultado,
        concluidas: p.concluidas,
      });
    }
    return out;
  }

  /**
   * The newest `limit` oficios of two lines or more with a line still open (of one Nivel, if given), newest folio
   * first, each with its progress, and whether there are more. Two statements: the page, where the database takes the
   * oficios with an open line from idx_oficio_linea_abierta (resultado, oficio_id, read for resultado IS NULL alone),
   * keeps those with a line 2 (the lines' primary key) and sorts them by folio; then progressOf for the ones shown.
   * Before, every open line's oficio id came into the process first and went back 500 at a time.
   */
  async open(nivel: string | null, limit = 20): Promise<{ items: OpenParent[]; mas: boolean }> {
    // Written by hand, with only the columns shown: the dashboard asks for it on every view.
    const sql = (this.oficioSql ??= new RowSql(this.ds, Oficio));
    const found = await sql.select(
      `SELECT ${sql.selectList(OPEN_PARENT, 'o')} FROM oficio o ` +
        'WHERE o.id IN (SELECT l.oficio_id FROM oficio_linea l WHERE l.resultado IS NULL) ' +
        'AND EXISTS (SELECT 1 FROM oficio_linea l2 WHERE l2.oficio_id = o.id AND l2.linea = 2)' +
        (nivel ? ' AND o.nivel_clave = ?' : '') +
        ` ORDER BY o.folio_anio DESC, o.folio_numero DESC LIMIT ${Math.trunc(limit) + 1}`,
      nivel ? [nivel] : [],
      OPEN_PARENT,
    );
    const shown = found.slice(0, limit);
    const progress = await progressOf(
      this.ds.manager,
      shown.map((o) => o.id),
    );
    return {
      items: shown.map((o) => ({
        oficio: o.id,
        folio: o.folio,
        remitenteNombre: o.remitenteNombre,
        nivel: o.nivelClave,
        area: o.area,
        recibido: o.recibidoAt,
        progreso: progress.get(o.id) ?? { total: 0, conResultado: 0, concluidas: 0, porResultado: {} },
      })),
      mas: found.length > limit,
    };
  }
}

/** Roles that see some oficio in the register (OficioRegisterService.page); any other sees none. */
function mayHaveOficios(actor: Actor): boolean {
  return ['subdireccion', 'subjefatura', 'administrador', 'nivel', 'responsable'].includes(actor.role);
}

/** Whether `actor` sees this oficio in the register: the same scope OficioRegisterService.page applies. */
function seesOficio(actor: Actor, o: Pick<Oficio, 'nivelClave' | 'responsableId'>): boolean {
  return mayHaveOficios(actor) && isAddressedTo(o, actor);
}
