import { randomUUID } from 'node:crypto';
import * as argon2 from 'argon2';
import { type DataSource, type EntityManager, MoreThan } from 'typeorm';
import {
  DEFAULT_DIRECTORY_PAGE,
  type CreateAccountRequest,
  type DirectoryPageOptions,
  type DirectoryAccount,
  type DirectoryProvider,
  type Holder,
  ProviderError,
  duplicateError,
  normalizeAddress,
  sameHolder,
  scrub,
  unknownAccountError,
  validateHolder,
} from '../directory-provider';
import { inTransaction } from '../../../database/transaction';
import { isUniqueViolation } from '../../../database/unique-violation';
import { DirectorioLocal } from './directorio-local.entity';

export interface LocalDirectoryOptions {
  /** argon2id cost; the defaults are argon2's (64 MiB, 3 passes). Tests lower them. Stored hashes carry their own. */
  argon2?: { memoryCost?: number; timeCost?: number; parallelism?: number };
}

/** What a sign-in attempt against the local directory finds. 'suspended' is only said after a correct password. */
export type LocalSignInResult = 'ok' | 'must_change' | 'suspended' | 'invalid';

/**
 * Accounts kept in our own database (table directorio_local): the embedded default, and what a sign-in page can
 * check with verifyPassword(). Enforces the forced change itself: verifyPassword says 'must_change'.
 */
export class LocalDirectoryProvider implements DirectoryProvider {
  readonly name = 'local' as const;
  readonly supportsForcedChange = true;
  private dummyHash?: Promise<string>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: LocalDirectoryOptions = {},
  ) {}

  async create(req: CreateAccountRequest): Promise<DirectoryAccount> {
    const address = normalizeAddress(req.address, this.name);
    const holder = validateHolder(req.holder, this.name);
    const passwordHash = await this.hash(req.password);
    // A concurrent create of the same address loses the insert race on the unique index; the second pass sees the row.
    for (let attempt = 0; ; attempt++) {
      try {
        return await inTransaction(this.dataSource, async (m) => {
          const repo = m.getRepository(DirectorioLocal);
          const row = await repo.findOneBy({ address });
          if (row) {
            if (!sameHolder(this.holderOf(row), holder)) throw duplicateError(address, this.name);
            row.passwordHash = passwordHash;
            row.mustChange = req.changeAtNextLogin;
            await repo.save(row);
            return this.toAccount(row);
          }
          const created = repo.create({
            id: randomUUID(),
            address,
            tipo: req.tipo,
            ...this.holderColumns(holder),
            passwordHash,
            suspended: false,
            mustChange: req.changeAtNextLogin,
          });
          await repo.save(created);
          return this.toAccount(created);
        });
      } catch (e) {
        if (attempt === 0 && isUniqueViolation(e)) continue;
        throw this.wrap(e, [req.password]);
      }
    }
  }

  async setPassword(address: string, password: string, opts: { changeAtNextLogin: boolean }): Promise<void> {
    const passwordHash = await this.hash(password);
    await this.update(address, [password], (row) => {
      row.passwordHash = passwordHash;
      row.mustChange = opts.changeAtNextLogin;
    });
  }

  async reassign(
    address: string,
    holder: Holder,
    newPassword: string,
    opts: { changeAtNextLogin?: boolean } = {},
  ): Promise<DirectoryAccount> {
    const h = validateHolder(holder, this.name);
    const passwordHash = await this.hash(newPassword);
    return this.update(address, [newPassword], (row) => {
      Object.assign(row, this.holderColumns(h));
      row.passwordHash = passwordHash;
      row.mustChange = opts.changeAtNextLogin ?? true;
    });
  }

  async rename(address: string, newAddress: string): Promise<DirectoryAccount> {
    const from = normalizeAddress(address, this.name);
    const to = normalizeAddress(newAddress, this.name);
    try {
      return await inTransaction(this.dataSource, async (m) => {
        const repo = m.getRepository(DirectorioLocal);
        const [row, target] = await Promise.all([repo.findOneBy({ address: from }), repo.findOneBy({ address: to })]);
        if (!row) {
          if (target) return this.toAccount(target);
          throw unknownAccountError(from, this.name);
        }
        if (target && target.id !== row.id) throw duplicateError(to, this.name);
        row.address = to;
        await repo.save(row);
        return this.toAccount(row);
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw duplicateError(to, this.name);
      throw this.wrap(e, []);
    }
  }

  async suspend(address: string): Promise<void> {
    await this.update(address, [], (row) => void (row.suspended = true));
  }

  async unsuspend(address: string): Promise<void> {
    await this.update(address, [], (row) => void (row.suspended = false));
  }

  async lookup(address: string): Promise<DirectoryAccount | null> {
    const a = normalizeAddress(address, this.name);
    try {
      const row = await this.dataSource.getRepository(DirectorioLocal).findOneBy({ address: a });
      return row ? this.toAccount(row) : null;
    } catch (e) {
      throw this.wrap(e, []);
    }
  }

  /** For the sign-in page and tests. Spends the same argon2 work whether or not the address exists. */
  async verifyPassword(address: string, password: string): Promise<LocalSignInResult> {
    const a = address.trim().toLowerCase();
    const row = await this.dataSource.getRepository(DirectorioLocal).findOneBy({ address: a });
    if (!row) {
      await argon2.verify(await this.dummy(), password).catch(() => false);
      return 'invalid';
    }
    if (!(await argon2.verify(row.passwordHash, password))) return 'invalid';
    if (row.suspended) return 'suspended';
    return row.mustChange ? 'must_change' : 'ok';
  }

  /** The table in address order, keyset by address (the unique index), a page per query. */
  async *listPages(opts: DirectoryPageOptions = {}): AsyncGenerator<DirectoryAccount[]> {
    const take = opts.pageSize ?? DEFAULT_DIRECTORY_PAGE;
    let after: string | null = null;
    for (;;) {
      let rows: DirectorioLocal[];
      try {
        rows = await this.dataSource.getRepository(DirectorioLocal).find({
          where: after === null ? {} : { address: MoreThan(after) },
          order: { address: 'ASC' },
          take,
        });
      } catch (e) {
        throw this.wrap(e, []);
      }
      if (rows.length > 0) yield rows.map((r) => this.toAccount(r));
      if (rows.length < take) return;
      after = rows[rows.length - 1].address;
    }
  }

  /** The holder's own change (after a forced-change sign-in): needs the current password, clears mustChange. */
  async changeOwnPassword(address: string, currentPassword: string, newPassword: string): Promise<boolean> {
    const r = await this.verifyPassword(address, currentPassword);
    if (r !== 'ok' && r !== 'must_change') return false;
    await this.setPassword(address, newPassword, { changeAtNextLogin: false });
    return true;
  }

  private async update(
    address: string,
    secrets: string[],
    change: (row: DirectorioLocal) => void,
  ): Promise<DirectoryAccount> {
    const a = normalizeAddress(address, this.name);
    try {
      return await inTransaction(this.dataSource, async (m: EntityManager) => {
        const repo = m.getRepository(DirectorioLocal);
        const row = await repo.findOneBy({ address: a });
        if (!row) throw unknownAccountError(a, this.name);
        change(row);
        await repo.save(row);
        return this.toAccount(row);
      });
    } catch (e) {
      throw this.wrap(e, secrets);
    }
  }

  private hash(password: string): Promise<string> {
    if (!password) throw new ProviderError('permanent', 'invalid_password', { provider: this.name });
    return argon2.hash(password, { type: argon2.argon2id, ...this.options.argon2 });
  }

  private dummy(): Promise<string> {
    return (this.dummyHash ??= this.hash(randomUUID()));
  }

  private holderColumns(
    h: Holder,
  ): Pick<DirectorioLocal, 'holderKind' | 'holderCurp' | 'holderCct' | 'givenName' | 'familyName' | 'displayName'> {
    return {
      holderKind: h.kind,
      holderCurp: h.curp ?? null,
      holderCct: h.cct ?? null,
      givenName: h.givenName,
      familyName: h.familyName,
      displayName: h.displayName,
    };
  }

  private holderOf(row: DirectorioLocal): { curp?: string; cct?: string } {
    return { curp: row.holderCurp ?? undefined, cct: row.holderCct ?? undefined };
  }

  private toAccount(row: DirectorioLocal): DirectoryAccount {
    return {
      address: row.address,
      providerId: row.id,
      suspended: row.suspended,
      holder: this.holderOf(row),
      mustChangePassword: row.mustChange,
    };
  }

  /** Our own database failing is worth a retry; its message can quote parameters, so secrets are scrubbed. */
  private wrap(e: unknown, secrets: string[]): ProviderError {
    if (e instanceof ProviderError) return e;
    const msg = e instanceof Error ? e.message : String(e);
    return new ProviderError('transient', 'unavailable', {
      messageEs: 'La base de datos del directorio local no respondió; se reintentará.',
      detail: scrub(msg, secrets).slice(0, 300),
      provider: this.name,
    });
  }
}
