/**
 * Search as people type: without accents, in any case, with or without ñ («pena» finds «Peña», «ramon» finds
 * «Ramón»), in any order of words. What is searched is kept beside the data in this folded form (a column filled on
 * every write), so both dialects compare plain lower-case ASCII and the comparison needs no collation or function.
 */

/** Latin letters that no accent-stripping decomposes. */
const BASE: Record<string, string> = { ł: 'l', ø: 'o', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe', ı: 'i' };

/** Lower case, accents and ñ's tilde dropped, anything but letters and digits a single space; trimmed. */
export function searchText(...parts: (string | null | undefined)[]): string {
  return parts
    .filter((p): p is string => !!p)
    .join(' ')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[łøđßæœı]/g, (c) => BASE[c])
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The words of a search, folded like the data (at most 6: a pasted paragraph is not a search). */
export function searchWords(q: string): string[] {
  return searchText(q).split(' ').filter(Boolean).slice(0, 6);
}

/** A LIKE pattern containing the word, `!` as the escape character (the same on SQLite and MySQL). */
export function containsPattern(word: string): string {
  return `%${word.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}
