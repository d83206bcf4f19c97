import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The dashboard's (/tablero) numbers kept as counters instead of counted on every view: at national scale (millions of
 * cases, hundreds of thousands of open tasks) a COUNT over the rows takes seconds. What a row counts (src/engine/
 * dashboard-counts.ts):
 * - `caso`: open cases (activo, incidente) by procedure (`a`), state (`b`), status (`c`) and Nivel;
 * - `recibido`: cases by local day received (`dia`), Nivel and status (`c`);
 * - `resuelto`: concluded cases by local day concluded (`dia`), procedure (`a`), Nivel and business days taken (`c`);
 * - `tarea`: open tasks by role (`a`), Nivel and reminder state (`b`: a_tiempo, falta_poco, vencida).
 * An empty string stands for "none" (no Nivel, no day), so every column can be part of the key.
 */
@Entity('dashboard_count')
export class DashboardCount {
  @PrimaryColumn({ type: 'varchar', length: 12 })
  kind!: string;

  @PrimaryColumn({ type: 'varchar', length: 10 })
  dia!: string;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  nivel!: string;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  a!: string;

  @PrimaryColumn({ type: 'varchar', length: 200 })
  b!: string;

  @PrimaryColumn({ type: 'varchar', length: 30 })
  c!: string;

  @Column({ type: 'bigint' })
  n!: string;
}

/**
 * Changes to the counters, appended by the transaction that changes the rows they count (no row is shared between
 * transactions, so concurrent transitions never wait for each other here) and folded into dashboard_count by the
 * periodic maintenance. The dashboard reads both, in one statement.
 */
@Entity('dashboard_delta')
export class DashboardDelta {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 12 })
  kind!: string;

  @Column({ type: 'varchar', length: 10 })
  dia!: string;

  @Column({ type: 'varchar', length: 40 })
  nivel!: string;

  @Column({ type: 'varchar', length: 40 })
  a!: string;

  @Column({ type: 'varchar', length: 200 })
  b!: string;

  @Column({ type: 'varchar', length: 30 })
  c!: string;

  @Column({ type: 'int' })
  n!: number;
}
