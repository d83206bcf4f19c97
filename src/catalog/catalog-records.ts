import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In, IsNull, Not } from 'typeorm';
import type { NivelCatalog } from '../auth/nivel-catalog';
import { RowSql } from '../database/row-sql';
import { CentroTrabajo } from './entities/centro-trabajo.entity';
import { Cuenta, CuentaHistorial } from './entities/cuenta.entity';
import { Nivel } from './entities/nivel.entity';
import { Trabajador } from './entities/trabajador.entity';

export type NivelRecord = Pick<Nivel, 'clave' | 'nombre'>;
export type TrabajadorRecord = Readonly<Trabajador>;
export type CentroRecord = Readonly<CentroTrabajo>;
export type CuentaRecord = Readonly<Cuenta>;
export type CuentaHistorialRecord = Readonly<CuentaHistorial>;

/**
 * How the other modules read the catalog (levels, schools, workers, accounts): its tables are the catalog's, and
 * this is the one door to them. Methods take the caller's EntityManager when they read inside its transaction.
 */
@Injectable()
export class CatalogRecords implements NivelCatalog {
  private nivelSql?: RowSql<Nivel>;

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * The levels (Nivel) of the catalog, by name. Read by every page that offers them in a filter: the statement is made
   * once (RowSql), not rebuilt by the query builder each time.
   */
  async niveles(): Promise<NivelRecord[]> {
    this.nivelSql ??= new RowSql(this.ds, Nivel);
    return this.nivelSql.find(this.ds.manager, {}, { select: ['clave', 'nombre'], order: 'nombre' });
  }

  async nivel(clave: string): Promise<NivelRecord | null> {
    return this.ds.getRepository(Nivel).findOne({ select: { clave: true, nombre: true }, where: { clave } });
  }

  /** For auth (NivelCatalog): whether a level exists. */
  async exists(clave: string): Promise<boolean> {
    return this.ds.getRepository(Nivel).exists({ where: { clave } });
  }

  async trabajador(curp: string, em: EntityManager = this.ds.manager): Promise<TrabajadorRecord | null> {
    return em.findOne(Trabajador, { where: { curp } });
  }

  async centro(cct: string, em: EntityManager = this.ds.manager): Promise<CentroRecord | null> {
    return em.findOne(CentroTrabajo, { where: { cct } });
  }

  /**
   * For an annex of many schools (issue 14, part 2): each known CCT of `ccts` with its catalog status and whether it
   * already has its school account. Two queries per 500 CCTs (below SQLite's bound-parameter limit), not one per CCT.
   */
  async centrosParaAlta(
    ccts: string[],
    em: EntityManager = this.ds.manager,
  ): Promise<Map<string, { estatus: CentroTrabajo['estatus']; conCuenta: boolean }>> {
    const out = new Map<string, { estatus: CentroTrabajo['estatus']; conCuenta: boolean }>();
    for (let i = 0; i < ccts.length; i += 500) {
      const part = ccts.slice(i, i + 500);
      for (const c of await em.find(CentroTrabajo, { where: { cct: In(part) }, select: { cct: true, estatus: true } }))
        out.set(c.cct, { estatus: c.estatus, conCuenta: false });
      const cuentas = await em.find(Cuenta, {
        where: { tipo: 'centro_trabajo', titularCct: In(part) },
        select: { id: true, titularCct: true },
      });
      for (const c of cuentas) {
        const centro = c.titularCct ? out.get(c.titularCct) : undefined;
        if (centro) centro.conCuenta = true;
      }
    }
    return out;
  }

  /**
   * For an annex of many Servicio accounts (issue 14, part 2, Guía 5.3.1): whether each known CURP of `curps` is an
   * active worker, and which of `direcciones` an account already has. Two queries per 500 values, not one per line.
   */
  async paraAltaServicio(
    curps: string[],
    direcciones: string[],
    em: EntityManager = this.ds.manager,
  ): Promise<{ activos: Map<string, boolean>; ocupadas: Set<string> }> {
    const activos = new Map<string, boolean>();
    for (let i = 0; i < curps.length; i += 500)
      for (const t of await em.find(Trabajador, {
        where: { curp: In(curps.slice(i, i + 500)) },
        select: { curp: true, activo: true },
      }))
        activos.set(t.curp, t.activo);
    const ocupadas = new Set<string>();
    for (let i = 0; i < direcciones.length; i += 500)
      for (const c of await em.find(Cuenta, {
        where: { direccion: In(direcciones.slice(i, i + 500)) },
        select: { id: true, direccion: true },
      }))
        ocupadas.add(c.direccion);
    return { activos, ocupadas };
  }

  /**
   * Locks a school's row until the caller's transaction ends (MySQL/MariaDB; SQLite runs one transaction at a time):
   * two requests for the same school queue on it.
   */
  async lockCentro(em: EntityManager, cct: string): Promise<void> {
    const q = em.createQueryBuilder(CentroTrabajo, 'c').where('c.cct = :cct', { cct });
    if (em.connection.options.type !== 'better-sqlite3') q.setLock('pessimistic_write');
    await q.getOne();
  }

  async cuenta(id: string, em: EntityManager = this.ds.manager): Promise<CuentaRecord | null> {
    return em.findOne(Cuenta, { where: { id } });
  }

  /** The account of a worker (personal) or of a school (centro_trabajo), if it has one. */
  async cuentaDe(
    holder: { tipo: 'personal'; curp: string } | { tipo: 'centro_trabajo'; cct: string },
  ): Promise<CuentaRecord | null> {
    return holder.tipo === 'personal'
      ? this.ds.getRepository(Cuenta).findOne({ where: { tipo: 'personal', titularCurp: holder.curp } })
      : this.ds.getRepository(Cuenta).findOne({ where: { tipo: 'centro_trabajo', titularCct: holder.cct } });
  }

  /** These accounts (any order). */
  async cuentas(ids: readonly string[]): Promise<CuentaRecord[]> {
    return ids.length ? this.ds.getRepository(Cuenta).find({ where: { id: In([...ids]) } }) : [];
  }

  /** Every account a worker (by CURP) or a school (by CCT) holds, by address. */
  async cuentasDeTitular(holder: { curp: string } | { cct: string }): Promise<CuentaRecord[]> {
    const where = 'curp' in holder ? { titularCurp: holder.curp } : { titularCct: holder.cct };
    return this.ds.getRepository(Cuenta).find({ where, order: { direccion: 'ASC' } });
  }

  /** The accounts these workers hold, by address, at most `limit`. */
  async cuentasDeTrabajadores(curps: readonly string[], limit: number): Promise<CuentaRecord[]> {
    if (!curps.length) return [];
    return this.ds
      .getRepository(Cuenta)
      .find({ where: { titularCurp: In([...curps]) }, order: { direccion: 'ASC' }, take: limit });
  }

  /** An account's history, newest first, at most `limit` lines. */
  async historial(cuentaId: string, limit: number): Promise<CuentaHistorialRecord[]> {
    return this.ds.getRepository(CuentaHistorial).find({ where: { cuentaId }, order: { at: 'DESC' }, take: limit });
  }

  /** When a full import of the workers' catalog last ran: MAX(ultima_importacion) from idx_trabajador_ultima_importacion. */
  async ultimaImportacion(): Promise<Date | null> {
    const row = await this.ds.getRepository(Trabajador).findOne({
      select: { curp: true, ultimaImportacion: true },
      where: { ultimaImportacion: Not(IsNull()) },
      order: { ultimaImportacion: 'DESC' },
    });
    return row?.ultimaImportacion ?? null;
  }

  /** How many active workers a school has (idx_trabajador_cct). */
  async trabajadoresActivos(cct: string): Promise<number> {
    return this.ds.getRepository(Trabajador).count({ where: { cct, activo: true } });
  }
}
