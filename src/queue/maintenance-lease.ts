import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { DataSource } from 'typeorm';
import { isUniqueViolation } from '../database/unique-violation';
import { ProcessLease } from './process-lease.entity';

/**
 * One runner at a time for periodic work shared by every process on the database (recovery of lost jobs, expiry and
 * reminder sweeps, the digest, the document store's cleanup): before a pass, a process takes or renews the lease of
 * `name` for `ttlMs`; the others find it held and skip their pass. When the holder stops (shutdown releases it) or
 * dies (it expires), the next process to try takes it over. One conditional UPDATE per pass, an INSERT the first time.
 */
export class MaintenanceLease {
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`.slice(0, 120);

  constructor(
    private readonly ds: DataSource,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Takes or renews the lease; whether this process holds it now. */
  async take(name: string, ttlMs: number): Promise<boolean> {
    const now = this.clock();
    const until = new Date(now.getTime() + ttlMs);
    const res = await this.ds
      .createQueryBuilder()
      .update(ProcessLease)
      .set({ holder: this.holder, expiresAt: until })
      .where('name = :name AND (holder = :holder OR expires_at < :now)', { name, holder: this.holder, now })
      .execute();
    if (res.affected) return true;
    try {
      await this.ds.getRepository(ProcessLease).insert({ name, holder: this.holder, expiresAt: until });
      return true;
    } catch (e) {
      // Another process holds it (the row exists and is live), or inserted it first.
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  /** Gives the lease up at once (a process that stops), if this process holds it. */
  async release(name: string): Promise<void> {
    await this.ds
      .createQueryBuilder()
      .update(ProcessLease)
      .set({ expiresAt: new Date(0) })
      .where('name = :name AND holder = :holder', { name, holder: this.holder })
      .execute();
  }
}
