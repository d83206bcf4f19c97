import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The one open self-service request (5.1.1 or 5.1.2) of a worker: its primary key (procedure, CURP) is what lets two
 * requests sent at the same instant end with one case, on SQLite and on MariaDB alike. A case takes its row when the
 * worker is identified (CURP and CURT match an active worker), in the same transaction that opens it, and loses it in
 * the transaction that ends it; a CURP typed with a wrong CURT takes nothing, so it can neither reach nor block the
 * worker's own request.
 */
@Entity('autoservicio_abierto')
export class OpenSelfServiceRequest {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  procedureId!: string;

  @PrimaryColumn({ type: 'varchar', length: 18 })
  curp!: string;

  @Index('idx_autoservicio_abierto_caso')
  @Column({ type: 'varchar', length: 36 })
  caseId!: string;

  @Column({ type: 'datetime' })
  createdAt!: Date;
}
