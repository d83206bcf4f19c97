import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { StaffRole } from './staff-roles';

export type { StaffRole };

/** A person of the institution who signs in (not the workers in self-service, who use CURP + CURT). */
@Entity('staff_user')
export class StaffUser {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('uq_staff_user_usuario', { unique: true })
  @Column({ type: 'varchar', length: 60 })
  usuario!: string;

  @Column({ type: 'varchar', length: 160 })
  nombre!: string;

  @Column({ type: 'varchar', length: 20 })
  rol!: StaffRole;

  /** Where reminders and escalations reach this person. */
  @Column({ type: 'varchar', length: 254, nullable: true })
  correo!: string | null;

  /** For rol = nivel: the one level this user acts for. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  nivelClave!: string | null;

  /** argon2id hash; never the password. */
  @Column({ type: 'varchar', length: 255 })
  passwordHash!: string;

  @Column({ type: 'boolean', default: true })
  mustChangePassword!: boolean;

  @Column({ type: 'boolean', default: true })
  activo!: boolean;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
