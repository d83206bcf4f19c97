import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, IsNull, LessThan, LessThanOrEqual } from 'typeorm';
import type { StepMeta } from '../../../machines/types';
import { legacyRelay } from '../../queue/outbox-wake';
import { QUEUE_DRIVER, type QueueDriver } from '../../queue/queue-driver';
import { EngineService } from '../engine.service';
import { ProcedureCase } from '../entities/case.entity';
import { OutboxCommand } from '../entities/outbox.entity';
import { JobRunner, jobIdOf, LIVE_STATUSES } from './job-runner.service';

/** Commands due within this window go to the queue now (as delayed jobs); later ones wait in the database. */
const LOOKAHEAD_MS = 15 * 60_000;
const BATCH = 200;
/**
 * An enqueued command whose job is in no queue after this long lost it (Redis restarted empty, a process died between
 * marking a retry and queueing it). The relay queues a job before it marks the command, so a live command has its job
 * from the start; the margin only covers a retry being queued right now. A requeue is harmless anyway: same job id,
 * and the command's lease lets one execution at a time.
 */
export const LOST_JOB_MS = 10_000;
/** A case waiting this long for an effect whose command ended gets its incident. */
const CASE_STALE_MS = 2 * 60_000;

/**
 * Moves committed outbox commands into the queues and marks them enqueued (enqueue first, then mark: a crash in
 * between enqueues the same job id again, which the queue ignores). Also the recovery job: commands whose job was
 * lost (Redis restarted without persistence, a process died) and cases that wait for an effect nobody is running.
 */
@Injectable()
export class OutboxRelay {
  private readonly log = new Logger('Bandeja de salida');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(QUEUE_DRIVER) private readonly driver: QueueDriver,
    private readonly engine: EngineService,
    private readonly runner: JobRunner,
  ) {}

  /**
   * One pass of the relay; returns how many commands it enqueued. The whole batch goes to the queues in one call
   * (one MULTI per queue on Bull), then is marked with one UPDATE. Enqueue first, then mark: a crash in between
   * leaves the commands pending, and the next pass adds the same job ids again, which the queue ignores. The mark is
   * conditional on `pendiente`: a command some job already claimed (it can run the moment it is queued) keeps the
   * status its execution gave it.
   */
  async relay(now = new Date()): Promise<number> {
    const repo = this.ds.getRepository(OutboxCommand);
    const rows = await repo.find({
      where: { status: 'pendiente', availableAt: LessThanOrEqual(new Date(now.getTime() + LOOKAHEAD_MS)) },
      order: { availableAt: 'ASC' },
      take: BATCH,
    });
    if (rows.length === 0) return 0;
    const job = (cmd: OutboxCommand) => ({
      queue: this.runner.processors.queueOf(cmd),
      jobId: jobIdOf(cmd),
      data: { outboxId: cmd.id },
      delayMs: cmd.availableAt.getTime() - now.getTime(),
    });
    if (legacyRelay()) {
      // The relay before issue 11 (benchmark comparison only): one job, then one UPDATE, per command.
      for (const cmd of rows) {
        const j = job(cmd);
        await this.driver.enqueue(j.queue, j.jobId, j.data, j.delayMs);
        await repo.update({ id: cmd.id, status: 'pendiente' }, { status: 'encolado', enqueuedAt: now });
      }
      return rows.length;
    }
    await this.driver.enqueueMany(rows.map(job));
    await repo.update({ id: In(rows.map((r) => r.id)), status: 'pendiente' }, { status: 'encolado', enqueuedAt: now });
    return rows.length;
  }

  /**
   * At the start of a process that runs jobs in-process: what that process had in memory is gone, enqueue it again. A
   * command whose lease is still live stays as it is (its execution may be another process's); recovery takes it
   * over once the lease has expired.
   */
  async requeueAllEnqueued(now = new Date()): Promise<number> {
    const res = await this.ds
      .getRepository(OutboxCommand)
      .update([{ status: 'encolado' }, { status: 'en_curso', leaseUntil: LessThan(now) }], {
        status: 'pendiente',
        leaseOwner: null,
        leaseUntil: null,
      });
    return res.affected ?? 0;
  }

  /**
   * Recovery. (1) A command whose job is in no queue any more — enqueued over `lostJobMs` ago, or leased by an execution that
   * stopped renewing its lease (its worker died) — goes back to pending, under the same job id (`id:failures+1`: the
   * queue replaces a finished job of that id), so the relay queues it again; a kept ending is then reported, not
   * performed again. A live lease is never touched: that command is being executed. (2) A case that waits for an
   * effect whose command ended without telling it gets an incident (JobRunner.reportUnreached), never a second run.
   */
  async recover(
    now = new Date(),
    staleMs = CASE_STALE_MS,
    lostJobMs = Math.min(staleMs, LOST_JOB_MS),
  ): Promise<{ requeued: number; cases: number }> {
    const repo = this.ds.getRepository(OutboxCommand);
    let requeued = 0;
    const suspects = await repo.find({
      where: [
        {
          status: 'encolado',
          enqueuedAt: LessThan(new Date(now.getTime() - lostJobMs)),
          availableAt: LessThanOrEqual(now),
        },
        { status: 'en_curso', leaseUntil: LessThan(now) },
      ],
      take: 500,
    });
    for (const cmd of suspects) {
      // Still waiting or running in the queue (Bull re-delivers the job of a dead worker by itself).
      if (await this.driver.has(this.runner.processors.queueOf(cmd), jobIdOf(cmd))) continue;
      // Conditional on what was read: a command claimed, renewed or finished meanwhile is left alone.
      const same =
        cmd.status === 'en_curso'
          ? { leaseOwner: cmd.leaseOwner ?? IsNull(), leaseUntil: LessThan(now) }
          : { attempts: cmd.attempts };
      const res = await repo.update(
        { id: cmd.id, status: cmd.status, ...same },
        { status: 'pendiente', leaseOwner: null, leaseUntil: null },
      );
      requeued += res.affected ?? 0;
    }

    let cases = 0;
    const active = await this.ds
      .getRepository(ProcedureCase)
      .find({ where: { status: 'activo', updatedAt: LessThan(new Date(now.getTime() - staleMs)) }, take: 500 });
    for (const row of active) {
      const def = this.engine.registry.get(row.procedureId, row.procedureVersion);
      let awaited: string | undefined;
      try {
        const snap = this.engine.load(def, row);
        awaited = Object.values(snap.getMeta() as Record<string, StepMeta | undefined>).find(
          (m) => m?.awaitsEffect,
        )?.awaitsEffect;
      } catch {
        continue; // load() already turned it into an incident
      }
      if (!awaited) continue;
      const cmds = await repo.find({ where: { caseId: row.id, type: awaited }, order: { createdAt: 'DESC' } });
      if (cmds.some((c) => LIVE_STATUSES.includes(c.status))) continue;
      const last = cmds[0];
      if (!last) {
        this.log.error({ caseId: row.id, awaited }, 'Trámite esperando un efecto que nunca se registró');
        continue;
      }
      // Sent with the case version read above: a case that took the result since (read before the commit) refuses it.
      if (await this.runner.reportUnreached(last, row.version)) cases++;
    }
    if (requeued || cases)
      this.log.warn(
        { requeued, cases },
        'Recuperación: trabajos perdidos vueltos a encolar, trámites sin resultado en incidente',
      );
    return { requeued, cases };
  }
}
