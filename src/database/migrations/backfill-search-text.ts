import type { QueryRunner } from 'typeorm';

/*
 * Used by the SearchText migrations: fills the folded search columns of the rows written before them. The folding is a
 * frozen copy of src/common/search-text.ts as it was then (a migration keeps doing what it did when it was written).
 */

const BASE: Record<string, string> = { ł: 'l', ø: 'o', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe', ı: 'i' };
const fold = (...parts: unknown[]): string =>
  parts
    .filter((p): p is string => typeof p === 'string' && p !== '')
    .join(' ')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[łøđßæœı]/g, (c) => BASE[c])
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

interface Target {
  table: string;
  key: string;
  /** Folded column ← the columns it is made of. */
  columns: Record<string, string[]>;
}

const TARGETS: Target[] = [
  { table: 'trabajador', key: 'curp', columns: { nombre_busqueda: ['primer_apellido', 'segundo_apellido', 'nombre'] } },
  { table: 'centro_trabajo', key: 'cct', columns: { nombre_busqueda: ['nombre'] } },
  {
    table: 'oficio',
    key: 'id',
    columns: { remitente_busqueda: ['remitente_nombre', 'remitente_cargo', 'area'], asunto_busqueda: ['asunto'] },
  },
];

/** Reads by key in pages of 1,000 and writes each row's folded values (`q` quotes an identifier for the dialect). */
export async function backfillSearchText(queryRunner: QueryRunner, q: (name: string) => string): Promise<void> {
  for (const t of TARGETS) {
    const sources = [...new Set(Object.values(t.columns).flat())];
    const targets = Object.keys(t.columns);
    const update = `UPDATE ${q(t.table)} SET ${targets.map((c) => `${q(c)} = ?`).join(', ')} WHERE ${q(t.key)} = ?`;
    let after = '';
    for (;;) {
      const rows = (await queryRunner.query(
        `SELECT ${[t.key, ...sources].map(q).join(', ')} FROM ${q(t.table)} WHERE ${q(t.key)} > ? ORDER BY ${q(t.key)} LIMIT 1000`,
        [after],
      )) as Record<string, unknown>[];
      if (rows.length === 0) break;
      for (const r of rows)
        await queryRunner.query(update, [...targets.map((c) => fold(...t.columns[c].map((s) => r[s]))), r[t.key]]);
      after = String(rows[rows.length - 1][t.key]);
    }
  }
}
