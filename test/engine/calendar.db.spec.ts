/**
 * The días inhábiles table at boot (`CalendarService.ensureOfficialHolidays`): the Ley Federal del Trabajo art. 74
 * holidays of last year to five years ahead are seeded whether or not an administrator already added an
 * institutional day for that year; seeding is idempotent and never removes or rewrites what an administrator did.
 * The clock is injected (`now`).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config';
import { CalendarService } from '../../src/engine/calendar.service';
import { officialHolidays } from '../../src/engine/business-calendar';
import { DiaInhabil } from '../../src/engine/entities/holiday.entity';
import { createTestDb, type TestDb } from '../support/test-db';

const IN_2026 = new Date('2026-06-15T17:00:00Z');
const IN_2027 = new Date('2027-01-11T17:00:00Z');
const DECRETO = { fecha: '2032-06-04', descripcion: 'Día inhábil decretado por la Secretaría de Educación' };

describe('calendar seeding (LFT art. 74)', () => {
  let db: TestDb;
  let calendar: CalendarService;
  const rows = () => db.dataSource.getRepository(DiaInhabil);
  const datesOf = async (year: number): Promise<string[]> =>
    (await rows().find())
      .map((d) => d.fecha)
      .filter((f) => f.startsWith(`${year}-`))
      .sort();
  const art74 = (year: number): string[] => officialHolidays(year).map((h) => h.fecha);

  beforeAll(async () => {
    db = await createTestDb();
    calendar = new CalendarService(db.dataSource);
  });
  beforeEach(async () => rows().clear());
  afterAll(async () => db?.close());

  it("seeds a year's holidays even when an administrator already added an institutional day for that year", async () => {
    await calendar.ensureOfficialHolidays(IN_2026); // 2025 to 2031
    expect(await datesOf(2032)).toEqual([]);
    await rows().insert(DECRETO); // a día inhábil decreed for 2032, added before 2032 is seeded
    const added = await calendar.ensureOfficialHolidays(IN_2027); // 2026 to 2032
    expect(await datesOf(2032)).toEqual([...art74(2032), DECRETO.fecha].sort());
    expect(added).toBe(art74(2032).length);
    expect(await rows().findOneByOrFail({ fecha: DECRETO.fecha })).toEqual(DECRETO);
  });

  it('seeds a year whose days the administrator entered in their own words, even one on an art. 74 date, keeping them', async () => {
    const own = [
      // The third Monday of March 2028, entered from the school calendar before the seeding reached 2028.
      { fecha: '2028-03-20', descripcion: 'Natalicio de Benito Juárez (calendario escolar)' },
      { fecha: '2028-05-15', descripcion: 'Día del Maestro' },
    ];
    expect(art74(2028)).toContain(own[0].fecha);
    await rows().insert(own);
    await calendar.ensureOfficialHolidays(IN_2026);
    for (const y of [2025, 2026, 2027, 2029, 2030, 2031]) expect([y, await datesOf(y)]).toEqual([y, art74(y)]);
    expect(await datesOf(2028)).toEqual([...new Set([...art74(2028), ...own.map((d) => d.fecha)])].sort());
    for (const d of own) expect(await rows().findOneByOrFail({ fecha: d.fecha })).toEqual(d);
  });

  it('is idempotent: a second run adds nothing and keeps an administrator’s removal of a holiday', async () => {
    expect(await calendar.ensureOfficialHolidays(IN_2026)).toBe(
      [2025, 2026, 2027, 2028, 2029, 2030, 2031].flatMap(art74).length,
    );
    const count = await rows().count();
    expect(await calendar.ensureOfficialHolidays(IN_2026)).toBe(0);
    expect(await rows().count()).toBe(count);
    // The institution works on one of them: the administrator deletes it, and it stays deleted.
    const worked = art74(2027)[1];
    await rows().delete({ fecha: worked });
    expect(await calendar.ensureOfficialHolidays(IN_2027)).toBe(art74(2032).length);
    expect(await datesOf(2027)).toEqual(art74(2027).filter((f) => f !== worked));
  });

  it('lets two processes that boot at once both seed without failing', async () => {
    const results = await Promise.all(
      [new CalendarService(db.dataSource), new CalendarService(db.dataSource)].map((c) =>
        c.ensureOfficialHolidays(IN_2026),
      ),
    );
    expect(results.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    for (const y of [2025, 2028, 2031]) expect([y, await datesOf(y)]).toEqual([y, art74(y)]);
  });
});

describe("the state's own días inhábiles (HOLIDAYS_EXTRA)", () => {
  let db: TestDb;
  const rows = () => db.dataSource.getRepository(DiaInhabil);
  const calendarWith = (env: Record<string, string>) =>
    new CalendarService(db.dataSource, loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'mci-cfg-')), ...env }));
  // Thursday 25 February 2027, one business day of service level: due Friday 26 February, 23:59:59 in Mexico City…
  const RECEIVED = new Date('2027-02-25T17:00:00Z');
  const FRIDAY_NIGHT = '2027-02-27T05:59:59.000Z';
  const MONDAY_NIGHT = '2027-03-02T05:59:59.000Z';

  beforeAll(async () => {
    db = await createTestDb();
  });
  beforeEach(async () => rows().clear());
  afterAll(async () => db?.close());

  it('none by default: the due date counts only the art. 74 days and weekends', async () => {
    const calendar = calendarWith({});
    await calendar.ensureOfficialHolidays(IN_2026);
    expect((await calendar.dueDate(RECEIVED, 1)).toISOString()).toBe(FRIDAY_NIGHT);
  });

  it('a configured day is seeded every year and moves a due date past it', async () => {
    const calendar = calendarWith({ HOLIDAYS_EXTRA: '02-26=Aniversario de la erección del Estado' });
    // …unless 26 February is the state's día inhábil: then Monday 1 March.
    expect(await calendar.ensureOfficialHolidays(IN_2026)).toBe(
      [2025, 2026, 2027, 2028, 2029, 2030, 2031].flatMap((y) => officialHolidays(y)).length + 7,
    );
    expect((await calendar.dueDate(RECEIVED, 1)).toISOString()).toBe(MONDAY_NIGHT);
    expect(await rows().findOneByOrFail({ fecha: '2031-02-26' })).toEqual({
      fecha: '2031-02-26',
      descripcion: 'Aniversario de la erección del Estado',
    });
  });

  it('reaches the years already seeded when it is configured later, and keeps a removal as the art. 74 days do', async () => {
    await calendarWith({}).ensureOfficialHolidays(IN_2026);
    const calendar = calendarWith({ HOLIDAYS_EXTRA: '02-26=Aniversario de la erección del Estado' });
    expect(await calendar.ensureOfficialHolidays(IN_2026)).toBe(7);
    await rows().delete({ fecha: '2027-02-26' }); // this year the state works that day
    expect(await calendar.ensureOfficialHolidays(IN_2026)).toBe(0);
    expect(await rows().findOneBy({ fecha: '2027-02-26' })).toBeNull();
  });
});
