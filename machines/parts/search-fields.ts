/**
 * Where the columns the inbox and the searches filter on (folio, nivel, CCT, CURP, account) are found in a case's
 * context. The engine copies them to the case row after every transition so no search parses snapshots; it reads
 * this declaration from the procedure catalog (../index.ts) and knows no context path itself.
 *
 * All procedures share one context (./setup.ts), so they share these paths; a procedure whose context differs
 * declares its own `searchFields` in its catalog entry.
 */
/** The case columns a procedure fills from its context. */
export type SearchColumn = 'folio' | 'nivelClave' | 'cct' | 'curp' | 'cuentaId';

export interface SearchField {
  /** Context paths ("identidad.curp"), the first non-empty text wins over the column's current value. */
  paths: string[];
  /** Paths used only while the column is still empty (5.2.1: the CCT the Subjefatura typed, when the oficio named none). */
  fallback?: string[];
  /** Once set the column never changes (the registration folio given at start wins over the oficio's number). */
  fixed?: true;
}

export type SearchFields = Record<SearchColumn, SearchField>;

export const CASE_SEARCH_FIELDS: SearchFields = {
  folio: { paths: ['oficio.folio'], fixed: true },
  nivelClave: { paths: ['nivel'] },
  cct: { paths: ['cct'], fallback: ['alta.cct'] },
  curp: { paths: ['identidad.curp', 'alta.curp', 'reasignacion.newCurp'] },
  cuentaId: { paths: ['cuenta.cuentaId'] },
};
