import { ProcedureCase } from './entities/case.entity';
import { DashboardCount, DashboardDelta } from './entities/dashboard-count.entity';
import { DiaInhabil } from './entities/holiday.entity';
import { Movement } from './entities/movement.entity';
import { OutboxCommand } from './entities/outbox.entity';
import { ProcedureVersion } from './entities/procedure-version.entity';
import { TaskDigest } from './entities/task-digest.entity';
import { Task } from './entities/task.entity';
import { LogCertificate, LogNode, LogState, TreeHead } from './entities/transparency.entity';

/** The tables this module owns; the composition root (src/entities.ts) gathers every module's list. */
export const ENGINE_ENTITIES = [
  ProcedureVersion,
  ProcedureCase,
  Movement,
  LogNode,
  TreeHead,
  LogCertificate,
  LogState,
  Task,
  TaskDigest,
  OutboxCommand,
  DiaInhabil,
  DashboardCount,
  DashboardDelta,
];
