/**
 * The registration folio of an incoming oficio, `SSST-2026-000042`, and how people type it: the register and the
 * inbox both search by it. (The counters that give the numbers out live with the oficios: src/oficios/folio.ts.)
 */
export const AREA_SSST = 'SSST';

export const registrationFolio = (anio: number, n: number): string =>
  `${AREA_SSST}-${anio}-${String(n).padStart(6, '0')}`;

/**
 * A folio as people type it: «SSST-2026-000006», «2026-6», «000006» or «6» (number, optionally its year). Null for
 * anything else.
 */
export function parseFolio(text: string): { anio: number | null; numero: number } | null {
  const t = text.trim();
  // «SSST-2026» is the start of that year's folios, not folio number 2026.
  if (/^SSST[\s-]*\d{4}[\s-]*$/i.test(t)) return null;
  const m = /^(?:SSST)?[\s-]*(?:(\d{4})[\s/-]+)?0*(\d{1,9})$/i.exec(t);
  if (!m) return null;
  const numero = Number(m[2]);
  return numero > 0 ? { anio: m[1] ? Number(m[1]) : null, numero } : null;
}

/** How many years back a folio typed without its year is looked for (this year's first). */
export const FOLIO_YEARS_BACK = 4;

/**
 * The folios a typed text can mean, for an indexed `IN (…)`: the text itself (trimmed, upper case), and when it reads
 * as a folio, that folio written in full: with its year, or in this year and the FOLIO_YEARS_BACK before.
 */
export function folioCandidates(text: string, thisYear: number): string[] {
  const typed = text.trim().toUpperCase();
  const f = parseFolio(text);
  const years = f?.anio ? [f.anio] : Array.from({ length: FOLIO_YEARS_BACK + 1 }, (_, i) => thisYear - i);
  const full = f ? years.map((y) => registrationFolio(y, f.numero)) : [];
  return [...new Set([typed, ...full])];
}
