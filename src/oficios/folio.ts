import { setTimeout as sleep } from 'node:timers/promises';
import { type DataSource, type EntityManager, QueryFailedError } from 'typeorm';
import { inTransaction } from '../database/transaction';
import { mexicoCityParts } from '../letters/fecha';
import { AREA_SSST } from '../common/folio-text';

/**
 * Numbers the Subdirección de Sistemas y Servicios Telemáticos (SSST) gives out, one counter per (area, tipo, year):
 *
 * - registration folio of an incoming oficio: `SSST-2026-000042` (counter SSST / recepcion / 2026);
 * - número de oficio of a reply letter: `SSST/0042/2026`, the way Mexican offices number their oficios
 *   (counter SSST / respuesta / 2026).
 *
 * The year is the one in Mexico City at the moment that counts (reception, signing): an oficio received on
 * 31 December at 23:30 in Colima is 2025's even though it is already 2026 in UTC. Numbers restart at 1 each year and
 * grow past the padding if a year ever needs more.
 */
export { AREA_SSST, registrationFolio } from '../common/folio-text';
export type FolioTipo = 'recepcion' | 'respuesta';

export const replyNumber = (anio: number, n: number): string => `${AREA_SSST}/${String(n).padStart(4, '0')}/${anio}`;

/** The calendar year in Mexico City at that instant. */
export const folioYear = (at: Date): number => mexicoCityParts(at).year;

/**
 * Takes the next number of a counter inside the caller's transaction, so it is only spent if the row that uses it is
 * committed: no gaps, and no duplicates because the counter row stays locked until commit.
 * MySQL/MariaDB: the row is created on first use (INSERT … ON DUPLICATE KEY UPDATE, which already locks it) and read
 * FOR UPDATE. SQLite: transactions are serialized by inTransaction (and SQLite's single writer).
 */
export async function takeNumber(em: EntityManager, area: string, tipo: FolioTipo, anio: number): Promise<number> {
  const where = 'area = ? AND tipo = ? AND anio = ?';
  if (em.connection.options.type === 'better-sqlite3') {
    await em.query('INSERT INTO folio_counter (area, tipo, anio, ultimo) VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING', [
      area,
      tipo,
      anio,
    ]);
    await em.query(`UPDATE folio_counter SET ultimo = ultimo + 1 WHERE ${where}`, [area, tipo, anio]);
    const rows: { ultimo: number }[] = await em.query(`SELECT ultimo FROM folio_counter WHERE ${where}`, [
      area,
      tipo,
      anio,
    ]);
    return Number(rows[0].ultimo);
  }
  await em.query(
    'INSERT INTO folio_counter (area, tipo, anio, ultimo) VALUES (?, ?, ?, 0) ON DUPLICATE KEY UPDATE ultimo = ultimo',
    [area, tipo, anio],
  );
  const rows: { ultimo: number }[] = await em.query(`SELECT ultimo FROM folio_counter WHERE ${where} FOR UPDATE`, [
    area,
    tipo,
    anio,
  ]);
  const next = Number(rows[0].ultimo) + 1;
  await em.query(`UPDATE folio_counter SET ultimo = ? WHERE ${where}`, [next, area, tipo, anio]);
  return next;
}

/** InnoDB may pick a deadlock victim when several transactions create the same counter row at once: try again. */
function isLockConflict(e: unknown): boolean {
  if (!(e instanceof QueryFailedError)) return false;
  const d = e.driverError as { code?: string; errno?: number } | undefined;
  return d?.code === 'ER_LOCK_DEADLOCK' || d?.errno === 1213 || d?.code === 'ER_LOCK_WAIT_TIMEOUT' || d?.errno === 1205;
}

/** inTransaction, retried a few times when the database chose this transaction as a deadlock victim. */
export async function inNumberingTransaction<T>(
  ds: DataSource,
  fn: (em: EntityManager) => Promise<T>,
  attempts = 5,
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await inTransaction(ds, fn);
    } catch (e) {
      if (i >= attempts || !isLockConflict(e)) throw e;
      await sleep(10 * i + Math.floor(Math.random() * 20));
    }
  }
}

/** Whether an error is a unique-key violation (a concurrent replay inserted the same row first). */
export function isUniqueViolation(e: unknown): boolean {
  if (!(e instanceof QueryFailedError)) return false;
  const d = e.driverError as { code?: string; errno?: number } | undefined;
  return (
    d?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    d?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    d?.code === 'ER_DUP_ENTRY' ||
    d?.errno === 1062
  );
}
