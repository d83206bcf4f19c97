import { formatFechaCorta, formatFechaHora, formatFechaOficio, mexicoCityParts } from './fecha';

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

describe('mexicoCityParts', () => {
  // An independent reading of ICU: Swedish writes "2022-10-30 01:30:00".
  const icu = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'America/Mexico_City',
    dateStyle: 'short',
    timeStyle: 'medium',
  });
  const fromIcu = (d: Date) => {
    const [year, month, day, hour, minute, second] = (icu.format(d).match(/\d+/g) ?? []).map(Number);
    return { year, month, day, hour, minute, second };
  };

  it('gives what ICU gives, second by second across the old daylight-saving changes (the offset is cached by hour)', () => {
    // The last spring-forward (3 Apr 2022, 02:00 → 03:00) and fall-back (30 Oct 2022, 02:00 → 01:00), and a day of
    // local mean time (1921, UTC−6:36:36: not a whole number of minutes).
    const windows = [Date.UTC(2022, 3, 3, 6), Date.UTC(2022, 9, 30, 5), Date.UTC(1921, 5, 1)];
    const mismatches: string[] = [];
    for (const start of windows)
      for (let ms = start; ms < start + 4 * 3_600_000; ms += 7_001) {
        const d = new Date(ms);
        const [ours, theirs] = [mexicoCityParts(d), fromIcu(d)];
        if (JSON.stringify(ours) !== JSON.stringify(theirs)) mismatches.push(d.toISOString());
      }
    expect(mismatches).toEqual([]);
    expect(mexicoCityParts(new Date('2022-10-30T06:30:00Z'))).toMatchObject({ hour: 1, minute: 30 }); // first 01:30
    expect(mexicoCityParts(new Date('2022-10-30T07:30:00Z'))).toMatchObject({ hour: 1, minute: 30 }); // second 01:30
  });
});
