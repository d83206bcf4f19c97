import { Logger } from '@nestjs/common';
import { outsideTransaction } from '../database/transaction';
import type { JobHandler, QueueDriver, QueuedJob } from './queue-driver';
import { type JobData, QUEUE_NAMES, type QueueName } from './queue.types';

interface Pending {
  due: number;
  queue: QueueName;
  jobId: string;
  data: JobData;
  timer?: NodeJS.Timeout;
}

/**
 * The embedded default: the same processors, run in this process, with timers for delayed jobs. Nothing survives a
 * restart, and nothing needs to: the outbox in the database is the source of truth and the relay re-enqueues it.
 */
export class InProcessDriver implements QueueDriver {
  readonly name = 'in-process' as const;
  private readonly log = new Logger('ColaLocal');
  private readonly jobs = new Map<string, Pending>();
  private readonly ready: Pending[] = [];
  /** Running jobs: id → queue. */
  private readonly running = new Map<string, QueueName>();
  private handler?: JobHandler;
  private concurrency = 2;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  /** Relay passes running now (holdIdle): the queue is not idle while one may still add jobs. */
  private holds = 0;

  async enqueue(queue: QueueName, jobId: string, data: JobData, delayMs: number): Promise<void> {
    if (this.closed || this.jobs.has(jobId) || this.running.has(jobId)) return;
    const job: Pending = { due: Date.now() + Math.max(0, delayMs), queue, jobId, data };
    this.jobs.set(jobId, job);
    this.arm(job);
  }

  async enqueueMany(jobs: readonly QueuedJob[]): Promise<void> {
    for (const j of jobs) await this.enqueue(j.queue, j.jobId, j.data, j.delayMs);
  }

  /** Long delays are re-armed in steps: Node timers overflow past ~24.8 days. */
  private arm(job: Pending): void {
    const left = job.due - Date.now();
    if (left <= 0) return this.makeReady(job);
    job.timer = setTimeout(() => this.arm(job), Math.min(left, 2 ** 31 - 1));
    job.timer.unref();
  }

  consume(handler: JobHandler, concurrency: number): void {
    this.handler = handler;
    this.concurrency = Math.max(1, concurrency);
    this.pump();
  }

  async has(_queue: QueueName, jobId: string): Promise<boolean> {
    return this.jobs.has(jobId) || this.running.has(jobId);
  }

  async counts(): Promise<Record<QueueName, { waiting: number; delayed: number; active: number; failed: number }>> {
    const out = Object.fromEntries(
      QUEUE_NAMES.map((q) => [q, { waiting: 0, delayed: 0, active: 0, failed: 0 }]),
    ) as Record<QueueName, { waiting: number; delayed: number; active: number; failed: number }>;
    for (const j of this.jobs.values()) out[j.queue][j.timer ? 'delayed' : 'waiting']++;
    for (const queue of this.running.values()) out[queue].active++;
    return out;
  }

  /**
   * Resolves when nothing is waiting or running, and no relay pass that may add jobs is running (delayed jobs do not
   * count): for tests and graceful shutdown.
   */
  async idle(): Promise<void> {
    if (this.isIdle()) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  /** The queue is not idle until `work` (a relay pass, which may add jobs) has ended. */
  holdIdle(work: Promise<unknown>): void {
    this.holds++;
    const release = (): void => {
      this.holds--;
      this.notifyIdle();
    };
    work.then(release, release);
  }

  private isIdle(): boolean {
    return this.ready.length === 0 && this.running.size === 0 && this.holds === 0;
  }

  private notifyIdle(): void {
    if (this.isIdle()) this.idleWaiters.splice(0).forEach((r) => r());
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.jobs.values()) if (j.timer) clearTimeout(j.timer);
    this.jobs.clear();
    this.ready.length = 0;
    await this.idle();
  }

  private makeReady(job: Pending): void {
    job.timer = undefined;
    this.ready.push(job);
    this.pump();
  }

  private pump(): void {
    if (!this.handler) return;
    while (this.running.size < this.concurrency && this.ready.length > 0) {
      const job = this.ready.shift()!;
      this.jobs.delete(job.jobId);
      this.running.set(job.jobId, job.queue);
      const handler = this.handler;
      // A job is work of its own: it must not run as part of the transaction (if any) that enqueued or woke it.
      void outsideTransaction(() => handler(job.queue, job.data))
        .catch((e: unknown) => this.log.error({ jobId: job.jobId, err: (e as Error).message }, 'Trabajo fallido'))
        .finally(() => {
          this.running.delete(job.jobId);
          this.pump();
          this.notifyIdle();
        });
    }
  }
}
