import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { SYSTEM_ACTOR } from '../engine/actor';
import { EngineService } from '../engine/engine.service';
import { OutboxCommand } from '../engine/entities/outbox.entity';
import { ProviderError } from '../provisioning/providers/directory-provider';
import { QUEUE_DRIVER, type QueueDriver } from './queue-driver';
import { COMMAND_PROCESSORS, type CommandProcessor, type JobData, type JobType, QUEUE_OF, type QueueName, TransientError } from './queue.types';

export const MAX_ATTEMPTS = 6;
const MAX_BACKOFF_MS = 10 * 60_000;

/** Exponential backoff with jitter, or the server's Retry-After when it gave one (never less). */
export function backoffMs(attempt: number, retryAfterMs?: number, baseMs = 2_000): number {
  const exp = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** (attempt - 1));
  const jittered = exp / 2 + Math.random() * (exp / 2);
  return Math.max(retryAfterMs ?? 0, Math.round(jittered));
}

/**
 * Runs one job: reloads the command from the outbox (the database is the truth, Redis only carries its id), skips
 * it if already done, runs its processor, then reports the result to the case through the engine, like any event.
 * Transient failures are retried with backoff under a new deterministic job id; permanent ones, or retries run
 * out, mark the command failed and send the case its failure event (its incident in the Subjefatura's inbox).
 */
@Injectable()
export class JobRunner {
  private readonly log = new Logger('Trabajos');
  private readonly processors = new Map<JobType, CommandProcessor>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(QUEUE_DRIVER) private readonly driver: QueueDriver,
    @Inject(COMMAND_PROCESSORS) processors: CommandProcessor[],
    private readonly engine: EngineService,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'retryBaseMs'>,
  ) {
    for (const p of processors) {
      if (this.processors.has(p.type)) throw new Error(`Dos procesadores para el trabajo «${p.type}»`);
      this.processors.set(p.type, p);
    }
  }

  /** Boot check: exactly one processor for every job type the engine can write. */
  assertComplete(): void {
    const missing = (Object.keys(QUEUE_OF) as JobType[]).filter((t) => !this.processors.has(t));
    if (missing.length) throw new Error(`Faltan procesadores para: ${missing.join(', ')}`);
  }

  readonly handle = async (_queue: QueueName, data: JobData): Promise<void> => {
    const repo = this.ds.getRepository(OutboxCommand);
    const cmd = await repo.findOne({ where: { id: data.outboxId } });
    if (!cmd || cmd.status === 'hecho' || cmd.status === 'cancelado' || cmd.status === 'fallido') return;
    const processor = this.processors.get(cmd.type as JobType);
    if (!processor) {
      await repo.update({ id: cmd.id }, { status: 'fallido', lastError: `Sin procesador para «${cmd.type}»` });
      return;
    }
    const payload: unknown = JSON.parse(cmd.payload);
    const attempt = cmd.attempts + 1;
    // A running command is never 'pendiente': every process relays, and another relay that read the row as waiting
    // after this attempt was counted would enqueue it again under the next attempt's job id, a second concurrent run.
    await repo.update({ id: cmd.id, status: In(['pendiente', 'encolado']) }, { attempts: attempt, status: 'encolado', enqueuedAt: cmd.enqueuedAt ?? new Date() });
    let event;
    try {
      event = await processor.handle(cmd, payload);
    } catch (e) {
      await this.onFailure(cmd, processor, payload, attempt, e);
      return;
    }
    await repo.update({ id: cmd.id }, { status: 'hecho', doneAt: new Date(), lastError: null });
    if (event) await this.report(cmd, event);
  };

  private async onFailure(cmd: OutboxCommand, processor: CommandProcessor, payload: unknown, attempt: number, e: unknown): Promise<void> {
    const repo = this.ds.getRepository(OutboxCommand);
    const transient = e instanceof TransientError || (e instanceof ProviderError && e.kind === 'transient');
    const message = messageOf(e);
    if (transient && attempt < MAX_ATTEMPTS) {
      const retryAfter = e instanceof TransientError ? e.retryAfterMs : (e).retryAfterMs;
      const delay = backoffMs(attempt, retryAfter, this.config.retryBaseMs);
      await repo.update({ id: cmd.id }, { lastError: message.slice(0, 400), availableAt: new Date(Date.now() + delay) });
      this.log.warn({ outboxId: cmd.id, type: cmd.type, attempt, delay }, `Falla transitoria; reintento en ${Math.round(delay / 1000)} s`);
      await this.driver.enqueue(QUEUE_OF[cmd.type as JobType], `${cmd.id}:${attempt + 1}`, { outboxId: cmd.id }, delay);
      return;
    }
    const known = e instanceof ProviderError || e instanceof DomainError || e instanceof TransientError;
    // A failed command needs a person (its case goes to an incident, /health reports it): never a silent row.
    this.log.error(
      { outboxId: cmd.id, type: cmd.type, caseId: cmd.caseId, attempt, error: message, ...(known ? {} : { err: e instanceof Error ? e.stack : String(e) }) },
      `Trabajo fallido (${cmd.type}): ${message}`,
    );
    await repo.update({ id: cmd.id }, { status: 'fallido', lastError: message.slice(0, 400) });
    const failure = processor.failureEvent?.(cmd, payload, transient ? `${message} (se agotaron ${MAX_ATTEMPTS} intentos)` : message);
    if (failure) await this.report(cmd, failure);
  }

  /** Sends a result event; a case that moved on meanwhile (409/422) is logged, never retried into a loop. */
  private async report(cmd: OutboxCommand, event: Parameters<EngineService['send']>[1]): Promise<void> {
    try {
      const result = await this.engine.send(cmd.caseId, event, SYSTEM_ACTOR);
      if (result.status === 'incidente') {
        this.log.warn({ caseId: cmd.caseId, outboxId: cmd.id, state: result.state }, 'Trámite en incidente: la Subjefatura de Sistemas debe revisarlo');
      }
    } catch (e) {
      if (e instanceof DomainError && (e.status === 409 || e.status === 422)) {
        this.log.warn({ caseId: cmd.caseId, event: event.type, code: e.code }, 'El trámite ya no esperaba este resultado');
        return;
      }
      throw e;
    }
  }
}

/** A message a person can read, in Spanish, without secrets (provider errors carry their own). */
export function messageOf(e: unknown): string {
  if (e instanceof ProviderError) return e.messageEs;
  if (e instanceof DomainError) return e.message;
  if (e instanceof TransientError) return e.message;
  return 'Error inesperado del sistema al ejecutar la acción; consulte la bitácora del servidor.';
}
