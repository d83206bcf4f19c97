import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, LessThan, LessThanOrEqual } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { SYSTEM_ACTOR } from '../engine/actor';
import type { StepMeta } from '../../machines/types';
import { EngineService } from '../engine/engine.service';
import { ProcedureCase } from '../engine/entities/case.entity';
import { OutboxCommand } from '../engine/entities/outbox.entity';
import { QUEUE_DRIVER, type QueueDriver } from './queue-driver';
import { type JobType, QUEUE_OF } from './queue.types';

/** Commands due within this window go to the queue now (as delayed jobs); later ones wait in the database. */
const LOOKAHEAD_MS = 15 * 60_000;
const BATCH = 200;

/** The job id of a command's next attempt: deterministic, so adding it twice runs it once. */
export const jobIdOf = (cmd: Pick<OutboxCommand, 'id' | 'attempts'>): string => `${cmd.id}:${cmd.attempts + 1}`;

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
  ) {}

  /** One pass of the relay; returns how many commands it enqueued. */
  async relay(now = new Date()): Promise<number> {
    const repo = this.ds.getRepository(OutboxCommand);
    const rows = await repo.find({
      where: { status: 'pendiente', availableAt: LessThanOrEqual(new Date(now.getTime() + LOOKAHEAD_MS)) },
      order: { availableAt: 'ASC' },
      take: BATCH,
    });
    for (const cmd of rows) {
      const queue = QUEUE_OF[cmd.type as JobType] ?? 'provisioning';
      await this.driver.enqueue(queue, jobIdOf(cmd), { outboxId: cmd.id }, cmd.availableAt.getTime() - now.getTime());
      await repo.update({ id: cmd.id, status: 'pendiente' }, { status: 'encolado', enqueuedAt: now });
    }
    return rows.length;
  }

  /**
   * Self-service cases (5.1.x) the worker left open (never confirmed, never came back) end as "expirada" after an
   * hour: the machine's VENCIMIENTO, sent by the system. Delivered here, by the periodic job, not by a machine timer.
   */
  async expireAbandonedSelfService(now = new Date(), idleMs = 60 * 60_000): Promise<number> {
    const stale = await this.ds.getRepository(ProcedureCase).find({
      where: { procedureId: In(['personal-alta', 'personal-restablecer']), status: 'activo', updatedAt: LessThan(new Date(now.getTime() - idleMs)) },
      take: 500,
    });
    let n = 0;
    for (const row of stale) {
      try {
        await this.engine.send(row.id, { type: 'VENCIMIENTO', at: now.toISOString() }, SYSTEM_ACTOR, { expectedVersion: row.version, now });
        n++;
      } catch (e) {
        // Provisioning in progress does not accept VENCIMIENTO (422), or the worker acted meanwhile (409): leave it.
        if (!(e instanceof DomainError)) throw e;
      }
    }
    return n;
  }

  /** At the start of a process that runs jobs in-process: what that process had in memory is gone, enqueue it again. */
  async requeueAllEnqueued(): Promise<number> {
    const res = await this.ds.getRepository(OutboxCommand).update({ status: 'encolado' }, { status: 'pendiente' });
    return res.affected ?? 0;
  }

  /**
   * Recovery: (1) an enqueued command whose job is in no queue any more goes back to pending under the next attempt's
   * job id; (2) a case that waits for an effect with no live command behind it gets its command run again (processors
   * are idempotent), or its failure reported.
   */
  async recover(now = new Date(), staleMs = 2 * 60_000): Promise<{ requeued: number; cases: number }> {
    const repo = this.ds.getRepository(OutboxCommand);
    let requeued = 0;
    const stale = await repo.find({ where: { status: 'encolado', enqueuedAt: LessThan(new Date(now.getTime() - staleMs)) }, take: 500 });
    for (const cmd of stale) {
      if (cmd.availableAt.getTime() > now.getTime()) continue; // a delayed job, not due yet
      const queue = QUEUE_OF[cmd.type as JobType] ?? 'provisioning';
      const alive = (await this.driver.has(queue, jobIdOf(cmd))) || (await this.driver.has(queue, `${cmd.id}:${cmd.attempts}`));
      if (alive) continue;
      await repo.update({ id: cmd.id, status: 'encolado' }, { status: 'pendiente', attempts: cmd.attempts + 1 });
      requeued++;
    }

    let cases = 0;
    const active = await this.ds.getRepository(ProcedureCase).find({ where: { status: 'activo', updatedAt: LessThan(new Date(now.getTime() - staleMs)) }, take: 500 });
    for (const row of active) {
      const def = this.engine.registry.get(row.procedureId, row.procedureVersion);
      let awaited: string | undefined;
      try {
        const snap = this.engine.load(def, row);
        awaited = Object.values(snap.getMeta() as Record<string, StepMeta | undefined>).find((m) => m?.awaitsEffect)?.awaitsEffect;
      } catch {
        continue; // load() already turned it into an incident
      }
      if (!awaited) continue;
      const cmds = await repo.find({ where: { caseId: row.id, type: awaited }, order: { createdAt: 'DESC' } });
      if (cmds.some((c) => c.status === 'pendiente' || c.status === 'encolado')) continue;
      const last = cmds[0];
      if (!last) {
        this.log.error({ caseId: row.id, awaited }, 'Trámite esperando un efecto que nunca se registró');
        continue;
      }
      // The effect ran (or failed) but its result never reached the case: run it again; it is idempotent.
      await repo.update({ id: last.id }, { status: 'pendiente', attempts: last.attempts, availableAt: now });
      cases++;
    }
    if (requeued || cases) this.log.warn({ requeued, cases }, 'Recuperación: trabajos perdidos vueltos a encolar');
    return { requeued, cases };
  }
}
