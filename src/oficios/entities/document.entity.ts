import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type DocumentKind = 'acuse' | 'respuesta';
export type DocumentStatus = 'vigente' | 'cancelado';

/** A signed PDF the system issued: an acuse de recibo or a reply letter, with what its verification page shows. */
@Entity('document')
export class IssuedDocument {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 12 })
  kind!: DocumentKind;

  @Index('idx_document_case')
  @Column({ type: 'varchar', length: 36 })
  caseId!: string;

  @Index('idx_document_oficio')
  @Column({ type: 'varchar', length: 36, nullable: true })
  oficioId!: string | null;

  /** The outbox command that rendered it: a replayed job finds this row instead of issuing a second document. */
  @Index('uq_document_outbox', { unique: true })
  @Column({ type: 'varchar', length: 36 })
  outboxId!: string;

  /** Registration folio of the oficio it answers or acknowledges. */
  @Index('idx_document_folio')
  @Column({ type: 'varchar', length: 40 })
  folio!: string;

  /** Reply letters: their own number, SSST/0001/2026. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  numeroOficio!: string | null;

  @Index('uq_document_codigo', { unique: true })
  @Column({ type: 'varchar', length: 16 })
  codigo!: string;

  /** SHA-256 of the signed PDF file as issued. */
  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ type: 'varchar', length: 64 })
  contentDigest!: string;

  @Column({ type: 'varchar', length: 400 })
  cadenaOriginal!: string;

  @Column({ type: 'text' })
  sello!: string;

  @Column({ type: 'varchar', length: 500 })
  asunto!: string;

  @Column({ type: 'varchar', length: 200 })
  firmanteNombre!: string;

  @Column({ type: 'varchar', length: 80 })
  certificadoSerie!: string;

  @Column({ type: 'datetime' })
  signedAt!: Date;

  @Column({ type: 'int' })
  paginas!: number;

  @Column({ type: 'int' })
  bytes!: number;

  /** Signed with the self-signed test certificate: the PDF says it has no official validity. */
  @Column({ type: 'boolean', default: false })
  prueba!: boolean;

  @Column({ type: 'varchar', length: 12 })
  status!: DocumentStatus;

  @Column({ type: 'datetime', nullable: true })
  canceladoAt!: Date | null;

  /** Addressee: the Nivel whose users may open it (5.2.1), or the requesting area. */
  @Index('idx_document_nivel')
  @Column({ type: 'varchar', length: 40, nullable: true })
  nivelClave!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  area!: string | null;

  /** The responsable staff user it is addressed to, when the area has one. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  responsableId!: string | null;

  /** Name and position of the addressee, as printed on the letter (the public verification page does not show it). */
  @Column({ type: 'varchar', length: 340 })
  destinatario!: string;

  /** The PDF's key in the document store; indexed for the sweep, which asks which keys of a page a row names. */
  @Index('idx_document_storage')
  @Column({ type: 'varchar', length: 120 })
  storageKey!: string;

  @Column({ type: 'datetime' })
  createdAt!: Date;
}

/** Every download of a document, per user (Guía: the Nivel downloads; who and when is on record). */
@Entity('document_download')
export class DocumentDownload {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('idx_document_download_document')
  @Column({ type: 'varchar', length: 36 })
  documentId!: string;

  @Column({ type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 20 })
  userRole!: string;

  @Column({ type: 'datetime' })
  at!: Date;
}
