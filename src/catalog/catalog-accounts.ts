import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { inTransaction } from '../database/transaction';
import type { CuentaRecord } from './catalog-records';
import { Cuenta, CuentaHistorial } from './entities/cuenta.entity';

/** What a new account row carries (the provisioning service fills it; the catalog stores it). */
export type NewCuenta = Pick<
  Cuenta,
  'id' | 'direccion' | 'localPart' | 'dominio' | 'tipo' | 'titularTipo' | 'titularCurp' | 'titularCct' | 'proveedor'
>;

/**
 * The account table's write side, for the provisioning service (which keeps it in step with the directory): every
 * change writes its line in the account's history in the same transaction, and the conditional updates make a
 * replayed command record its change once.
 */
@Injectable()
export class CatalogAccounts {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** The account, or a 422 that says it does not exist. */
  async get(id: string): Promise<CuentaRecord> {
    const c = await this.ds.getRepository(Cuenta).findOne({ where: { id } });
    if (!c) throw new DomainError('CUENTA_DESCONOCIDA', 'La cuenta indicada no existe en el sistema.', 422);
    return c;
  }

  async find(id: string): Promise<CuentaRecord | null> {
    return this.ds.getRepository(Cuenta).findOne({ where: { id } });
  }

  async addressTaken(address: string): Promise<boolean> {
    return this.ds.getRepository(Cuenta).exists({ where: { direccion: address } });
  }

  /** Inserts the row with its "solicitada" history line; a unique violation (address or holder taken) is thrown as is. */
  async insert(row: NewCuenta, caseId: string): Promise<CuentaRecord> {
    const cuenta = this.ds.getRepository(Cuenta).create({ ...row, estado: 'activa', proveedorId: null });
    await inTransaction(this.ds, async (em) => {
      await em.insert(Cuenta, cuenta);
      await this.history(em, cuenta.id, 'solicitada', `Dirección asignada: ${row.direccion}`, caseId);
    });
    return cuenta;
  }

  /** The directory's id for the account, once: a replay running alongside the first run records the creation once. */
  async recordProvider(id: string, proveedor: string, proveedorId: string, caseId: string): Promise<void> {
    await inTransaction(this.ds, async (em) => {
      const set = await em
        .createQueryBuilder()
        .update(Cuenta)
        .set({ proveedorId, proveedor })
        .where('id = :id AND (proveedor_id IS NULL OR proveedor_id <> :pid)', { id, pid: proveedorId })
        .execute();
      if (set.affected) await this.history(em, id, 'creada', `Creada en el directorio (${proveedor})`, caseId);
    });
  }

  /** Frees the address of a row the directory never created (its creation failed for good). */
  async removeUnprovisioned(id: string): Promise<void> {
    await inTransaction(this.ds, async (em) => {
      await em.delete(CuentaHistorial, { cuentaId: id });
      await em.delete(Cuenta, { id });
    });
  }

  async recordHistory(id: string, evento: string, detalle: string, caseId: string): Promise<void> {
    await inTransaction(this.ds, (em) => this.history(em, id, evento, detalle, caseId));
  }

  /** Guía 5.4: the account passes to a new worker (and a blocked one is given back to use). */
  async reassign(cuenta: CuentaRecord, newCurp: string, caseId: string): Promise<void> {
    const reactivate = cuenta.estado === 'bloqueada';
    if (cuenta.titularCurp === newCurp && !reactivate) return;
    await inTransaction(this.ds, async (em) => {
      await em.update(
        Cuenta,
        { id: cuenta.id },
        { titularTipo: 'trabajador', titularCurp: newCurp, titularCct: null, estado: 'activa' },
      );
      if (cuenta.titularCurp !== newCurp) {
        const previous = cuenta.titularCurp ?? cuenta.titularCct ?? '—';
        await this.history(
          em,
          cuenta.id,
          'reasignada',
          `Titular anterior: ${previous}; nuevo titular: ${newCurp}`,
          caseId,
        );
      }
      if (reactivate)
        await this.history(
          em,
          cuenta.id,
          'reactivada',
          'Cuenta bloqueada reactivada al reasignarla a su nuevo titular',
          caseId,
        );
    });
  }

  /** Guía 5.5: blocked (once). */
  async block(cuenta: CuentaRecord, caseId: string): Promise<void> {
    if (cuenta.estado === 'bloqueada') return;
    await inTransaction(this.ds, async (em) => {
      await em.update(Cuenta, { id: cuenta.id }, { estado: 'bloqueada' });
      await this.history(em, cuenta.id, 'bloqueada', 'Cuenta bloqueada en el directorio', caseId);
    });
  }

  private async history(
    em: EntityManager,
    cuentaId: string,
    evento: string,
    detalle: string,
    caseId: string,
  ): Promise<void> {
    await em.insert(CuentaHistorial, { id: randomUUID(), cuentaId, evento, detalle: detalle.slice(0, 400), caseId });
  }
}
