import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The procedure catalog: which versions exist and since when a version serves new cases. Synced from machines/. */
@Entity('procedure_version')
export class ProcedureVersion {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  procedureId!: string;

  @PrimaryColumn({ type: 'int' })
  version!: number;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'varchar', length: 30 })
  guideSection!: string;

  @Column({ type: 'varchar', length: 10 })
  guideVersion!: string;

  /** New cases start on the newest version whose validFrom has passed (UTC). */
  @Column({ type: 'datetime' })
  validFrom!: Date;
}
