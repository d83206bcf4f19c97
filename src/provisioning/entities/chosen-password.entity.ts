import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Guía 5.2.2: the password a school chose, sealed with SECRET_KEY (AES-256-GCM) and wiped once applied. */
@Entity('chosen_password')
export class ChosenPassword {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  caseId!: string;

  @Column({ type: 'varchar', length: 600 })
  sealed!: string;

  @Column({ type: 'datetime' })
  createdAt!: Date;
}
