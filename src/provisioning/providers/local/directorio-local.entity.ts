import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { TipoCuentaDirectorio } from '../directory-provider';

/**
 * The `local` directory: accounts kept in our own database when no external directory is configured (the embedded
 * default). The password is only kept as an argon2id hash.
 */
@Entity('directorio_local')
export class DirectorioLocal {
  /** The provider id handed to the rest of the system; never changes, not even on rename. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('uq_directorio_local_address', { unique: true })
  @Column({ type: 'varchar', length: 254 })
  address!: string;

  @Column({ type: 'varchar', length: 20 })
  tipo!: TipoCuentaDirectorio;

  @Column({ type: 'varchar', length: 12 })
  holderKind!: 'trabajador' | 'centro';

  @Index('idx_directorio_local_holder_curp')
  @Column({ type: 'varchar', length: 18, nullable: true })
  holderCurp!: string | null;

  @Index('idx_directorio_local_holder_cct')
  @Column({ type: 'varchar', length: 10, nullable: true })
  holderCct!: string | null;

  @Column({ type: 'varchar', length: 120 })
  givenName!: string;

  @Column({ type: 'varchar', length: 160 })
  familyName!: string;

  @Column({ type: 'varchar', length: 300 })
  displayName!: string;

  @Column({ type: 'varchar', length: 255 })
  passwordHash!: string;

  @Column({ type: 'boolean', default: false })
  suspended!: boolean;

  @Column({ type: 'boolean', default: false })
  mustChange!: boolean;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
