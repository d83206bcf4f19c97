import { type EntityManager, In, IsNull } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { Oficio } from './entities/oficio.entity';
import { OficioLinea } from './entities/oficio-linea.entity';
import type { LineCheck } from './oficio-lines';

/**
 * One oficio, many accounts (issue 14, part 2): the oficio is the parent, each line of its annex a child case, 5.2.1
 * or 5.3.1 (oficio_linea, see its entity for why no parent case). The oficio's own `case_id` names the case of line 1: that
 * case issues the oficio's one acuse (AcuseProcessor skips the acuse a line's case asks for when the oficio names
 * another case), and the case page of every line finds the oficio, its scan and its letters through `oficioOfCase`.
 */

/** An oficio's lines as the register shows them: how many, how many concluded, and by outcome. */
export interface OficioProgress {
  total: number;
  /**
   * Lines with their result for the oficio's one reply letter: asked for it (`respuesta`) or concluded. A 5.2.1 case
   * concludes only after the acknowledgement, the school told and its first use: days after its account exists.
   */
  conResultado: number;
  concluidas: number;
  /** Concluded lines by the child case's outcome (creada, cuenta_existente, rechazada, cancelada). */
  porResultado: Record<string, number>;
}

/**
 * A line as POST /api/oficios answers it: its number, school (5.2.1) or holder and account type (5.3.1), account name
 * and child case.
 */
export type RegisteredLine = { linea: number } & ({ cct: string } | { curp: string; tipo: string }) & {
    nombreCuenta: string;
    tramite: string;
  };

/** Most lines one multi-row INSERT carries (10 columns: 900 bound variables, under SQLite's 999). */
const INSERT_CHUNK = 90;

export async function insertLines(em: EntityManager, rows: OficioLinea[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await em.insert(OficioLinea, rows.slice(i, i + INSERT_CHUNK));
}

/**
 * The 422 of an annex with errors: every bad line with its number, what it names (`clave`: its school or its holder)
 * and each error's field, in Spanish; the message names the first few so a clerk reading only it knows where to look.
 */
export function lineErrors<C extends LineCheck>(
  checks: C[],
  clave: (c: C) => Record<string, string>,
): DomainError | null {
  const bad = checks.filter((c) => c.problemas.length > 0);
  if (bad.length === 0) return null;
  const shown = bad
    .slice(0, 5)
    .map((c) => `línea ${c.linea}: ${c.errores.join(' ')}`)
    .join('; ');
  const more = bad.length > 5 ? `; y ${bad.length - 5} líneas más` : '';
  return new DomainError(
    'LINEAS_INVALIDAS',
    `${bad.length} de ${checks.length} líneas del oficio tienen errores y no se registró nada. Corríjalas y envíe el ` +
      `oficio de nuevo: ${shown}${more}.`,
    422,
    {
      lineas: bad.map((c) => ({
        linea: c.linea,
        ...clave(c),
        errores: c.problemas.map((p) => ({
          campo: p.campo === 'nombreCuenta' ? 'nombre' : p.campo,
          mensaje: p.mensaje,
        })),
      })),
    },
  );
}

/** The oficio a case belongs to: the one that names it (a one-line oficio, line 1 of many) or the one of its line. */
export async function oficioOfCase(em: EntityManager, caseId: string): Promise<Oficio | null> {
  const own = await em.findOne(Oficio, { where: { caseId } });
  if (own) return own;
  const line = await em.findOne(OficioLinea, { where: { caseId }, select: { oficioId: true } });
  return line ? em.findOne(Oficio, { where: { id: line.oficioId } }) : null;
}

/** The line a case is the child of, if any. */
export function lineOfCase(em: EntityManager, caseId: string): Promise<OficioLinea | null> {
  return em.findOne(OficioLinea, { where: { caseId } });
}

/** The oficios among these that have lines (one indexed query). */
export async function oficiosWithLines(em: EntityManager, oficioIds: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < oficioIds.length; i += 500) {
    const rows: { oficio_id: string }[] = await em
      .createQueryBuilder(OficioLinea, 'l')
      .select('DISTINCT l.oficio_id', 'oficio_id')
      .where({ oficioId: In(oficioIds.slice(i, i + 500)) })
      .getRawMany();
    for (const r of rows) out.add(r.oficio_id);
  }
  return out;
}

/**
 * Progress of the oficios of a register page: one GROUP BY over the lines' primary key prefix, never one query per
 * oficio. Oficios without lines are absent from the map.
 */
export async function progressOf(em: EntityManager, oficioIds: string[]): Promise<Map<string, OficioProgress>> {
  const out = new Map<string, OficioProgress>();
  if (oficioIds.length === 0) return out;
  // Written by hand: the query builder's rebuilding of this statement cost more than the statement (a register page).
  const rows = await em.query<
    { oficio_id: string; resultado: string | null; n: string | number; r: string | number }[]
  >(
    'SELECT l.oficio_id AS oficio_id, l.resultado AS resultado, COUNT(*) AS n, COUNT(l.respuesta) AS r ' +
      `FROM oficio_linea l WHERE l.oficio_id IN (${oficioIds.map(() => '?').join(', ')}) GROUP BY l.oficio_id, l.resultado`,
    oficioIds,
  );
  for (const r of rows) {
    const p = out.get(r.oficio_id) ?? { total: 0, conResultado: 0, concluidas: 0, porResultado: {} };
    const n = Number(r.n);
    p.total += n;
    p.conResultado += r.resultado === null ? Number(r.r) : n;
    if (r.resultado !== null) {
      p.concluidas += n;
      p.porResultado[r.resultado] = (p.porResultado[r.resultado] ?? 0) + n;
    }
    out.set(r.oficio_id, p);
  }
  return out;
}

/**
 * An oficio's row under a write lock, in the caller's transaction: what serializes its documents, its cancellation and
 * its lines' one reply letter. SQLite queues whole transactions: a plain read there.
 */
export function lockOficio(em: EntityManager, oficioId: string): Promise<Oficio | null> {
  const q = em.createQueryBuilder(Oficio, 'o').where('o.id = :id', { id: oficioId });
  if (em.connection.options.type !== 'better-sqlite3') q.setLock('pessimistic_write');
  return q.getOne();
}

/** Records a child case's outcome on its line (read by the caller), in the transaction that ends the case. */
export async function recordLineEnd(
  em: EntityManager,
  line: OficioLinea,
  outcome: string | null,
): Promise<OficioLinea> {
  await em.update(OficioLinea, { caseId: line.caseId }, { resultado: outcome ?? 'concluido' });
  return { ...line, resultado: outcome ?? 'concluido' };
}

/** Whether every line of the oficio ended cancelled (the oficio then reads cancelado). */
export async function allLinesCancelled(em: EntityManager, oficioId: string): Promise<boolean> {
  const other = await em
    .createQueryBuilder(OficioLinea, 'l')
    .where('l.oficio_id = :oficioId', { oficioId })
    .andWhere('(l.resultado IS NULL OR l.resultado <> :c)', { c: 'cancelada' })
    .getCount();
  return other === 0;
}

/** The lines of an oficio whose case is still open, in annex order. */
export function openLines(em: EntityManager, oficioId: string): Promise<OficioLinea[]> {
  return em.find(OficioLinea, { where: { oficioId, resultado: IsNull() }, order: { linea: 'ASC' } });
}
