import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Who runs a piece of periodic work now, among every web and worker process on this database, and until when (see
 * MaintenanceLease). A holder that stops renewing it (its process died) loses it once `expires_at` passes.
 */
@Entity('process_lease')
export class ProcessLease {
  @PrimaryColumn({ type: 'varchar', length: 60 })
  name!: string;

  /** host:pid:random of the process holding it. */
  @Column({ type: 'varchar', length: 120 })
  holder!: string;

  @Column({ type: 'datetime', name: 'expires_at' })
  expiresAt!: Date;
}
