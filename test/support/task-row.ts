import { randomUUID } from 'node:crypto';
import { Task } from '../../src/engine/entities/task.entity';

/** An open task row with every column set (fresh ids), for tests that write tasks directly. */
export function taskRow(over: Partial<Task> = {}): Task {
  return Object.assign(new Task(), {
    id: randomUUID(),
    caseId: randomUUID(),
    procedureId: 'oficio',
    stateId: 'turno',
    title: 'Turnar el oficio',
    candidateRole: 'subjefatura',
    nivelClave: null,
    cct: null,
    curp: null,
    folio: 'MCI-2026-000001',
    assigneeId: null,
    responsableId: null,
    status: 'abierta',
    priority: 2,
    createdAt: new Date('2026-12-01T18:30:00.000Z'),
    warnAt: new Date('2026-12-02T18:30:00.000Z'),
    dueAt: new Date('2026-12-03T18:30:00.000Z'),
    remindedAt: null,
    escalatedAt: null,
    closedAt: null,
    closedBy: null,
    ...over,
  });
}
