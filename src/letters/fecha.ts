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

/** Wall-clock parts in Mexico City. Month names are ours, not ICU's, so letters read the same on any Node build. */
export function mexicoCityParts(date: Date): LocalParts {
  if (Number.isNaN(date.getTime())) throw new RangeError('Fecha inválida');
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(partsFormatter.formatToParts(date).find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
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
