import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One line of an oficio that asks for many accounts at once (issue 14, part 2: «alta de cuentas para los 25
 * centros de trabajo siguientes», or an area's several Servicio accounts): the school (CCT, 5.2.1) or the worker who
 * will hold the account (CURP, 5.3.1), the account name the annex gives, and the case opened for it.
 *
 * The parent is the oficio itself, not a parent case: the oficio already is what the Guía's steps 3-4 and 11-12 move
 * (one folio, one scan, one acuse, one sender, one cancellation), and no procedure of the Guía has a case that only
 * groups others. Each line is a child case of its own (5.2.1, started as a one-line registration is), so a failing
 * line is that case's incident and holds no other line. `case_id` (unique) is the link child → parent: the register
 * counts an oficio's progress from these rows (PK prefix), and `resultado` takes the child case's outcome in the
 * transaction that ends it (OficiosService.followCaseEnd).
 */
@Entity('oficio_linea')
// The oficios with a line still open (the dashboard's «Oficios de varias cuentas en curso»): resultado IS NULL alone.
@Index('idx_oficio_linea_abierta', ['resultado', 'oficioId'])
export class OficioLinea {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  oficioId!: string;

  /** The line's number in the annex, from 1. */
  @PrimaryColumn({ type: 'int' })
  linea!: number;

  /** The school of a 5.2.1 line; null on a 5.3.1 line. */
  @Column({ type: 'varchar', length: 10, nullable: true })
  cct!: string | null;

  /** The worker who will hold a 5.3.1 line's Servicio or Función account; null on a 5.2.1 line. */
  @Column({ type: 'varchar', length: 18, nullable: true })
  curp!: string | null;

  /** A 5.3.1 line's account type (servicio, funcion: CREAR_CUENTA's `tipo`); null on a 5.2.1 line. */
  @Column({ type: 'varchar', length: 12, nullable: true })
  tipoCuenta!: string | null;

  /**
   * The account name the annex asks for: a school's (1-120 characters), or a Servicio line's local part without
   * domain, as CREAR_CUENTA's `localPart` (checkOficioLines).
   */
  @Column({ type: 'varchar', length: 120 })
  nombreCuenta!: string;

  /** The line's case (the child: 5.2.1 or 5.3.1, the oficio's procedure). */
  @Index('uq_oficio_linea_case', { unique: true })
  @Column({ type: 'varchar', length: 36 })
  caseId!: string;

  /** The child case's outcome once it concluded (creada, cuenta_existente, rechazada, cancelada); null while open. */
  @Column({ type: 'varchar', length: 30, nullable: true })
  resultado!: string | null;

  /**
   * What the oficio's one reply letter says of this line (creada, cuenta_existente, rechazada), written when the line's
   * case reaches its reply step (ReplyLetterProcessor); 'emitida' for a line answered by a letter of its own before
   * the combined letter existed. The letter is drawn once every line has this or has concluded.
   */
  @Column({ type: 'varchar', length: 30, nullable: true })
  respuesta!: string | null;

  /** The line case's renderReplyLetter command, parked (outbox en_espera) until the oficio's letter exists. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  respuestaOutboxId!: string | null;
}

/** The one reply letter of an oficio for many schools: the primary key makes a second one impossible. */
@Entity('oficio_respuesta')
export class OficioRespuesta {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  oficioId!: string;

  @Column({ type: 'varchar', length: 36 })
  documentId!: string;

  @Column({ type: 'datetime' })
  createdAt!: Date;
}
