import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, In } from 'typeorm';
import { containsPattern, searchWords } from '../common/search-text';
import type { CatalogSearchDto } from './catalog-search.dto';
import { CentroTrabajo } from './entities/centro-trabajo.entity';
import { Cuenta } from './entities/cuenta.entity';
import { TIPO_CUENTA_LABEL } from './cuenta-tipos';
import { Trabajador } from './entities/trabajador.entity';

const like = (q: string): string => `%${q.trim().replace(/[%_\\]/g, (c) => `\\${c}`)}%`;

/** Every word contained in a folded column (src/common/search-text.ts), in any order. */
const allWords = (column: string, words: string[]): Brackets =>
  new Brackets((w) => {
    words.forEach((word, i) => w.andWhere(`${column} LIKE :w${i} ESCAPE '!'`, { [`w${i}`]: containsPattern(word) }));
  });

/** A term that could be the start of a key (CURP, CURT, CCT): letters and digits only. */
const KEYISH = /^[A-Z0-9]{2,18}$/;

/**
 * The keys of a search, best first, at most `limit`: those whose key starts with the term (the primary key's index),
 * then those whose folded name holds every word, in the order of that name. The name part reads only the index
 * (<folded name>, <key>), in its order, and stops at `limit` matches: a common word costs a few index pages, a word
 * nobody has one pass over the index, never over the table.
 */
async function keysFor(
  ds: DataSource,
  entity: typeof Trabajador | typeof CentroTrabajo,
  key: 'curp' | 'cct',
  q: string,
  limit: number,
  exactColumn?: string,
): Promise<string[]> {
  const keys: string[] = [];
  const add = (rows: Record<string, string>[]): void => {
    for (const r of rows) if (!keys.includes(r.k) && keys.length < limit) keys.push(r.k);
  };
  const repo = ds.getRepository(entity);
  const term = q.trim().toUpperCase();
  if (KEYISH.test(term)) {
    add(
      await repo
        .createQueryBuilder('x')
        .select(`x.${key}`, 'k')
        // A range, not LIKE 'X%': SQLite's LIKE ignores case, so it cannot use the key's (binary) index. Keys are
        // letters and digits, and Z is the greatest of them in binary and in MariaDB's Unicode collation alike.
        .where(`x.${key} >= :lo AND x.${key} <= :hi`, { lo: term, hi: `${term}${'Z'.repeat(20)}` })
        .orderBy(`x.${key}`)
        .limit(limit)
        .getRawMany(),
    );
    if (exactColumn)
      add(
        await repo
          .createQueryBuilder('x')
          .select(`x.${key}`, 'k')
          .where(`x.${exactColumn} = :e`, { e: term })
          .limit(limit)
          .getRawMany(),
      );
  }
  // A term with digits that found its key is that key (a CURP, a CCT), not a name: no pass over the names.
  const words = /\d/.test(term) && keys.length ? [] : searchWords(q);
  if (words.length && keys.length < limit) {
    add(
      await repo
        .createQueryBuilder('x')
        .select(`x.${key}`, 'k')
        .where(allWords('x.nombre_busqueda', words))
        .orderBy('x.nombre_busqueda')
        .addOrderBy(`x.${key}`)
        .limit(limit)
        .getRawMany(),
    );
  }
  return keys;
}

/**
 * Guía 5.2.1 paso 7 "buscar el centro de trabajo y director", 5.3.1 "Busca al trabajador", 5.3.2–5.5 "Busca la
 * cuenta": what the Subjefatura looks up before acting on a case.
 */
@Injectable()
export class CatalogSearchService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Workers by CURP prefix, CURT, or name as people type it: every word, anywhere in the name and surnames, without
   * accents or case («ramon pena» finds «Ramón Peña Ibáñez»), listed by surname (keysFor).
   */
  async workers(q: CatalogSearchDto) {
    const curps = await keysFor(this.ds, Trabajador, 'curp', q.q, q.limite ?? 20, 'curt');
    const found = curps.length ? await this.ds.getRepository(Trabajador).find({ where: { curp: In(curps) } }) : [];
    const rows = curps.map((c) => found.find((t) => t.curp === c)).filter((t): t is Trabajador => !!t);
    return rows.map((t) => ({
      curp: t.curp,
      nombre: [t.nombre, t.primerApellido, t.segundoApellido].filter(Boolean).join(' '),
      cct: t.cct,
      nivel: t.nivelClave,
      activo: t.activo,
      tieneCorreoAlterno: !!t.correoAlterno,
    }));
  }

  /**
   * Schools by CCT prefix or name, with their director and their account when they have one: a school has a single
   * account, so 5.2.1 paso 7 shows at once that there is nothing to create (correction 14).
   */
  async schools(q: CatalogSearchDto) {
    const ccts = await keysFor(this.ds, CentroTrabajo, 'cct', q.q, q.limite ?? 20);
    const found = ccts.length ? await this.ds.getRepository(CentroTrabajo).find({ where: { cct: In(ccts) } }) : [];
    const rows = ccts.map((c) => found.find((x) => x.cct === c)).filter((x): x is CentroTrabajo => !!x);
    const directors = rows.map((r) => r.directorCurp).filter((c): c is string => !!c);
    const people = directors.length
      ? await this.ds
          .getRepository(Trabajador)
          .createQueryBuilder('t')
          .where('t.curp IN (:...c)', { c: directors })
          .getMany()
      : [];
    const accounts = rows.length
      ? await this.ds
          .getRepository(Cuenta)
          .find({ where: { tipo: 'centro_trabajo', titularCct: In(rows.map((r) => r.cct)) } })
      : [];
    return rows.map((c) => {
      const d = people.find((p) => p.curp === c.directorCurp);
      const cuenta = accounts.find((a) => a.titularCct === c.cct);
      return {
        cct: c.cct,
        nombre: c.nombre,
        nivel: c.nivelClave,
        estatus: c.estatus,
        director: d
          ? {
              curp: d.curp,
              nombre: [d.nombre, d.primerApellido, d.segundoApellido].filter(Boolean).join(' '),
              tieneCorreoAlterno: !!d.correoAlterno,
            }
          : null,
        cuenta: cuenta ? { id: cuenta.id, direccion: cuenta.direccion, estado: cuenta.estado } : null,
      };
    });
  }

  /** Accounts by address, or by the holder's CURP or CCT. */
  async accounts(q: CatalogSearchDto) {
    const term = q.q.trim();
    const qb = this.ds
      .getRepository(Cuenta)
      .createQueryBuilder('c')
      .where(
        new Brackets((w) =>
          w
            .where('c.direccion LIKE :l', { l: like(term.toLowerCase()) })
            .orWhere('c.titular_curp = :u OR c.titular_cct = :u', { u: term.toUpperCase() }),
        ),
      );
    if (q.tipo) qb.andWhere('c.tipo = :t', { t: q.tipo });
    const rows = await qb
      .orderBy('c.direccion')
      .take(q.limite ?? 20)
      .getMany();
    return rows.map((c) => ({
      id: c.id,
      direccion: c.direccion,
      tipo: TIPO_CUENTA_LABEL[c.tipo],
      estado: c.estado,
      titularCurp: c.titularCurp,
      titularCct: c.titularCct,
    }));
  }
}
