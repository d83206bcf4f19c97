import type { SqlRunner } from './backfill-dashboard-counts';

/*
 * Used by the OficioSearch migrations (and by the bench after its bulk load): fills `oficio.recibido_mes` and the word
 * index `oficio_word` of the oficios written before them. The word rules are a frozen copy of src/oficios/oficio-words.ts
 * as it was then (a migration keeps doing what it did when it was written); the folded texts are the rows' own
 * `remitente_busqueda` / `asunto_busqueda`.
 */

const STOP_WORDS = new Set([
  'a',
  'al',
  'con',
  'de',
  'del',
  'e',
  'el',
  'en',
  'la',
  'las',
  'lo',
  'los',
  'o',
  'para',
  'por',
  'se',
  'su',
  'sus',
  'u',
  'un',
  'una',
  'y',
]);
const WORD_MAX = 40;
const words = (folded: unknown): string[] =>
  typeof folded === 'string'
    ? [
        ...new Set(
          folded
            .split(' ')
            .filter((w) => w && !STOP_WORDS.has(w))
            .map((w) => w.slice(0, WORD_MAX)),
        ),
      ]
    : [];

const PAGE = 1000;
const ROWS_PER_INSERT = 500;

interface OficioTexts {
  anio: number | string;
  numero: number | string;
  remitente: string;
  asunto: string;
}

/** The month of receipt in Colima (UTC-6, as the register's month filter counts it) of every oficio still at 0. */
export async function backfillReceiptMonth(runner: SqlRunner, dialect: 'sqlite' | 'mysql'): Promise<void> {
  await runner.query(
    dialect === 'sqlite'
      ? `UPDATE oficio SET recibido_mes = CAST(strftime('%Y%m', recibido_at, '-6 hours') AS INTEGER) WHERE recibido_mes = 0`
      : `UPDATE oficio SET recibido_mes = CAST(DATE_FORMAT(recibido_at - INTERVAL 6 HOUR, '%Y%m') AS UNSIGNED) WHERE recibido_mes = 0`,
  );
}

/**
 * The words of every oficio, read in the register's order by pages of 1,000; rows already there are kept.
 * `onPage`: told how many oficios each page read (progress for a long run).
 */
export async function backfillOficioWords(
  runner: SqlRunner,
  dialect: 'sqlite' | 'mysql',
  onPage?: (oficios: number) => void,
): Promise<number> {
  const insert = dialect === 'sqlite' ? 'INSERT OR IGNORE INTO' : 'INSERT IGNORE INTO';
  let after: [number, number] = [-1, -1];
  let written = 0;
  for (;;) {
    const rows = (await runner.query(
      'SELECT folio_anio AS anio, folio_numero AS numero, remitente_busqueda AS remitente, asunto_busqueda AS asunto ' +
        'FROM oficio WHERE folio_anio > ? OR (folio_anio = ? AND folio_numero > ?) ' +
        `ORDER BY folio_anio, folio_numero LIMIT ${PAGE}`,
      [after[0], after[0], after[1]],
    )) as OficioTexts[];
    if (rows.length === 0) return written;
    const values: (string | number)[][] = [];
    for (const r of rows) {
      for (const w of words(r.remitente)) values.push(['r', w, Number(r.anio), Number(r.numero)]);
      for (const w of words(r.asunto)) values.push(['a', w, Number(r.anio), Number(r.numero)]);
    }
    for (let i = 0; i < values.length; i += ROWS_PER_INSERT) {
      const chunk = values.slice(i, i + ROWS_PER_INSERT);
      await runner.query(
        `${insert} oficio_word (field, word, folio_anio, folio_numero) VALUES ${chunk.map(() => '(?, ?, ?, ?)').join(', ')}`,
        chunk.flat(),
      );
    }
    written += values.length;
    onPage?.(rows.length);
    const last = rows[rows.length - 1];
    after = [Number(last.anio), Number(last.numero)];
  }
}
