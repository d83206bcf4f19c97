import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { DomainError } from '../common/domain-error';
import { projectPath } from '../config/project-root';

/**
 * Password rules after NIST SP 800-63B (5.1.1.2): a minimum length and no composition rules (no "one capital, one
 * symbol"); instead, refuse what an attacker tries first: common and breached passwords, sequences and repetitions,
 * and words tied to the person or the account. Any Unicode character and spaces are allowed, so passphrases work.
 *
 * Reasons are Spanish sentences a person can act on; none of them quotes the password.
 */
export const PASSWORD_MIN_LENGTH_DEFAULT = 12;
export const PASSWORD_MAX_LENGTH_DEFAULT = 128;

export interface PasswordContext {
  /** Local part of the institutional address (before the @). */
  localPart?: string | null;
  curp?: string | null;
  /** Given names and surnames, or a school's name; each entry may hold several words. */
  names?: readonly (string | null | undefined)[];
}

export interface PasswordPolicyOptions {
  /** NIST floor is 8; the institution asks for 12. */
  minLength?: number;
  /** NIST asks to accept at least 64; capped at 1024 to bound the work per check. */
  maxLength?: number;
  blocklist?: ReadonlySet<string>;
}

export const PASSWORD_REASONS = {
  tooShort: (min: number) => `La contraseña debe tener al menos ${min} caracteres.`,
  tooLong: (max: number) => `La contraseña no debe tener más de ${max} caracteres.`,
  control: 'La contraseña contiene caracteres de control (como saltos de línea o tabuladores); quítelos.',
  common:
    'La contraseña es de uso común o fácil de adivinar; elija otra, por ejemplo una frase de varias palabras que solo usted conozca.',
  sequence: 'La contraseña es una secuencia o repetición de caracteres (como "123456", "qwerty" o "aaaa"); elija otra.',
  localPart: 'La contraseña no debe contener el nombre de la cuenta de correo.',
  curp: 'La contraseña no debe contener su CURP.',
  name: 'La contraseña no debe contener su nombre ni sus apellidos.',
} as const;

const NAME_PARTICLES = new Set(['del', 'las', 'los', 'san', 'mac', 'van', 'von']);

// Letters and digits people substitute in "p@ssw0rd"; mapped back before the blocklist and name checks.
const LEET: Record<string, string> = {
  '@': 'a',
  '4': 'a',
  '3': 'e',
  '1': 'i',
  '!': 'i',
  '0': 'o',
  $: 's',
  '5': 's',
  '7': 't',
};

// Keyboard rows (US and Latin American layouts), columns and the alphabet: a password that is one run along any of
// these, forwards or backwards, is a keyboard walk.
const SEQUENCES = [
  'abcdefghijklmnopqrstuvwxyz',
  '0123456789',
  'qwertyuiopasdfghjklzxcvbnm',
  'qwertyuiopasdfghjklñzxcvbnm',
  'qwertzuiopasdfghjklyxcvbnm',
  'azertyuiopqsdfghjklmwxcvbn',
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p',
  'qazwsxedcrfvtgbyhnujmikolp',
  'zaqxswcdevfrbgtnhymjukilop',
  '1q2w3e4r5t6y7u8i9o0p',
  'q1w2e3r4t5y6u7i8o9p0',
  'a1s2d3f4g5h6j7k8l9',
  'z1x2c3v4b5n6m7',
  '!@#$%^&*()',
  '1!2@3#4$5%6^7&8*9(0)',
  '0147258369',
  '7894561230',
];
// Each run is repeated past the longest allowed password, so a walk that wraps around ("...7890123...") is found.
const SEQUENCE_TEXT = [...SEQUENCES, ...SEQUENCES.map((s) => [...s].reverse().join(''))].map((s) =>
  foldForComparison(s).repeat(Math.ceil(1100 / s.length) + 1),
);

let defaultBlocklist: ReadonlySet<string> | undefined;

/** Folds case, accents and spaces the way both the blocklist and the checks compare. */
export function foldForComparison(text: string): string {
  return foldKeepingSpaces(text).replace(/\s+/gu, '');
}

function foldKeepingSpaces(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

export function parseBlocklist(text: string): ReadonlySet<string> {
  const set = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const entry = line.trim();
    if (entry === '' || entry.startsWith('#')) continue;
    set.add(foldForComparison(entry));
  }
  return set;
}

/** The blocklist shipped in src/security/blocklist.txt, read once (tsc does not copy it into a build: look in the sources). */
export function loadDefaultBlocklist(): ReadonlySet<string> {
  if (defaultBlocklist === undefined) {
    const candidates = [join(__dirname, 'blocklist.txt'), projectPath('src', 'security', 'blocklist.txt')];
    const file = candidates.find((f) => existsSync(f));
    if (file === undefined) throw new Error(`Password blocklist not found (looked in: ${candidates.join(', ')}).`);
    defaultBlocklist = parseBlocklist(readFileSync(file, 'utf8'));
  }
  return defaultBlocklist;
}

function resolveOptions(opts: PasswordPolicyOptions): Required<PasswordPolicyOptions> {
  const minLength = opts.minLength ?? PASSWORD_MIN_LENGTH_DEFAULT;
  const maxLength = opts.maxLength ?? PASSWORD_MAX_LENGTH_DEFAULT;
  if (!Number.isInteger(minLength) || minLength < 8 || minLength > 64) {
    throw new RangeError(`Password policy: minLength must be an integer from 8 to 64 (got ${minLength}).`);
  }
  if (!Number.isInteger(maxLength) || maxLength < 64 || maxLength > 1024) {
    throw new RangeError(`Password policy: maxLength must be an integer from 64 to 1024 (got ${maxLength}).`);
  }
  return { minLength, maxLength, blocklist: opts.blocklist ?? loadDefaultBlocklist() };
}

function deLeet(text: string): string {
  return [...text].map((c) => LEET[c] ?? c).join('');
}

/** Strips what people glue around a weak word: "Colima2024!" → "colima". */
function core(text: string): string {
  return text.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
}

/** Smallest unit that the text repeats ("abcabcabc" → "abc"), or the text itself. */
function repeatedUnit(text: string): string {
  const chars = [...text];
  for (let size = 1; size <= chars.length / 2; size++) {
    if (chars.length % size !== 0) continue;
    const unit = chars.slice(0, size).join('');
    if (unit.repeat(chars.length / size) === text) return unit;
  }
  return text;
}

function isSequence(folded: string): boolean {
  if ([...folded].length < 4) return false;
  return SEQUENCE_TEXT.some((s) => s.includes(folded));
}

function isCommon(folded: string, blocklist: ReadonlySet<string>): boolean {
  const candidates = new Set<string>();
  for (const form of [folded, deLeet(folded)]) {
    candidates.add(form);
    const c = core(form);
    if (c !== '') candidates.add(c);
    const unit = repeatedUnit(form);
    if (unit !== form) {
      candidates.add(unit);
      candidates.add(core(unit));
    }
  }
  for (const c of candidates) if (c !== '' && blocklist.has(c)) return true;
  return false;
}

function isRepetitive(folded: string): boolean {
  const chars = [...folded];
  if (new Set(chars).size <= 3) return true;
  const unit = repeatedUnit(folded);
  // A repeated short unit ("abcabcabcabc") or a repeated walk ("qwertyqwerty").
  return unit !== folded && ([...unit].length <= 4 || isSequence(unit));
}

/** Words of a name or address worth looking for: 4+ letters anywhere, 3 letters only as a separate word ("Ana"). */
function contextWords(text: string): { word: string; bounded: boolean }[] {
  return foldKeepingSpaces(text)
    .split(/[^\p{L}]+/u)
    .filter((w) => w.length >= 3 && !NAME_PARTICLES.has(w))
    .map((word) => ({ word, bounded: word.length === 3 }));
}

function alnum(text: string): string {
  return text.replace(/[^\p{L}\p{N}]+/gu, '');
}

/** `spaced` is the password folded but with its spaces, so a three-letter name is matched only as a word. */
function containsWord(spaced: string, { word, bounded }: { word: string; bounded: boolean }): boolean {
  if (!bounded) return spaced.replace(/\s+/gu, '').includes(word);
  return new RegExp(`(^|[^\\p{L}])${word}($|[^\\p{L}])`, 'u').test(spaced);
}

function containsAny(spaced: string, words: { word: string; bounded: boolean }[]): boolean {
  const forms = [spaced, deLeet(spaced)];
  return words.some((w) => forms.some((f) => containsWord(f, w)));
}

/**
 * Checks a password against the policy. Returns the reasons it is refused, in Spanish; an empty list means it is
 * acceptable.
 */
export function checkPassword(
  password: string,
  context: PasswordContext = {},
  options: PasswordPolicyOptions = {},
): string[] {
  const { minLength, maxLength, blocklist } = resolveOptions(options);
  const reasons: string[] = [];
  // NIST asks to normalise before counting and comparing; NFKC keeps what the person sees.
  const normalized = (password ?? '').normalize('NFKC');
  const length = [...normalized].length;
  if (length < minLength) reasons.push(PASSWORD_REASONS.tooShort(minLength));
  if (length > maxLength) reasons.push(PASSWORD_REASONS.tooLong(maxLength));

  if (/[\u0000-\u001f\u007f-\u009f]/u.test(normalized)) reasons.push(PASSWORD_REASONS.control);
  if (length === 0) return reasons;

  const spaced = foldKeepingSpaces(normalized);
  const folded = spaced.replace(/\s+/gu, '');
  if (isSequence(folded) || isRepetitive(folded)) {
    reasons.push(PASSWORD_REASONS.sequence);
  } else if (isCommon(folded, blocklist)) {
    reasons.push(PASSWORD_REASONS.common);
  }

  const localPart = context.localPart?.trim() ?? '';
  if (localPart !== '') {
    // "juan.perez" is found in "Juan-Perez-2026" as well as its words one by one.
    const whole = alnum(foldForComparison(localPart));
    const wholeFound = whole.length >= 3 && [folded, deLeet(folded)].some((f) => alnum(f).includes(whole));
    if (wholeFound || containsAny(spaced, contextWords(localPart))) {
      reasons.push(PASSWORD_REASONS.localPart);
    }
  }

  const curp = foldForComparison(context.curp ?? '');
  // The first 10 characters (initials and birth date) identify the person as well as the full CURP does.
  if (curp.length >= 10 && (folded.includes(curp) || folded.includes(curp.slice(0, 10)))) {
    reasons.push(PASSWORD_REASONS.curp);
  }

  const nameWords = (context.names ?? []).flatMap((n) => (n ? contextWords(n) : []));
  if (nameWords.length > 0 && containsAny(spaced, nameWords)) reasons.push(PASSWORD_REASONS.name);

  return reasons;
}

/** Throws a 422 DomainError with the reasons when the password does not pass. */
export function assertPassword(
  password: string,
  context: PasswordContext = {},
  options: PasswordPolicyOptions = {},
): void {
  const reasons = checkPassword(password, context, options);
  if (reasons.length > 0) {
    throw new DomainError('CONTRASENA_NO_VALIDA', reasons.join(' '), 422, { motivos: reasons });
  }
}

/** What a person must be told before choosing a password (screens and e-mails say the same). */
export function passwordRequirements(options: PasswordPolicyOptions = {}): string[] {
  const { minLength, maxLength } = resolveOptions(options);
  return [
    `Tener entre ${minLength} y ${maxLength} caracteres; puede usar espacios, acentos y la ñ (una frase de varias palabras es una buena opción).`,
    'No ser una contraseña común ni una secuencia de teclado o de números.',
    'No contener su nombre, sus apellidos, su CURP ni el nombre de la cuenta de correo.',
  ];
}

// No 0/O, 1/l/I: read aloud or copied from a screen without doubt.
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghjkmnpqrstuvwxyz';
const DIGITS = '23456789';
const ALPHABET = UPPER + LOWER + DIGITS;

/**
 * A temporary password: four groups of four characters ("Hq7m-xR4c-9kPt-w2Nb"), more than 90 bits of entropy. It always
 * mixes capitals, small letters, digits and a hyphen, so a directory with an Active Directory-style complexity rule
 * accepts it too, and it passes this policy for the given person.
 */
export function generateTemporaryPassword(context: PasswordContext = {}, options: PasswordPolicyOptions = {}): string {
  const { minLength } = resolveOptions(options);
  const groups = Math.max(4, Math.ceil(minLength / 4));
  for (let attempt = 0; attempt < 50; attempt++) {
    const password = Array.from({ length: groups }, () =>
      Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''),
    ).join('-');
    if (![UPPER, LOWER, DIGITS].every((set) => [...password].some((c) => set.includes(c)))) continue;
    if (checkPassword(password, context, options).length === 0) return password;
  }
  // 50 misses in a row means the context makes every password fail (e.g. a three-letter name check gone wrong).
  throw new Error('Could not generate a temporary password that passes the policy.');
}
