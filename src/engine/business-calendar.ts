import type { RecurringHoliday } from '../config/config';

/**
 * Business days in America/Mexico_City (no daylight saving since 2022: UTC−6 all year), skipping weekends and the
 * días inhábiles of the calendar table. Pure: the holidays come in as a set of YYYY-MM-DD strings.
 */
const MX_OFFSET_MS = -6 * 3600_000;

/** The local calendar date (YYYY-MM-DD) of an instant in Colima / Mexico City. */
export function localDate(at: Date): string {
  return new Date(at.getTime() + MX_OFFSET_MS).toISOString().slice(0, 10);
}

function isBusinessDay(localYmd: string, holidays: ReadonlySet<string>): boolean {
  const dow = new Date(`${localYmd}T12:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6 && !holidays.has(localYmd);
}

/**
 * The instant `days` business days after `from`, at the end of that business day (23:59:59 local time; whole seconds, as MySQL DATETIME keeps them), so a
 * task received on Friday afternoon with one day of service level is due Monday night — not Saturday.
 */
export function addBusinessDays(from: Date, days: number, holidays: ReadonlySet<string>): Date {
  let ymd = localDate(from);
  let left = Math.max(0, Math.ceil(days));
  // A request that arrives on a day off starts counting on the next business day.
  while (!isBusinessDay(ymd, holidays)) ymd = nextDay(ymd);
  while (left > 0) {
    ymd = nextDay(ymd);
    if (isBusinessDay(ymd, holidays)) left--;
  }
  return new Date(new Date(`${ymd}T23:59:59Z`).getTime() - MX_OFFSET_MS);
}

/** Whole business days after the day of `from` up to the day of `to` (same day: 0), skipping weekends and `holidays`. */
export function businessDaysBetween(from: Date, to: Date, holidays: ReadonlySet<string>): number {
  let n = 0;
  const end = localDate(to);
  for (let d = nextDay(localDate(from)); d <= end; d = nextDay(d)) if (isBusinessDay(d, holidays)) n++;
  return n;
}

function nextDay(ymd: string): string {
  return new Date(new Date(`${ymd}T12:00:00Z`).getTime() + 86400_000).toISOString().slice(0, 10);
}

function nthMonday(year: number, month: number, n: number): string {
  const first = new Date(Date.UTC(year, month - 1, 1));
  const offset = (8 - first.getUTCDay()) % 7; // days to the first Monday
  return new Date(Date.UTC(year, month - 1, 1 + offset + 7 * (n - 1))).toISOString().slice(0, 10);
}

/** Descanso obligatorio (Ley Federal del Trabajo, art. 74) for a year: the default content of the calendar. */
export function officialHolidays(year: number): { fecha: string; descripcion: string }[] {
  const d = (m: number, day: number): string => `${year}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const out = [
    { fecha: d(1, 1), descripcion: 'Año Nuevo' },
    { fecha: nthMonday(year, 2, 1), descripcion: 'Día de la Constitución (primer lunes de febrero)' },
    { fecha: nthMonday(year, 3, 3), descripcion: 'Natalicio de Benito Juárez (tercer lunes de marzo)' },
    { fecha: d(5, 1), descripcion: 'Día del Trabajo' },
    { fecha: d(9, 16), descripcion: 'Día de la Independencia' },
    { fecha: nthMonday(year, 11, 3), descripcion: 'Revolución Mexicana (tercer lunes de noviembre)' },
    { fecha: d(12, 25), descripcion: 'Navidad' },
  ];
  // Transmisión del Poder Ejecutivo Federal: 1 October every six years (2024, 2030, ...).
  if ((year - 2024) % 6 === 0) out.push({ fecha: d(10, 1), descripcion: 'Transmisión del Poder Ejecutivo Federal' });
  return out.sort((a, b) => a.fecha.localeCompare(b.fecha));
}

/** A row of the días inhábiles table. */
export interface DiaInhabilRow {
  fecha: string;
  descripcion: string;
}

/**
 * The art. 74 holidays of `years` to add to a calendar holding `existing`. A year counts as seeded once it holds one
 * of the rows this seeding writes (same date and description): a day an administrator added — a día inhábil decreed
 * by the Secretaría, or a holiday entered in their own words — does not stop the year from being seeded, and a
 * holiday the administrator deleted from a seeded year stays deleted. A date already in the table is never
 * rewritten.
 */
export function officialHolidaysToSeed(existing: readonly DiaInhabilRow[], years: readonly number[]): DiaInhabilRow[] {
  const have = new Map(existing.map((d) => [d.fecha, d.descripcion]));
  return years.flatMap((year) => {
    const official = officialHolidays(year);
    const seeded = official.some((h) => have.get(h.fecha) === h.descripcion);
    return seeded ? [] : official.filter((h) => !have.has(h.fecha));
  });
}

/**
 * The state's own días inhábiles (HOLIDAYS_EXTRA: same month and day every year) of `years` to add to a calendar
 * holding `existing`. Each day is seeded on its own: a year gets it unless its date is already in the table or the
 * day is there, as seeded, in a later year — so a day configured after the first start still reaches the years already
 * seeded, and the one an administrator deleted from a year (the state worked it, or moved it) stays deleted. A 29
 * February counts in leap years only.
 */
export function recurringHolidaysToSeed(
  existing: readonly DiaInhabilRow[],
  years: readonly number[],
  days: readonly RecurringHoliday[],
): DiaInhabilRow[] {
  const have = new Set(existing.map((d) => d.fecha));
  return days.flatMap((day) => {
    const seeded = (fecha: string): boolean =>
      existing.some((r) => r.fecha > fecha && r.fecha.slice(5) === day.mesDia && r.descripcion === day.descripcion);
    return years
      .map((year) => ({ fecha: `${year}-${day.mesDia}`, descripcion: day.descripcion }))
      .filter((d) => isCalendarDate(d.fecha) && !have.has(d.fecha) && !seeded(d.fecha));
  });
}

/** The YYYY-MM-DD string is a real calendar date (2026-02-30 is not). */
export function isCalendarDate(ymd: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(ymd)) return false;
  const d = new Date(`${ymd}T12:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === ymd;
}

/**
 * The Monday-to-Friday dates from `desde` to `hasta`, both included: a vacation period as días inhábiles (Saturdays
 * and Sundays are never business days, so they need no row).
 */
export function weekdaysBetween(desde: string, hasta: string): string[] {
  const out: string[] = [];
  for (let ymd = desde; ymd <= hasta; ymd = nextDay(ymd)) if (isBusinessDay(ymd, new Set())) out.push(ymd);
  return out;
}

/** Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm, "Meeus/Jones/Butcher"). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const shift = (ymd: string, days: number): string =>
  new Date(new Date(`${ymd}T12:00:00Z`).getTime() + days * 86400_000).toISOString().slice(0, 10);

/**
 * Días inhábiles the state and the SEP usually give that are not in art. 74 (Jueves y Viernes Santo, Día de Muertos):
 * offered on the calendar page, never added by themselves — each year's decree says whether they apply.
 */
export function usualInstitutionalDays(year: number): { desde: string; hasta: string; descripcion: string }[] {
  const easter = easterSunday(year);
  return [
    { desde: shift(easter, -3), hasta: shift(easter, -2), descripcion: 'Jueves y Viernes Santo' },
    { desde: `${year}-11-02`, hasta: `${year}-11-02`, descripcion: 'Día de Muertos' },
  ];
}
