/** A datetime column read raw: a Date on MySQL/MariaDB (UTC session), a UTC text («YYYY-MM-DD HH:MM:SS.sss») on SQLite. */
export function dateFromRaw(v: string | Date): Date {
  if (v instanceof Date) return v;
  return new Date(/[zZ]|[+-]\d{2}:?\d{2}$/.test(v) ? v : `${v.replace(' ', 'T')}Z`);
}
