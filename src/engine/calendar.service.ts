import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { addBusinessDays, localDate, officialHolidaysToSeed } from './business-calendar';
import { DiaInhabil } from './entities/holiday.entity';

/** The días inhábiles table, cached; filled with the official holidays of the coming years when missing. */
@Injectable()
export class CalendarService {
  private cache?: { at: number; days: Set<string> };

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Adds the official holidays (LFT art. 74) from last year to five years ahead of `now` (see officialHolidaysToSeed:
   * a year with only an administrator's days is still seeded; what an administrator added or deleted is kept).
   * Idempotent, also when several processes boot at once: a date another one wrote first is skipped.
   */
  async ensureOfficialHolidays(now = new Date()): Promise<number> {
    const year = Number(localDate(now).slice(0, 4));
    const repo = this.ds.getRepository(DiaInhabil);
    const years = Array.from({ length: 7 }, (_, i) => year - 1 + i);
    const toAdd = officialHolidaysToSeed(await repo.find(), years);
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
}
