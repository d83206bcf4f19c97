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

/**
 * Guía 5.2.1 paso 7 "buscar el centro de trabajo y director", 5.3.1 "Busca al trabajador", 5.3.2–5.5 "Busca la
 * cuenta": what the Subjefatura looks up before acting on a case.
 */
@Injectable()
export class CatalogSearchService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Workers by CURP prefix, CURT, or name as people type it: every word, anywhere in the name and surnames, without
   * accents or case («ramon pena» finds «Ramón Peña Ibáñez»). The words are matched in the folded column
   * (nombre_busqueda), whose index the database reads instead of the table.
   */
  async workers(q: CatalogSearchDto) {
    const term = q.q.trim().toUpperCase();
    const qb = this.ds
      .getRepository(Trabajador)
      .createQueryBuilder('t')
      .where(
        new Brackets((w) => {
          w.where('t.curp LIKE :p', { p: `${term}%` }).orWhere('t.curt = :c', { c: term });
          const words = searchWords(q.q);
          if (words.length) w.orWhere(allWords('t.nombre_busqueda', words));
        }),
      );
    const rows = await qb
      .orderBy('t.primer_apellido')
      .take(q.limite ?? 20)
      .getMany();
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
    const rows = await this.ds
      .getRepository(CentroTrabajo)
      .createQueryBuilder('c')
      .where(
        new Brackets((w) => {
          w.where('c.cct LIKE :p', { p: `${q.q.trim().toUpperCase()}%` });
          const words = searchWords(q.q);
          if (words.length) w.orWhere(allWords('c.nombre_busqueda', words));
        }),
      )
      .orderBy('c.cct')
      .take(q.limite ?? 20)
      .getMany();
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
