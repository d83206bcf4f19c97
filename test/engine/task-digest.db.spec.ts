import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StaffUser } from '../../src/auth/staff-user.entity';
import { TASK_DIGEST } from '../../src/engine/effects/effect-processor';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { TaskDigest } from '../../src/engine/entities/task-digest.entity';
import { Task } from '../../src/engine/entities/task.entity';
import { InboxService } from '../../src/engine/inbox.service';
import { DIGEST_SETTLE_MS, type DigestPayload, TaskDigestScheduler } from '../../src/engine/task-digest';
import { parseMessage, type ParsedMessage } from '../mail/support/mime';
import { buildPipeline } from '../support/pipeline';
import { createStaff } from '../support/staff';
import { taskRow } from '../support/task-row';
import { createTestDb, type TestDb } from '../support/test-db';

jest.setTimeout(60_000);

const MIN = 60_000;

describe('e-mail digest of the tasks that arrived in each inbox (issue 12 §2)', () => {
  let db: TestDb;
  let p: ReturnType<typeof buildPipeline>;
  let scheduler: TaskDigestScheduler;
  const users: Record<string, StaffUser> = {};
  /** The clock of the digests: two days before the wall clock, so the jobs they write are due when the pipeline runs. */
  const t0 = new Date(Math.floor((Date.now() - 2 * 24 * 60 * MIN) / MIN) * MIN);
  const at = (minutes: number): Date => new Date(t0.getTime() + minutes * MIN);
  /** A due date at 18:30 UTC, which is 12:30 in Mexico City (UTC-6 all year since 2022). */
  const due = new Date(Date.UTC(t0.getUTCFullYear(), t0.getUTCMonth(), t0.getUTCDate() + 5, 18, 30));

  const newScheduler = (minutes = 15) =>
    new TaskDigestScheduler(db.dataSource, new InboxService(db.dataSource), p.staff, p.engine, {
      taskDigestIntervalMin: minutes,
    });
  const mailDir = () => join(db.dataDir, 'outbox');
  const mails = (): ParsedMessage[] =>
    existsSync(mailDir())
      ? readdirSync(mailDir())
          .filter((f) => f.endsWith('.eml'))
          .map((f) => parseMessage(readFileSync(join(mailDir(), f))))
      : [];
  const digestsTo = (usuario: string): ParsedMessage[] =>
    mails().filter(
      (m) => m.header('to')?.includes(`${usuario}@example.test`) && m.header('subject')?.startsWith('Tareas nuevas'),
    );
  const addTask = async (over: Partial<Task>): Promise<Task> => {
    const t = taskRow({ dueAt: due, warnAt: new Date(due.getTime() - 60 * MIN), ...over });
    await db.dataSource.getRepository(Task).insert(t);
    return t;
  };
  const digestCommands = () => db.dataSource.getRepository(OutboxCommand).find({ where: { type: TASK_DIGEST } });

  beforeAll(async () => {
    db = await createTestDb();
    p = buildPipeline(db);
    users.subjefatura = await createStaff(db.dataSource, 'sistemas1', 'subjefatura');
    users.subdireccion = await createStaff(db.dataSource, 'oficialia1', 'subdireccion');
    users.primaria = await createStaff(db.dataSource, 'primaria1', 'nivel', { nivelClave: 'PRIMARIA' });
    users.secundaria = await createStaff(db.dataSource, 'secundaria1', 'nivel', { nivelClave: 'SECUNDARIA' });
    users.responsable = await createStaff(db.dataSource, 'programa1', 'responsable');
    users.inactivo = await createStaff(db.dataSource, 'sistemas2', 'subjefatura', { activo: false });
    users.admin = await createStaff(db.dataSource, 'admin1', 'administrador');
    scheduler = newScheduler();
  });
  afterAll(async () => {
    await p?.close();
    await db?.close();
  });

  it('starts each user from now: the tasks already waiting are not mailed', async () => {
    await addTask({ folio: 'MCI-ANTES-000001', createdAt: at(-60) });
    expect(await scheduler.schedule(at(0))).toBe(0);
    const marks = await db.dataSource.getRepository(TaskDigest).find();
    // Every active user with an inbox and an address; not the inactive one, not the administrator.
    expect(marks.map((m) => m.userId).sort()).toEqual(
      [users.subjefatura, users.subdireccion, users.primaria, users.secundaria, users.responsable]
        .map((u) => u.id)
        .sort(),
    );
    for (const m of marks) expect(m.sentUntil).toEqual(new Date(t0.getTime() - DIGEST_SETTLE_MS));
    await p.drain();
    expect(mails()).toHaveLength(0);
  });

  it('sends each user one digest with the new tasks their role and level may see, and no more', async () => {
    const sub = await addTask({ folio: 'MCI-SUBJ-000001', title: 'Turnar el oficio', createdAt: at(1) });
    const prim = await addTask({
      folio: 'MCI-PRIM-000001',
      candidateRole: 'nivel',
      nivelClave: 'PRIMARIA',
      title: 'Revisar el alta de la escuela',
      procedureId: 'centro-trabajo-alta',
      createdAt: at(2),
    });
    const sec = await addTask({
      folio: 'MCI-SECU-000001',
      candidateRole: 'nivel',
      nivelClave: 'SECUNDARIA',
      createdAt: at(2),
    });
    // Addressed to no level: no Nivel sees it.
    const noLevel = await addTask({ folio: 'MCI-NADIE-000001', candidateRole: 'nivel', createdAt: at(3) });
    const resp = await addTask({
      folio: 'MCI-RESP-000001',
      candidateRole: 'responsable',
      responsableId: users.responsable.id,
      createdAt: at(3),
    });
    const otherResp = await addTask({
      folio: 'MCI-RESP-000002',
      candidateRole: 'responsable',
      responsableId: 'alguien-mas',
      createdAt: at(3),
    });
    // Arrived and already attended: not waiting in anybody's inbox.
    const closed = await addTask({ folio: 'MCI-CERR-000001', status: 'cerrada', createdAt: at(4) });

    // Before the interval has passed since the watermark: nothing yet.
    expect(await scheduler.schedule(at(10))).toBe(0);
    // Past it: the four people with something new, not the Subdirección.
    expect(await scheduler.schedule(at(17))).toBe(4);
    await p.drain();

    const all = [sub, prim, sec, noLevel, resp, otherResp, closed].map((t) => t.folio!);
    const listed = (m: ParsedMessage) => all.filter((f) => m.text!.includes(f)).sort();
    const [toSub] = digestsTo('sistemas1');
    const [toPrim] = digestsTo('primaria1');
    const [toSec] = digestsTo('secundaria1');
    const [toResp] = digestsTo('programa1');
    expect(mails()).toHaveLength(4);
    expect(listed(toSub)).toEqual(['MCI-SUBJ-000001']);
    expect(listed(toPrim)).toEqual(['MCI-PRIM-000001']);
    expect(listed(toSec)).toEqual(['MCI-SECU-000001']);
    expect(listed(toResp)).toEqual(['MCI-RESP-000001']);
    expect(digestsTo('oficialia1')).toHaveLength(0);
    expect(digestsTo('sistemas2')).toHaveLength(0);
    // Nothing of the other recipients in the message either (one addressee per message).
    expect(toPrim.header('to')).not.toMatch(/secundaria1|sistemas1/);

    // What a task says: folio, procedure, step, due date in Mexico City, the case's page at the public address.
    expect(toPrim.header('subject')).toBe('Tareas nuevas en su bandeja: 1');
    expect(toPrim.text).toContain('Folio: MCI-PRIM-000001');
    const title = p.engine.registry.definitions.find((d) => d.id === 'centro-trabajo-alta')!.title;
    expect(toPrim.text).toContain(`Trámite: ${title}`);
    expect(toPrim.text).toContain('Paso: Revisar el alta de la escuela');
    expect(toPrim.text).toMatch(/Vence: \d+ de \S+ de \d{4} a las 12:30 h/);
    expect(toPrim.text).toContain(`${p.config.publicBaseUrl}/tramites/${prim.caseId}`);
    expect(toPrim.text).toContain(`Atiéndalas en: ${p.config.publicBaseUrl}/bandeja`);
    expect(toPrim.html).toContain('MCI-PRIM-000001');
    expect(toPrim.html).toContain(`href="${p.config.publicBaseUrl}/bandeja"`);
    expect(toPrim.html).toContain('Mensaje automático de Mi Correo Institucional');
    // The count of all their open tasks: the Subjefatura's new one and the one that was waiting before.
    expect(toSub.text).toContain('Tareas abiertas en su bandeja, en total: 2');
    expect(toPrim.text).toContain('Tareas abiertas en su bandeja, en total: 1');

    // The watermark moved for those who got a digest; the Subdirección's stays where it was.
    const mark = async (u: StaffUser) =>
      (await db.dataSource.getRepository(TaskDigest).findOneByOrFail({ userId: u.id })).sentUntil;
    expect(await mark(users.primaria)).toEqual(new Date(at(17).getTime() - DIGEST_SETTLE_MS));
    expect(await mark(users.subdireccion)).toEqual(new Date(t0.getTime() - DIGEST_SETTLE_MS));
    // The database records what each digest included.
    const payloads = (await digestCommands()).map((c) => JSON.parse(c.payload) as DigestPayload);
    const forPrim = payloads.find((x) => x.userId === users.primaria.id)!;
    expect(forPrim.tareas.map((t) => t.tramite)).toEqual([prim.caseId]);
    expect(forPrim).toMatchObject({ nuevas: 1, abiertas: 1, rol: 'nivel', nivelClave: 'PRIMARIA' });
  });

  it('sends nothing when nothing new arrived, and nothing twice when the jobs run again', async () => {
    const before = mails().length;
    expect(await scheduler.schedule(at(40))).toBe(0);
    expect(await scheduler.schedule(at(80))).toBe(0);
    await p.drain();
    await p.relay.recover(new Date(), 0);
    await p.drain();
    expect(mails()).toHaveLength(before);
  });

  it('writes one digest per window when two processes run it at once', async () => {
    const before = mails().length;
    const commands = (await digestCommands()).length;
    await addTask({ folio: 'MCI-SUBJ-000002', createdAt: at(81) });
    const other = newScheduler();
    // Two processes, clocks a few seconds apart (different keys: only the watermark can stop the second).
    const written = await Promise.all([
      scheduler.schedule(at(100)),
      other.schedule(new Date(at(100).getTime() + 5_000)),
    ]);
    expect(written.reduce((a, b) => a + b, 0)).toBe(1);
    // And again right after: the interval has not passed since.
    expect(await other.schedule(at(101))).toBe(0);
    await p.drain();
    await p.drain();
    expect(await digestCommands()).toHaveLength(commands + 1);
    expect(mails()).toHaveLength(before + 1);
    const last = digestsTo('sistemas1');
    expect(last).toHaveLength(2);
    expect(last.filter((m) => m.text!.includes('MCI-SUBJ-000002'))).toHaveLength(1);
  });

  it('sends nothing to someone whose level changed after the digest was written (deny by default)', async () => {
    const before = mails().length;
    await addTask({ folio: 'MCI-PRIM-000002', candidateRole: 'nivel', nivelClave: 'PRIMARIA', createdAt: at(102) });
    expect(await scheduler.schedule(at(130))).toBe(1);
    await db.dataSource.getRepository(StaffUser).update({ id: users.primaria.id }, { nivelClave: 'SECUNDARIA' });
    await p.drain();
    expect(mails()).toHaveLength(before);
    expect((await digestCommands()).every((c) => c.status === 'hecho')).toBe(true);
  });

  it('lists the first tasks that arrived and counts them all (the inbox query behind the digest)', async () => {
    const inbox = new InboxService(db.dataSource);
    const subjefatura = { id: users.subjefatura.id, role: 'subjefatura' as const };
    // Open Subjefatura tasks so far: the one waiting before, MCI-SUBJ-000001 and MCI-SUBJ-000002.
    const all = await inbox.arrivals(subjefatura, at(-120), at(200), 10);
    expect(all.items.map((t) => t.folio)).toEqual(['MCI-ANTES-000001', 'MCI-SUBJ-000001', 'MCI-SUBJ-000002']);
    const first = await inbox.arrivals(subjefatura, at(-120), at(200), 1);
    expect(first).toMatchObject({ total: 3, items: [{ folio: 'MCI-ANTES-000001' }] });
    // The window is (after, upTo]: a task created exactly at `after` belonged to the previous one.
    expect((await inbox.arrivals(subjefatura, at(1), at(200), 10)).items.map((t) => t.folio)).toEqual([
      'MCI-SUBJ-000002',
    ]);
    // A Nivel with no level set sees nothing, not every level's tasks.
    expect(await inbox.arrivals({ id: 'x', role: 'nivel', nivelClave: null }, at(-120), at(200), 10)).toEqual({
      items: [],
      total: 0,
    });
  });

  it('is off with TASK_DIGEST_INTERVAL_MIN=0', async () => {
    await addTask({ folio: 'MCI-SUBJ-000003', createdAt: at(131) });
    expect(await newScheduler(0).schedule(at(400))).toBe(0);
  });
});
