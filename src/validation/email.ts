/**
 * E-mail addresses: the local part of an institutional account (what the Subjefatura types "sin dominio")
 * and the alternate addresses where workers receive their credentials.
 */

const LOCAL_PART_MAX = 64;
const ADDRESS_MAX = 254;

/**
 * Why the text cannot be the local part of an institutional account, in Spanish; null when it can.
 * Only a-z, digits, dot, hyphen and underscore, so it is the same address for every directory provider
 * (Google Workspace and LDAP both accept it) and nobody has to guess accents or capitals.
 */
export function localPartProblem(s: string, mailDomain?: string): string | null {
  if (typeof s !== 'string' || s === '') return 'El nombre de la cuenta está vacío.';
  if (s.includes('@')) return 'Escriba el nombre de la cuenta sin «@» ni dominio.';
  if (s.length > LOCAL_PART_MAX)
    return `El nombre de la cuenta admite hasta ${LOCAL_PART_MAX} caracteres y tiene ${s.length}.`;
  for (const ch of s) {
    if (/[a-z0-9._-]/.test(ch)) continue;
    if (/\s/.test(ch)) return 'El nombre de la cuenta no puede tener espacios.';
    if (/[A-Z]/.test(ch)) return 'El nombre de la cuenta debe ir en minúsculas.';
    if (ch === 'ñ' || ch === 'Ñ') return 'El nombre de la cuenta no puede llevar «ñ»; use «n».';
    if (/\p{L}/u.test(ch)) return `El nombre de la cuenta no puede llevar acentos ni letras especiales («${ch}»).`;
    return `El nombre de la cuenta no puede llevar «${ch}»; solo letras minúsculas, dígitos, punto, guion y guion bajo.`;
  }
  if (s.startsWith('.') || s.endsWith('.')) return 'El nombre de la cuenta no puede empezar ni terminar con punto.';
  if (s.includes('..')) return 'El nombre de la cuenta no puede tener dos puntos seguidos.';
  if (mailDomain !== undefined && s.length + 1 + mailDomain.length > ADDRESS_MAX) {
    return `La dirección completa (${s}@${mailDomain}) pasaría de ${ADDRESS_MAX} caracteres.`;
  }
  return null;
}

export function isInstitutionalLocalPart(s: unknown, mailDomain?: string): s is string {
  return typeof s === 'string' && localPartProblem(s, mailDomain) === null;
}

/** dot-atom of RFC 5322 without quoted strings or comments, which no mailbox provider here hands out. */
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const DOMAIN_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Why the text is not a usable e-mail address, in Spanish; null when it is. ASCII only (no IDN). */
export function emailProblem(s: string): string | null {
  if (typeof s !== 'string' || s.trim() === '') return 'El correo electrónico está vacío.';
  if (s !== s.trim()) return 'El correo electrónico tiene espacios al inicio o al final.';
  if (/\s/.test(s)) return 'El correo electrónico no puede tener espacios.';
  if (s.length > ADDRESS_MAX)
    return `El correo electrónico admite hasta ${ADDRESS_MAX} caracteres y tiene ${s.length}.`;
  const at = s.lastIndexOf('@');
  if (at < 0) return `El correo electrónico «${s}» no tiene «@».`;
  if (s.indexOf('@') !== at) return `El correo electrónico «${s}» tiene más de una «@».`;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (local === '') return `El correo electrónico «${s}» no tiene nada antes de la «@».`;
  if (local.length > LOCAL_PART_MAX) return `La parte antes de la «@» admite hasta ${LOCAL_PART_MAX} caracteres.`;
  if (/[^\x00-\x7f]/.test(s))
    return `El correo electrónico «${s}» tiene acentos o «ñ»; las direcciones solo admiten letras sin acento.`;
  if (
    local.startsWith('.') ||
    local.endsWith('.') ||
    local.includes('..') ||
    !local.split('.').every((a) => ATEXT.test(a))
  ) {
    return `La parte antes de la «@» del correo electrónico «${s}» no es válida.`;
  }
  if (domain === '') return `El correo electrónico «${s}» no tiene dominio después de la «@».`;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => DOMAIN_LABEL.test(l))) {
    return `El dominio «${domain}» del correo electrónico no es válido.`;
  }
  if (!/^[A-Za-z]{2,}$/.test(labels[labels.length - 1])) {
    return `El dominio «${domain}» del correo electrónico no termina en un dominio de nivel superior válido (.mx, .com...).`;
  }
  return null;
}

export function isEmailAddress(s: unknown): s is string {
  return typeof s === 'string' && emailProblem(s) === null;
}

/** Why the address is not an account under the institutional domain; null when it is. */
export function institutionalAddressProblem(address: string, mailDomain: string): string | null {
  const generic = emailProblem(address);
  if (generic !== null) return generic;
  const at = address.lastIndexOf('@');
  if (address.slice(at + 1).toLowerCase() !== mailDomain.toLowerCase()) {
    return `La dirección debe pertenecer al dominio institucional @${mailDomain}.`;
  }
  return localPartProblem(address.slice(0, at), mailDomain);
}
