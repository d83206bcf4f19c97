import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type CentroEstatus = 'activo' | 'inactivo';

/** Centro de trabajo from the Catálogo de Centros de Trabajo, keyed by its CCT. */
@Entity('centro_trabajo')
// The name search reads only this index, in its order (CatalogSearchService).
@Index('idx_centro_busqueda', ['nombreBusqueda', 'cct'])
export class CentroTrabajo {
  @PrimaryColumn({ type: 'varchar', length: 10 })
  cct!: string;

  @Column({ type: 'varchar', length: 200 })
  nombre!: string;

  /** The name as people type it (searchText): what the name search compares. Filled on every write. */
  @Column({ type: 'varchar', length: 200, default: '' })
  nombreBusqueda!: string;

  @Index('idx_centro_nivel')
  @Column({ type: 'varchar', length: 40 })
  nivelClave!: string;

  /** CURP of the director (a Trabajador); null while the catalog has none. */
  @Index('idx_centro_director')
  @Column({ type: 'varchar', length: 18, nullable: true })
  directorCurp!: string | null;

  @Column({ type: 'varchar', length: 254, nullable: true })
  correo!: string | null;

  @Column({ type: 'varchar', length: 10, default: 'activo' })
  estatus!: CentroEstatus;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
