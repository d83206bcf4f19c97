import { MESES } from '../common/meses';

/**
 * CURP (Clave Única de Registro de Población) as RENAPO defines it in the Instructivo Normativo
 * (DOF 18/10/2021): structure, birth date, sex, state of birth and the check digit.
 */

/** Claves de entidad federativa of the CURP (positions 12-13): the 32 states and NE (nacido en el extranjero). */
export const CURP_STATES: Readonly<Record<string, string>> = {
  AS: 'Aguascalientes',
  BC: 'Baja California',
  BS: 'Baja California Sur',
  CC: 'Campeche',
  CL: 'Coahuila',
  CM: 'Colima',
  CS: 'Chiapas',
  CH: 'Chihuahua',
  DF: 'Ciudad de México',
  DG: 'Durango',
  GT: 'Guanajuato',
  GR: 'Guerrero',
  HG: 'Hidalgo',
  JC: 'Jalisco',
  MC: 'Estado de México',
  MN: 'Michoacán',
  MS: 'Morelos',
  NT: 'Nayarit',
  NL: 'Nuevo León',
  OC: 'Oaxaca',
  PL: 'Puebla',
  QT: 'Querétaro',
  QR: 'Quintana Roo',
  SP: 'San Luis Potosí',
  SL: 'Sinaloa',
  SR: 'Sonora',
  TC: 'Tabasco',
  TS: 'Tamaulipas',
  TL: 'Tlaxcala',
  VZ: 'Veracruz',
  YN: 'Yucatán',
  ZS: 'Zacatecas',
  NE: 'Nacido en el extranjero',
};

export type CurpSex = 'H' | 'M' | 'X';

/**
 * The shape of a CURP (letters, birth date, sex, state and consonants, differentiator, check digit), without the
 * date, state and check-digit checks of `curpProblem`: for text that only has to look like one (a certificate's
 * serialNumber, a holder already validated upstream).
 */
export const CURP_PATTERN = /^[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{5}[A-Z\d]\d$/;

/** The dictionary of the check digit keeps Ñ (it shifts O..Z by one), though a CURP writes Ñ as X. */
const CHECK_DICTIONARY = '0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ';

const CONSONANT = /^[B-DF-HJ-NP-TV-Z]$/;

export function normalizeCurp(raw: string): string {
  return raw.trim().toUpperCase();
}

/** Check digit (position 18) of the first 17 characters; null if one of them is outside the dictionary. */
export function curpCheckDigit(first17: string): number | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = CHECK_DICTIONARY.indexOf(first17[i]);
    if (value < 0) return null;
    sum += value * (18 - i);
  }
  return (10 - (sum % 10)) % 10;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/**
 * Why the text is not a valid CURP, in Spanish, naming the position that fails; null when it is valid.
 * Expects the CURP already in capitals (see normalizeCurp): a lower-case CURP is reported, not fixed.
 */
export function curpProblem(s: string): string | null {
  if (typeof s !== 'string' || s.trim() === '') return 'La CURP está vacía.';
  if (s !== s.trim()) return 'La CURP tiene espacios al inicio o al final.';
  if (s.length !== 18) return `La CURP debe tener 18 caracteres y tiene ${s.length}.`;
  if (s !== s.toUpperCase()) return 'La CURP debe escribirse en mayúsculas.';
  const bad = /[^A-Z0-9]/.exec(s);
  if (bad) {
    const hint = bad[0] === 'Ñ' ? ' (en la CURP la Ñ se escribe X)' : '';
    return `La CURP contiene el carácter «${bad[0]}» en la posición ${bad.index + 1}; solo admite letras A-Z y dígitos${hint}.`;
  }
  if (!/^[A-Z]{4}$/.test(s.slice(0, 4))) {
    return 'Los caracteres 1 a 4 de la CURP deben ser letras (iniciales de apellidos y nombre).';
  }
  if (!/^[AEIOUX]$/.test(s[1])) {
    return `El carácter 2 de la CURP debe ser la primera vocal interna del primer apellido (A, E, I, O, U) o X; tiene «${s[1]}».`;
  }
  const datePart = s.slice(4, 10);
  if (!/^\d{6}$/.test(datePart)) {
    return `Los caracteres 5 a 10 de la CURP deben ser la fecha de nacimiento AAMMDD en dígitos; tiene «${datePart}».`;
  }
  const differentiator = s[16];
  if (!/^[A-Z0-9]$/.test(differentiator)) {
    return 'El carácter 17 de la CURP (diferenciador) debe ser letra o dígito.';
  }
  const year = (/\d/.test(differentiator) ? 1900 : 2000) + Number(datePart.slice(0, 2));
  const month = Number(datePart.slice(2, 4));
  const day = Number(datePart.slice(4, 6));
  if (month < 1 || month > 12) {
    return `La fecha de nacimiento de la CURP tiene el mes ${datePart.slice(2, 4)}, que no existe (caracteres 7 y 8).`;
  }
  if (day < 1 || day > daysInMonth(year, month)) {
    return `La fecha de nacimiento de la CURP no existe: ${day} de ${MESES[month - 1]} de ${year} (caracteres 5 a 10; el carácter 17 «${differentiator}» indica el siglo).`;
  }
  if (!/^[HMX]$/.test(s[10])) {
    return `El carácter 11 de la CURP (sexo) debe ser H, M o X; tiene «${s[10]}».`;
  }
  const state = s.slice(11, 13);
  if (!(state in CURP_STATES)) {
    return `Los caracteres 12 y 13 de la CURP («${state}») no son una clave de entidad federativa (p. ej. CM para Colima, NE para nacidos en el extranjero).`;
  }
  for (let i = 13; i < 16; i++) {
    if (!CONSONANT.test(s[i])) {
      return `Los caracteres 14 a 16 de la CURP deben ser consonantes internas de apellidos y nombre; el ${i + 1} es «${s[i]}».`;
    }
  }
  if (!/^\d$/.test(s[17])) {
    return `El carácter 18 de la CURP (dígito verificador) debe ser un dígito; tiene «${s[17]}».`;
  }
  const expected = curpCheckDigit(s.slice(0, 17));
  if (expected !== Number(s[17])) {
    return `El dígito verificador de la CURP (carácter 18, «${s[17]}») no corresponde al resto de la clave; revise que esté bien escrita.`;
  }
  return null;
}

export function isValidCurp(s: unknown): s is string {
  return typeof s === 'string' && curpProblem(s) === null;
}

export interface CurpParts {
  birthDate: { year: number; month: number; day: number };
  sex: CurpSex;
  state: string;
  stateName: string;
}

/** What a valid CURP says about its holder; null if it is not valid. */
export function parseCurp(s: string): CurpParts | null {
  if (curpProblem(s) !== null) return null;
  const year = (/\d/.test(s[16]) ? 1900 : 2000) + Number(s.slice(4, 6));
  const state = s.slice(11, 13);
  return {
    birthDate: { year, month: Number(s.slice(6, 8)), day: Number(s.slice(8, 10)) },
    sex: s[10] as CurpSex,
    state,
    stateName: CURP_STATES[state],
  };
}
