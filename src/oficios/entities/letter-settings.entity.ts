import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The membrete and signer of the acuses and reply letters, set by administrators at /admin/membrete: one row
 * (id "membrete"). The logo is a file of the document store (`logo_key`); who changed the settings and when is kept
 * with them. Letters already issued are stored PDFs: a change applies only to the next one signed.
 */
@Entity('letter_settings')
export class LetterSettings {
  @PrimaryColumn({ type: 'varchar', length: 20 })
  id!: string;

  @Column({ name: 'logo_key', type: 'varchar', length: 120, nullable: true })
  logoKey!: string | null;

  /** Up to two address lines, separated by a line feed. */
  @Column({ type: 'varchar', length: 240 })
  direccion!: string;

  @Column({ type: 'varchar', length: 160 })
  leyenda!: string;

  @Column({ name: 'firmante_titulo', type: 'varchar', length: 20 })
  firmanteTitulo!: string;

  @Column({ name: 'firmante_nombre', type: 'varchar', length: 120 })
  firmanteNombre!: string;

  @Column({ name: 'firmante_cargo', type: 'varchar', length: 160 })
  firmanteCargo!: string;

  @Column({ name: 'updated_by', type: 'varchar', length: 36 })
  updatedBy!: string;

  @Column({ name: 'updated_by_nombre', type: 'varchar', length: 200 })
  updatedByNombre!: string;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt!: Date;
}
