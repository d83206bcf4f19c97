import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Días inhábiles: official holidays and institutional days off. Editable data; service levels skip them. */
@Entity('dia_inhabil')
export class DiaInhabil {
  /** YYYY-MM-DD in America/Mexico_City. */
  @PrimaryColumn({ type: 'varchar', length: 10 })
  fecha!: string;

  @Column({ type: 'varchar', length: 120 })
  descripcion!: string;
}
