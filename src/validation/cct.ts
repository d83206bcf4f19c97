/**
 * Clave de Centro de Trabajo (Catálogo de Centros de Trabajo, SEP): 2-digit entidad, 3 letters for the
 * sostenimiento and type of service, 4-digit consecutive and a check letter. The check letter's algorithm
 * is not public, so only the shape is checked here; whether the school exists is the catalog's business.
 */
export const CCT_PATTERN = /^\d{2}[A-Z]{3}\d{4}[A-Z]$/;

export function normalizeCct(raw: string): string {
  return raw.trim().toUpperCase();
}

/**
 * Why the text is not a well-formed CCT, in Spanish; null when the shape is right. With `stateCode` (CCT_STATE_CODE,
 * "06" for Colima) a CCT of another entidad federativa is refused too: it is no work centre of this installation.
 */
export function cctProblem(s: string, stateCode?: string): string | null {
  if (typeof s !== 'string' || s.trim() === '') return 'La CCT está vacía.';
  if (s !== s.trim()) return 'La CCT tiene espacios al inicio o al final.';
  if (s.length !== 10) return `La CCT debe tener 10 caracteres y tiene ${s.length}.`;
  if (s !== s.toUpperCase()) return 'La CCT debe escribirse en mayúsculas.';
  if (!/^\d{2}$/.test(s.slice(0, 2)))
    return 'Los caracteres 1 y 2 de la CCT deben ser dígitos (la clave de la entidad federativa, de 01 a 32).';
  const entidad = Number(s.slice(0, 2));
  if (entidad < 1 || entidad > 32)
    return `Los caracteres 1 y 2 de la CCT («${s.slice(0, 2)}») no son una entidad federativa (01 a 32).`;
  if (!/^[A-Z]{3}$/.test(s.slice(2, 5)))
    return `Los caracteres 3 a 5 de la CCT deben ser letras (tipo de centro); tiene «${s.slice(2, 5)}».`;
  if (!/^\d{4}$/.test(s.slice(5, 9)))
    return `Los caracteres 6 a 9 de la CCT deben ser dígitos; tiene «${s.slice(5, 9)}».`;
  if (!/^[A-Z]$/.test(s[9])) return `El carácter 10 de la CCT debe ser una letra; tiene «${s[9]}».`;
  if (stateCode !== undefined && s.slice(0, 2) !== stateCode)
    return `La CCT ${s} es de otra entidad federativa («${s.slice(0, 2)}»): las de este sistema empiezan con ${stateCode}.`;
  return null;
}

export function isValidCct(s: unknown): s is string {
  return typeof s === 'string' && cctProblem(s) === null;
}
