import type { DataSource, EntityManager, EntityMetadata, EntityTarget, ObjectLiteral, QueryRunner } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/** One statement's text and values. */
export interface SqlStatement {
  text: string;
  params: unknown[];
}

/** Property names of an entity that are its columns. */
type Prop<T> = Extract<keyof T, string>;

/** What `find` selects, besides its equalities: the columns (all when omitted), an IN list, an order, a LIMIT. */
export interface FindOpts<T> {
  select?: readonly Prop<T>[];
  in?: InList<T>;
  /** Ascending by this column. */
  order?: Prop<T>;
  limit?: number;
}

/** `column IN (values)` next to the equality conditions of a `where`. */
export interface InList<T> {
  column: Prop<T>;
  values: readonly unknown[];
}

/**
 * An entity's rows read and written with statements made once from its TypeORM metadata, for the engine's hot path (a
 * transition writes the same few statements thousands of times). The query builder rebuilds, re-escapes and re-parses
 * every statement and hydrates through its alias maps: a quarter of the engine's CPU per event. Here the SQL text is
 * cached by shape (which columns, how many rows), values go through the driver's own `preparePersistentValue` and
 * `prepareHydratedValue` (dates, JSON, booleans, transformers: exactly what TypeORM would send and read back), and
 * statements run on the transaction's query runner, so logging, the SQLite gate and the MySQL statement bounds apply
 * as for any other statement.
 */
export class RowSql<T extends ObjectLiteral> {
  private readonly meta: EntityMetadata;
  private readonly byProp = new Map<string, ColumnMetadata>();
  /** Columns an INSERT names: all but the database-generated increments. */
  private readonly insertColumns: ColumnMetadata[];
  private readonly sql = new Map<string, string>();
  private readonly table: string;

  constructor(
    private readonly ds: DataSource,
    target: EntityTarget<T>,
  ) {
    this.meta = ds.getMetadata(target);
    for (const c of this.meta.columns) this.byProp.set(c.propertyPath, c);
    this.insertColumns = this.meta.columns.filter((c) => !(c.isGenerated && c.generationStrategy === 'increment'));
    this.table = this.q(this.meta.tableName);
  }

  /** Rows matching every equality of `where` (and `in`), with the columns named in `select` (all when omitted). */
  async find(em: EntityManager, where: Partial<T>, opts: FindOpts<T> = {}): Promise<T[]> {
    const stmt = this.findStatement(where, opts);
    return this.rows((await this.run(em, stmt.text, stmt.params)).records, opts);
  }

  /** The SELECT of `find`, to run now or with others (readTogether). */
  findStatement(where: Partial<T>, opts: FindOpts<T> = {}): SqlStatement {
    const selected = this.selected(opts);
    const keys = Object.keys(where) as Prop<T>[];
    const shape = `S|${selected.map((c) => c.propertyPath).join(',')}|${keys.join(',')}|${this.inShape(opts.in)}|${opts.order ?? ''}|${opts.limit ?? ''}`;
    let text = this.sql.get(shape);
    if (!text) {
      const cols = selected.map((c) => this.q(c.databaseName)).join(', ');
      const order = opts.order ? ` ORDER BY ${this.q(this.column(opts.order).databaseName)}` : '';
      text = `SELECT ${cols} FROM ${this.table}${this.whereSql(keys, opts.in)}${order}${opts.limit ? ` LIMIT ${opts.limit}` : ''}`;
      this.sql.set(shape, text);
    }
    return { text, params: [...this.whereParams(where, keys), ...(opts.in?.values ?? [])] };
  }

  /** Entities from the raw records of a findStatement run elsewhere (same `opts`). */
  rows(records: readonly unknown[], opts: Pick<FindOpts<T>, 'select'> = {}): T[] {
    const selected = this.selected(opts);
    return records.map((r) => this.hydrate(r as Record<string, unknown>, selected));
  }

  private selected(opts: Pick<FindOpts<T>, 'select'>): ColumnMetadata[] {
    return opts.select ? opts.select.map((p) => this.column(p)) : this.meta.columns;
  }

  async findOne(em: EntityManager, where: Partial<T>): Promise<T | null> {
    return (await this.find(em, where, { limit: 1 }))[0] ?? null;
  }

  /** All rows in one multi-row INSERT; nothing read back (generated increments stay unknown to the caller). */
  async insert(em: EntityManager, rows: readonly Partial<T>[]): Promise<void> {
    const stmt = this.insertStatement(rows);
    if (stmt) await this.run(em, stmt.text, stmt.params);
  }

  /** The multi-row INSERT of `rows`, to run now or in a WriteBatch; null for no rows. */
  insertStatement(rows: readonly Partial<T>[]): SqlStatement | null {
    if (!rows.length) return null;
    const shape = `I|${rows.length}`;
    let text = this.sql.get(shape);
    if (!text) {
      const one = `(${this.insertColumns.map(() => '?').join(', ')})`;
      text =
        `INSERT INTO ${this.table} (${this.insertColumns.map((c) => this.q(c.databaseName)).join(', ')}) VALUES ` +
        Array.from({ length: rows.length }, () => one).join(', ');
      this.sql.set(shape, text);
    }
    const params: unknown[] = [];
    for (const row of rows) {
      for (const c of this.insertColumns) {
        const v: unknown = c.getEntityValue(row);
        if (v === undefined && c.default !== undefined && typeof c.default !== 'function') params.push(c.default);
        else params.push(this.toDb(v, c));
      }
    }
    return { text, params };
  }

  /** UPDATE of the columns in `set` where every equality of `where` (and `in`) holds; how many rows it changed. */
  async update(em: EntityManager, set: Partial<T>, where: Partial<T>, inList?: InList<T>): Promise<number> {
    const stmt = this.updateStatement(set, where, inList);
    return (await this.run(em, stmt.text, stmt.params)).affected ?? 0;
  }

  /** The UPDATE of `update`, to run now or in a WriteBatch. */
  updateStatement(set: Partial<T>, where: Partial<T>, inList?: InList<T>): SqlStatement {
    const setKeys = Object.keys(set) as Prop<T>[];
    const keys = Object.keys(where) as Prop<T>[];
    const shape = `U|${setKeys.join(',')}|${keys.join(',')}|${this.inShape(inList)}`;
    let text = this.sql.get(shape);
    if (!text) {
      const assignments = setKeys.map((p) => `${this.q(this.column(p).databaseName)} = ?`).join(', ');
      text = `UPDATE ${this.table} SET ${assignments}${this.whereSql(keys, inList)}`;
      this.sql.set(shape, text);
    }
    const params = [
      ...setKeys.map((p) => this.toDb(set[p], this.column(p))),
      ...this.whereParams(where, keys),
      ...(inList?.values ?? []),
    ];
    return { text, params };
  }

  private whereSql(keys: Prop<T>[], inList?: InList<T>): string {
    const conds = keys.map((p) => `${this.q(this.column(p).databaseName)} = ?`);
    if (inList) {
      if (!inList.values.length) conds.push('1 = 0');
      else
        conds.push(
          `${this.q(this.column(inList.column).databaseName)} IN (${inList.values.map(() => '?').join(', ')})`,
        );
    }
    return conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
  }

  private whereParams(where: Partial<T>, keys: Prop<T>[]): unknown[] {
    return keys.map((p) => {
      const v = where[p];
      if (v === null || v === undefined) throw new Error(`RowSql: «${p}» = NULL no es una condición (use IS NULL)`);
      return this.toDb(v, this.column(p));
    });
  }

  private inShape(inList?: InList<T>): string {
    return inList ? `${inList.column}:${inList.values.length}` : '';
  }

  private column(prop: string): ColumnMetadata {
    const c = this.byProp.get(prop);
    if (!c) throw new Error(`RowSql: ${this.meta.name} no tiene la columna «${prop}»`);
    return c;
  }

  /** `value` of the column `prop` as the driver stores it (for a condition written by hand). */
  value(prop: Prop<T>, value: unknown): unknown {
    return this.toDb(value, this.column(prop));
  }

  /** An entity from a raw row of a hand-written SELECT that named the columns of `props` (database names). */
  fromRow(raw: Record<string, unknown>, props: readonly Prop<T>[]): T {
    return this.hydrate(
      raw,
      props.map((p) => this.column(p)),
    );
  }

  /** The rows of a hand-written SELECT whose list is selectList(`props`), hydrated as fromRow does. */
  async select(text: string, params: readonly unknown[], props: readonly Prop<T>[]): Promise<T[]> {
    const raw = await this.ds.query<Record<string, unknown>[]>(text, [...params]);
    const columns = props.map((p) => this.column(p));
    return raw.map((r) => this.hydrate(r, columns));
  }

  /** `alias.column, …` for a hand-written SELECT of `props`, quoted as the dialect wants. */
  selectList(props: readonly Prop<T>[], alias: string): string {
    return props.map((p) => `${alias}.${this.q(this.column(p).databaseName)}`).join(', ');
  }

  /**
   * ` FORCE INDEX (index)` after the table of a hand-written SELECT on MySQL/MariaDB, where the planner weighs every
   * index that starts with the query's equalities (the task table has twelve: 2.3 ms of optimizing for the dashboard's
   * five-role union on a 100,000-case base, and a wrong pick for one role); nothing on SQLite, whose planner is
   * cheap and picks right (the tests read its plans). Throws when the entity declares no index of that name, so a
   * renamed index fails the first test that runs the statement instead of being ignored by the database.
   */
  forceIndex(index: string): string {
    if (!this.meta.indices.some((i) => i.name === index))
      throw new Error(`${this.meta.name} no declara el índice ${index}`);
    return this.ds.options.type === 'better-sqlite3' ? '' : ` FORCE INDEX (${this.q(index)})`;
  }

  private toDb(value: unknown, c: ColumnMetadata): unknown {
    const v = this.ds.driver.preparePersistentValue(value, c) as unknown;
    return v === undefined ? null : v;
  }

  private hydrate(raw: Record<string, unknown>, columns: ColumnMetadata[]): T {
    const entity = this.meta.create() as T;
    for (const c of columns) c.setEntityValue(entity, this.ds.driver.prepareHydratedValue(raw[c.databaseName], c));
    return entity;
  }

  private q(name: string): string {
    return this.ds.driver.escape(name);
  }

  /** On the transaction's query runner; outside one, on a runner of its own for this statement. */
  private async run(
    em: EntityManager,
    text: string,
    params: unknown[],
  ): Promise<{ records: unknown[]; affected?: number }> {
    const own: QueryRunner | undefined = em.queryRunner ? undefined : this.ds.createQueryRunner();
    try {
      const res = await (em.queryRunner ?? own!).query(text, params, true);
      return { records: Array.isArray(res.records) ? res.records : [], affected: res.affected };
    } finally {
      await own?.release();
    }
  }
}
