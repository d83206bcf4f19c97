import { createHash } from 'node:crypto';
import type { QueryRunner } from 'typeorm';

/*
 * Used once, by the TransparencyLog migrations: turns the single hash chain of every movement (ordered by a global
 * sequence under one lock) into one chain per case, which the transparency log then integrates.
 *
 * The two hash formulas are frozen copies of what the engine computed before and after this migration (a migration
 * must keep doing what it did when it was written, whatever src/engine/movement-chain.ts becomes).
 */

const GENESIS = '0'.repeat(64);
const sha = (prev: string, canonical: unknown[]): string =>
  createHash('sha256').update(prev).update('\n').update(JSON.stringify(canonical)).digest('hex');

interface OldRow {
  seq: number;
  case_id: string;
  procedure_id: string;
  procedure_version: number;
  actor_id: string;
  actor_role: string;
  at: string;
  from_state: string;
  to_state: string;
  event_type: string;
  data: string;
  pasos: string;
  prev_hash: string;
  hash: string;
}

const content = (r: OldRow): unknown[] => [
  r.procedure_id,
  Number(r.procedure_version),
  r.actor_id,
  r.actor_role,
  r.at,
  r.from_state,
  r.to_state,
  r.event_type,
  r.data,
  r.pasos,
];

const PAGE = 2000;

type Quote = (id: string) => string;

async function* movements(qr: QueryRunner, q: Quote): AsyncGenerator<OldRow> {
  let after = 0;
  for (;;) {
    const page = (await qr.query(
      `SELECT * FROM ${q('movement')} WHERE ${q('seq')} > ? ORDER BY ${q('seq')} ASC LIMIT ${PAGE}`,
      [after],
    )) as OldRow[];
    if (page.length === 0) return;
    yield* page;
    after = Number(page[page.length - 1].seq);
  }
}

/**
 * Before any change to the schema: the old global chain and its head row must verify. A log that does not is not
 * converted, because the conversion would give tampered rows fresh valid hashes.
 */
export async function assertOldChainIntact(qr: QueryRunner, q: Quote): Promise<void> {
  const refuse = (what: string): Error =>
    new Error(
      `La bitácora de movimientos no verifica (${what}): no se convierte una bitácora alterada. Con la versión ` +
        'anterior del sistema ejecute npm run audit:verify, conserve una copia de la base de datos y avise a la ' +
        'Subjefatura de Sistemas; la migración no cambió nada.',
    );
  let prev = GENESIS;
  let expected = 1;
  for await (const r of movements(qr, q)) {
    const seq = Number(r.seq);
    if (seq !== expected || r.prev_hash !== prev || sha(r.prev_hash, [seq, r.case_id, ...content(r)]) !== r.hash)
      throw refuse(`movimiento ${seq}`);
    prev = r.hash;
    expected = seq + 1;
  }
  const head = (await qr.query(
    `SELECT ${q('last_seq')} AS s, ${q('last_hash')} AS h FROM ${q('movement_head')} WHERE ${q('id')} = 1`,
  )) as { s: number; h: string }[];
  if (expected > 1 && (head.length === 0 || Number(head[0].s) !== expected - 1 || head[0].h !== prev))
    throw refuse('la cabeza de la cadena no apunta al último movimiento');
}

/**
 * Numbers each case's movements in their old order, chains them per case, and leaves each case's last hash in
 * procedure_case (movement_count, last_movement_hash). Needs those columns and case_seq (nullable until then).
 */
export async function rechainPerCase(qr: QueryRunner, q: Quote): Promise<void> {
  const perCase = new Map<string, { seq: number; hash: string }>();
  for await (const r of movements(qr, q)) {
    const last = perCase.get(r.case_id) ?? { seq: 0, hash: GENESIS };
    const caseSeq = last.seq + 1;
    const hash = sha(last.hash, ['mci-movimiento-v2', r.case_id, caseSeq, ...content(r)]);
    await qr.query(
      `UPDATE ${q('movement')} SET ${q('case_seq')} = ?, ${q('prev_hash')} = ?, ${q('hash')} = ? WHERE ${q('seq')} = ?`,
      [caseSeq, last.hash, hash, Number(r.seq)],
    );
    perCase.set(r.case_id, { seq: caseSeq, hash });
  }
  for (const [caseId, last] of perCase)
    await qr.query(
      `UPDATE ${q('procedure_case')} SET ${q('movement_count')} = ?, ${q('last_movement_hash')} = ? WHERE ${q('id')} = ?`,
      [last.seq, last.hash, caseId],
    );
  // A case without movements cannot exist; should one, the audit reports it, and the column still needs a value.
  await qr.query(
    `UPDATE ${q('procedure_case')} SET ${q('movement_count')} = 0, ${q('last_movement_hash')} = ? WHERE ${q('last_movement_hash')} IS NULL`,
    [GENESIS],
  );
}

/**
 * Going back would have to renumber every movement into one gap-free global chain and rewrite every hash, which is
 * what a tamperer does: a database with movements goes back by restoring the backup taken before the upgrade.
 */
export async function refuseDowngradeWithMovements(qr: QueryRunner, q: Quote): Promise<void> {
  const rows = (await qr.query(`SELECT COUNT(*) AS n FROM ${q('movement')}`)) as { n: number | string }[];
  if (Number(rows[0].n) > 0)
    throw new Error(
      'La migración TransparencyLog no se revierte sobre una base con movimientos (las cadenas por trámite no vuelven a ' +
        'ser una sola sin reescribir cada huella): restaure el respaldo tomado antes de la actualización.',
    );
}
