import type { BullDriver } from '../../src/queue/bull.driver';
import { QUEUE_NAMES, type QueueName } from '../../src/queue/queue.types';

/** One execution of a job, in Bull's own times: added (timestamp), processing started (processedOn), finished. */
export interface CompletedJob {
  queue: QueueName;
  id: string;
  outboxId: string;
  added: number;
  started: number;
  finished: number;
}

/**
 * Calls `onJob` for every job of every queue completed from now on, read as soon as it completes (Bull keeps only the
 * last 1000 finished jobs per queue, so a late read could miss it). Resolves once every queue listens; the function
 * it gives waits for the reads still under way.
 */
export async function watchCompletedJobs(
  driver: BullDriver,
  onJob: (job: CompletedJob) => void,
): Promise<() => Promise<void>> {
  const reads: Promise<void>[] = [];
  for (const queue of QUEUE_NAMES) {
    const q = driver.queue(queue);
    q.on('global:completed', (id: string) => {
      reads.push(
        q.getJob(id).then(
          (job) => {
            if (job?.processedOn && job.finishedOn)
              onJob({
                queue,
                id: String(id),
                outboxId: job.data.outboxId,
                added: job.timestamp,
                started: job.processedOn,
                finished: job.finishedOn,
              });
          },
          () => undefined,
        ),
      );
    });
    await q.isReady();
  }
  return async () => void (await Promise.all(reads));
}
