import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { dateFromRaw } from '../../database/raw-date';
import { inTransaction } from '../../database/transaction';
import {
  type AccionHallazgo,
  ConciliacionCorrida,
  ConciliacionHallazgo,
  type OrigenConciliacion,
  TIPOS_HALLAZGO_CATALOGO,
  type TipoHallazgo,
} from '../entities/conciliacion.entity';

/**
 * The catalog side of reconciliation (issue 14): accounts whose holder, school or responsible worker Capital Humano or
 * the Catálogo de Centros de Trabajo no longer has as active. Everything is done by the database, one statement per
 * kind and step (no account is loaded into memory, whatever the size of the catalogs):
 * 1. mark: the open findings of the kind whose fact still holds are stamped with this run;
 * 2. raise: INSERT … SELECT the accounts whose fact holds and that have no open finding of the kind;
 * 3. close: the open catalog findings this run did not stamp no longer hold (the worker came back, the account was
 *    blocked or reassigned): vigente is cleared, a pending one becomes «cerrado».
 * A run that fails half way closed nothing (step 3 is last), and the next run completes the work: runs are idempotent.
 */

interface KindSpec {
  tipo: TipoHallazgo;
  accion: AccionHallazgo;
  /** Over c (cuenta), t (trabajador of c.titular_curp), ct (centro_trabajo of c.titular_cct). */
  where: string;
  /** The holder's key and its state in the catalog, for the evidence. */
  titular: string;
  catalogo: string;
}

const ACTIVE = `c.estado = 'activa'`;
const KINDS: readonly KindSpec[] = [
  {
    tipo: 'personal_baja',
    accion: 'bloquear',
    where: `c.tipo = 'personal' AND ${ACTIVE} AND t.curp IS NOT NULL AND t.activo = 0`,
    titular: 'c.titular_curp',
    catalogo: `'baja'`,
  },
  {
    tipo: 'personal_sin_catalogo',
    accion: 'bloquear',
    where: `c.tipo = 'personal' AND ${ACTIVE} AND t.curp IS NULL`,
    titular: 'c.titular_curp',
    catalogo: `'ausente'`,
  },
  {
    tipo: 'centro_baja',
    accion: 'bloquear',
    where: `c.tipo = 'centro_trabajo' AND ${ACTIVE} AND ct.cct IS NOT NULL AND ct.estatus = 'inactivo'`,
    titular: 'c.titular_cct',
    catalogo: `'inactivo'`,
  },
  {
    tipo: 'centro_sin_catalogo',
    accion: 'bloquear',
    where: `c.tipo = 'centro_trabajo' AND ${ACTIVE} AND ct.cct IS NULL`,
    titular: 'c.titular_cct',
    catalogo: `'ausente'`,
  },
  {
    // Guía 5.4: the account outlives its responsible; it passes to another worker rather than being blocked.
    tipo: 'responsable_baja',
    accion: 'reasignar',
    where: `c.tipo IN ('servicio', 'funcion') AND ${ACTIVE} AND (t.curp IS NULL OR t.activo = 0)`,
    titular: 'c.titular_curp',
    catalogo: `CASE WHEN t.curp IS NULL THEN 'ausente' ELSE 'baja' END`,
  },
];

const FROM =
  'FROM cuenta c LEFT JOIN trabajador t ON t.curp = c.titular_curp LEFT JOIN centro_trabajo ct ON ct.cct = c.titular_cct';

/** A random v4 UUID per row, in SQL (SQLite has no function for it; MySQL's UUID() is unique, v1). */
const SQL_UUID = {
  sqlite:
    `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || ` +
    `substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`,
  mysql: 'UUID()',
};

/** What each kind of finding means, for people. */
export const TIPO_HALLAZGO_LABEL: Record<TipoHallazgo, string> = {
  personal_baja: 'Cuenta personal de un trabajador dado de baja',
  personal_sin_catalogo: 'Cuenta personal de un trabajador que no está en Capital Humano',
  centro_baja: 'Cuenta de un centro de trabajo inactivo',
  centro_sin_catalogo: 'Cuenta de un centro de trabajo que no está en el catálogo',
  responsable_baja: 'Cuenta de Servicio o Función cuyo responsable ya no está activo',
};

export interface ReconcileOptions {
  origen: OrigenConciliacion;
  /** The import the run follows (UTC): the evidence and the basis of the cases. */
  importacionAt?: Date | null;
  now?: Date;
  onProgress?: (done: number, total: number) => void;
}

export interface ReconcileResult {
  corridaId: string;
  nuevos: number;
  cerrados: number;
  vigentes: number;
  porTipo: Partial<Record<TipoHallazgo, number>>;
}

/** Evidence of a catalog finding, as stored (JSON). */
export interface EvidenciaCatalogo {
  titular: string | null;
  catalogo: 'baja' | 'ausente' | 'inactivo';
  /** When the last full import saw the worker (ISO, UTC), when there is one. */
  ultimaImportacion: string | null;
  /** The import the run followed (ISO, UTC), or null for a run on demand. */
  importacion: string | null;
}

/** The evidence as read back: the dates as ISO whatever dialect wrote them. */
export function parseEvidencia(json: string): EvidenciaCatalogo {
  const e = JSON.parse(json) as EvidenciaCatalogo;
  const iso = (v: string | null): string | null => (v ? dateFromRaw(v).toISOString() : null);
  return { ...e, ultimaImportacion: iso(e.ultimaImportacion), importacion: iso(e.importacion) };
}

export async function reconcileCatalog(ds: DataSource, opts: ReconcileOptions): Promise<ReconcileResult> {
  const now = opts.now ?? new Date();
  const hallazgoMeta = ds.getMetadata(ConciliacionHallazgo);
  const dateParam = (d: Date): unknown =>
    ds.driver.preparePersistentValue(d, hallazgoMeta.findColumnWithPropertyName('detectadoAt')!);
  const corridaId = randomUUID();
  await ds.getRepository(ConciliacionCorrida).insert({
    id: corridaId,
    origen: opts.origen,
    importacionAt: opts.importacionAt ?? null,
    startedAt: now,
    finishedAt: null,
    estado: 'en_curso',
    vigentes: 0,
    nuevos: 0,
    cerrados: 0,
    error: null,
  });
  const dialect = ds.options.type === 'better-sqlite3' ? 'sqlite' : 'mysql';
  const run = (sql: string, params: unknown[]): Promise<number> =>
    inTransaction(ds, async (em) => (await em.queryRunner!.query(sql, params, true)).affected ?? 0);
  const importacion = opts.importacionAt ? opts.importacionAt.toISOString() : null;
  const total = KINDS.length * 2 + 1;
  let done = 0;
  const step = (): void => opts.onProgress?.(++done, total);
  const result: ReconcileResult = { corridaId, nuevos: 0, cerrados: 0, vigentes: 0, porTipo: {} };
  try {
    opts.onProgress?.(0, total);
    for (const k of KINDS) {
      await run(
        `UPDATE conciliacion_hallazgo SET corrida_vista_id = ? WHERE vigente = 1 AND tipo = ? AND cuenta_id IN ` +
          `(SELECT c.id ${FROM} WHERE ${k.where})`,
        [corridaId, k.tipo],
      );
      step();
      const evidencia =
        `json_object('titular', ${k.titular}, 'catalogo', ${k.catalogo}, ` +
        `'ultimaImportacion', t.ultima_importacion, 'importacion', ?)`;
      const raised = await run(
        `INSERT INTO conciliacion_hallazgo (id, tipo, cuenta_id, direccion, evidencia, accion, estado, vigente, ` +
          `corrida_id, corrida_vista_id, detectado_at) ` +
          `SELECT ${SQL_UUID[dialect]}, ?, c.id, c.direccion, ${evidencia}, ?, 'pendiente', 1, ?, ?, ? ${FROM} ` +
          `WHERE ${k.where} AND NOT EXISTS (SELECT 1 FROM conciliacion_hallazgo h ` +
          `WHERE h.tipo = ? AND h.direccion = c.direccion AND h.vigente = 1)`,
        [k.tipo, importacion, k.accion, corridaId, corridaId, dateParam(now), k.tipo],
      );
      result.nuevos += raised;
      step();
    }
    const tipos = TIPOS_HALLAZGO_CATALOGO.map(() => '?').join(', ');
    result.cerrados = await run(
      `UPDATE conciliacion_hallazgo SET vigente = NULL, cerrado_at = ?, ` +
        `estado = CASE WHEN estado = 'pendiente' THEN 'cerrado' ELSE estado END ` +
        `WHERE vigente = 1 AND tipo IN (${tipos}) AND corrida_vista_id <> ?`,
      [dateParam(now), ...TIPOS_HALLAZGO_CATALOGO, corridaId],
    );
    const counts: { tipo: TipoHallazgo; n: string | number }[] = await ds.query(
      `SELECT tipo, COUNT(*) AS n FROM conciliacion_hallazgo WHERE vigente = 1 AND tipo IN (${tipos}) GROUP BY tipo`,
      [...TIPOS_HALLAZGO_CATALOGO],
    );
    for (const { tipo, n } of counts) {
      result.porTipo[tipo] = Number(n);
      result.vigentes += Number(n);
    }
    step();
    await ds.getRepository(ConciliacionCorrida).update(corridaId, {
      estado: 'terminada',
      finishedAt: opts.now ?? new Date(),
      nuevos: result.nuevos,
      cerrados: result.cerrados,
      vigentes: result.vigentes,
    });
    return result;
  } catch (e) {
    await ds
      .getRepository(ConciliacionCorrida)
      .update(corridaId, { estado: 'fallida', error: String((e as Error).message ?? e).slice(0, 500) });
    throw e;
  }
}
