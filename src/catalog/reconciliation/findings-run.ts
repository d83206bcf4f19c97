import { randomUUID } from 'node:crypto';
import { type DataSource, MoreThan } from 'typeorm';
import { inTransaction } from '../../database/transaction';
import type { AutoBlockResult } from './auto-block';
import {
  type AccionHallazgo,
  ConciliacionCorrida,
  ConciliacionHallazgo,
  type OrigenConciliacion,
  type TipoHallazgo,
} from '../entities/conciliacion.entity';

/** A random v4 UUID per row, in SQL (SQLite has no function for it; MySQL's UUID() is unique, v1). */
const SQL_UUID = {
  sqlite:
    `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || ` +
    `substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`,
  mysql: 'UUID()',
};

export interface ReconcileResult {
  corridaId: string;
  nuevos: number;
  cerrados: number;
  vigentes: number;
  porTipo: Partial<Record<TipoHallazgo, number>>;
  /** What the automatic blocking policy did after the run; absent when it is off (the default) or not applicable. */
  politica?: AutoBlockResult;
}

/** A kind whose facts one query finds: the accounts (alias c) of `from` that match `where`. */
export interface QueryKind {
  tipo: TipoHallazgo;
  accion: AccionHallazgo;
  /** FROM … with the account as c. */
  from: string;
  where: string;
  whereParams?: unknown[];
  /** A json_object(…) over the row (same function on both dialects), and its parameters. */
  evidencia: string;
  evidenciaParams?: unknown[];
}

/** A fact found outside the database (a directory page), one row. */
export interface FoundFact {
  tipo: TipoHallazgo;
  accion: AccionHallazgo;
  cuentaId: string | null;
  direccion: string;
  evidencia: Record<string, unknown>;
}

/**
 * One reconciliation run and the three steps every kind of finding goes through (issue 14):
 * 1. mark: the open findings whose fact still holds are stamped with this run (corrida_vista_id);
 * 2. raise: the facts without an open finding become new ones (the unique (tipo, direccion, vigente) guards a race);
 * 3. finish: the open findings of the run's kinds it did not stamp no longer hold: vigente is cleared, a pending one
 *    becomes «cerrado». It runs last, so a run that fails half way closes nothing.
 */
export class FindingsRun {
  private readonly dialect: 'sqlite' | 'mysql';

  private constructor(
    private readonly ds: DataSource,
    readonly id: string,
    private readonly now: Date,
  ) {
    this.dialect = ds.options.type === 'better-sqlite3' ? 'sqlite' : 'mysql';
  }

  static async start(
    ds: DataSource,
    origen: OrigenConciliacion,
    opts: { importacionAt?: Date | null; now: Date },
  ): Promise<FindingsRun> {
    const run = new FindingsRun(ds, randomUUID(), opts.now);
    await ds.getRepository(ConciliacionCorrida).insert({
      id: run.id,
      origen,
      importacionAt: opts.importacionAt ?? null,
      startedAt: opts.now,
      finishedAt: null,
      estado: 'en_curso',
      vigentes: 0,
      nuevos: 0,
      cerrados: 0,
      error: null,
      procesados: 0,
      latidoAt: opts.now,
    });
    return run;
  }

  /** A datetime as the driver writes it (raw SQL parameters). */
  dateParam(d: Date): unknown {
    const col = this.ds.getMetadata(ConciliacionHallazgo).findColumnWithPropertyName('detectadoAt')!;
    return this.ds.driver.preparePersistentValue(d, col);
  }

  /** Steps 1 and 2 for a kind one query finds, in the database (no account is loaded). */
  async raiseWhere(k: QueryKind): Promise<void> {
    await this.exec(
      `UPDATE conciliacion_hallazgo SET corrida_vista_id = ? WHERE vigente = 1 AND tipo = ? AND cuenta_id IN ` +
        `(SELECT c.id ${k.from} WHERE ${k.where})`,
      [this.id, k.tipo, ...(k.whereParams ?? [])],
    );
    await this.exec(
      `INSERT INTO conciliacion_hallazgo (id, tipo, cuenta_id, direccion, evidencia, accion, estado, vigente, ` +
        `corrida_id, corrida_vista_id, detectado_at) ` +
        `SELECT ${SQL_UUID[this.dialect]}, ?, c.id, c.direccion, ${k.evidencia}, ?, 'pendiente', 1, ?, ?, ? ${k.from} ` +
        `WHERE ${k.where} AND NOT EXISTS (SELECT 1 FROM conciliacion_hallazgo h ` +
        `WHERE h.tipo = ? AND h.direccion = c.direccion AND h.vigente = 1)`,
      [
        k.tipo,
        ...(k.evidenciaParams ?? []),
        k.accion,
        this.id,
        this.id,
        this.dateParam(this.now),
        ...(k.whereParams ?? []),
        k.tipo,
      ],
    );
  }

  /** Steps 1 and 2 for facts found outside the database (one page of them). */
  async raiseFacts(facts: readonly FoundFact[]): Promise<void> {
    if (facts.length === 0) return;
    const byTipo = new Map<TipoHallazgo, string[]>();
    for (const f of facts) byTipo.set(f.tipo, [...(byTipo.get(f.tipo) ?? []), f.direccion]);
    await inTransaction(this.ds, async (em) => {
      for (const [tipo, dirs] of byTipo) {
        await em.query(
          `UPDATE conciliacion_hallazgo SET corrida_vista_id = ? WHERE vigente = 1 AND tipo = ? AND direccion IN ` +
            `(${dirs.map(() => '?').join(', ')})`,
          [this.id, tipo, ...dirs],
        );
      }
      // An open finding of the same fact makes the row a no-op (unique (tipo, direccion, vigente)).
      await em
        .createQueryBuilder()
        .insert()
        .into(ConciliacionHallazgo)
        .values(
          facts.map((f) => ({
            id: randomUUID(),
            tipo: f.tipo,
            cuentaId: f.cuentaId,
            direccion: f.direccion,
            evidencia: JSON.stringify(f.evidencia),
            accion: f.accion,
            estado: 'pendiente' as const,
            vigente: true,
            corridaId: this.id,
            corridaVistaId: this.id,
            detectadoAt: this.now,
          })),
        )
        .orIgnore()
        // No read-back of the defaults: TypeORM would select them with one OR per row (SQLite's 1,000-deep limit).
        .updateEntity(false)
        .execute();
    });
  }

  /** Progress of a long run, with its heartbeat. */
  async progress(procesados: number, at: Date): Promise<void> {
    await this.ds.getRepository(ConciliacionCorrida).update(this.id, { procesados, latidoAt: at });
  }

  /** Step 3 over the run's kinds, then its counts. */
  async finish(tipos: readonly TipoHallazgo[], finishedAt: Date): Promise<ReconcileResult> {
    const list = tipos.map(() => '?').join(', ');
    const cerrados = await this.exec(
      `UPDATE conciliacion_hallazgo SET vigente = NULL, cerrado_at = ?, ` +
        `estado = CASE WHEN estado = 'pendiente' THEN 'cerrado' ELSE estado END ` +
        `WHERE vigente = 1 AND tipo IN (${list}) AND corrida_vista_id <> ?`,
      [this.dateParam(this.now), ...tipos, this.id],
    );
    const counts: { tipo: TipoHallazgo; n: string | number }[] = await this.ds.query(
      `SELECT tipo, COUNT(*) AS n FROM conciliacion_hallazgo WHERE vigente = 1 AND tipo IN (${list}) GROUP BY tipo`,
      [...tipos],
    );
    const [{ n: nuevos }]: { n: string | number }[] = await this.ds.query(
      'SELECT COUNT(*) AS n FROM conciliacion_hallazgo WHERE corrida_id = ?',
      [this.id],
    );
    const result: ReconcileResult = { corridaId: this.id, nuevos: Number(nuevos), cerrados, vigentes: 0, porTipo: {} };
    for (const { tipo, n } of counts) {
      result.porTipo[tipo] = Number(n);
      result.vigentes += Number(n);
    }
    await this.ds.getRepository(ConciliacionCorrida).update(this.id, {
      estado: 'terminada',
      finishedAt,
      latidoAt: finishedAt,
      nuevos: result.nuevos,
      cerrados: result.cerrados,
      vigentes: result.vigentes,
    });
    return result;
  }

  async fail(e: unknown): Promise<void> {
    const message = e instanceof Error ? e.message : String(e);
    await this.ds
      .getRepository(ConciliacionCorrida)
      .update(this.id, { estado: 'fallida', error: message.slice(0, 500) })
      .catch(() => undefined);
  }

  private exec(sql: string, params: unknown[]): Promise<number> {
    return inTransaction(this.ds, async (em) => (await em.queryRunner!.query(sql, params, true)).affected ?? 0);
  }
}

/** Whether a directory run is in progress: «en_curso» with a heartbeat after `since` (older ones died). */
export async function directoryRunInProgress(ds: DataSource, since: Date): Promise<boolean> {
  return ds.getRepository(ConciliacionCorrida).exists({
    where: { origen: 'directorio', estado: 'en_curso', latidoAt: MoreThan(since) },
  });
}
