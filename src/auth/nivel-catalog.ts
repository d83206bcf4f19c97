/**
 * What auth needs to know about the levels (Nivel) of the catalog: whether a clave exists, to give a Nivel user one.
 * The catalog module provides it (auth sits below the catalog: every feature's controllers use its guard).
 */
export interface NivelCatalog {
  exists(clave: string): Promise<boolean>;
}

export const NIVEL_CATALOG = Symbol('NIVEL_CATALOG');
