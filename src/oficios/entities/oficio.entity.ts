import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type OficioStatus = 'registrado' | 'cancelado';

/** The people, schools and accounts an oficio is about, as the clerk read them from the letter. */
export interface OficioConcierne {
  curps: string[];
  ccts: string[];
  cuentas: string[];
}

/**
 * An incoming oficio as the Subdirección registered it (Guía 5.2.1 paso 3, 5.3.1 paso 3, 5.3.2, 5.4, 5.5: "recibe
 * oficio, firma y sella de recibido"). Its folio is taken from `folio_counter`; a cancelled one keeps its number.
 */
@Entity('oficio')
@Index('idx_oficio_duplicado', ['numeroNormalizado', 'remitenteClave'])
// The register's order (newest folio first) per scope: every oficio, a Nivel's, a responsable's.
@Index('idx_oficio_orden', ['folioAnio', 'folioNumero'])
@Index('idx_oficio_nivel_orden', ['nivelClave', 'folioAnio', 'folioNumero'])
@Index('idx_oficio_resp_orden', ['responsableId', 'folioAnio', 'folioNumero'])
// A folio searched by its number alone («6», «000006»): one row per year.
@Index('idx_oficio_numero', ['folioNumero'])
// The register's order within a status (the cancelled ones) and within a month of receipt.
@Index('idx_oficio_estado_orden', ['status', 'folioAnio', 'folioNumero'])
@Index('idx_oficio_mes_orden', ['recibidoMes', 'folioAnio', 'folioNumero'])
// And within a procedure: each is about one eighth of the register, so the count of a procedure's oficios (up to 1,001)
// read 8,000 rows of the order's walk without it.
@Index('idx_oficio_proc_orden', ['procedureId', 'folioAnio', 'folioNumero'])
// The sender's number by its beginning, read from the index alone (OficioSearch).
@Index('idx_oficio_numero_orden', ['numeroNormalizado', 'folioAnio', 'folioNumero'])
// And with every other condition of the register and of a role's scope, checked on the index's entries: «PRI/12» in a
// month, or a Nivel's own, read the number's range once instead of looking each match up in another index.
@Index('idx_oficio_numero_filtros', [
  'numeroNormalizado',
  'folioAnio',
  'folioNumero',
  'recibidoMes',
  'status',
  'nivelClave',
  'procedureId',
  'responsableId',
])
export class Oficio {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Registration folio, SSST-<year>-<000001> (see folio.ts). */
  @Index('uq_oficio_folio', { unique: true })
  @Column({ type: 'varchar', length: 40 })
  folio!: string;

  @Column({ type: 'int' })
  folioAnio!: number;

  @Column({ type: 'int' })
  folioNumero!: number;

  /** The sender's own number, as written ("DEP/0457/2026"). */
  @Column({ type: 'varchar', length: 80 })
  numeroRemitente!: string;

  /** Upper case, no spaces: what duplicate detection compares. */
  @Column({ type: 'varchar', length: 80 })
  numeroNormalizado!: string;

  /** Who sends it, normalised: "NIVEL:PRIMARIA" or "AREA:<area name>". */
  @Column({ type: 'varchar', length: 220 })
  remitenteClave!: string;

  /** Date written on the oficio, YYYY-MM-DD (a calendar date, not an instant). */
  @Column({ type: 'varchar', length: 10 })
  fechaOficio!: string;

  @Column({ type: 'varchar', length: 160 })
  remitenteNombre!: string;

  @Column({ type: 'varchar', length: 160 })
  remitenteCargo!: string;

  /** The Nivel that asks (5.2.1), when the sender is a Nivel: scopes the reply letter to that level's users. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  nivelClave!: string | null;

  /** The requesting area when it is not a Nivel (5.3, 5.4, 5.5), or the Nivel's own name. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  area!: string | null;

  /** The staff user (role responsable) the reply is addressed to, when the area has an account. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  responsableId!: string | null;

  @Column({ type: 'varchar', length: 500 })
  asunto!: string;

  /** Sender's name, position and area as people type them (searchText): what «Remitente o área» compares. */
  @Column({ type: 'varchar', length: 600, default: '' })
  remitenteBusqueda!: string;

  /** The subject as people type it (searchText). */
  @Column({ type: 'varchar', length: 500, default: '' })
  asuntoBusqueda!: string;

  @Column({ type: 'varchar', length: 40 })
  procedureId!: string;

  @Index('uq_oficio_case', { unique: true })
  @Column({ type: 'varchar', length: 36 })
  caseId!: string;

  @Column({ type: 'varchar', length: 10, nullable: true })
  cct!: string | null;

  /** JSON of OficioConcierne. */
  @Column({ type: 'text' })
  concierne!: string;

  @Column({ type: 'int' })
  fojas!: number;

  @Column({ type: 'varchar', length: 400, nullable: true })
  anexos!: string | null;

  @Column({ type: 'varchar', length: 64 })
  archivoSha256!: string;

  /** Detected from the content (magic bytes), not from what the browser claimed. */
  @Column({ type: 'varchar', length: 40 })
  archivoMime!: string;

  @Column({ type: 'int' })
  archivoBytes!: number;

  /** The scan's key in the document store; indexed for the sweep, which asks which keys of a page a row names. */
  @Index('idx_oficio_archivo')
  @Column({ type: 'varchar', length: 120 })
  archivoKey!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  archivoNombre!: string | null;

  /** When the Subdirección received it (UTC): the date on the acuse and the year of the folio (Mexico City). */
  @Column({ type: 'datetime' })
  recibidoAt!: Date;

  /** The month of `recibidoAt` in Colima (UTC-6) as YYYYMM: what «Mes de recepción» compares (receiptMonth). */
  @Column({ type: 'int', default: 0 })
  recibidoMes!: number;

  @Column({ type: 'varchar', length: 36 })
  recibidoPor!: string;

  @Column({ type: 'varchar', length: 160 })
  recibidoPorNombre!: string;

  @Column({ type: 'varchar', length: 12 })
  status!: OficioStatus;

  @Column({ type: 'datetime', nullable: true })
  canceladoAt!: Date | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  canceladoPor!: string | null;

  @Column({ type: 'varchar', length: 400, nullable: true })
  motivoCancelacion!: string | null;

  @Column({ type: 'datetime' })
  createdAt!: Date;
}
