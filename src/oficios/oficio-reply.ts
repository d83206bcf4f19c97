import type { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { inTransaction } from '../database/transaction';
import { type EffectCommand, type EffectControl, Parked, wakeParked } from '../engine/effects/effect-processor';
import type { Oficio } from './entities/oficio.entity';
import { OficioLinea, OficioRespuesta } from './entities/oficio-linea.entity';
import { lineOfCase, lockOficio } from './oficio-batch';

/**
 * One signed reply letter answers an oficio for many schools (issue 14, part 2), not one letter per line.
 *
 * Each line's 5.2.1 case reaches its reply step (`oficioRespuesta`) on its own time and asks for its letter
 * (renderReplyLetter { outcome }). The line records that outcome (`oficio_linea.respuesta`) and:
 * - while other lines have neither asked nor concluded, its command is parked (outbox en_espera): the case waits in
 *   its reply step, where the inbox shows it, and no line holds another's work (accounts, activation mails);
 * - the line that completes the oficio draws the one letter, with every line's result, and in the transaction that
 *   stores it (`oficio_respuesta`, primary key: never two) wakes the parked commands, which then report LETTER_READY
 *   with that letter to their cases.
 * A line in an incident holds the letter (not the others' work) until the Subjefatura retries it or answers it as
 * rejected (CANCELAR in version 2): the letter must state every line's result.
 * Both the decision to park and the wake take the oficio's row lock first (SQLite: one writer at a time), so a wake
 * never comes before the park it is meant for.
 */

/** What a line's reply command does next. */
export type LineReplyStep =
  | { step: 'answered'; documentId: string }
  | { step: 'draw'; oficio: Oficio }
  | { step: 'parked'; waiting: number; total: number };

const queued = (em: EntityManager): boolean => em.connection.options.type === 'better-sqlite3';

/**
 * A read that sees the latest committed rows. MariaDB's REPEATABLE READ answers plain reads from the snapshot taken at
 * the transaction's first one, which may predate the oficio lock this transaction waited for (the case-end
 * transaction reads the case long before): a line parked meanwhile would be missed, and never woken.
 */
function fresh<T extends ObjectLiteral>(em: EntityManager, q: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  // Outside a transaction every statement reads the latest rows anyway (and a lock needs a transaction).
  return queued(em) || !em.queryRunner?.isTransactionActive ? q : q.setLock('pessimistic_read');
}

/** Lines that have neither asked for the reply nor concluded: what the letter still waits for. */
function unansweredLines(em: EntityManager, oficioId: string): Promise<number> {
  return fresh(
    em,
    em
      .createQueryBuilder(OficioLinea, 'l')
      .where('l.oficio_id = :id', { id: oficioId })
      .andWhere('l.respuesta IS NULL AND l.resultado IS NULL'),
  ).getCount();
}

/** The oficio's one reply letter, if drawn (a fresh read: see `fresh`). */
export async function combinedReplyOf(em: EntityManager, oficioId: string): Promise<string | null> {
  const row = await fresh(
    em,
    em.createQueryBuilder(OficioRespuesta, 'r').where('r.oficio_id = :oficioId', { oficioId }),
  ).getOne();
  return row?.documentId ?? null;
}

/** The combined letter a line case was answered with (the case's own letter otherwise lives under its case id). */
export async function combinedReplyOfCase(em: EntityManager, caseId: string): Promise<string | null> {
  const line = await em.findOne(OficioLinea, { where: { caseId }, select: { oficioId: true } });
  return line ? combinedReplyOf(em, line.oficioId) : null;
}

/** The cases of an oficio's lines, in annex order. */
export async function lineCaseIds(em: EntityManager, oficioId: string): Promise<string[]> {
  const rows = await em.find(OficioLinea, { where: { oficioId }, select: { caseId: true }, order: { linea: 'ASC' } });
  return rows.map((r) => r.caseId);
}

/**
 * Records that a line asks for its reply with `outcome`, then: the letter exists (answered), or this line completes
 * the oficio (draw it), or others are still missing (the command is parked, and `Parked` is thrown).
 */
export async function lineAsksForReply(
  ds: DataSource,
  cmd: EffectCommand,
  line: OficioLinea,
  outcome: string,
  control: EffectControl | undefined,
): Promise<Exclude<LineReplyStep, { step: 'parked' }>> {
  const step = await inTransaction(ds, async (em): Promise<LineReplyStep> => {
    const oficio = await lockOficio(em, line.oficioId);
    if (!oficio) throw new Error(`Oficio ${line.oficioId} de la línea ${line.linea} no encontrado`);
    const done = await combinedReplyOf(em, oficio.id);
    if (done) return { step: 'answered', documentId: done };
    await em.update(
      OficioLinea,
      { oficioId: line.oficioId, linea: line.linea },
      { respuesta: outcome, respuestaOutboxId: cmd.id },
    );
    const total = await em.count(OficioLinea, { where: { oficioId: oficio.id } });
    const waiting = await unansweredLines(em, oficio.id);
    if (waiting === 0) return { step: 'draw', oficio };
    if (!control)
      throw new Error('Un trabajo de oficio de respuesta por líneas necesita poder esperar (EffectControl)');
    const message =
      `Espera a ${waiting} de ${total} líneas del oficio ${oficio.folio}: el oficio de respuesta, uno para todas, ` +
      'se genera cuando cada línea tenga su resultado.';
    // A lost lease parks nothing: the execution that holds the command now decides for it.
    await control.park(em, message);
    return { step: 'parked', waiting, total };
  });
  if (step.step === 'parked') throw new Parked(`Esperando ${step.waiting} de ${step.total} líneas`);
  return step;
}

/**
 * In the transaction that stores the oficio's letter (its oficio row already locked by DocumentIssuer.insert): names
 * it the oficio's one letter and wakes every parked line. False when another letter was stored first.
 */
export async function recordCombinedReply(
  em: EntityManager,
  oficioId: string,
  documentId: string,
  now: Date,
): Promise<boolean> {
  if (await combinedReplyOf(em, oficioId)) return false;
  await em.insert(OficioRespuesta, { oficioId, documentId, createdAt: now });
  const parked: { id: string | null }[] = await fresh(
    em,
    em
      .createQueryBuilder(OficioLinea, 'l')
      .select('l.respuesta_outbox_id', 'id')
      .where('l.oficio_id = :oficioId', { oficioId }),
  ).getRawMany();
  const ids = parked.map((l) => l.id).filter((id): id is string => id !== null);
  await wakeParked(em, ids, now);
  return true;
}

/**
 * First thing in the transaction that ends a case (before its line's row is written): the case's line, if it is one,
 * and, for a line that never asked for the reply (it may complete the oficio), its oficio locked now. Taken after the
 * line's row, the lock would deadlock with a line asking at the same time (oficio first, then every line's row).
 */
export async function lineForEnd(em: EntityManager, caseId: string): Promise<OficioLinea | null> {
  const line = await lineOfCase(em, caseId);
  if (line && line.respuesta === null) await lockOficio(em, line.oficioId);
  return line;
}

/**
 * In the transaction that ends a line's case without it having asked for the reply (cancelled before it was worked):
 * if that completes the oficio and lines are parked, wake the first one, which draws the letter and wakes the rest
 * (waking them all would draw it once per line, the extra ones refused by `oficio_respuesta`).
 */
export async function lineEndedUnanswered(em: EntityManager, oficioId: string, now: Date): Promise<void> {
  await lockOficio(em, oficioId);
  if (await combinedReplyOf(em, oficioId)) return;
  if ((await unansweredLines(em, oficioId)) > 0) return;
  const asked: { id: string }[] = await fresh(
    em,
    em
      .createQueryBuilder(OficioLinea, 'l')
      .select('l.respuesta_outbox_id', 'id')
      .where('l.oficio_id = :id', { id: oficioId })
      .andWhere('l.respuesta_outbox_id IS NOT NULL')
      .orderBy('l.linea', 'ASC'),
  ).getRawMany();
  // The first line whose command is still parked (one whose case went to an incident is not).
  for (const { id } of asked) if ((await wakeParked(em, [id], now)) > 0) return;
}

/** The lines of an oficio, in annex order, for its letter. */
export function linesOf(em: EntityManager, oficioId: string): Promise<OficioLinea[]> {
  return em.find(OficioLinea, { where: { oficioId }, order: { linea: 'ASC' } });
}
