import { CURP_STATES, curpCheckDigit, curpProblem, type CurpSex } from './curp';

/**
 * Builds the CURP RENAPO would assign from a person's data (for tests and demo data, not for people:
 * only RENAPO assigns a real CURP, and its differentiator resolves homonyms we cannot see).
 * Follows the Instructivo Normativo: particles skipped, MARÍA/JOSÉ skipped in compound given names,
 * Ñ written as X, inconvenient words masked with X in position 2, and the real check digit.
 */
export interface CurpInput {
  primerApellido: string;
  segundoApellido?: string | null;
  nombre: string;
  fechaNacimiento: { year: number; month: number; day: number };
  sexo: CurpSex;
  /** Clave de entidad of the CURP (CM, JC, NE...). */
  estado: string;
  /** Position 17: a digit for people born before 2000, a letter from 2000; defaults to 0 / A. */
  diferenciador?: string;
}

const PARTICLES = new Set([
  'DA',
  'DAS',
  'DE',
  'DEL',
  'DER',
  'DI',
  'DIE',
  'DD',
  'EL',
  'LA',
  'LAS',
  'LE',
  'LES',
  'LOS',
  'MAC',
  'MC',
  'VAN',
  'VON',
  'Y',
]);
const SKIPPED_GIVEN = new Set(['MARIA', 'MA', 'JOSE', 'J']);

/** Anexo 2 of the Instructivo: words the first four letters must not spell. */
const INCONVENIENT = new Set(
  (
    'BACA BAKA BUEI BUEY CACA CACO CAGA CAGO CAKA CAKO COGE COGI COJA COJE COJI COJO COLA CULO FALO FETO GETA GUEI ' +
    'GUEY JETA JOTO KACA KACO KAGA KAGO KAKA KAKO KOGE KOGI KOJA KOJE KOJI KOJO KOLA KULO LILO LOCA LOCO LOKA LOKO ' +
    'MAME MAMO MEAR MEAS MEON MIAR MION MOCO MOKO MULA MULO NACA NACO PEDA PEDO PENE PIPI PITO POPO PUTA PUTO QULO ' +
    'RATA ROBA ROBE ROBO RUIN SENO TETA VACA VAGA VAGO VAKA VUEI VUEY WUEI WUEY'
  ).split(' '),
);

/** Capitals without accents or punctuation; Ñ stays (it becomes X only where a letter is taken). */
function clean(s: string): string[] {
  return s
    .toUpperCase()
    .replace(/Ñ/g, '\u0001')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\u0001/g, 'Ñ')
    .replace(/[^A-ZÑ ]/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');
}

function significantSurname(s: string | null | undefined): string | null {
  if (!s) return null;
  const words = clean(s).filter((w) => !PARTICLES.has(w));
  return words[0] ?? null;
}

function significantGiven(s: string): string {
  const words = clean(s).filter((w) => !PARTICLES.has(w));
  if (words.length > 1 && SKIPPED_GIVEN.has(words[0])) return words[1];
  if (words.length === 0) throw new Error('generateCurp: el nombre está vacío');
  return words[0];
}

const asX = (c: string | undefined): string => (c === undefined || c === 'Ñ' ? 'X' : c);

function firstInternal(word: string, re: RegExp): string {
  for (let i = 1; i < word.length; i++) if (re.test(word[i])) return asX(word[i]);
  return 'X';
}

export function generateCurp(input: CurpInput): string {
  const first = significantSurname(input.primerApellido);
  if (first === null) throw new Error('generateCurp: el primer apellido está vacío');
  const second = significantSurname(input.segundoApellido);
  const given = significantGiven(input.nombre);
  const { year, month, day } = input.fechaNacimiento;
  if (!(input.estado in CURP_STATES)) throw new Error(`generateCurp: entidad desconocida ${input.estado}`);
  const differentiator = input.diferenciador ?? (year < 2000 ? '0' : 'A');
  if (year < 2000 ? !/^\d$/.test(differentiator) : !/^[A-Z]$/.test(differentiator)) {
    throw new Error('generateCurp: el diferenciador es un dígito antes de 2000 y una letra desde 2000');
  }

  let letters = asX(first[0]) + firstInternal(first, /[AEIOU]/) + (second ? asX(second[0]) : 'X') + asX(given[0]);
  if (INCONVENIENT.has(letters)) letters = letters[0] + 'X' + letters.slice(2);
  const two = (n: number): string => String(n).padStart(2, '0');
  const consonants = /[B-DF-HJ-NP-TV-ZÑ]/;
  const body =
    letters +
    two(year % 100) +
    two(month) +
    two(day) +
    input.sexo +
    input.estado +
    firstInternal(first, consonants) +
    (second ? firstInternal(second, consonants) : 'X') +
    firstInternal(given, consonants) +
    differentiator;
  const curp = body + String(curpCheckDigit(body));
  const problem = curpProblem(curp);
  if (problem !== null) throw new Error(`generateCurp: ${problem}`);
  return curp;
}
