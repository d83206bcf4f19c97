import { formatFechaCorta, formatFechaHora, formatFechaOficio } from './fecha';

describe('formatFechaOficio', () => {
  it('writes the date the Mexican way, in Colima', () => {
    expect(formatFechaOficio(new Date('2026-11-28T17:05:00Z'))).toBe('Colima, Col., a 28 de noviembre de 2026');
    expect(formatFechaOficio(new Date('2027-01-01T12:00:00Z'), 'Manzanillo, Col.')).toBe(
      'Manzanillo, Col., a 1 de enero de 2027',
    );
  });

  it('uses Mexico City time (UTC−6), not UTC: late evening stays on the same day', () => {
    // 23:30 on 28 Nov in Colima is already 29 Nov in UTC.
    expect(formatFechaOficio(new Date('2026-11-29T05:30:00Z'))).toBe('Colima, Col., a 28 de noviembre de 2026');
    expect(formatFechaOficio(new Date('2026-11-29T06:00:00Z'))).toBe('Colima, Col., a 29 de noviembre de 2026');
  });

  it('has no daylight saving since 2022: summer is UTC−6 as well', () => {
    // Under the old DST (UTC−5) this instant would have been 00:30 on 1 July.
    expect(formatFechaOficio(new Date('2026-07-01T05:30:00Z'))).toBe('Colima, Col., a 30 de junio de 2026');
    expect(formatFechaHora(new Date('2026-07-01T05:30:00Z'))).toBe('30/06/2026 23:30:00 h (hora del centro de México)');
  });

  it('names every month in Spanish', () => {
    const months = Array.from({ length: 12 }, (_, m) =>
      formatFechaOficio(new Date(Date.UTC(2026, m, 15, 18))).replace(/^Colima, Col\., a 15 de (\w+) de 2026$/, '$1'),
    );
    expect(months).toEqual([
      'enero',
      'febrero',
      'marzo',
      'abril',
      'mayo',
      'junio',
      'julio',
      'agosto',
      'septiembre',
      'octubre',
      'noviembre',
      'diciembre',
    ]);
  });

  it('rejects an invalid date instead of printing "NaN"', () => {
    expect(() => formatFechaOficio(new Date('not a date'))).toThrow(RangeError);
  });

  it('writes short dates with two-digit day and month', () => {
    expect(formatFechaCorta(new Date('2026-03-05T18:00:00Z'))).toBe('05/03/2026');
  });
});
