import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Last number issued per (area, tipo, year): registration folios (SSST, recepcion) and reply-letter numbers (SSST,
 * respuesta). Taken under a row lock in the same transaction as the row that uses it, so numbers have no gaps.
 */
@Entity('folio_counter')
export class FolioCounter {
  @PrimaryColumn({ type: 'varchar', length: 20 })
  area!: string;

  @PrimaryColumn({ type: 'varchar', length: 20 })
  tipo!: string;

  @PrimaryColumn({ type: 'int' })
  anio!: number;

  @Column({ type: 'int' })
  ultimo!: number;
}
