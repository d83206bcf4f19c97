import { randomUUID } from 'node:crypto';
import { Task } from '../src/engine/entities/task.entity';
import { InboxService } from '../src/engine/inbox.service';
import { createTestDb, type TestDb } from './support/test-db';

describe('inbox scope of the scoped roles', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => db?.close());

  const task = (extra: Partial<Task>): Task => ({
    id: randomUUID(),
    caseId: randomUUID(),
    procedureId: 'servicio-alta',
    stateId: 'servicio-alta.acuseRespuesta',
    title: 'Firmar y sellar de recibido',
    candidateRole: 'responsable',
    nivelClave: null,
    cct: null,
    curp: null,
    folio: null,
    assigneeId: null,
    responsableId: null,
    status: 'abierta',
    priority: 2,
    createdAt: new Date(),
    warnAt: new Date(Date.now() + 3600_000),
    dueAt: new Date(Date.now() + 7200_000),
    remindedAt: null,
    escalatedAt: null,
    closedAt: null,
    closedBy: null,
    ...extra,
  });

  it('shows a responsable only the tasks of the oficios they sent, and a Nivel only its level', async () => {
    const repo = db.dataSource.getRepository(Task);
    const mine = task({ responsableId: 'resp-a', folio: 'SSST-2026-000001' });
    const theirs = task({ responsableId: 'resp-b', folio: 'SSST-2026-000002' });
    const primaria = task({ candidateRole: 'nivel', nivelClave: 'PRIMARIA', folio: 'SSST-2026-000003' });
    const secundaria = task({ candidateRole: 'nivel', nivelClave: 'SECUNDARIA', folio: 'SSST-2026-000004' });
    await repo.insert([mine, theirs, primaria, secundaria]);
    const inbox = new InboxService(db.dataSource);
    const a = await inbox.list({ id: 'resp-a', role: 'responsable' }, {});
    expect(a.items.map((i) => i.folio)).toEqual(['SSST-2026-000001']);
    await expect(inbox.claim(theirs.id, { id: 'resp-a', role: 'responsable' })).rejects.toMatchObject({ status: 404 });
    const n = await inbox.list({ id: 'u-prim', role: 'nivel', nivelClave: 'PRIMARIA' }, {});
    expect(n.items.map((i) => i.folio)).toEqual(['SSST-2026-000003']);
    const admin = await inbox.list({ id: 'adm', role: 'administrador' }, { rol: 'nivel' });
    expect(admin.total).toBe(2);
  });
});
