import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { addBusinessDays, localDate, officialHolidays } from './business-calendar';
import { DiaInhabil } from './entities/holiday.entity';

/** The días inhábiles table, cached; filled with the official holidays of the coming years when missing. */
@Injectable()
export class CalendarService {
  private cache?: { at: number; days: Set<string> };

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Adds the official holidays (LFT art. 74) from last year to five years ahead; keeps what an admin added or removed. */
  async ensureOfficialHolidays(now = new Date()): Promise<number> {
    const year = Number(localDate(now).slice(0, 4));
    const repo = this.ds.getRepository(DiaInhabil);
    const have = new Set((await repo.find()).map((d) => d.fecha));
    const missing = [];
    for (let y = year - 1; y <= year + 5; y++) missing.push(...officialHolidays(y).filter((h) => !have.has(h.fecha)));
    // Only years never seeded get rows: a year with any holiday row belongs to the administrator.
    const seededYears = new Set([...have].map((f) => f.slice(0, 4)));
    const toAdd = missing.filter((h) => !seededYears.has(h.fecha.slice(0, 4)));
    if (toAdd.length) await repo.insert(toAdd);
    this.cache = undefined;
    return toAdd.length;
  }

  async holidays(): Promise<Set<string>> {
    if (this.cache && Date.now() - this.cache.at < 600_000) return this.cache.days;
    const days = new Set((await this.ds.getRepository(DiaInhabil).find()).map((d) => d.fecha));
    this.cache = { at: Date.now(), days };
    return days;
  }

  async dueDate(from: Date, businessDays: number): Promise<Date> {
    return addBusinessDays(from, businessDays, await this.holidays());
  }
}
