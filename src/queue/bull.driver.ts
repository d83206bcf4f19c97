import { Logger } from '@nestjs/common';
import type Bull from 'bull';
import type { JobHandler, QueueDriver, QueuedJob } from './queue-driver';
import { type JobData, QUEUE_NAMES, type QueueName } from './queue.types';

/**
 * Bull on Redis: queues shared by every web and worker process. Bull is required only here, so the embedded default
 * never loads it. A short reconnect strategy (Bull's default grows to 20 s) makes work resume quickly after Redis
 * comes back. Retries are the consumer's (the engine's JobRunner), so each Bull job is one try of a command, with a
 * deterministic id (`outboxId:try`): adding it again while it waits or runs does nothing.
 */
export class BullDriver implements QueueDriver {
  readonly name = 'bull' as const;
  private readonly log = new Logger('ColaRedis');
  private readonly queues: Record<QueueName, Bull.Queue<JobData>>;

  constructor(redisUrl: string, prefix = 'mci', stalledMs = 30_000) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const BullCtor = require('bull') as typeof Bull;
    const redis = { retryStrategy: (times: number) => Math.min(times * 200, 2000) };
    this.queues = Object.fromEntries(
      QUEUE_NAMES.map((name) => {
        // A job whose worker died (lock not renewed) is noticed after about stalledMs and delivered again. The same
        // happens to a live worker whose lock renewal came late (a busy event loop): that re-delivery finds the
        // command's lease in the database still renewed and waits for it instead of running beside it; after a real
        // death the lease (as long as this lock) has expired, or soon will, and the re-delivery takes over.
        const q = new BullCtor<JobData>(name, redisUrl, {
          prefix,
          redis,
          settings: { lockDuration: stalledMs, stalledInterval: stalledMs, maxStalledCount: 3 },
        });
        q.on('error', (e) => {
          // A worker whose job was taken for stalled and handed to another cannot finish it in Redis any more; the
          // command's lease in the database already decided which of the two runs it (see JobRunner).
          if (/lock/i.test(e.message))
            this.log.warn(
              { queue: name, err: e.message },
              'Bull entregó este trabajo a otro worker; su turno en la base de datos decide quién lo ejecuta',
            );
          else this.log.warn({ queue: name, err: e.message }, 'Redis no responde; se reintentará');
        });
        return [name, q];
      }),
    ) as Record<QueueName, Bull.Queue<JobData>>;
  }

  queue(name: QueueName): Bull.Queue<JobData> {
    return this.queues[name];
  }

  async enqueue(queue: QueueName, jobId: string, data: JobData, delayMs: number): Promise<void> {
    if (await this.makeWay(this.queues[queue], jobId))
      await this.queues[queue].add(data, this.jobOptions(jobId, delayMs));
  }

  /**
   * The same as `enqueue` for each job, in one MULTI per queue (Bull's addBulk) after one concurrent look-up of the
   * ids: an id still waiting, delayed or running is left as it is; a finished one makes way.
   */
  async enqueueMany(jobs: readonly QueuedJob[]): Promise<void> {
    const byQueue = new Map<QueueName, QueuedJob[]>();
    for (const j of jobs) {
      const list = byQueue.get(j.queue);
      if (list) list.push(j);
      else byQueue.set(j.queue, [j]);
    }
    await Promise.all(
      [...byQueue].map(async ([name, list]) => {
        const q = this.queues[name];
        const ways = await Promise.all(list.map((j) => this.makeWay(q, j.jobId)));
        const fresh = list.filter((_, i) => ways[i]);
        if (fresh.length === 0) return;
        const added = await q.addBulk(fresh.map((j) => ({ data: j.data, opts: this.jobOptions(j.jobId, j.delayMs) })));
        // Bull's MULTI hides a failed add as a job without id: the caller must not mark what is not in the queue.
        const lost = added.filter((job) => job.id === undefined || job.id === null).length;
        if (lost) throw new Error(`Redis no aceptó ${lost} de ${fresh.length} trabajos en la cola ${name}`);
      }),
    );
  }

  /**
   * Whether an add under `jobId` would be new: false when a job of that id is waiting, delayed or running (it will
   * run). A finished job keeps its id (removeOnComplete / removeOnFail keep the last ones), and Bull ignores an add
   * under a known id: the command is back (recovery found its try unfinished), so the old record makes way. A job
   * taken meanwhile is locked and stays; the add is then a no-op.
   */
  private async makeWay(q: Bull.Queue<JobData>, jobId: string): Promise<boolean> {
    const existing = await q.getJob(jobId);
    if (!existing) return true;
    const state = await existing.getState();
    if (state !== 'completed' && state !== 'failed') return false;
    await existing.remove().catch(() => undefined);
    return true;
  }

  private jobOptions(jobId: string, delayMs: number): Bull.JobOptions {
    return { jobId, delay: Math.max(0, delayMs), attempts: 1, removeOnComplete: 1000, removeOnFail: 5000 };
  }

  consume(handler: JobHandler, concurrency: number): void {
    for (const name of QUEUE_NAMES) {
      void this.queues[name].process(concurrency, async (job) => handler(name, job.data));
    }
  }

  async has(queue: QueueName, jobId: string): Promise<boolean> {
    const job = await this.queues[queue].getJob(jobId);
    if (!job) return false;
    const state = await job.getState();
    return state === 'waiting' || state === 'delayed' || state === 'active' || state === 'paused';
  }

  async counts(): Promise<Record<QueueName, { waiting: number; delayed: number; active: number; failed: number }>> {
    const out = {} as Record<QueueName, { waiting: number; delayed: number; active: number; failed: number }>;
    for (const name of QUEUE_NAMES) {
      const c = await this.queues[name].getJobCounts();
      out[name] = { waiting: c.waiting, delayed: c.delayed, active: c.active, failed: c.failed };
    }
    return out;
  }

  async ping(): Promise<void> {
    await this.queues[QUEUE_NAMES[0]].client.ping();
  }

  async close(): Promise<void> {
    await Promise.all(QUEUE_NAMES.map((n) => this.queues[n].close().catch(() => undefined)));
  }
}
