import request from 'supertest';
import type { Actor } from '../../src/auth/actor';
import { Movement } from '../../src/engine/entities/movement.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { Task } from '../../src/engine/entities/task.entity';
import { InboxService } from '../../src/engine/inbox.service';
import { createStaff, login } from '../support/staff';
import { createTestApp, type TestApp } from '../support/test-app';
import { testProcedure } from '../support/test-machine';

/** Issue 9: two clerks acting on one task at once end in one result, and the other one is told so in Spanish. */
describe('two clerks on one task at once', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const actors: Record<string, Actor> = {};
  const http = () => request(t.app.getHttpServer());
  const as = (u: string) => ({ Authorization: `Bearer ${tokens[u]}` });

  beforeAll(async () => {
    t = await createTestApp({}, { procedures: [testProcedure(1)] });
    for (const [u, rol] of [
      ['oficialia', 'subdireccion'],
      ['sj1', 'subjefatura'],
      ['sj2', 'subjefatura'],
    ] as const) {
      const user = await createStaff(t.db.dataSource, u, rol);
      actors[u] = { id: user.id, role: rol };
      tokens[u] = await login(t.app, u);
    }
  });
  afterAll(async () => t?.close());

  let folio = 0;
  /** A case turned to the Subjefatura: its open task there, at case version 2. */
  async function subjefaturaTask(): Promise<{ caseId: string; taskId: string }> {
    const started = await http()
      .post('/api/tramites')
      .set(as('oficialia'))
      .send({ procedimiento: 'prueba', datos: { folio: `SSST-2026-9${String(++folio).padStart(3, '0')}` } })
      .expect(201);
    const caseId = started.body.caseId as string;
    await http()
      .post(`/api/tramites/${caseId}/eventos`)
      .set(as('oficialia'))
      .send({ tipo: 'TURNAR', version: 1 })
      .expect(200);
    const task = await t.db.dataSource
      .getRepository(Task)
      .findOneByOrFail({ caseId, candidateRole: 'subjefatura', status: 'abierta' });
    return { caseId, taskId: task.id };
  }

  it('both take it at once: one has it, the other gets 409 in Spanish', async () => {
    const { taskId } = await subjefaturaTask();
    const [a, b] = await Promise.all(['sj1', 'sj2'].map((u) => http().post(`/api/tareas/${taskId}/tomar`).set(as(u))));
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? 'sj1' : 'sj2';
    const loser = a.status === 200 ? b : a;
    expect(loser.body).toEqual({
      error: 'TAREA_TOMADA',
      mensaje: 'Otra persona ya tomó esta tarea o ya fue atendida. Recargue la bandeja.',
    });
    expect(await t.db.dataSource.getRepository(Task).findOneByOrFail({ id: taskId })).toMatchObject({
      assigneeId: actors[winner].id,
    });
  });

  it('both act on the version they read at once: one action happens once, the other gets 409 in Spanish', async () => {
    const { caseId, taskId } = await subjefaturaTask();
    const curp = 'GOMC850315MCMRRR09';
    const [a, b] = await Promise.all(
      ['sj1', 'sj2'].map((u) =>
        http().post(`/api/tramites/${caseId}/eventos`).set(as(u)).send({ tipo: 'CREAR', version: 2, datos: { curp } }),
      ),
    );
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 200 ? b : a;
    expect(loser.body).toMatchObject({
      error: 'VERSION_CAMBIO',
      mensaje: expect.stringMatching(/^El trámite cambió desde que lo consultó/),
    });
    const moves = await t.db.dataSource.getRepository(Movement).find({ where: { caseId }, order: { seq: 'ASC' } });
    expect(moves.map((m) => m.eventType)).toEqual(['INICIAR', 'TURNAR', 'CREAR']);
    expect(await t.db.dataSource.getRepository(OutboxCommand).countBy({ caseId, type: 'provision' })).toBe(1);
    expect(await t.db.dataSource.getRepository(Task).findOneByOrFail({ id: taskId })).toMatchObject({
      status: 'cerrada',
    });
    // The task is done: taking it now is refused the same way.
    await http().post(`/api/tareas/${taskId}/tomar`).set(as('sj2')).expect(409);
  });

  it('two different actions at once (create and cancel): the case ends in one of them, never both', async () => {
    const { caseId } = await subjefaturaTask();
    const [crear, cancelar] = await Promise.all([
      http()
        .post(`/api/tramites/${caseId}/eventos`)
        .set(as('sj1'))
        .send({ tipo: 'CREAR', version: 2, datos: { curp: 'GOMC850315MCMRRR09' } }),
      http().post(`/api/tramites/${caseId}/eventos`).set(as('sj2')).send({ tipo: 'CANCELAR', version: 2 }),
    ]);
    expect([crear.status, cancelar.status].sort()).toEqual([200, 409]);
    const view = await http().get(`/api/tramites/${caseId}`).set(as('sj1')).expect(200);
    expect(view.body.version).toBe(3);
    expect(await t.db.dataSource.getRepository(OutboxCommand).countBy({ caseId, type: 'provision' })).toBe(
      crear.status === 200 ? 1 : 0,
    );
  });

  it('a release read before someone else took the task does not take it from them', async () => {
    const { taskId } = await subjefaturaTask();
    const inbox = t.app.get(InboxService);
    await inbox.claim(taskId, actors.sj1);
    // sj1's first tab reads the task (still theirs); meanwhile sj1's second tab releases it and sj2 takes it.
    type Reader = { visibleTask: (id: string, a: Actor) => Promise<Task> };
    const proto = InboxService.prototype as unknown as Reader;
    const original = proto.visibleTask;
    const visible = jest.spyOn(proto, 'visibleTask');
    let interleaved = false;
    visible.mockImplementation(async function (this: InboxService, id: string, a: Actor) {
      const read = await original.call(this, id, a);
      if (!interleaved) {
        interleaved = true;
        await inbox.release(taskId, actors.sj1);
        await inbox.claim(taskId, actors.sj2);
      }
      return read;
    });
    try {
      await expect(inbox.release(taskId, actors.sj1)).rejects.toMatchObject({
        status: 409,
        message: expect.stringMatching(/cambió/),
      });
    } finally {
      visible.mockRestore();
    }
    expect(await t.db.dataSource.getRepository(Task).findOneByOrFail({ id: taskId })).toMatchObject({
      assigneeId: actors.sj2.id,
    });
  });
  it('a task someone took is theirs: another clerk acting on its case gets 409 in Spanish until it is released', async () => {
    const { caseId, taskId } = await subjefaturaTask();
    await http().post(`/api/tareas/${taskId}/tomar`).set(as('sj1')).expect(200);
    const other = await http()
      .post(`/api/tramites/${caseId}/eventos`)
      .set(as('sj2'))
      .send({ tipo: 'CREAR', version: 2, datos: { curp: 'GOMC850315MCMRRR09' } })
      .expect(409);
    expect(other.body).toMatchObject({
      error: 'TAREA_DE_OTRO',
      mensaje:
        'Esta tarea la tomó Usuario sj1: pídale que la libere (o a un administrador) antes de actuar en el trámite.',
    });
    expect(await t.db.dataSource.getRepository(OutboxCommand).countBy({ caseId, type: 'provision' })).toBe(0);
    // Released, anyone of the role may act.
    await http().post(`/api/tareas/${taskId}/liberar`).set(as('sj1')).expect(200);
    await http()
      .post(`/api/tramites/${caseId}/eventos`)
      .set(as('sj2'))
      .send({ tipo: 'CREAR', version: 2, datos: { curp: 'GOMC850315MCMRRR09' } })
      .expect(200);

    // An administrator frees a task whose holder is away.
    const second = await subjefaturaTask();
    await http().post(`/api/tareas/${second.taskId}/tomar`).set(as('sj1')).expect(200);
    await createStaff(t.db.dataSource, 'admin-tareas', 'administrador');
    const admin = await login(t.app, 'admin-tareas');
    await http()
      .post(`/api/tareas/${second.taskId}/liberar`)
      .set({ Authorization: `Bearer ${admin}` })
      .expect(200);
    await http()
      .post(`/api/tramites/${second.caseId}/eventos`)
      .set(as('sj2'))
      .send({ tipo: 'CANCELAR', version: 2 })
      .expect(200);
  });
});
