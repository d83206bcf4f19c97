import { parseMessage } from '../mail/support/mime';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Task } from '../../src/engine/entities/task.entity';
import { buildPipeline } from '../support/pipeline';
import { createStaff } from '../support/staff';
import { createTestDb, type TestDb } from '../support/test-db';

describe('task reminders and escalation (delayed jobs, not machine timers)', () => {
  let db: TestDb;
  let p: ReturnType<typeof buildPipeline>;
  beforeAll(async () => {
    db = await createTestDb();
    p = buildPipeline(db);
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

    // Nothing is due before warnAt.
    await p.relay.relay(new Date(task.warnAt.getTime() - 3600_000)); // outside the look-ahead window: stays in the database
    await p.driver.idle();
    expect((await db.dataSource.getRepository(Task).findOneByOrFail({ id: task.id })).remindedAt).toBeNull();

    // After the due date both jobs have run (the relay looks ahead; each job waits for its own time).
    const after = new Date(task.dueAt.getTime() + 60_000);
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

    // Running them again changes nothing (idempotent by the task's own timestamps).
    const before = mails.length;
    await p.relay.recover(new Date(after.getTime() + 3600_000), 0);
    await p.relay.relay(new Date(after.getTime() + 3600_000));
    await p.driver.idle();
    expect(readdirSync(outbox).length).toBe(before);
  });
});
