import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, IsNull, LessThan, LessThanOrEqual } from 'typeorm';
import { jobQueueWaitSeconds, jobSeconds, secondsSince } from '../../common/metrics';
import { DomainError } from '../../common/domain-error';
import { isDatabaseUnavailable } from '../../database/unavailable';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { inTransaction } from '../../database/transaction';
import { QUEUE_DRIVER, type QueueDriver } from '../../queue/queue-driver';
import type { JobData, QueueName } from '../../queue/queue.types';
import { SYSTEM_ACTOR } from '../../auth/actor';
import { type EngineEvent, EngineService } from '../engine.service';
import { OutboxCommand, type OutboxStatus } from '../entities/outbox.entity';
import { withoutSecrets } from '../snapshot';
import {
  type CommandProcessor,
  type EffectControl,
  EffectProcessors,
  Parked,
  TransientError,
} from './effect-processor';

export const MAX_ATTEMPTS = 6;
const MAX_BACKOFF_MS = 10 * 60_000;
/** How often, at most, a delivery that found its command leased by another execution looks again. */
const LEASE_POLL_MS = 1_000;
/** Tries at committing an effect's result when the database refuses it (a lost connection, a deadlock, a conflict). */
const COMMIT_TRIES = 3;
/** A delivery this early (another host's clock) still runs its command: the backoff is a courtesy, not a guarantee. */
const CLOCK_SKEW_MS = 1_000;
/** Commands nobody executes any more. */
export const FINAL_STATUSES: OutboxStatus[] = ['hecho', 'fallido', 'cancelado'];
/** Commands that are, or will be, executed: a job carries them or an execution holds their lease. */
export const LIVE_STATUSES: OutboxStatus[] = ['pendiente', 'encolado', 'en_curso', 'en_espera'];

/** The clock of the leases (tests give each simulated worker its own); the real one otherwise. */
export const RUNNER_CLOCK = Symbol('RUNNER_CLOCK');

/** The job id of a command's next try (after `attempts` failures): deterministic, so adding it twice runs it once. */
export const jobIdOf = (cmd: Pick<OutboxCommand, 'id' | 'attempts'>): string => `${cmd.id}:${cmd.attempts + 1}`;

/** Exponential backoff with jitter, or the server's Retry-After when it gave one (never less). */
export function backoffMs(attempt: number, retryAfterMs?: number, baseMs = 2_000): number {
  const exp = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** (attempt - 1));
  const jittered = exp / 2 + Math.random() * (exp / 2);
  return Math.max(retryAfterMs ?? 0, Math.round(jittered));
}

/**
 * How an execution ended, kept in the command's `result` as soon as it is known and then committed together with the
 * case's transition: final status, the event for the case, the error and the failures counted.
 */
interface Ending {
  status: 'hecho' | 'fallido';
  event: EngineEvent | null;
  error: string | null;
  attempts: number;
}

/** One execution's hold on its command. */
interface Lease {
  cmd: OutboxCommand;
  token: string;
  /** Set when the heartbeat found another execution holding the command: this one must not complete it. */
  lost: boolean;
  /** Set when the processor parked the command (en_espera): nothing more to renew or complete. */
  parked?: boolean;
}

/** What a person reads when an effect ended but the case never heard (see reportUnreached). */
const EFFECT_LABEL: Partial<Record<string, string>> = {
  provision: 'La acción en el directorio de cuentas',
  sendCredentials: 'El envío de los datos de acceso',
  renderReplyLetter: 'La emisión del oficio de respuesta',
};

/**
 * Runs one job: reloads the command from the outbox (the database is the truth, Redis only carries its id), takes its
 * lease, runs its processor and commits the command's end together with the result event for the case.
 *
 * Exactly once, as far as it can be had:
 * - At most one execution at a time. A delivery claims the command with one conditional UPDATE (status en_curso, its
 *   own token, a lease of QUEUE_STALLED_MS) and renews it every third of that while the processor runs. Any other
 *   delivery — two relays' jobs, Bull's re-delivery of a job it took for stalled, recovery, another worker, the
 *   in-process queue after a restart — finds the lease live and waits for it to end instead of running the effect
 *   beside it (processors are replay-safe one after another, not side by side). Only an expired lease (its worker
 *   died and stopped renewing) is taken over; the execution that lost it can no longer complete or fail the command
 *   (every write of an execution names its token).
 * - A finished command is never run again. The effect's ending is written to the command the moment it is known, and
 *   the command's final status and the case's transition commit in one transaction (EngineService.send with this
 *   transaction's EntityManager): nothing ever sees "done" without the result, and a delivery after a crash between
 *   the effect and that commit reports the kept ending instead of repeating the effect (a second mail).
 * - `attempts` counts failures, not executions: a re-delivery after a crash costs nothing. A transient failure is
 *   retried with backoff under the next try's job id (`id:failures+1`) until MAX_ATTEMPTS failures; a permanent one,
 *   or retries run out, fails the command and sends the case its failure event (its incident, with the reason).
 */
@Injectable()
export class JobRunner {
  private readonly log = new Logger('Trabajos');
  private readonly leaseMs: number;
  private readonly clock: () => Date;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(QUEUE_DRIVER) private readonly driver: QueueDriver,
    readonly processors: EffectProcessors,
    private readonly engine: EngineService,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'retryBaseMs' | 'queueStalledMs'>,
    @Optional() @Inject(RUNNER_CLOCK) clock?: () => Date,
  ) {
    // The same time Bull gives a job's lock: a worker that died is replaced after about QUEUE_STALLED_MS either way.
    this.leaseMs = config.queueStalledMs;
    this.clock = clock ?? (() => new Date());
  }

  readonly handle = async (_queue: QueueName, data: JobData): Promise<void> => {
    const lease = await this.acquire(data.outboxId);
    if (!lease) return;
    const heartbeat = setInterval(() => void this.renew(lease), Math.max(50, Math.floor(this.leaseMs / 3)));
    heartbeat.unref();
    // One pair of lines per execution (LOG_LEVEL=debug): the fault suite compares their times to prove that no command
    // ever ran twice at once.
    const trace = { outboxId: lease.cmd.id, execution: lease.token, type: lease.cmd.type };
    this.log.debug(trace, 'Ejecución iniciada');
    const type = lease.cmd.type;
    // A command whose result was kept before its case heard of it only delivers that result again.
    const replay = Boolean(lease.cmd.result);
    if (lease.cmd.enqueuedAt && !replay)
      jobQueueWaitSeconds.observe({ type }, Math.max(0, (Date.now() - lease.cmd.enqueuedAt.getTime()) / 1000));
    const t0 = performance.now();
    let outcome = 'error';
    try {
      const ending = replay ? (JSON.parse(lease.cmd.result!) as Ending) : await this.execute(lease);
      if (ending) await this.finish(lease, ending);
      outcome = replay ? 'repetido' : (ending?.status ?? 'reintento');
    } finally {
      clearInterval(heartbeat);
      jobSeconds.observe({ type, outcome }, secondsSince(t0));
      this.log.debug(trace, 'Ejecución terminada');
    }
  };

  /**
   * Takes the command's lease, or returns null when there is nothing for this delivery to do: the command ended, or
   * its next try is later (its own job brings it). While another execution holds a live lease, waits: it ends (done,
   * failed, retry scheduled) or stops being renewed (its worker died), and then this delivery takes over.
   */
  private async acquire(outboxId: string): Promise<Lease | null> {
    const repo = this.ds.getRepository(OutboxCommand);
    for (;;) {
      const cmd = await repo.findOne({ where: { id: outboxId } });
      // A parked command runs again when it is woken (pendiente), under its own job: this delivery is a stale one.
      if (!cmd || FINAL_STATUSES.includes(cmd.status) || cmd.status === 'en_espera') return null;
      const now = this.clock();
      if (cmd.status === 'en_curso' && cmd.leaseUntil && cmd.leaseUntil > now) {
        await sleep(Math.min(LEASE_POLL_MS, cmd.leaseUntil.getTime() - now.getTime() + 20));
        continue;
      }
      if (cmd.status !== 'en_curso' && cmd.availableAt.getTime() > now.getTime() + CLOCK_SKEW_MS) return null;
      const token = randomUUID();
      const claimed = await repo.update(
        [
          {
            id: outboxId,
            status: In(['pendiente', 'encolado']),
            availableAt: LessThanOrEqual(new Date(now.getTime() + CLOCK_SKEW_MS)),
          },
          { id: outboxId, status: 'en_curso', leaseUntil: LessThan(now) },
          { id: outboxId, status: 'en_curso', leaseUntil: IsNull() },
        ],
        {
          status: 'en_curso',
          leaseOwner: token,
          leaseUntil: new Date(now.getTime() + this.leaseMs),
          enqueuedAt: cmd.enqueuedAt ?? now,
        },
      );
      // Not affected: another delivery claimed it between the read and the UPDATE; look again.
      if (!claimed.affected) continue;
      if (cmd.status === 'en_curso')
        this.log.warn({ outboxId, type: cmd.type }, 'Trabajo retomado: la ejecución anterior dejó de renovar su turno');
      return { cmd: await repo.findOneByOrFail({ id: outboxId }), token, lost: false };
    }
  }

  /** The heartbeat: moves the lease on while the processor runs; notices when another execution took it over. */
  private async renew(lease: Lease): Promise<void> {
    if (lease.lost || lease.parked) return;
    try {
      const res = await this.ds
        .getRepository(OutboxCommand)
        .update(
          { id: lease.cmd.id, status: 'en_curso', leaseOwner: lease.token },
          { leaseUntil: new Date(this.clock().getTime() + this.leaseMs) },
        );
      if (!res.affected) lease.lost = true;
    } catch (e) {
      // The next beat tries again; if the database stays away, nobody else can claim the command either.
      this.log.warn({ outboxId: lease.cmd.id, err: (e as Error).message }, 'No se pudo renovar el turno del trabajo');
    }
  }

  /** Runs the processor; returns how the command ended, or null when a retry was scheduled (or the lease was lost). */
  private async execute(lease: Lease): Promise<Ending | null> {
    const { cmd } = lease;
    const processor = this.processors.get(cmd.type);
    if (!processor)
      return { status: 'fallido', event: null, error: `Sin procesador para «${cmd.type}»`, attempts: cmd.attempts + 1 };
    const payload: unknown = JSON.parse(cmd.payload);
    let event: EngineEvent | null;
    try {
      event = await processor.handle(cmd, payload, this.controlOf(lease));
    } catch (e) {
      if (e instanceof Parked && lease.parked) {
        this.log.debug({ outboxId: cmd.id, type: cmd.type, reason: e.message }, 'Trabajo en espera');
        return null;
      }
      return this.onFailure(lease, processor, payload, e);
    }
    // Kept in the row: never a password or a token (the event reaches the case exactly as kept, replay or not).
    const ending: Ending = {
      status: 'hecho',
      event: event ? (withoutSecrets(event) as EngineEvent) : null,
      error: null,
      attempts: cmd.attempts,
    };
    return (await this.keep(lease, ending)) ? ending : null;
  }

  /** `EffectControl.park` for this execution: conditional on its lease, in the processor's transaction. */
  private controlOf(lease: Lease): EffectControl {
    return {
      park: async (em, message) => {
        const res = await em.update(
          OutboxCommand,
          { id: lease.cmd.id, status: 'en_curso', leaseOwner: lease.token },
          { status: 'en_espera', leaseOwner: null, leaseUntil: null, lastError: message.slice(0, 400) },
        );
        if (!res.affected) return false;
        lease.parked = true;
        return true;
      },
    };
  }

  /** Writes how the effect ended into the command, if this execution still holds it. */
  private async keep(lease: Lease, ending: Ending): Promise<boolean> {
    const res = await this.ds
      .getRepository(OutboxCommand)
      .update({ id: lease.cmd.id, status: 'en_curso', leaseOwner: lease.token }, { result: JSON.stringify(ending) });
    if (res.affected) return true;
    this.lostLease(lease);
    return false;
  }

  /** A transient failure is retried (the lease given back, the next try queued); otherwise the command fails. */
  private async onFailure(
    lease: Lease,
    processor: CommandProcessor,
    payload: unknown,
    e: unknown,
  ): Promise<Ending | null> {
    const { cmd } = lease;
    // The database not answering for a moment (a restart, a failover) is worth the same retries as a directory that
    // does not: the command is not wrong, the world is briefly away.
    const retryable = e instanceof TransientError;
    const transient = retryable || isDatabaseUnavailable(e);
    const message = messageOf(e);
    const failures = cmd.attempts + 1;
    if (transient && failures < MAX_ATTEMPTS) {
      const delay = backoffMs(failures, retryable ? e.retryAfterMs : undefined, this.config.retryBaseMs);
      const now = this.clock();
      const res = await this.ds.getRepository(OutboxCommand).update(
        { id: cmd.id, status: 'en_curso', leaseOwner: lease.token },
        {
          status: 'encolado',
          attempts: failures,
          lastError: message.slice(0, 400),
          availableAt: new Date(now.getTime() + delay),
          enqueuedAt: now,
          leaseOwner: null,
          leaseUntil: null,
        },
      );
      if (!res.affected) return this.lostLease(lease);
      this.log.warn(
        { outboxId: cmd.id, type: cmd.type, attempt: failures, delay },
        `Falla transitoria; reintento en ${Math.round(delay / 1000)} s`,
      );
      // A crash before this line leaves the command 'encolado' with no job: recovery queues it again.
      await this.driver.enqueue(
        this.processors.queueOf(cmd),
        jobIdOf({ id: cmd.id, attempts: failures }),
        { outboxId: cmd.id },
        delay,
      );
      return null;
    }
    const event =
      processor.failureEvent?.(
        cmd,
        payload,
        transient ? `${message} (se agotaron ${MAX_ATTEMPTS} intentos)` : message,
      ) ?? null;
    const ending: Ending = { status: 'fallido', event, error: message, attempts: failures };
    if (!(await this.keep(lease, ending))) return null;
    const known = e instanceof DomainError || e instanceof TransientError;
    // A failed command needs a person (its case goes to an incident, /health reports it): never a silent row.
    this.log.error(
      {
        outboxId: cmd.id,
        type: cmd.type,
        caseId: cmd.caseId,
        attempt: failures,
        error: message,
        ...(known ? {} : { err: e instanceof Error ? e.stack : String(e) }),
      },
      `Trabajo fallido (${cmd.type}): ${message}`,
    );
    return ending;
  }

  /**
   * Commits the command's end and its result event in one transaction. A conflict with another transition of the case
   * or a database error is tried again; a case that no longer takes the event (it moved on) gets the command ended
   * without it. If the database keeps refusing, the lease is given back with the ending kept: recovery queues the
   * command again and that delivery reports the ending, without running the effect again.
   */
  private async finish(lease: Lease, ending: Ending): Promise<void> {
    const { cmd } = lease;
    let event = ending.event;
    for (let tryNo = 1; ; tryNo++) {
      try {
        const done = await inTransaction(this.ds, async (em) => {
          const res = await em.update(
            OutboxCommand,
            { id: cmd.id, status: 'en_curso', leaseOwner: lease.token },
            {
              status: ending.status,
              attempts: ending.attempts,
              lastError: ending.error?.slice(0, 400) ?? null,
              doneAt: this.clock(),
              leaseOwner: null,
              leaseUntil: null,
            },
          );
          if (!res.affected) return false;
          if (event) {
            const result = await this.engine.send(cmd.caseId, event, SYSTEM_ACTOR, { em });
            if (result.status === 'incidente') {
              this.log.warn(
                { caseId: cmd.caseId, outboxId: cmd.id, state: result.state },
                'Trámite en incidente: la Subjefatura de Sistemas debe revisarlo',
              );
            }
          }
          return true;
        });
        if (!done) this.lostLease(lease);
        return;
      } catch (e) {
        const conflict = e instanceof DomainError && e.code === 'VERSION_CAMBIO';
        // A refusal by the case (it moved on, the step is not there any more) is an answer, not an outage.
        if (event && e instanceof DomainError && !(conflict && tryNo < COMMIT_TRIES)) {
          this.log.warn(
            { caseId: cmd.caseId, event: event.type, code: e.code },
            'El trámite ya no esperaba este resultado',
          );
          event = null; // end the command without it
          continue;
        }
        if (tryNo < COMMIT_TRIES) {
          await sleep(conflict ? 20 : 200 * 2 ** tryNo);
          continue;
        }
        this.log.error(
          { outboxId: cmd.id, caseId: cmd.caseId, err: (e as Error).message },
          'No se pudo registrar el resultado del trabajo; la recuperación lo reintentará sin repetir la acción',
        );
        await this.ds
          .getRepository(OutboxCommand)
          .update(
            { id: cmd.id, status: 'en_curso', leaseOwner: lease.token },
            { status: 'encolado', leaseOwner: null, leaseUntil: null },
          )
          .catch(() => undefined); // the lease then expires by itself
        return;
      }
    }
  }

  private lostLease(lease: Lease): null {
    lease.lost = true;
    this.log.warn(
      { outboxId: lease.cmd.id, type: lease.cmd.type },
      'Otra ejecución retomó este trabajo (su turno venció); esta no lo completa',
    );
    return null;
  }

  /**
   * Recovery found a case still waiting for an effect whose command already ended. Since a command ends together with
   * its result, either the case read was older than that commit (`caseVersion` no longer current: nothing to do) or
   * the command ended before this was so, or its result was refused. It is never run again (a second account, a
   * second mail): the case gets the effect's failure event, an incident where the Subjefatura sees the reason and
   * decides (reintentar / cancelar). Returns whether the case took it.
   */
  async reportUnreached(cmd: OutboxCommand, caseVersion: number): Promise<boolean> {
    const processor = this.processors.get(cmd.type);
    const label = EFFECT_LABEL[cmd.type] ?? `La acción «${cmd.type}»`;
    const message =
      cmd.status === 'fallido'
        ? (cmd.lastError ?? `${label} falló.`)
        : `${label} terminó, pero su resultado no llegó al trámite: revise el estado real antes de reintentar (reintentar la repite) o cancelar.`;
    const event = processor?.failureEvent?.(cmd, JSON.parse(cmd.payload), message);
    if (!event) {
      this.log.error(
        { caseId: cmd.caseId, outboxId: cmd.id, type: cmd.type },
        'Trámite esperando un efecto que terminó sin avisarle, y sin evento de falla',
      );
      return false;
    }
    try {
      await this.engine.send(cmd.caseId, event, SYSTEM_ACTOR, { expectedVersion: caseVersion });
      this.log.warn(
        { caseId: cmd.caseId, outboxId: cmd.id, type: cmd.type },
        'Trámite en incidente: su efecto terminó sin que el resultado le llegara',
      );
      return true;
    } catch (e) {
      if (e instanceof DomainError && (e.status === 409 || e.status === 422)) return false; // it moved on meanwhile
      throw e;
    }
  }
}

/** A message a person can read, in Spanish, without secrets (a processor gives its own as a DomainError or TransientError). */
export function messageOf(e: unknown): string {
  if (isDatabaseUnavailable(e)) return 'La base de datos no respondió mientras se ejecutaba la acción; se reintentará.';
  if (e instanceof DomainError) return e.message;
  if (e instanceof TransientError) return e.message;
  return 'Error inesperado del sistema al ejecutar la acción; consulte la bitácora del servidor.';
}
