import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import type { Actor } from '../auth/actor';
import { StaffUsersService } from '../auth/staff-users.service';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { inTransaction } from '../database/transaction';
import { isUniqueViolation } from '../database/unique-violation';
import { TASK_DIGEST } from './effects/effect-processor';
import { EngineService, outboxRow } from './engine.service';
import { OutboxCommand } from './entities/outbox.entity';
import { TaskDigest } from './entities/task-digest.entity';
import { INBOX_COUNT_CAP, InboxService } from './inbox.service';

/** The staff roles that have an inbox of their own (the administrator looks at the others' through «rol»). */
export const DIGEST_ROLES = ['subdireccion', 'subjefatura', 'nivel', 'responsable'] as const;

/**
 * A task's created_at is the clock of the transition that opened it, which commits a moment later: a digest covers the
 * tasks created up to this long ago, so one committed after the digest read the inbox is never behind its watermark.
 */
export const DIGEST_SETTLE_MS = 60_000;

/** Tasks listed in one e-mail; past it, the message counts the rest and sends the reader to the inbox. */
export const DIGEST_LIST_LIMIT = 50;

/** One task of a digest, as it is listed (nothing the inbox does not show that person). */
export interface DigestItem {
  /** The case id: the address of its page. */
  tramite: string;
  folio: string | null;
  /** The procedure's title. */
  procedimiento: string;
  /** The step: the task's title. */
  paso: string;
  /** Due date, ISO (UTC). */
  vence: string;
}

/**
 * The digest command's payload: whom it is for (their role and level when it was written: the processor sends nothing
 * if either changed since), the window it covers, and exactly what it lists. It is the record of what was included.
 */
export interface DigestPayload {
  userId: string;
  rol: string;
  nivelClave: string | null;
  desde: string;
  hasta: string;
  /** Tasks that arrived in the window (up to INBOX_COUNT_CAP + 1); `tareas` lists the first DIGEST_LIST_LIMIT. */
  nuevas: number;
  /** Open tasks in the inbox when it was written (up to INBOX_COUNT_CAP + 1). */
  abiertas: number;
  tareas: DigestItem[];
}

/** Whole seconds: MariaDB's datetime keeps no milliseconds, and the watermark is compared for equality. */
const wholeSeconds = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000);

/**
 * The e-mail digest of new tasks (issue 12 §2): at most every TASK_DIGEST_INTERVAL_MIN minutes, each active staff user
 * of a role with an inbox, with an address, gets one e-mail listing the open tasks that arrived in their own inbox since
 * their last digest (InboxService.arrivals: the inbox's own scope, deny by default) and the count of their open tasks.
 * Nothing new, no e-mail.
 *
 * At most one per user and window, whichever processes run it (every process runs maintenance) and whenever one dies:
 * the user's watermark (task_digest.sent_until) moves on, conditionally on the value read, in the same transaction that
 * writes the digest's outbox command (idempotency key `digest:<user>:<until>`, unique). The loser of a race updates no
 * row and writes nothing; from the commit on, the command is the outbox's: run once by JobRunner, its mail sent at most
 * once by the mailer's ledger (same Message-ID on a retry). A user seen for the first time starts from now (no
 * digest of the tasks already waiting: the menu's counter shows them).
 */
@Injectable()
export class TaskDigestScheduler {
  private readonly log = new Logger('Resumen de tareas');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly inbox: InboxService,
    private readonly staff: StaffUsersService,
    private readonly engine: EngineService,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'taskDigestIntervalMin'>,
  ) {}

  /** One pass; returns how many digests it wrote to the outbox. */
  async schedule(now = new Date()): Promise<number> {
    const minutes = this.config.taskDigestIntervalMin;
    if (!minutes) return 0;
    const until = wholeSeconds(now.getTime() - DIGEST_SETTLE_MS);
    const people = (await this.staff.activeOfRoles(DIGEST_ROLES)).filter((u) => !!u.correo);
    if (people.length === 0) return 0;
    const marks = new Map(
      (await this.ds.getRepository(TaskDigest).find({ where: { userId: In(people.map((u) => u.id)) } })).map((m) => [
        m.userId,
        m.sentUntil,
      ]),
    );
    let written = 0;
    for (const u of people) {
      const actor: Actor = { id: u.id, role: u.rol, nivelClave: u.nivelClave };
      try {
        if (await this.forUser(actor, marks.get(u.id), until, minutes, now)) written++;
      } catch (e) {
        // The next pass tries again: the watermark did not move.
        this.log.warn({ userId: u.id, err: (e as Error).message }, 'No se pudo preparar el resumen de tareas');
      }
    }
    return written;
  }

  private async forUser(
    actor: Actor,
    since: Date | undefined,
    until: Date,
    minutes: number,
    now: Date,
  ): Promise<boolean> {
    const repo = this.ds.getRepository(TaskDigest);
    if (since === undefined) {
      // First seen: the digests start here. Another process that got there first is as good.
      await repo.insert({ userId: actor.id, sentUntil: until }).catch((e: unknown) => {
        if (!isUniqueViolation(e)) throw e;
      });
      return false;
    }
    if (until.getTime() - since.getTime() < minutes * 60_000) return false;
    const arrived = await this.inbox.arrivals(actor, since, until, DIGEST_LIST_LIMIT);
    // Nothing new: no e-mail, and the watermark stays (the next task is announced at the next pass).
    if (arrived.total === 0) return false;
    const abiertas = (await this.inbox.pendingCount(actor, INBOX_COUNT_CAP)) ?? 0;
    const titles = this.procedureTitles();
    const payload: DigestPayload = {
      userId: actor.id,
      rol: actor.role,
      nivelClave: actor.nivelClave ?? null,
      desde: since.toISOString(),
      hasta: until.toISOString(),
      nuevas: arrived.total,
      abiertas,
      tareas: arrived.items.map((t) => ({
        tramite: t.tramite,
        folio: t.folio,
        procedimiento: titles.get(t.procedimiento) ?? t.procedimiento,
        paso: t.titulo,
        vence: t.vence,
      })),
    };
    return inTransaction(this.ds, async (em) => {
      const moved = await em.update(TaskDigest, { userId: actor.id, sentUntil: since }, { sentUntil: until });
      // Another process wrote this window's digest (or a later one) first.
      if (!moved.affected) return false;
      // A digest belongs to no case: the column holds the user it is for.
      await em.insert(
        OutboxCommand,
        outboxRow(actor.id, TASK_DIGEST, payload, `digest:${actor.id}:${until.toISOString()}`, now, now),
      );
      return true;
    });
  }

  /** Procedure id → its title, in the newest version. */
  private procedureTitles(): Map<string, string> {
    const out = new Map<string, { version: number; title: string }>();
    for (const d of this.engine.registry.definitions) {
      const known = out.get(d.id);
      if (!known || known.version < d.version) out.set(d.id, { version: d.version, title: d.title });
    }
    return new Map([...out].map(([id, v]) => [id, v.title]));
  }
}
