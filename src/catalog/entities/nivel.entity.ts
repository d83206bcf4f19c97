import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Nivel educativo (Preescolar, Primaria, Secundaria, Media Superior, Superior, or whatever the data brings). */
@Entity('nivel')
export class Nivel {
  /** Stable key in upper snake case: PREESCOLAR, MEDIA_SUPERIOR. */
  @PrimaryColumn({ type: 'varchar', length: 40 })
  clave!: string;

  @Column({ type: 'varchar', length: 120 })
  nombre!: string;
}
