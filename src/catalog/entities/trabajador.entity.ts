import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A worker as Capital Humano exports them, keyed by CURP. Never deleted: a full export that misses them marks them inactive. */
@Entity('trabajador')
// The name search reads only this index, in its order (CatalogSearchService).
@Index('idx_trabajador_busqueda', ['nombreBusqueda', 'curp'])
export class Trabajador {
  @PrimaryColumn({ type: 'varchar', length: 18 })
  curp!: string;

  @Index('idx_trabajador_curt')
  @Column({ type: 'varchar', length: 30 })
  curt!: string;

  @Column({ type: 'varchar', length: 120 })
  nombre!: string;

  @Column({ type: 'varchar', length: 80 })
  primerApellido!: string;

  @Column({ type: 'varchar', length: 80, nullable: true })
  segundoApellido!: string | null;

  /** Name and surnames as people type them (searchText): what the name search compares. Filled on every write. */
  @Column({ type: 'varchar', length: 300, default: '' })
  nombreBusqueda!: string;

  @Column({ type: 'varchar', length: 254, nullable: true })
  correoAlterno!: string | null;

  @Index('idx_trabajador_cct')
  @Column({ type: 'varchar', length: 10, nullable: true })
  cct!: string | null;

  @Index('idx_trabajador_nivel')
  @Column({ type: 'varchar', length: 40, nullable: true })
  nivelClave!: string | null;

  /** Active in Capital Humano (policy 5.1: only active workers get a Personal account). */
  @Column({ type: 'boolean', default: true })
  activo!: boolean;

  /** When the last full import saw this worker (UTC). */
  @Index('idx_trabajador_ultima_importacion')
  @Column({ type: 'datetime', nullable: true })
  ultimaImportacion!: Date | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
