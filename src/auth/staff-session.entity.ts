import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A signed-in staff user: only the SHA-256 of the bearer token is stored. */
@Entity('staff_session')
export class StaffSession {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  tokenHash!: string;

  @Index('idx_staff_session_user')
  @Column({ type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'datetime' })
  createdAt!: Date;

  @Column({ type: 'datetime' })
  expiresAt!: Date;
}
