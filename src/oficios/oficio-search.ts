import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, type SelectQueryBuilder } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { RowSql } from '../database/row-sql';
import { parseFolio } from '../common/folio-text';
import { searchWords } from '../common/search-text';
import { OficioWord, type OficioWordField } from './entities/oficio-word.entity';
import { Oficio } from './entities/oficio.entity';
import type { OficioFilters } from './oficio.dto';
import { indexable, prefixRange, WORD_FIELDS, WORD_MAX } from './oficio-words';

/** Matches counted up to this; past it the count says «más de 1,000» (`totalAcotado`). */
export const REGISTER_COUNT_CAP = 1000;

/**
 * At most this many oficios found through an index (the sender's number, a word of the sender or subject) are read
 * and sorted by folio; past it the register walks its order index checking the filter, which then finds a page's
 * matches within a few thousand entries.
 */
export const CANDIDATE_CAP = 2000;

/**
 * The sender's number is looked up in its own covering index (idx_oficio_numero_orden: the number, then the folio's
 * year and number), so reading its matches costs no row: a number's beginning («PRI/12», 2,450 of 2 M oficios) is
 * sorted by folio from it, rather than the register's order walked for the one match in 800 it holds. Past this many
 * matches the beginning is a frequent one («P»), and the register's order walked finds them densely.
 */
export const NUMBER_CANDIDATE_CAP = 10_000;

/**
 * The columns a register row reads: what toView shows and the folio's year and number (its cursor). Not the search
 * texts (remitente_busqueda, asunto_busqueda: up to 1,100 characters a row), the normalised number, the stored file's
 * key or the ids of who registered and cancelled it. The query builder writes the statement; RowSql hydrates its rows
 * (the driver's own conversions), not getMany's alias maps. A GET /oficios allocated 1,105 KB with getMany and all 36
 * columns, 1,013 KB so (a number's beginning: 1,238 → 1,074 KB), and the web process's scavenges come as often as a
 * request allocates (README, «National scale»).
 */
export const REGISTER_COLUMNS = [
  'id',
  'folio',
  'folioAnio',
  'folioNumero',
  'status',
  'procedureId',
  'caseId',
  'numeroRemitente',
  'fechaOficio',
  'remitenteNombre',
  'remitenteCargo',
  'nivelClave',
  'area',
  'responsableId',
  'asunto',
  'cct',
  'concierne',
  'fojas',
  'anexos',
  'archivoSha256',
  'archivoMime',
  'archivoBytes',
  'archivoNombre',
  'recibidoAt',
  'recibidoPorNombre',
  'canceladoAt',
  'motivoCancelacion',
] as const satisfies readonly (keyof Oficio)[];

/** An oficio as the register reads it (REGISTER_COLUMNS). */
export type RegisterRow = Pick<Oficio, (typeof REGISTER_COLUMNS)[number]>;

/** The position of an oficio in the register's order (newest folio first): year and number of its folio. */
interface RegisterKey {
  anio: number;
  numero: number;
}

export interface SearchPage {
  rows: RegisterRow[];
  /** Matches counted up to REGISTER_COUNT_CAP; past it the cap, and `totalAcotado`. */
  total: number;
  totalAcotado: boolean;
  siguiente: string | null;
  anterior: string | null;
}

export interface SearchOptions {
  /** Whose oficios: adds the role's condition on `o` (none for the Subdirección and the Subjefatura). */
  scope: (qb: SelectQueryBuilder<Oficio>) => void;
  porPagina: number;
  /** Rows skipped after the cursor (GET /api/oficios?pagina=N). */
  offset?: number;
  despues?: string;
  antes?: string;
}

/** The normalised form of a sender's number, as duplicate detection compares it. */
export const normalizeNumber = (s: string): string => s.toUpperCase().replace(/\s+/g, '');

/** The month of receipt (YYYYMM) of an instant, in Colima: UTC-6 all year (no daylight saving since 2022). */
export function receiptMonth(at: Date): number {
  const local = new Date(at.getTime() - 6 * 3_600_000);
  return local.getUTCFullYear() * 100 + local.getUTCMonth() + 1;
}

const escapeLike = (s: string): string => s.replace(/[!%_]/g, (c) => `!${c}`);

/**
 * The register's search (GET /api/oficios, the «Oficios» page) on a query builder whose oficio is `o`. Every condition
 * is one an index answers in the register's order, or a residual the index lookups of OficioSearch narrow first:
 * - `numero`: the sender's number beginning with what was typed («dep/0457» finds DEP/0457/2026), idx_oficio_duplicado;
 * - `remitente`, `asunto`: every word typed begins a word of the folded text, in any order, without accents or case
 *   («ramon primaria» finds «Profr. Ramón …, Director de Educación Primaria»); oficio_word;
 * - `estado`, `mes`, `nivel`, `procedimiento`: idx_oficio_estado_orden, idx_oficio_mes_orden, idx_oficio_nivel_orden,
 *   idx_oficio_proc_orden.
 */
export function filterOficios<T extends object>(qb: SelectQueryBuilder<T>, q: OficioFilters): SelectQueryBuilder<T> {
  if (q.folio) {
    const folio = parseFolio(q.folio);
    if (folio) {
      qb.andWhere('o.folioNumero = :fn', { fn: folio.numero });
      if (folio.anio) qb.andWhere('o.folioAnio = :fa', { fa: folio.anio });
    } else qb.andWhere("o.folio LIKE :folio ESCAPE '!'", { folio: `%${escapeLike(q.folio.toUpperCase())}%` });
  }
  const numero = normalizeNumber(q.numero ?? '');
  if (numero) numeroCondition(qb, numero);
  for (const field of ['r', 'a'] as const) {
    const column = `o.${WORD_FIELDS[field]}`;
    searchWords((field === 'r' ? q.remitente : q.asunto) ?? '').forEach((w, i) => {
      // A word begins the text or follows a space (the folded text is words of a-z and 0-9 between single spaces).
      const p = `${field}w${i}`;
      qb.andWhere(`(${column} LIKE :${p}s OR ${column} LIKE :${p}m)`, { [`${p}s`]: `${w}%`, [`${p}m`]: `% ${w}%` });
    });
  }
  if (q.nivel) qb.andWhere('o.nivelClave = :nivel', { nivel: q.nivel });
  if (q.procedimiento) qb.andWhere('o.procedureId = :p', { p: q.procedimiento });
  if (q.estado) qb.andWhere('o.status = :s', { s: q.estado });
  if (q.anio) qb.andWhere('o.folioAnio = :a', { a: q.anio });
  if (q.mes) qb.andWhere('o.recibidoMes = :mes', { mes: Number(q.mes.replace('-', '')) });
  return qb;
}

/**
 * The number begins with `numero`. MariaDB reads a LIKE prefix as a range of the index; SQLite does that only for a
 * case-insensitive column, so it gets the range spelled out (the number is upper case; U+10FFFF sorts after any
 * character that may follow).
 */
function numeroCondition<T extends object>(qb: SelectQueryBuilder<T>, numero: string): void {
  if (qb.connection.options.type === 'better-sqlite3')
    qb.andWhere('o.numeroNormalizado >= :nlo AND o.numeroNormalizado < :nhi', {
      nlo: numero,
      nhi: `${numero}\u{10FFFF}`,
    });
  qb.andWhere("o.numeroNormalizado LIKE :numero ESCAPE '!'", { numero: `${escapeLike(numero)}%` });
}

const encodeKey = (k: RegisterKey): string => Buffer.from(JSON.stringify([k.anio, k.numero])).toString('base64url');

function decodeKey(cursor: string, param: 'despues' | 'antes'): RegisterKey {
  const bad = new DomainError(
    'CURSOR_INVALIDO',
    `El parámetro «${param}» no es válido: use el enlace «${param === 'despues' ? 'Siguiente' : 'Anterior'}» de la página, sin modificarlo.`,
    400,
  );
  let parsed: unknown;
  try {
    parsed = /^[A-Za-z0-9_-]{1,60}$/.test(cursor)
      ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
      : null;
  } catch {
    throw bad;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw bad;
  const [anio, numero] = parsed as unknown[];
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 1e9;
  if (!ok(anio) || !ok(numero)) throw bad;
  return { anio, numero };
}

/** What the index lookups left to read: nothing, these oficios, or the register in its order (`drive`: a word). */
type Narrowed =
  | { kind: 'none' }
  /** `exact`: these are the matches (onlyIndexed, no scope, each read whole); else they only narrow. */
  | { kind: 'keys'; keys: RegisterKey[]; exact: boolean }
  /** `alone`: the drive word is the one condition (no scope either): its matches are counted from the word index. */
  | { kind: 'walk'; drive?: { field: OficioWordField; word: string }; alone?: boolean }
  /**
   * The number's beginning, with no word or folio: the database finds, sorts and counts its matches. `alone`: no other
   * condition but the folio's year (no scope either), so the number's index alone answers.
   */
  | { kind: 'number'; numero: string; anio?: number; alone: boolean };

/** Of the keys in the page's order, the ones the conditions keep are read this many at a time, four times more each. */
const FIRST_CHUNK = 100;
/** Keys per statement when counting the matches among many (one IN list per folio year). */
const COUNT_CHUNK = 2000;

const compareKeys = (x: RegisterKey, y: RegisterKey): number => x.anio - y.anio || x.numero - y.numero;

/**
 * One page of the register, newest folio first, by keyset on (folio_anio, folio_numero), with a count capped at
 * REGISTER_COUNT_CAP. The filters an index can answer on their own (the sender's number, words of sender or subject)
 * are looked up first, at most CANDIDATE_CAP + 1 entries each: a filter nothing matches answers at once; a few
 * hundred matches are read by their folio and sorted; only filters that match thousands leave the page to the order
 * index, where their matches are dense.
 */
@Injectable()
export class OficioSearch {
  private rowSql?: RowSql<Oficio>;

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** The register rows a query builder finds (its conditions and order), REGISTER_COLUMNS of its `alias`. */
  private read(qb: SelectQueryBuilder<Oficio>, alias = 'o'): Promise<RegisterRow[]> {
    const sql = (this.rowSql ??= new RowSql(this.ds, Oficio));
    const [text, params] = qb.select(sql.selectList(REGISTER_COLUMNS, alias)).getQueryAndParameters();
    return sql.select(text, params, REGISTER_COLUMNS);
  }

  async page(q: OficioFilters, o: SearchOptions): Promise<SearchPage> {
    if (o.despues && o.antes)
      throw new DomainError('CURSOR_INVALIDO', 'Indique «despues» o «antes», no los dos a la vez.', 400);
    const after = o.despues ? decodeKey(o.despues, 'despues') : undefined;
    const before = o.antes ? decodeKey(o.antes, 'antes') : undefined;
    const narrowed = await this.narrow(q, o.scope);
    const filtered = (): SelectQueryBuilder<Oficio> => {
      const qb = filterOficios(this.ds.getRepository(Oficio).createQueryBuilder('o'), q);
      o.scope(qb);
      return qb;
    };
    if (narrowed.kind === 'keys') return this.pageOfKeys(narrowed, filtered, o, after, before);
    if (narrowed.kind === 'number') {
      const found = await this.pageOfNumber(narrowed, q, o, after, before);
      if (found) return found;
    }

    const qb = filtered();
    const key = after ?? before;
    if (key) {
      // Newest first: «after» goes to older folios, «before» to newer ones. Seeking to the cursor inside its year
      // matters: reading the year from its top made page 200 of 2 M oficios read 5,000 index entries.
      qb.andWhere(
        pastKey('o.folioAnio', 'o.folioNumero', after ? '<' : '>', this.ds.options.type === 'better-sqlite3'),
        {
          ka: key.anio,
          kn: key.numero,
        },
      );
    }
    const dir = before ? 'ASC' : 'DESC';
    const offset = o.offset ?? 0;
    qb.orderBy('o.folioAnio', dir)
      .addOrderBy('o.folioNumero', dir)
      .limit(o.porPagina + 1);
    const fetch = async (): Promise<RegisterRow[]> => {
      if (!offset) return this.read(qb);
      // The skipped entries are read from the order index alone (folio year and number), then only the page's rows:
      // page 200 read 5,000 whole rows.
      const keys = await qb
        .select('o.folioAnio', 'anio')
        .addSelect('o.folioNumero', 'numero')
        .offset(offset)
        .getRawMany<RegisterKey>();
      return this.rowsAt(
        filtered(),
        keys.map((k) => ({ anio: Number(k.anio), numero: Number(k.numero) })),
        dir,
      );
    };
    const count = (): Promise<number> =>
      narrowed.kind === 'walk' && narrowed.drive
        ? this.countByWord(q, o, narrowed.drive, !!narrowed.alone)
        : cappedCount(filtered());
    // A first page counts only when it is full; past it, always. The count goes beside the page's rows (a round trip
    // less) where it runs on a connection of its own; SQLite runs one statement at a time, so there it waits to know.
    const counted = key || offset || this.ds.options.type !== 'better-sqlite3';
    const [fetched, early] = await Promise.all([fetch(), counted ? count() : undefined]);
    const more = fetched.length > o.porPagina;
    const rows = fetched.slice(0, o.porPagina);
    if (before) rows.reverse();
    const total = !key && !more && !offset ? rows.length : (early ?? (await count()));
    return pageOf(rows, total, more, after, before);
  }

  /** The index lookups of the filters that have one; the intersection of those that found at most CANDIDATE_CAP. */
  private async narrow(q: OficioFilters, scope: SearchOptions['scope']): Promise<Narrowed> {
    const lookups: {
      drive?: { field: OficioWordField; word: string };
      cap: number;
      run: () => Promise<RegisterKey[]>;
    }[] = [];
    const numero = normalizeNumber(q.numero ?? '');
    const words = searchWords(q.remitente ?? '').length + searchWords(q.asunto ?? '').length;
    // Whether the role's scope adds a condition: asked at most once, and only by a search that has a lookup (the
    // scope's probe builds a query).
    let scoped: boolean | undefined;
    const unscoped = (): boolean => !(scoped ??= this.addsConditions(scope));
    // Whether every condition is one an index answers whole and the role's scope adds none.
    const indexedOnly = (): boolean => onlyIndexed(q) && unscoped();
    // The folio's year is the second column of the number's index: a number's beginning within a year is read from
    // the index alone, as the beginning is. With other conditions (a Nivel's own oficios, a month), MariaDB checks them
    // on the entries of idx_oficio_numero_filtros, which the statement names. Before, «PRI/12» with any of them read
    // its 6,276 keys into the process at national scale and counted them by lists of 2,000 (19.5 ms at the median with
    // the year). SQLite keeps that for the other conditions: the query builder names an index only for MySQL, and
    // SQLite's planner, without statistics, drove an earlier form of the statement from the condition's index (every
    // oficio of a Nivel, say), where the keys' path reads 10,001 entries at most.
    if (numero && words === 0 && !q.folio) {
      const alone = onlyIndexed({ ...q, anio: undefined }) && unscoped();
      if (alone || this.ds.options.type !== 'better-sqlite3') return { kind: 'number', numero, anio: q.anio, alone };
    }
    if (numero)
      lookups.push({
        cap: NUMBER_CANDIDATE_CAP,
        run: () => this.numberKeys(numero, q.anio).getRawMany<RegisterKey>(),
      });
    for (const field of ['r', 'a'] as const)
      for (const word of searchWords((field === 'r' ? q.remitente : q.asunto) ?? '').filter(indexable))
        lookups.push({
          drive: { field, word },
          cap: CANDIDATE_CAP,
          run: () =>
            this.wordQuery(field, word)
              .select('w.folioAnio', 'anio')
              .addSelect('w.folioNumero', 'numero')
              .limit(CANDIDATE_CAP + 1)
              .getRawMany<RegisterKey>(),
        });
    if (lookups.length === 0) return { kind: 'none' };
    let keys: Map<string, RegisterKey> | null = null;
    let drive: { field: OficioWordField; word: string } | undefined;
    // The keys are the matches themselves when every condition is one of the lookups (onlyIndexed, and a role's scope
    // that adds none) and each of them was read whole; otherwise they only narrow, the others checked on the rows.
    let exact = indexedOnly();
    // Every lookup at once: one round trip for «ramon primaria», not one per word.
    const results = await Promise.all(lookups.map((l) => l.run()));
    for (const [i, l] of lookups.entries()) {
      const found = results[i];
      if (found.length > l.cap) {
        drive ??= l.drive;
        exact = false;
        continue;
      }
      const next = new Map<string, RegisterKey>();
      for (const r of found) {
        const k = { anio: Number(r.anio), numero: Number(r.numero) };
        const id = `${k.anio}-${k.numero}`;
        if (!keys || keys.has(id)) next.set(id, k);
      }
      keys = next;
      if (keys.size === 0) break;
    }
    return keys
      ? { kind: 'keys', keys: [...keys.values()], exact }
      : { kind: 'walk', drive, alone: indexedOnly() && lookups.length === 1 };
  }

  /**
   * A page among the oficios the index lookups found: their keys sorted in the page's direction past the cursor, the
   * other conditions (and the role's scope) checked on them a chunk at a time until the page is full, then the page's
   * rows read by their keys. When the keys are the matches themselves (`exact`) the count is theirs;
   * otherwise it is counted among them, a chunk at a time, up to REGISTER_COUNT_CAP.
   */
  private async pageOfKeys(
    narrowed: { keys: RegisterKey[]; exact: boolean },
    filtered: () => SelectQueryBuilder<Oficio>,
    o: SearchOptions,
    after?: RegisterKey,
    before?: RegisterKey,
  ): Promise<SearchPage> {
    if (narrowed.keys.length === 0) return { rows: [], total: 0, totalAcotado: false, siguiente: null, anterior: null };
    const key = after ?? before;
    const ordered = narrowed.keys
      .filter((k) => !key || (after ? compareKeys(k, key) < 0 : compareKeys(k, key) > 0))
      .sort((x, y) => (before ? compareKeys(x, y) : compareKeys(y, x)));
    const offset = o.offset ?? 0;
    const wanted = offset + o.porPagina + 1;
    const { exact } = narrowed;
    let matches: RegisterKey[];
    if (exact) matches = ordered.slice(0, wanted);
    else {
      matches = [];
      for (let i = 0, size = Math.max(FIRST_CHUNK, wanted); i < ordered.length && matches.length < wanted; size *= 4) {
        const part = ordered.slice(i, i + size);
        i += part.length;
        const qb = filtered().select('o.folioAnio', 'anio').addSelect('o.folioNumero', 'numero');
        restrictToKeys(qb, part);
        const kept = new Set((await qb.getRawMany<RegisterKey>()).map((r) => `${Number(r.anio)}-${Number(r.numero)}`));
        matches.push(...part.filter((k) => kept.has(`${k.anio}-${k.numero}`)));
      }
    }
    const pageKeys = matches.slice(offset, wanted);
    const more = pageKeys.length > o.porPagina;
    const shown = pageKeys.slice(0, o.porPagina);
    const count = async (): Promise<number> => {
      if (exact) return narrowed.keys.length;
      if (!key && !more && !offset) return shown.length;
      let total = 0;
      for (let i = 0; i < narrowed.keys.length && total <= REGISTER_COUNT_CAP; i += COUNT_CHUNK) {
        const qb = filtered();
        restrictToKeys(qb, narrowed.keys.slice(i, i + COUNT_CHUNK));
        total += await cappedCount(qb);
      }
      return total;
    };
    // The page's rows and the count at once: neither needs the other.
    const [rows, total] = await Promise.all([this.rowsAt(filtered(), shown, 'DESC'), count()]);
    return pageOf(rows, total, more, after, before);
  }

  /**
   * A page of the oficios whose number begins with `numero` (in the folio year `anio`, when given), when the search has
   * no word or folio: the database sorts their keys by folio and reads the page's rows by them in one statement, and
   * counts the matches in another (at once, on MariaDB). Alone, both read idx_oficio_numero_orden; with other
   * conditions (and the role's scope), idx_oficio_numero_filtros, which holds the columns they check, and the count
   * stops at REGISTER_COUNT_CAP + 1; there a first statement has counted the number's matches before them. Before,
   * the matches' keys were read whole into the process to be sorted there (6,276 keys for «PRI/12» at national scale)
   * and the rows asked for after them. Past NUMBER_CANDIDATE_CAP matches, `null`: the number's index is read no
   * further than that.
   */
  private async pageOfNumber(
    { numero, anio, alone }: { numero: string; anio?: number; alone: boolean },
    q: OficioFilters,
    o: SearchOptions,
    after?: RegisterKey,
    before?: RegisterKey,
  ): Promise<SearchPage | null> {
    const bounded = this.numberKeys(numero, anio);
    const matches = async (): Promise<number> => {
      const r = await this.ds
        .createQueryBuilder()
        .select('COUNT(*)', 'n')
        .from(`(${bounded.getQuery()})`, 'm')
        .setParameters(bounded.getParameters())
        .getRawOne<{ n: number | string }>();
      return Number(r?.n ?? 0);
    };
    // With other conditions, the number's matches are read only once the number is known not to be a frequent one: an
    // index range with a rare condition (a month) is read to its end, 1 M entries for «P».
    if (!alone && (await matches()) > NUMBER_CANDIDATE_CAP) return null;
    // The page's keys past the cursor, in the page's order, offset then one more than the page to know of more. Alone,
    // from the number's bounded matches (`m`); otherwise from the oficios themselves, every condition and the role's
    // scope checked on idx_oficio_numero_filtros, which holds their columns: the number's range read once, no row.
    // Before, each match was joined to its oficio by another index (1 µs a key: 11 ms for «PRI/12» in a month).
    const [keyAnio, keyNumero] = alone ? ['m.anio', 'm.numero'] : ['o.folioAnio', 'o.folioNumero'];
    const kept = (): SelectQueryBuilder<Oficio> => {
      if (alone) {
        const m: SelectQueryBuilder<Oficio> = this.ds
          .createQueryBuilder()
          .select(keyAnio, 'anio')
          .addSelect(keyNumero, 'numero')
          .setParameters(bounded.getParameters())
          .from(`(${bounded.getQuery()})`, 'm');
        return m;
      }
      const qb = this.ds
        .getRepository(Oficio)
        .createQueryBuilder('o')
        .useIndex('idx_oficio_numero_filtros')
        .select(keyAnio, 'anio')
        .addSelect(keyNumero, 'numero');
      filterOficios(qb, q);
      o.scope(qb);
      return qb;
    };
    const key = after ?? before;
    const dir = before ? 'ASC' : 'DESC';
    const pageKeys = kept();
    if (key) pageKeys.andWhere(pastKey(keyAnio, keyNumero, after ? '<' : '>', false), { ka: key.anio, kn: key.numero });
    pageKeys
      .orderBy(keyAnio, dir)
      .addOrderBy(keyNumero, dir)
      .limit(o.porPagina + 1)
      .offset(o.offset ?? 0);
    // Each key is one oficio of idx_oficio_orden; MariaDB otherwise joins through idx_oficio_numero (the folio's number
    // alone), which holds one entry per year that reached the number and reads each of them (equal cost at 400,000
    // oficios of one year, measured: 0.63-0.70 ms both ways; more lookups per key on a register of several years).
    const rows = this.ds
      .getRepository(Oficio)
      .createQueryBuilder('r')
      .useIndex('idx_oficio_orden')
      .innerJoin(`(${pageKeys.getQuery()})`, 'k', 'r.folioAnio = k.anio AND r.folioNumero = k.numero')
      .setParameters(pageKeys.getParameters())
      .orderBy('r.folioAnio', dir)
      .addOrderBy('r.folioNumero', dir);
    // Alone, the count is the number's (past NUMBER_CANDIDATE_CAP, the register's order is walked instead); otherwise
    // the matches the conditions keep, up to REGISTER_COUNT_CAP + 1.
    const count = alone ? matches() : cappedCount(kept(), false);
    const [fetched, total] = await Promise.all([this.read(rows, 'r'), count]);
    if (alone && total > NUMBER_CANDIDATE_CAP) return null;
    const more = fetched.length > o.porPagina;
    const shown = fetched.slice(0, o.porPagina);
    if (before) shown.reverse();
    return pageOf(shown, total, more, after, before);
  }

  /**
   * The keys (folio year and number) of the oficios whose number begins with `numero`, of the folio year `anio` when
   * given, NUMBER_CANDIDATE_CAP + 1 at most: idx_oficio_numero_orden holds all three.
   */
  private numberKeys(numero: string, anio?: number): SelectQueryBuilder<Oficio> {
    const qb = this.ds
      .getRepository(Oficio)
      .createQueryBuilder('o')
      .select('o.folioAnio', 'anio')
      .addSelect('o.folioNumero', 'numero');
    numeroCondition(qb, numero);
    if (anio) qb.andWhere('o.folioAnio = :na', { na: anio });
    return qb.limit(NUMBER_CANDIDATE_CAP + 1);
  }

  /** The oficios of `keys` that the conditions of `qb` keep, in the register's order (`dir`); none for no keys. */
  private async rowsAt(
    qb: SelectQueryBuilder<Oficio>,
    keys: RegisterKey[],
    dir: 'ASC' | 'DESC',
  ): Promise<RegisterRow[]> {
    if (keys.length === 0) return [];
    restrictToKeys(qb, keys);
    return this.read(qb.orderBy('o.folioAnio', dir).addOrderBy('o.folioNumero', dir));
  }

  /** Whether a role's scope adds a condition (a Nivel, a responsable) or lets every oficio through. */
  private addsConditions(scope: SearchOptions['scope']): boolean {
    const probe = this.ds.getRepository(Oficio).createQueryBuilder('o');
    scope(probe);
    return probe.expressionMap.wheres.length > 0;
  }

  /** The stored words of one field that begin with `word`: a range of oficio_word's primary key. */
  private wordQuery(field: OficioWordField, word: string, alias = 'w'): SelectQueryBuilder<OficioWord> {
    const { lo, hi } = prefixRange(word);
    return this.ds
      .getRepository(OficioWord)
      .createQueryBuilder(alias)
      .where(`${alias}.field = :wf AND ${alias}.word >= :wlo AND ${alias}.word < :whi`, {
        wf: field,
        wlo: lo,
        whi: hi,
      });
  }

  /**
   * A frequent word's matches counted from the word index, each joined to its oficio for the other conditions, up to
   * the cap: not the register's order index walked until a thousand matches. When the word is the one condition
   * (`alone`) the index's entries are the matches: no oficio is read.
   */
  private async countByWord(
    q: OficioFilters,
    o: SearchOptions,
    drive: { field: OficioWordField; word: string },
    alone: boolean,
  ): Promise<number> {
    const qb = this.wordQuery(drive.field, drive.word)
      .select('w.folioAnio', 'anio')
      .addSelect('w.folioNumero', 'numero')
      .distinct(true);
    if (!alone) {
      qb.innerJoin(Oficio, 'o', 'o.folioAnio = w.folioAnio AND o.folioNumero = w.folioNumero');
      filterOficios(qb, q);
      o.scope(qb as unknown as SelectQueryBuilder<Oficio>);
    }
    return cappedCount(qb, false);
  }
}

/**
 * Past the cursor (:ka, :kn) in the register's order, `lt` '<' going to older folios. A year is one value of the year
 * column, so the condition must let the planner seek to the cursor inside it: SQLite seeks to a row value (`rowValue`);
 * MariaDB makes two ranges of the OR form, the cursor's year from its number and the years before whole.
 */
function pastKey(anio: string, numero: string, lt: '<' | '>', rowValue: boolean): string {
  return rowValue
    ? `(${anio}, ${numero}) ${lt} (:ka, :kn)`
    : `(${anio} ${lt} :ka OR (${anio} = :ka AND ${numero} ${lt} :kn))`;
}

/**
 * The page of `rows` (newest first, however they were read) with its capped count and its cursors: «Siguiente» from
 * the last row when older ones remain, «Anterior» from the first when newer ones do.
 */
function pageOf(
  rows: RegisterRow[],
  total: number,
  more: boolean,
  after: RegisterKey | undefined,
  before: RegisterKey | undefined,
): SearchPage {
  const first = rows[0];
  const last = rows[rows.length - 1];
  const keyOf = (x: RegisterRow): string => encodeKey({ anio: x.folioAnio, numero: x.folioNumero });
  return {
    rows,
    total: Math.min(total, REGISTER_COUNT_CAP),
    totalAcotado: total > REGISTER_COUNT_CAP,
    siguiente: last && (before || more) ? keyOf(last) : null,
    anterior: first && (after || (before && more)) ? keyOf(first) : null,
  };
}

/**
 * Every condition is answered by an index lookup whose entries are its matches: the sender's number, and words of the
 * sender or subject the index answers whole (indexable, at most WORD_MAX characters: every word beginning with one is
 * in the index, and its cut to WORD_MAX still begins with it). The cursor and the page size are not conditions.
 */
function onlyIndexed(q: OficioFilters): boolean {
  const whole = (w: string): boolean => indexable(w) && w.length <= WORD_MAX;
  return !(
    q.folio ||
    !searchWords(q.remitente ?? '').every(whole) ||
    !searchWords(q.asunto ?? '').every(whole) ||
    q.nivel ||
    q.procedimiento ||
    q.estado ||
    q.anio ||
    q.mes
  );
}

/** The oficios found by the index lookups, by their place in the order index (one IN list per folio year). */
function restrictToKeys(qb: SelectQueryBuilder<Oficio>, keys: RegisterKey[]): void {
  const byYear = new Map<number, number[]>();
  for (const k of keys) {
    const year = byYear.get(k.anio);
    if (year) year.push(k.numero);
    else byYear.set(k.anio, [k.numero]);
  }
  qb.andWhere(
    new Brackets((b) => {
      [...byYear].forEach(([anio, numeros], i) =>
        b.orWhere(`(o.folioAnio = :ky${i} AND o.folioNumero IN (:...kn${i}))`, {
          [`ky${i}`]: anio,
          [`kn${i}`]: numeros,
        }),
      );
    }),
  );
}

/** At most REGISTER_COUNT_CAP + 1 matches are read, never the whole table. */
async function cappedCount<T extends object>(qb: SelectQueryBuilder<T>, selectId = true): Promise<number> {
  const sub = (selectId ? qb.select('o.id') : qb).limit(REGISTER_COUNT_CAP + 1);
  const [sql, params] = sub.getQueryAndParameters();
  const [r] = await qb.connection.query<{ cnt: number | string }[]>(
    `SELECT COUNT(*) AS cnt FROM (${sql}) capped`,
    params,
  );
  return Number(r.cnt);
}
