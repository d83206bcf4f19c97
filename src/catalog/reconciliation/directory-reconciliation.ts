import type { DataSource } from 'typeorm';
import { inTransaction } from '../../database/transaction';
import { ConciliacionVisto, TIPOS_HALLAZGO_DIRECTORIO } from '../entities/conciliacion.entity';
import { Cuenta } from '../entities/cuenta.entity';
import { type FoundFact, FindingsRun, type ReconcileResult } from './findings-run';

/** An entry of the directory as a listing page gives it (the provider's DirectoryAccount, seen from the catalog). */
export interface DirectoryEntry {
  address: string;
  providerId: string;
  suspended: boolean;
  holder?: { curp?: string; cct?: string };
}

export interface DirectoryReconcileOptions {
  /** The directory compared (local, ldap, google): the accounts of ours it should hold are those of this provider. */
  proveedor: string;
  pages: AsyncIterable<readonly DirectoryEntry[]>;
  /** The run's clock (its findings' date); progress heartbeats read `clock`. */
  now?: Date;
  clock?: () => Date;
  /** As soon as the run exists (a page can show it and its progress). */
  onStart?: (corridaId: string) => void;
  /** Entries compared so far. */
  onProgress?: (seen: number) => void;
}

/**
 * The directory side of reconciliation (issue 14), streamed a page at a time; memory holds one page:
 * - each page's addresses are written to conciliacion_visto, and its accounts of ours read by address (one IN query):
 *   an entry we do not know is `directorio_desconocida` (created behind the system's back: revisar); one suspended
 *   there and active here, or active there and blocked here, is `directorio_estado` (bloquear: 5.5 records the block
 *   and suspends again, both repeatable);
 * - after the last page, one INSERT … SELECT finds the active, provisioned accounts of this provider that no page
 *   brought (`directorio_ausente`: revisar), against conciliacion_visto;
 * - then the directory findings this run did not see again are closed, and the run's seen addresses removed.
 */
export async function reconcileDirectory(ds: DataSource, opts: DirectoryReconcileOptions): Promise<ReconcileResult> {
  const clock = opts.clock ?? (() => new Date());
  const now = opts.now ?? clock();
  const run = await FindingsRun.start(ds, 'directorio', { now });
  opts.onStart?.(run.id);
  let seen = 0;
  try {
    for await (const page of opts.pages) {
      await comparePage(ds, run, opts.proveedor, page);
      seen += page.length;
      await run.progress(seen, clock());
      opts.onProgress?.(seen);
    }
    await run.raiseWhere({
      tipo: 'directorio_ausente',
      accion: 'revisar',
      from: 'FROM cuenta c',
      where:
        `c.proveedor = ? AND c.proveedor_id IS NOT NULL AND c.estado = 'activa' AND NOT EXISTS ` +
        `(SELECT 1 FROM conciliacion_visto v WHERE v.corrida_id = ? AND v.direccion = c.direccion)`,
      whereParams: [opts.proveedor, run.id],
      evidencia: `json_object('proveedor', ?, 'proveedorId', c.proveedor_id, 'estadoSistema', c.estado)`,
      evidenciaParams: [opts.proveedor],
    });
    return await run.finish(TIPOS_HALLAZGO_DIRECTORIO, clock());
  } catch (e) {
    await run.fail(e);
    throw e;
  } finally {
    await ds
      .getRepository(ConciliacionVisto)
      .delete({ corridaId: run.id })
      .catch(() => undefined);
  }
}

async function comparePage(
  ds: DataSource,
  run: FindingsRun,
  proveedor: string,
  page: readonly DirectoryEntry[],
): Promise<void> {
  const entries = new Map(page.map((e) => [e.address.trim().toLowerCase(), e]));
  if (entries.size === 0) return;
  const addresses = [...entries.keys()];
  await inTransaction(ds, (em) =>
    em
      .createQueryBuilder()
      .insert()
      .into(ConciliacionVisto)
      .values(addresses.map((direccion) => ({ corridaId: run.id, direccion })))
      .orIgnore()
      .updateEntity(false)
      .execute(),
  );
  const ours = await ds
    .getRepository(Cuenta)
    .createQueryBuilder('c')
    .select(['c.id', 'c.direccion', 'c.estado'])
    .where('c.direccion IN (:...addresses)', { addresses })
    .getMany();
  const byAddress = new Map(ours.map((c) => [c.direccion.toLowerCase(), c]));
  const facts: FoundFact[] = [];
  for (const [direccion, e] of entries) {
    const attrs = {
      proveedor,
      proveedorId: e.providerId,
      suspendida: e.suspended,
      curp: e.holder?.curp ?? null,
      cct: e.holder?.cct ?? null,
    };
    const c = byAddress.get(direccion);
    if (!c) {
      facts.push({ tipo: 'directorio_desconocida', accion: 'revisar', cuentaId: null, direccion, evidencia: attrs });
    } else if (e.suspended !== (c.estado === 'bloqueada')) {
      facts.push({
        tipo: 'directorio_estado',
        accion: 'bloquear',
        cuentaId: c.id,
        direccion: c.direccion,
        evidencia: { ...attrs, estadoSistema: c.estado },
      });
    }
  }
  await run.raiseFacts(facts);
}
