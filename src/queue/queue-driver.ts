import type { JobData, QueueName } from './queue.types';

export type JobHandler = (queue: QueueName, data: JobData) => Promise<void>;

/** One job to add: its queue, deterministic id, data and delay (as `enqueue` takes them). */
export interface QueuedJob {
  queue: QueueName;
  jobId: string;
  data: JobData;
  delayMs: number;
}

/**
 * Where jobs wait: Bull on Redis when REDIS_URL is set (separate worker processes), or in this process otherwise.
 * Both take a deterministic job id: adding an id that is already waiting does nothing.
 */
export interface QueueDriver {
  readonly name: 'bull' | 'in-process';
  enqueue(queue: QueueName, jobId: string, data: JobData, delayMs: number): Promise<void>;
  /** A queue that can say it is idle (the in-process one) stays busy until `work` (a relay pass) has ended. */
  holdIdle?(work: Promise<unknown>): void;
  /**
   * `enqueue` for many jobs at once, with the same id and delay rules: one round of calls per queue (Bull: one
   * MULTI of `addBulk`) instead of one per job. Resolves once every job is in its queue; rejects when any may not be.
   */
  enqueueMany(jobs: readonly QueuedJob[]): Promise<void>;
  /** Starts consuming every queue with `handler` (worker processes, or the embedded default). */
  consume(handler: JobHandler, concurrency: number): void;
  /** Whether a job with this id is still waiting, delayed or running. */
  has(queue: QueueName, jobId: string): Promise<boolean>;
  counts(): Promise<Record<QueueName, { waiting: number; delayed: number; active: number; failed: number }>>;
  /** Bull: PING on a connection the queues already hold (no new connection per call); absent in process. */
  ping?(): Promise<void>;
  close(): Promise<void>;
}

export const QUEUE_DRIVER = Symbol('QUEUE_DRIVER');
