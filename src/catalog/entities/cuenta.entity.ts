import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { EstadoCuenta, TipoCuenta, TitularTipo } from '../cuenta-tipos';

/** An institutional e-mail account, whatever directory holds it. */
@Entity('cuenta')
export class Cuenta {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('uq_cuenta_direccion', { unique: true })
  @Column({ type: 'varchar', length: 254 })
  direccion!: string;

  @Column({ type: 'varchar', length: 64 })
  localPart!: string;

  @Column({ type: 'varchar', length: 190 })
  dominio!: string;

  @Column({ type: 'varchar', length: 20 })
  tipo!: TipoCuenta;

  @Column({ type: 'varchar', length: 12 })
  titularTipo!: TitularTipo;

  @Index('idx_cuenta_titular_curp')
  @Column({ type: 'varchar', length: 18, nullable: true })
  titularCurp!: string | null;

  @Index('idx_cuenta_titular_cct')
  @Column({ type: 'varchar', length: 10, nullable: true })
  titularCct!: string | null;

  @Column({ type: 'varchar', length: 12, default: 'activa' })
  estado!: EstadoCuenta;

  /** Which directory adapter holds it (local, ldap, google). */
  @Column({ type: 'varchar', length: 20 })
  proveedor!: string;

  /** The provider's immutable id (Google user id, LDAP entryUUID). */
  @Column({ type: 'varchar', length: 120, nullable: true })
  proveedorId!: string | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}

/** What happened to an account over time (created, reset, reassigned, blocked), with the case that did it. */
@Entity('cuenta_historial')
export class CuentaHistorial {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('idx_cuenta_historial_cuenta')
  @Column({ type: 'varchar', length: 36 })
  cuentaId!: string;

  @Column({ type: 'varchar', length: 30 })
  evento!: string;

  @Column({ type: 'varchar', length: 400, nullable: true })
  detalle!: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  caseId!: string | null;

  @CreateDateColumn({ type: 'datetime' })
  at!: Date;
}
