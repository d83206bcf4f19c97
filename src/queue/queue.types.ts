import type { CommandType } from '../../machines/types';
import type { EngineEvent } from '../engine/engine.service';
import type { OutboxCommand } from '../engine/entities/outbox.entity';

export const QUEUE_NAMES = ['provisioning', 'notifications', 'letters', 'reminders'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Every outbox command type the engine writes, including the engine's own task reminders. */
export type JobType = CommandType | 'taskReminder';

export const QUEUE_OF: Record<JobType, QueueName> = {
  provision: 'provisioning',
  wipeChosenPassword: 'provisioning',
  sendCredentials: 'notifications',
  notifyHolder: 'notifications',
  renderAcuse: 'letters',
  renderReplyLetter: 'letters',
  taskReminder: 'reminders',
};

/** What a job carries in Redis: only ids. The processor reloads the command from the database (persist first). */
export interface JobData {
  outboxId: string;
}

/**
 * One processor per command type. It performs the effect idempotently (a replay after a crash is a success, not a
 * second account) and returns the event that reports the result to the case, if the case waits for one.
 */
export interface CommandProcessor {
  readonly type: JobType;
  handle(cmd: OutboxCommand, payload: unknown): Promise<EngineEvent | null>;
  /** The event that tells the case the effect failed for good (its incident), if the case waits for one. */
  failureEvent?(cmd: OutboxCommand, payload: unknown, message: string): EngineEvent | null;
}

export const COMMAND_PROCESSORS = Symbol('COMMAND_PROCESSORS');

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
