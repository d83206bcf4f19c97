import { randomUUID } from 'node:crypto';
import { Task } from '../../src/engine/entities/task.entity';
import { InboxService } from '../../src/engine/inbox.service';
import { createTestDb, type TestDb } from '../support/test-db';

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

  it('shows a responsable only the tasks of the oficios they sent, and a Nivel only its level — never a task addressed to nobody', async () => {
    const repo = db.dataSource.getRepository(Task);
    const mine = task({ responsableId: 'resp-a', folio: 'SSST-2026-000001' });
    const theirs = task({ responsableId: 'resp-b', folio: 'SSST-2026-000002' });
    const primaria = task({ candidateRole: 'nivel', nivelClave: 'PRIMARIA', folio: 'SSST-2026-000003' });
    const secundaria = task({ candidateRole: 'nivel', nivelClave: 'SECUNDARIA', folio: 'SSST-2026-000004' });
    // An area's task with no responsable user, and a Nivel task with no level: nobody's of those roles.
    const area = task({ responsableId: null, folio: 'SSST-2026-000005' });
    const sinNivel = task({ candidateRole: 'nivel', nivelClave: null, folio: 'SSST-2026-000006' });
    await repo.insert([mine, theirs, primaria, secundaria, area, sinNivel]);
    const inbox = new InboxService(db.dataSource);
    const respA = { id: 'resp-a', role: 'responsable' as const };
    const a = await inbox.list(respA, {});
    expect(a.items.map((i) => i.folio)).toEqual(['SSST-2026-000001']);
    for (const other of [theirs, area]) {
      await expect(inbox.claim(other.id, respA)).rejects.toMatchObject({ status: 404 });
      await expect(inbox.release(other.id, respA)).rejects.toMatchObject({ status: 404 });
    }
    const prim = { id: 'u-prim', role: 'nivel' as const, nivelClave: 'PRIMARIA' };
    const n = await inbox.list(prim, {});
    expect(n.items.map((i) => i.folio)).toEqual(['SSST-2026-000003']);
    await expect(inbox.claim(sinNivel.id, prim)).rejects.toMatchObject({ status: 404 });
    // A Nivel user whose level is not set sees nothing, not the tasks without a level.
    const unset = { id: 'u-sin', role: 'nivel' as const, nivelClave: null };
    expect((await inbox.list(unset, {})).items).toEqual([]);
    await expect(inbox.claim(sinNivel.id, unset)).rejects.toMatchObject({ status: 404 });
    const admin = await inbox.list({ id: 'adm', role: 'administrador' }, { rol: 'nivel' });
    expect(admin.total).toBe(3);
  });
});
