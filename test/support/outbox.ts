import { randomUUID } from 'node:crypto';
import { type DataSource, In, Not } from 'typeorm';
import { OutboxCommand, pendingCommand } from '../../src/engine/entities/outbox.entity';

/** A command in the outbox, due a second ago, with no case behind it (an acuse to render); `over` changes fields. */
export async function addCommand(ds: DataSource, over: Partial<OutboxCommand> = {}): Promise<string> {
  const id = over.id ?? randomUUID();
  const now = new Date(Date.now() - 1000);
  await ds.getRepository(OutboxCommand).insert({
    ...pendingCommand({
      id,
      caseId: randomUUID(),
      type: 'renderAcuse',
      payload: '{}',
      idempotencyKey: `${id}:renderAcuse:1`,
      availableAt: now,
      createdAt: now,
    }),
    ...over,
  });
  return id;
}

/**
 * How many of a case's effects have not ended yet: waiting, queued or running (en_curso: a worker holds its lease and
 * has not written its result). The inbox reminders of days ahead are not counted: they wait by design.
 */
export function unfinishedEffects(ds: DataSource, caseId: string): Promise<number> {
  return ds
    .getRepository(OutboxCommand)
    .countBy({ caseId, status: In(['pendiente', 'encolado', 'en_curso']), type: Not('taskReminder') });
}
