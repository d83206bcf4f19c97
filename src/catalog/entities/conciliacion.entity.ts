import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** What a reconciliation run compared: after a full import of a catalog, on demand, or the directory listing. */
export type OrigenConciliacion = 'trabajadores' | 'centros' | 'manual' | 'directorio';
export type EstadoCorrida = 'en_curso' | 'terminada' | 'fallida';

/** One reconciliation run (issue 14): when, why, and what it found, opened and closed. */
@Entity('conciliacion_corrida')
export class ConciliacionCorrida {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 20 })
  origen!: OrigenConciliacion;

  /** The import the run follows (its clock, UTC): the basis of the cases its findings open. Null on demand. */
  @Column({ type: 'datetime', nullable: true })
  importacionAt!: Date | null;

  @Index('idx_conciliacion_corrida_inicio')
  @Column({ type: 'datetime' })
  startedAt!: Date;

  @Column({ type: 'datetime', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'varchar', length: 12 })
  estado!: EstadoCorrida;

  /** Findings still true after the run (new ones included). */
  @Column({ type: 'int', default: 0 })
  vigentes!: number;

  /** Findings this run raised for the first time. */
  @Column({ type: 'int', default: 0 })
  nuevos!: number;

  /** Findings this run found no longer true. */
  @Column({ type: 'int', default: 0 })
  cerrados!: number;

  /** Findings the automatic blocking policy accepted after this run (RECONCILIACION_BLOQUEO_AUTOMATICO_DIAS). */
  @Column({ type: 'int', default: 0 })
  automaticos!: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error!: string | null;

  /** Progress of a long run (directory entries compared so far), readable from any process. */
  @Column({ type: 'int', default: 0 })
  procesados!: number;

  /** When the run last reported progress: a run «en_curso» that stopped reporting died with its process. */
  @Column({ type: 'datetime', nullable: true })
  latidoAt!: Date | null;
}

/** The addresses a directory run saw, page by page, to find afterwards the accounts it did not see. */
@Entity('conciliacion_visto')
export class ConciliacionVisto {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  corridaId!: string;

  @PrimaryColumn({ type: 'varchar', length: 254 })
  direccion!: string;
}

/**
 * personal_baja / personal_sin_catalogo: a Personal account whose holder is inactive (baja) or not in Capital Humano;
 * centro_baja / centro_sin_catalogo: a school account whose school is inactive or not in the catalog;
 * responsable_baja: a Servicio/Función account whose responsible worker is inactive or not in the catalog.
 */
export const TIPOS_HALLAZGO_CATALOGO = [
  'personal_baja',
  'personal_sin_catalogo',
  'centro_baja',
  'centro_sin_catalogo',
  'responsable_baja',
] as const;
/**
 * directorio_desconocida: an entry of the directory the database does not know (created behind the system's back);
 * directorio_ausente: an active account of ours that the directory does not have;
 * directorio_estado: suspended there and active here, or the other way round.
 */
export const TIPOS_HALLAZGO_DIRECTORIO = ['directorio_desconocida', 'directorio_ausente', 'directorio_estado'] as const;
export type TipoHallazgo = (typeof TIPOS_HALLAZGO_CATALOGO)[number] | (typeof TIPOS_HALLAZGO_DIRECTORIO)[number];
/** What the finding proposes: 5.5 (bloquear), 5.4 (reasignar), or a person's look (revisar: no procedure fits). */
export type AccionHallazgo = 'bloquear' | 'reasignar' | 'revisar';
/**
 * pendiente → aceptado (a case was opened) | rechazado (with a reason) | cerrado (a run found it no longer true
 * before anyone decided).
 */
export type EstadoHallazgo = 'pendiente' | 'aceptado' | 'rechazado' | 'cerrado';

/**
 * A discrepancy between the accounts and the catalogs (or the directory). One row per fact while it holds: `vigente`
 * is 1 while the fact is true and NULL once a run finds it no longer true, so the unique (tipo, direccion, vigente)
 * keeps a fact from being raised twice while leaving any number of closed ones beside it (NULLs are distinct on
 * both dialects). The person's decision (estado) is independent of it: a rejected finding that still holds is not
 * raised again; once it stops holding and comes back, it is a new finding.
 */
@Entity('conciliacion_hallazgo')
@Index('uq_conciliacion_hallazgo_vigente', ['tipo', 'direccion', 'vigente'], { unique: true })
@Index('idx_conciliacion_hallazgo_estado', ['estado', 'detectadoAt'])
export class ConciliacionHallazgo {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 40 })
  tipo!: TipoHallazgo;

  /** The account in our table; null for a directory entry the database does not know. */
  @Index('idx_conciliacion_hallazgo_cuenta')
  @Column({ type: 'varchar', length: 36, nullable: true })
  cuentaId!: string | null;

  @Column({ type: 'varchar', length: 254 })
  direccion!: string;

  /** JSON: the holder's key, the catalog state, the import that showed it (or the directory's attributes). */
  @Column({ type: 'text' })
  evidencia!: string;

  @Column({ type: 'varchar', length: 20 })
  accion!: AccionHallazgo;

  @Column({ type: 'varchar', length: 12, default: 'pendiente' })
  estado!: EstadoHallazgo;

  @Column({ type: 'boolean', nullable: true })
  vigente!: boolean | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  motivo!: string | null;

  @Column({ type: 'varchar', length: 120, nullable: true })
  decididoPor!: string | null;

  @Column({ type: 'datetime', nullable: true })
  decididoAt!: Date | null;

  /** The 5.5/5.4 case an accepted finding opened. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  caseId!: string | null;

  /** The run that raised it. */
  @Column({ type: 'varchar', length: 36 })
  corridaId!: string;

  /** The last run that found it true. */
  @Column({ type: 'varchar', length: 36 })
  corridaVistaId!: string;

  @Column({ type: 'datetime' })
  detectadoAt!: Date;

  /** When a run found it no longer true. */
  @Column({ type: 'datetime', nullable: true })
  cerradoAt!: Date | null;
}
