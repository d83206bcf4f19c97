import type { DataSource } from 'typeorm';
import { dateFromRaw } from '../../database/raw-date';
import {
  type AccionHallazgo,
  type OrigenConciliacion,
  TIPOS_HALLAZGO_CATALOGO,
  type TipoHallazgo,
} from '../entities/conciliacion.entity';
import { acceptByPolicy, type AutoBlockPolicy } from './auto-block';
import { FindingsRun, type ReconcileResult } from './findings-run';

export type { ReconcileResult } from './findings-run';

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

/** What each kind of finding means, for people. */
export const TIPO_HALLAZGO_LABEL: Record<TipoHallazgo, string> = {
  personal_baja: 'Cuenta personal de un trabajador dado de baja',
  personal_sin_catalogo: 'Cuenta personal de un trabajador que no está en Capital Humano',
  centro_baja: 'Cuenta de un centro de trabajo inactivo',
  centro_sin_catalogo: 'Cuenta de un centro de trabajo que no está en el catálogo',
  responsable_baja: 'Cuenta de Servicio o Función cuyo responsable ya no está activo',
  directorio_desconocida: 'Cuenta del directorio que el sistema no conoce',
  directorio_ausente: 'Cuenta activa del sistema que no está en el directorio',
  directorio_estado: 'Cuenta con distinto estado en el directorio (suspendida o activa) que en el sistema',
};

export interface ReconcileOptions {
  origen: OrigenConciliacion;
  /** The import the run follows (UTC): the evidence and the basis of the cases. */
  importacionAt?: Date | null;
  now?: Date;
  onProgress?: (done: number, total: number) => void;
  /**
   * RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS, when set, with the case opener: after the run, the findings of workers in
   * baja for that many days are accepted by the policy (auto-block.ts). Absent: nothing is accepted without a person.
   */
  autoBlock?: AutoBlockPolicy;
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
  const run = await FindingsRun.start(ds, opts.origen, { importacionAt: opts.importacionAt, now });
  const importacion = opts.importacionAt ? opts.importacionAt.toISOString() : null;
  const total = KINDS.length + 1;
  let result: ReconcileResult;
  try {
    opts.onProgress?.(0, total);
    for (const [i, k] of KINDS.entries()) {
      await run.raiseWhere({
        tipo: k.tipo,
        accion: k.accion,
        from: FROM,
        where: k.where,
        evidencia:
          `json_object('titular', ${k.titular}, 'catalogo', ${k.catalogo}, ` +
          `'ultimaImportacion', t.ultima_importacion, 'importacion', ?)`,
        evidenciaParams: [importacion],
      });
      opts.onProgress?.(i + 1, total);
    }
    result = await run.finish(TIPOS_HALLAZGO_CATALOGO, opts.now ?? new Date());
    opts.onProgress?.(total, total);
  } catch (e) {
    await run.fail(e);
    throw e;
  }
  // Once the run is «terminada»: the policy accepts among the findings a person would see; its failure (thrown to
  // the caller) leaves the run and its findings as they are, and the next run tries again.
  if (opts.autoBlock) result.politica = await acceptByPolicy(ds, result.corridaId, opts.autoBlock, now);
  return result;
}
