import { MESES } from '../common/meses';
import { DEFAULT_INSTITUTION } from '../config/config';

/** Mexico City has had no daylight saving since 2022 (and Colima follows it): one fixed zone for every letter. */
export const LETTER_TIME_ZONE = 'America/Mexico_City';

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const partsFormatter = new Intl.DateTimeFormat('en-US', {
  timeZone: LETTER_TIME_ZONE,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  hourCycle: 'h23',
});

const HOUR_MS = 3_600_000;

function formattedParts(date: Date): LocalParts {
  const parts = partsFormatter.formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

/** Milliseconds from UTC to Mexico City's wall clock at `ms` (ICU's answer, exact to the second). */
function offsetAt(ms: number): number {
  const p = formattedParts(new Date(ms));
  const wall = new Date(0);
  wall.setUTCFullYear(p.year, p.month - 1, p.day);
  wall.setUTCHours(p.hour, p.minute, p.second);
  return wall.getTime() - ms;
}

/** The zone's offset by UTC hour, when it is the same at both ends of the hour; null when it changes inside it. */
const offsets = new Map<number, number | null>();

function hourOffset(ms: number): number | null {
  const hour = Math.floor(ms / HOUR_MS);
  let offset = offsets.get(hour);
  if (offset === undefined) {
    const start = offsetAt(hour * HOUR_MS);
    offset = start === offsetAt((hour + 1) * HOUR_MS - 1000) ? start : null;
    if (offsets.size >= 10_000) offsets.clear();
    offsets.set(hour, offset);
  }
  return offset;
}

/**
 * Wall-clock parts in Mexico City. Month names are ours, not ICU's, so letters read the same on any Node build.
 * ICU is asked once per hour of time (the zone's offset, cached): a page of 25 rows shows ~50 moments, and
 * `formatToParts` for each cost more than rendering the page.
 */
export function mexicoCityParts(date: Date): LocalParts {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError('Fecha inválida');
  const offset = hourOffset(ms);
  if (offset === null) return formattedParts(date);
  const wall = new Date(Math.floor(ms / 1000) * 1000 + offset);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
  };
}

/** "28 de noviembre de 2026" */
export function formatFechaLarga(date: Date): string {
  const p = mexicoCityParts(date);
  return `${p.day} de ${MESES[p.month - 1]} de ${p.year}`;
}

/** "Colima, Col., a 28 de noviembre de 2026": how an oficio is dated (the place: LETTER_PLACE). */
export function formatFechaOficio(date: Date, lugar = DEFAULT_INSTITUTION.letterPlace): string {
  return `${lugar}, a ${formatFechaLarga(date)}`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** "28/11/2026 11:05:00 h (hora del centro de México)": a moment on an acuse or in a signature block. */
export function formatFechaHora(date: Date): string {
  const p = mexicoCityParts(date);
  return `${pad(p.day)}/${pad(p.month)}/${p.year} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)} h (hora del centro de México)`;
}

/** "28 de noviembre de 2026 a las 14:05 h (hora del centro de México)": a moment in a sentence (mails, pages). */
export function formatMomento(date: Date): string {
  const p = mexicoCityParts(date);
  return `${formatFechaLarga(date)} a las ${pad(p.hour)}:${pad(p.minute)} h (hora del centro de México)`;
}

/** "28/11/2026": a date written in a table cell. */
export function formatFechaCorta(date: Date): string {
  const p = mexicoCityParts(date);
  return `${pad(p.day)}/${pad(p.month)}/${p.year}`;
}
