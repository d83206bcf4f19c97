import {
  addBusinessDays,
  easterSunday,
  isCalendarDate,
  localDate,
  officialHolidays,
  officialHolidaysToSeed,
  recurringHolidaysToSeed,
  usualInstitutionalDays,
  weekdaysBetween,
} from './business-calendar';

const holidays = (...years: number[]): Set<string> =>
  new Set(years.flatMap((y) => officialHolidays(y).map((h) => h.fecha)));

describe('business calendar', () => {
  it('knows the movable official holidays', () => {
    const f = officialHolidays(2026).map((h) => h.fecha);
    expect(f).toEqual([
      '2026-01-01',
      '2026-02-02',
      '2026-03-16',
      '2026-05-01',
      '2026-09-16',
      '2026-11-16',
      '2026-12-25',
    ]);
    expect(officialHolidays(2030).map((h) => h.fecha)).toContain('2030-10-01');
  });

  it('uses the local date in Mexico City, not the UTC one', () => {
    expect(localDate(new Date('2026-11-28T05:00:00Z'))).toBe('2026-11-27');
    expect(localDate(new Date('2026-11-28T06:00:00Z'))).toBe('2026-11-28');
  });

  it('skips the weekend: Friday + 1 business day is due Monday at the end of the day (local)', () => {
    const due = addBusinessDays(new Date('2026-11-27T20:00:00Z'), 1, new Set());
    expect(due.toISOString()).toBe('2026-12-01T05:59:59.000Z'); // Monday 30 Nov 23:59:59.999 in Colima
  });

  it('skips official holidays: Friday 13 Nov 2026 + 1 is Tuesday 17 (16 is Revolución)', () => {
    const due = addBusinessDays(new Date('2026-11-13T16:00:00Z'), 1, holidays(2026));
    expect(localDate(due)).toBe('2026-11-17');
  });

  it('starts counting on the next business day when the request arrives on a day off', () => {
    const due = addBusinessDays(new Date('2026-11-28T16:00:00Z'), 2, new Set()); // Saturday
    expect(localDate(due)).toBe('2026-12-02');
  });

  it('crosses the year end over Christmas and New Year', () => {
    const due = addBusinessDays(new Date('2026-12-24T16:00:00Z'), 3, holidays(2026, 2027));
    expect(localDate(due)).toBe('2026-12-30');
    const due2 = addBusinessDays(new Date('2026-12-30T16:00:00Z'), 2, holidays(2026, 2027));
    expect(localDate(due2)).toBe('2027-01-04'); // 31 Dec, (1 Jan, weekend), Mon 4 Jan
  });

  it('seeds a year that holds only days an administrator added, without touching their dates', () => {
    const own = [
      { fecha: '2030-10-01', descripcion: 'Transmisión del Poder Ejecutivo (oficio de la Secretaría)' },
      { fecha: '2030-06-07', descripcion: 'Día inhábil decretado por la Secretaría' },
    ];
    const toSeed = officialHolidaysToSeed(own, [2030]);
    expect(toSeed.map((h) => h.fecha)).toEqual(
      officialHolidays(2030)
        .map((h) => h.fecha)
        .filter((f) => f !== '2030-10-01'),
    );
  });

  it('leaves a seeded year alone: a holiday deleted from it stays deleted', () => {
    const seeded = officialHolidays(2027).filter((h) => h.fecha !== '2027-03-15');
    expect(officialHolidaysToSeed(seeded, [2027])).toEqual([]);
    expect(officialHolidaysToSeed(seeded, [2027, 2028])).toEqual(officialHolidays(2028));
  });
});

describe("the state's recurring días inhábiles (HOLIDAYS_EXTRA)", () => {
  const ANIVERSARIO = { mesDia: '02-26', descripcion: 'Aniversario del Estado' };
  const BISIESTO = { mesDia: '02-29', descripcion: 'Día bisiesto' };

  it('seeds each configured day in every year; 29 February in leap years only', () => {
    expect(recurringHolidaysToSeed([], [2027, 2028], [ANIVERSARIO, BISIESTO])).toEqual([
      { fecha: '2027-02-26', descripcion: 'Aniversario del Estado' },
      { fecha: '2028-02-26', descripcion: 'Aniversario del Estado' },
      { fecha: '2028-02-29', descripcion: 'Día bisiesto' },
    ]);
    expect(recurringHolidaysToSeed([], [2027], [])).toEqual([]);
  });

  it('keeps a date already in the table and a day the administrator deleted from a year seeded before', () => {
    const seeded = [2027, 2028, 2029].map((y) => ({ fecha: `${y}-02-26`, descripcion: ANIVERSARIO.descripcion }));
    // 2027's was deleted (the state worked it): later years still hold the day, so it stays deleted; 2030 is new.
    expect(recurringHolidaysToSeed(seeded.slice(1), [2027, 2028, 2029, 2030], [ANIVERSARIO])).toEqual([
      { fecha: '2030-02-26', descripcion: 'Aniversario del Estado' },
    ]);
    // A date an administrator entered in their own words is not rewritten.
    const own = [{ fecha: '2027-02-26', descripcion: 'Suspensión de labores' }];
    expect(recurringHolidaysToSeed(own, [2027], [ANIVERSARIO])).toEqual([]);
  });
});

describe('calendar helpers for the administrators’ page', () => {
  it('finds Easter Sunday and offers Holy Thursday and Friday before it, and 2 November', () => {
    expect(easterSunday(2026)).toBe('2026-04-05');
    expect(easterSunday(2027)).toBe('2027-03-28');
    expect(easterSunday(2030)).toBe('2030-04-21');
    expect(usualInstitutionalDays(2026)).toEqual([
      { desde: '2026-04-02', hasta: '2026-04-03', descripcion: 'Jueves y Viernes Santo' },
      { desde: '2026-11-02', hasta: '2026-11-02', descripcion: 'Día de Muertos' },
    ]);
  });

  it('turns a vacation period into its weekdays and rejects dates that do not exist', () => {
    // Friday 18 to Tuesday 29 December 2026, across a weekend and Christmas.
    expect(weekdaysBetween('2026-12-18', '2026-12-29')).toEqual([
      '2026-12-18',
      '2026-12-21',
      '2026-12-22',
      '2026-12-23',
      '2026-12-24',
      '2026-12-25',
      '2026-12-28',
      '2026-12-29',
    ]);
    expect(weekdaysBetween('2026-12-19', '2026-12-20')).toEqual([]);
    expect(isCalendarDate('2026-02-28')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('26-01-01')).toBe(false);
  });
});
