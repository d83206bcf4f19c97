import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import {
  addBusinessDays,
  type DiaInhabilRow,
  localDate,
  officialHolidays,
  officialHolidaysToSeed,
  recurringHolidaysToSeed,
} from './business-calendar';
import { DiaInhabil } from './entities/holiday.entity';

/** The días inhábiles table, cached; filled with the official holidays of the coming years when missing. */
@Injectable()
export class CalendarService {
  private cache?: { at: number; days: Set<string> };

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    // Absent where a test builds the service by hand: no state días inhábiles then.
    @Optional() @Inject(APP_CONFIG) private readonly config?: Pick<AppConfig, 'holidaysExtra'>,
  ) {}

  /**
   * Adds the official holidays (LFT art. 74) and the state's recurring ones (HOLIDAYS_EXTRA) from last year to five
   * years ahead of `now` (see officialHolidaysToSeed: a year with only an administrator's days is still seeded; what an
   * administrator added or deleted is kept; recurringHolidaysToSeed: a day added to HOLIDAYS_EXTRA later still reaches
   * the years already seeded). Idempotent, also when several processes boot at once: a date another
   * one wrote first is skipped.
   */
  async ensureOfficialHolidays(now = new Date()): Promise<number> {
    const year = Number(localDate(now).slice(0, 4));
    const repo = this.ds.getRepository(DiaInhabil);
    const years = Array.from({ length: 7 }, (_, i) => year - 1 + i);
    const existing = await repo.find();
    const extra = this.config?.holidaysExtra ?? [];
    const seeds = [...officialHolidaysToSeed(existing, years), ...recurringHolidaysToSeed(existing, years, extra)];
    // A state day on an art. 74 date is that one row.
    const toAdd = seeds.filter((d, i) => seeds.findIndex((o) => o.fecha === d.fecha) === i);
    if (toAdd.length) await repo.createQueryBuilder().insert().into(DiaInhabil).values(toAdd).orIgnore().execute();
    this.cache = undefined;
    return toAdd.length;
  }

  /**
   * `em`: the caller's open transaction. A transition reads the table in it on a cache miss: from another pooled
   * connection it could wait for one while holding the locks that the transactions holding every connection wait for.
   */
  async holidays(em: EntityManager = this.ds.manager): Promise<Set<string>> {
    if (this.cache && Date.now() - this.cache.at < 600_000) return this.cache.days;
    const days = new Set((await em.getRepository(DiaInhabil).find()).map((d) => d.fecha));
    this.cache = { at: Date.now(), days };
    return days;
  }

  async dueDate(from: Date, businessDays: number, em?: EntityManager): Promise<Date> {
    return addBusinessDays(from, businessDays, await this.holidays(em));
  }

  /**
   * The calendar of one year as an administrator sees it: the table's rows, each marked when it is an art. 74 day
   * (same date), and the art. 74 days an administrator removed (`registrado: false`), so they can be put back.
   */
  async year(year: number): Promise<CalendarDay[]> {
    const rows = await this.ds
      .getRepository(DiaInhabil)
      .createQueryBuilder('d')
      .where('d.fecha >= :from AND d.fecha <= :to', { from: `${year}-01-01`, to: `${year}-12-31` })
      .getMany();
    const official = new Map(officialHolidays(year).map((h) => [h.fecha, h.descripcion]));
    const days: CalendarDay[] = rows.map((r) => ({ ...r, oficial: official.has(r.fecha), registrado: true }));
    for (const [fecha, descripcion] of official)
      if (!rows.some((r) => r.fecha === fecha)) days.push({ fecha, descripcion, oficial: true, registrado: false });
    return days.sort((a, b) => a.fecha.localeCompare(b.fecha));
  }

  /** Adds días inhábiles; a date already in the table keeps its row and is reported in `existentes`. */
  async addDays(days: readonly DiaInhabilRow[]): Promise<{ agregados: string[]; existentes: string[] }> {
    const repo = this.ds.getRepository(DiaInhabil);
    const have = new Set(
      days.length ? (await repo.find({ where: { fecha: In(days.map((d) => d.fecha)) } })).map((d) => d.fecha) : [],
    );
    const toAdd = days.filter((d) => !have.has(d.fecha));
    if (toAdd.length) await repo.createQueryBuilder().insert().into(DiaInhabil).values(toAdd).orIgnore().execute();
    this.cache = undefined;
    return { agregados: toAdd.map((d) => d.fecha), existentes: [...have].sort() };
  }

  /** Removes one día inhábil; false when the date was not in the table. */
  async removeDay(fecha: string): Promise<boolean> {
    const res = await this.ds.getRepository(DiaInhabil).delete({ fecha });
    this.cache = undefined;
    return (res.affected ?? 0) > 0;
  }
}

/** A day of the calendar page: a row of the table, or an art. 74 day that is not (any longer) in it. */
export interface CalendarDay extends DiaInhabilRow {
  /** Descanso obligatorio of the Ley Federal del Trabajo, art. 74. */
  oficial: boolean;
  /** In the table (counts for due dates). */
  registrado: boolean;
}
