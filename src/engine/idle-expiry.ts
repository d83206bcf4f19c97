import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, LessThan } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { SYSTEM_ACTOR } from '../auth/actor';
import { EngineService } from './engine.service';
import { ProcedureCase } from './entities/case.entity';

/**
 * Cases of a procedure that declares `idleExpiryMs` (the self-service ones, 5.1.x: the worker never confirmed, never
 * came back) end as its machine says when nobody touched them that long: the system sends VENCIMIENTO. Delivered by
 * the periodic job, not by a machine timer (machines read no clock).
 */
@Injectable()
export class IdleCaseExpiry {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly engine: EngineService,
  ) {}

  /** One pass; returns how many cases took their VENCIMIENTO. */
  async expire(now = new Date()): Promise<number> {
    let n = 0;
    for (const def of this.engine.registry.definitions) {
      if (def.idleExpiryMs === undefined) continue;
      const stale = await this.ds.getRepository(ProcedureCase).find({
        where: {
          procedureId: def.id,
          procedureVersion: def.version,
          status: 'activo',
          updatedAt: LessThan(new Date(now.getTime() - def.idleExpiryMs)),
        },
        take: 500,
      });
      for (const row of stale) {
        try {
          await this.engine.send(row.id, { type: 'VENCIMIENTO', at: now.toISOString() }, SYSTEM_ACTOR, {
            expectedVersion: row.version,
            now,
          });
          n++;
        } catch (e) {
          // Provisioning in progress does not accept VENCIMIENTO (422), or someone acted meanwhile (409): leave it.
          if (!(e instanceof DomainError)) throw e;
        }
      }
    }
    return n;
  }
}
