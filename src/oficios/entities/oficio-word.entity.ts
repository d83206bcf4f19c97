import { Entity, PrimaryColumn } from 'typeorm';

/** Which folded text of the oficio a word comes from: «Remitente o área» or «Asunto». */
export type OficioWordField = 'r' | 'a';

/**
 * The register's word index (src/oficios/oficio-words.ts): one row per distinct word of an oficio's folded sender
 * (`remitente_busqueda`) or subject (`asunto_busqueda`), keyed by the oficio's place in the register's order. A search
 * word is looked up as a range of this primary key (every stored word it begins), never by reading the oficios.
 */
@Entity('oficio_word')
export class OficioWord {
  @PrimaryColumn({ type: 'varchar', length: 1 })
  field!: OficioWordField;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  word!: string;

  @PrimaryColumn({ type: 'int' })
  folioAnio!: number;

  @PrimaryColumn({ type: 'int' })
  folioNumero!: number;
}
