import { parseMessage } from '../mail/support/mime';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { In } from 'typeorm';
import { TaskReminderSweep } from '../../src/engine/effects/task-reminder-sweep';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { Task } from '../../src/engine/entities/task.entity';
import { buildPipeline } from '../support/pipeline';
import { createStaff } from '../support/staff';
import { createTestDb, type TestDb } from '../support/test-db';

describe('task reminders and escalation (queued by the sweep when due, not machine timers)', () => {
  let db: TestDb;
  let p: ReturnType<typeof buildPipeline>;
  let sweep: TaskReminderSweep;
  beforeAll(async () => {
    db = await createTestDb();
    p = buildPipeline(db);
    sweep = new TaskReminderSweep(db.dataSource);
    await p.engine.syncCatalog(new Date('2026-01-01T00:00:00Z'));
    await createStaff(db.dataSource, 'oficialia1', 'subdireccion');
    await createStaff(db.dataSource, 'sistemas1', 'subjefatura');
  });
  afterAll(async () => {
    await p?.close();
    await db?.close();
  });

  it('reminds the role when "falta poco", escalates to the Subdirección with priority alta when overdue, once each', async () => {
    const start = new Date('2026-11-23T16:00:00Z'); // Monday
    const c = await p.engine.start(
      'cuenta-bloquear',
      { id: 'u-sub', role: 'subdireccion' },
      { oficio: { folio: 'DRH/45/2026', asunto: 'Bloqueo' } },
      { now: start },
    );
    const task = await db.dataSource.getRepository(Task).findOneByOrFail({ caseId: c.caseId, status: 'abierta' });
    expect(task.candidateRole).toBe('subdireccion');

    const reminderRows = () =>
      db.dataSource.getRepository(OutboxCommand).findBy({ caseId: c.caseId, type: 'taskReminder' });
    // Opening the task queued nothing: its own warn_at and due_at are the schedule.
    expect(await reminderRows()).toEqual([]);

    // Nothing is due before warnAt.
    expect(await sweep.sweep(new Date(task.warnAt.getTime() - 3600_000))).toBe(0);
    expect((await db.dataSource.getRepository(Task).findOneByOrFail({ id: task.id })).remindedAt).toBeNull();

    // «Falta poco»: the reminder is queued once, however many sweeps run, at once or later.
    const warn = new Date(task.warnAt.getTime() + 60_000);
    expect((await Promise.all([sweep.sweep(warn), sweep.sweep(warn)])).reduce((a, b) => a + b)).toBe(1);
    expect(await sweep.sweep(warn)).toBe(0);
    const t1 = await db.dataSource.getRepository(Task).findOneByOrFail({ id: task.id });
    // Stamped with the sweep's time (MariaDB keeps whole seconds); the priority waits for the due date.
    expect(Math.abs(t1.remindedAt!.getTime() - warn.getTime())).toBeLessThan(1000);
    expect([t1.escalatedAt, t1.priority]).toEqual([null, task.priority]);

    // Overdue: escalated (priority alta) and queued, once.
    const after = new Date(task.dueAt.getTime() + 60_000);
    expect(await sweep.sweep(after)).toBe(1);
    expect(await sweep.sweep(after)).toBe(0);
    expect((await reminderRows()).map((r) => JSON.parse(r.payload).kind).sort()).toEqual([
      'recordatorio',
      'vencimiento',
    ]);
    await p.relay.relay(after);
    await p.driver.idle();
    const t2 = await db.dataSource.getRepository(Task).findOneByOrFail({ id: task.id });
    expect(t2.remindedAt).not.toBeNull();
    expect(t2.escalatedAt).not.toBeNull();
    expect(t2.priority).toBe(1);
    const outbox = join(db.dataDir, 'outbox');
    const mails = readdirSync(outbox).map((f) => readFileSync(join(outbox, f), 'utf8'));
    expect(mails).toHaveLength(2); // one reminder, one escalation
    expect(mails.some((m) => m.includes('oficialia1@example.test'))).toBe(true);
    expect(mails.some((m) => m.includes('sistemas1@example.test'))).toBe(false);
    // Both come from the mail templates (tarea-por-vencer, tarea-vencida): subject, inbox link, the shared footer.
    const parsed = mails.map((m) => parseMessage(m));
    expect(parsed.map((m) => m.header('subject')?.replace(/:.*/, '')).sort()).toEqual([
      'Tarea por vencer',
      'Tarea vencida',
    ]);
    for (const m of parsed) {
      expect(m.text).toContain(`Tarea: ${task.title}`);
      expect(m.text).toMatch(/Atiéndala en: http\S+\/bandeja/);
      expect(m.html).toMatch(/<a href="http[^"]+\/bandeja"/);
      expect(m.html).toContain('Mensaje automático de Mi Correo Institucional');
    }

    // Running them again changes nothing (the task's own timestamps, the outbox's key).
    const before = mails.length;
    expect(await sweep.sweep(new Date(after.getTime() + 3600_000))).toBe(0);
    await p.relay.recover(new Date(after.getTime() + 3600_000), 0);
    await p.relay.relay(new Date(after.getTime() + 3600_000));
    await p.driver.idle();
    expect(readdirSync(outbox).length).toBe(before);
  });

  it('queues nothing for a task closed before its time, and takes a pass past a full batch', async () => {
    const start = new Date('2026-11-23T16:00:00Z');
    const actor = { id: 'u-sub', role: 'subdireccion' as const };
    const closed = await p.engine.start(
      'cuenta-bloquear',
      actor,
      { oficio: { folio: 'DRH/46/2026', asunto: 'Bloqueo' } },
      { now: start },
    );
    await db.dataSource.getRepository(Task).update({ caseId: closed.caseId }, { status: 'cerrada' });
    const many: string[] = [];
    for (let i = 0; i < 205; i++) {
      const c = await p.engine.start(
        'cuenta-bloquear',
        actor,
        { oficio: { folio: `DRH/${100 + i}/2026`, asunto: 'Bloqueo' } },
        { now: start },
      );
      many.push(c.caseId);
    }
    const task = await db.dataSource.getRepository(Task).findOneByOrFail({ caseId: many[0] });
    // 205 reminders: more than one batch of the sweep, all queued in one pass.
    expect(await sweep.sweep(new Date(task.warnAt.getTime() + 60_000))).toBe(205);
    const rows = await db.dataSource
      .getRepository(OutboxCommand)
      .findBy({ type: 'taskReminder', caseId: In([closed.caseId, ...many]) });
    expect(rows).toHaveLength(205);
    expect(rows.some((r) => r.caseId === closed.caseId)).toBe(false);
  });
});
