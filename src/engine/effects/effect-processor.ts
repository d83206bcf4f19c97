import { DiscoveryService } from '@nestjs/core';
import { type EntityManager, In } from 'typeorm';
import { COMMAND_TYPES, type CommandType } from '../../../machines/types';
import type { QueueName } from '../../queue/queue.types';
import type { EngineEvent } from '../engine.service';
import { TASK_REMINDER } from '../engine.service';
import { OutboxCommand } from '../entities/outbox.entity';
import { wakeRelayAfterCommit } from '../../queue/outbox-wake';

/** The e-mail digest of the tasks that arrived in a staff user's inbox (TaskDigestScheduler writes it). */
export const TASK_DIGEST = 'taskDigest';

/** Every outbox command type the engine writes: the machines' commands, the task reminders and the digests. */
export type JobType = CommandType | typeof TASK_REMINDER | typeof TASK_DIGEST;
export const JOB_TYPES: readonly JobType[] = [...COMMAND_TYPES, TASK_REMINDER, TASK_DIGEST];

/**
 * One processor per command type, in the module that owns the effect, marked with @EffectProcessor() so the engine
 * finds it at boot. It performs the effect idempotently (a replay after a crash is a success, not a second account)
 * and returns the event that reports the result to the case, if the case waits for one. A failure worth retrying
 * throws TransientError; any other error fails the command (a DomainError's message is what the incident shows).
 */
/**
 * What a processor is told of the command it runs: which case, which outbox row (the key of whatever it issues), the
 * idempotency key of its effect, and how many times it failed before. The row itself stays the engine's.
 */
export type EffectCommand = Readonly<Pick<OutboxCommand, 'id' | 'caseId' | 'type' | 'idempotencyKey' | 'attempts'>>;

/** What the execution offers its processor besides the command (JobRunner gives it; tests may give their own). */
export interface EffectControl {
  /**
   * Parks the command (status en_espera) in the processor's transaction `em`, if this execution still holds it; the
   * processor then throws `Parked`. Whoever completes the wait calls `wakeParked` in the transaction that completes it:
   * both under the same lock, so a wake never comes before the park it is meant for.
   */
  park(em: EntityManager, message: string): Promise<boolean>;
}

/** Thrown by a processor after `EffectControl.park`: the command waits; no ending, no event, no retry. */
export class Parked extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Parked';
  }
}

/** Puts parked commands back in the relay's hands (pendiente, available now), in the caller's transaction. */
export async function wakeParked(em: EntityManager, outboxIds: readonly string[], now: Date): Promise<number> {
  let woken = 0;
  for (let i = 0; i < outboxIds.length; i += 500) {
    const res = await em.update(
      OutboxCommand,
      { id: In(outboxIds.slice(i, i + 500)), status: 'en_espera' },
      { status: 'pendiente', availableAt: now, leaseOwner: null, leaseUntil: null },
    );
    woken += res.affected ?? 0;
  }
  if (woken > 0) wakeRelayAfterCommit(em);
  return woken;
}

/** Why a command waits, if it is parked (the message its processor gave `park`). */
export async function parkedReason(em: EntityManager, outboxId: string): Promise<string | null> {
  const cmd = await em.findOne(OutboxCommand, {
    where: { id: outboxId, status: 'en_espera' },
    select: { id: true, lastError: true },
  });
  return cmd?.lastError ?? null;
}

export interface CommandProcessor {
  readonly type: JobType;
  /** The queue its jobs wait in (a slow letter does not hold up a mail). */
  readonly queue: QueueName;
  handle(cmd: EffectCommand, payload: unknown, control?: EffectControl): Promise<EngineEvent | null>;
  /** The event that tells the case the effect failed for good (its incident), if the case waits for one. */
  failureEvent?(cmd: EffectCommand, payload: unknown, message: string): EngineEvent | null;
}

/** Marks a provider as a CommandProcessor: the engine discovers every one at boot, whichever module provides it. */
export const EffectProcessor = DiscoveryService.createDecorator<void>();

/** An error worth retrying (network, rate limit, 5xx); anything else fails at once. */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TransientError';
  }
}

/** The processors of this process, by command type. */
export class EffectProcessors {
  private readonly byType = new Map<string, CommandProcessor>();

  constructor(processors: Iterable<CommandProcessor> = []) {
    for (const p of processors) this.add(p);
  }

  add(processor: CommandProcessor): void {
    const known = this.byType.get(processor.type);
    if (known === processor) return;
    if (known) throw new Error(`Dos procesadores para el trabajo «${processor.type}»`);
    this.byType.set(processor.type, processor);
  }

  get(type: string): CommandProcessor | undefined {
    return this.byType.get(type);
  }

  /** Every processor, in the order found. */
  all(): CommandProcessor[] {
    return [...this.byType.values()];
  }

  /** The queue a command's jobs go to (one without a processor fails in the first, where it is seen). */
  queueOf(cmd: Pick<OutboxCommand, 'type'>): QueueName {
    return this.byType.get(cmd.type)?.queue ?? 'provisioning';
  }

  /** Boot check: exactly one processor for every job type the engine can write. */
  assertComplete(): void {
    const missing = JOB_TYPES.filter((t) => !this.byType.has(t));
    if (missing.length) throw new Error(`Faltan procesadores para: ${missing.join(', ')}`);
  }
}
