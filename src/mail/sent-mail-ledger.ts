import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import { SentMail } from './sent-mail.entity';

/** What the ledger keeps of a message: never its body. */
export interface SentMailEntry {
  messageId: string;
  to: string[];
  subject: string;
}

/**
 * The answer to "may I send this Message-ID?":
 * - `claimed`: yes, and only this caller until `leaseUntil`; `previousClaims` > 0 when an expired claim was taken
 *   over — a process died while sending, and the server may already have the message;
 * - `sent`: the server accepted it before; do not send it again;
 * - `busy`: another process holds a live claim; try again after `until`.
 */
export type Claim =
  | { kind: 'claimed'; token: string; leaseUntil: Date; previousClaims: number }
  | { kind: 'sent'; sentAt: Date | null }
  | { kind: 'busy'; until: Date };

/**
 * The record of sent mail (one row per Message-ID, `sent_mail`), shared by every web and worker process through the
 * database. A send claims the Message-ID (insert, unique key), talks to the server, and marks it sent right after the
 * server's 250, before the job reports to its case. The claim is a lease: a process that dies between the 250 and the
 * mark leaves a claim that expires, and then the message is sent once more — the one duplicate this cannot rule out.
 */
export class SentMailLedger {
  constructor(private readonly ds: DataSource) {}

  async claim(entry: SentMailEntry, now: Date, leaseMs: number): Promise<Claim> {
    const repo = this.ds.getRepository(SentMail);
    const token = randomUUID();
    const leaseUntil = new Date(now.getTime() + leaseMs);
    try {
      await repo.insert({
        messageId: entry.messageId,
        status: 'enviando',
        recipientsHash: recipientsHash(entry.to),
        recipients: entry.to.length,
        subject: entry.subject.slice(0, 255),
        claimedBy: token,
        claimedAt: now,
        leaseUntil,
        sentAt: null,
        claims: 1,
      });
      return { kind: 'claimed', token, leaseUntil, previousClaims: 0 };
    } catch (e) {
      // Whatever the dialect's duplicate-key error looks like: the row is there, or the insert failed for another reason.
      const row = await repo.findOne({ where: { messageId: entry.messageId } });
      if (!row) throw e;
      if (row.status === 'enviado') return { kind: 'sent', sentAt: row.sentAt };
      if (row.leaseUntil.getTime() > now.getTime()) return { kind: 'busy', until: row.leaseUntil };
      // Compare-and-set on the holder: of two processes taking over the same expired claim, one wins.
      const taken = await repo.update(
        { messageId: entry.messageId, status: 'enviando', claimedBy: row.claimedBy },
        { claimedBy: token, claimedAt: now, leaseUntil, claims: row.claims + 1 },
      );
      if (taken.affected === 1) return { kind: 'claimed', token, leaseUntil, previousClaims: row.claims };
      return { kind: 'busy', until: leaseUntil };
    }
  }

  /** The server accepted the message (whoever holds the claim now: it was delivered either way). */
  async markSent(messageId: string, now: Date): Promise<void> {
    await this.ds.getRepository(SentMail).update({ messageId }, { status: 'enviado', sentAt: now });
  }

  /** The send failed without a 250: the claim goes, so the job's retry sends at once instead of waiting for the lease. */
  async release(messageId: string, token: string): Promise<void> {
    await this.ds.getRepository(SentMail).delete({ messageId, claimedBy: token, status: 'enviando' });
  }

  /** Whether the server accepted any of these messages. */
  async anySent(messageIds: string[]): Promise<boolean> {
    if (messageIds.length === 0) return false;
    return (
      (await this.ds.getRepository(SentMail).count({ where: { messageId: In(messageIds), status: 'enviado' } })) > 0
    );
  }
}

function recipientsHash(to: string[]): string {
  const canonical = to
    .map((a) => a.trim().toLowerCase())
    .sort()
    .join(',');
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
