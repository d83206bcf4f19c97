import type { EntityManager } from 'typeorm';
import { OficioWord, type OficioWordField } from './entities/oficio-word.entity';
import type { Oficio } from './entities/oficio.entity';

/**
 * The register's word index (`oficio_word`): the distinct words of an oficio's folded sender and subject
 * (src/common/search-text.ts), written in the transaction that writes the oficio. A search word matches an oficio when
 * one of its words begins with it («ram» finds «Ramón» and «Ramona», «pena» finds «Peña»); the index answers which
 * oficios those are by a range of its key, so a word that no oficio has costs one index seek, not a read of the
 * register.
 *
 * The index narrows: the register's query keeps the word condition on the folded columns, so the rows a page shows
 * are decided there. Hence words may be cut to WORD_MAX characters and the commonest short words (STOP_WORDS) left
 * out: a search word that some stop word begins with («de», «par») is not looked up in the index (`indexable`), it is
 * only checked on the rows the register reads. A search whose every word the index holds whole (indexable, at most
 * WORD_MAX characters) takes the index's entries as its matches: its page's keys and its count (oficio-search.ts,
 * onlyIndexed).
 */

/** Frequent words that would be millions of rows and never narrow a search. */
const STOP_WORDS: ReadonlySet<string> = new Set([
  'a',
  'al',
  'con',
  'de',
  'del',
  'e',
  'el',
  'en',
  'la',
  'las',
  'lo',
  'los',
  'o',
  'para',
  'por',
  'se',
  'su',
  'sus',
  'u',
  'un',
  'una',
  'y',
]);
export const WORD_MAX = 40;

/** The folded text of each field the word index covers. */
export const WORD_FIELDS: Record<OficioWordField, 'remitenteBusqueda' | 'asuntoBusqueda'> = {
  r: 'remitenteBusqueda',
  a: 'asuntoBusqueda',
};

/** The words of a folded text as the index keeps them: distinct, cut to WORD_MAX, without stop words. */
export function indexedWords(folded: string): string[] {
  return [
    ...new Set(
      folded
        .split(' ')
        .filter((w) => w && !STOP_WORDS.has(w))
        .map((w) => w.slice(0, WORD_MAX)),
    ),
  ];
}

/** A search word the index can answer: every word beginning with it is in the index. */
export function indexable(word: string): boolean {
  for (const s of STOP_WORDS) if (s.startsWith(word)) return false;
  return word.length > 0;
}

/** The key range of the stored words beginning with `word`: [lo, hi) in byte order (words are a-z and 0-9 only). */
export function prefixRange(word: string): { lo: string; hi: string } {
  const lo = word.slice(0, WORD_MAX);
  return { lo, hi: `${lo}{` };
}

type Indexed = Pick<Oficio, 'folioAnio' | 'folioNumero' | 'remitenteBusqueda' | 'asuntoBusqueda'>;

function rowsOf(o: Indexed): OficioWord[] {
  return (Object.keys(WORD_FIELDS) as OficioWordField[]).flatMap((field) =>
    indexedWords(o[WORD_FIELDS[field]]).map((word) => ({
      field,
      word,
      folioAnio: o.folioAnio,
      folioNumero: o.folioNumero,
    })),
  );
}

const keyOf = (w: OficioWord): string => `${w.field} ${w.word}`;

/**
 * Keeps the index in step with an oficio, inside the caller's transaction: its words when it is registered
 * (`before` null), and when its sender or subject change, the words it lost deleted and the new ones added.
 */
export async function writeOficioWords(em: EntityManager, before: Indexed | null, after: Indexed): Promise<void> {
  const now = rowsOf(after);
  const old = before ? rowsOf(before) : [];
  const moved = before && (before.folioAnio !== after.folioAnio || before.folioNumero !== after.folioNumero);
  const keep = new Set(moved ? [] : now.map(keyOf));
  const had = new Set(moved ? [] : old.map(keyOf));
  const gone = old.filter((w) => !keep.has(keyOf(w)));
  const added = now.filter((w) => !had.has(keyOf(w)));
  for (const w of gone) await em.delete(OficioWord, w);
  for (let i = 0; i < added.length; i += 200) await em.insert(OficioWord, added.slice(i, i + 200));
}
