import { CaseQueryService } from '../../src/engine/case-query.service';
import { ProcedureCase } from '../../src/engine/entities/case.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { Task } from '../../src/engine/entities/task.entity';
import { InboxService } from '../../src/engine/inbox.service';
import type { Actor } from '../../src/auth/actor';
import type { CreateAccountRequest, DirectoryAccount } from '../../src/provisioning/providers/directory-provider';
import { ProviderError } from '../../src/provisioning/providers/directory-provider';
import { LocalDirectoryProvider } from '../../src/provisioning/providers/local/local-directory.provider';
import { addWorker, buildPipeline, confirmPersonalAlta } from '../support/pipeline';
import { createTestDb, type TestDb } from '../support/test-db';

const sj: Actor = { id: 'u-sj', role: 'subjefatura' };

/** The real local directory, with failures queued in front of `create` — how a remote directory misbehaves. */
class FlakyDirectory extends LocalDirectoryProvider {
  readonly failures: ProviderError[] = [];
  calls = 0;
  override async create(req: CreateAccountRequest): Promise<DirectoryAccount> {
    this.calls++;
    const f = this.failures.shift();
    if (f) throw f;
    return super.create(req);
  }
}

describe('provisioning failures: retries with backoff, incidents the Subjefatura resolves', () => {
  let db: TestDb;
  let dir: FlakyDirectory;
  let p: ReturnType<typeof buildPipeline>;
  beforeAll(async () => {
    db = await createTestDb();
    dir = new FlakyDirectory(db.dataSource);
    p = buildPipeline(db, { directory: dir, env: { RETRY_BASE_MS: '50' } });
    await p.engine.syncCatalog(new Date('2026-01-01T00:00:00Z'));
  });
  afterAll(async () => {
    await p?.close();
    await db?.close();
  });

  async function confirmedCase() {
    const w = await addWorker(db.dataSource);
    const c = await confirmPersonalAlta(p.engine, w);
    return c.caseId;
  }

  /** Relays and waits, also for the short delayed retries, until the case stops waiting. */
  async function settle(caseId: string, ms = 15_000): Promise<ProcedureCase> {
    const until = Date.now() + ms;
    for (;;) {
      await p.drain();
      const row = await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: caseId });
      if (row.status !== 'activo' || Date.now() > until) return row;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('retries a rate-limited directory after its Retry-After, and the case finishes', async () => {
    dir.failures.push(new ProviderError('transient', 'rate_limited', { retryAfterMs: 1500 }));
    const caseId = await confirmedCase();
    const t0 = Date.now();
    const row = await settle(caseId);
    expect(row).toMatchObject({ status: 'concluido', outcome: 'creada' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    const cmd = await db.dataSource.getRepository(OutboxCommand).findOneByOrFail({ caseId, type: 'provision' });
    expect(cmd).toMatchObject({ status: 'hecho', attempts: 1 }); // one failure
  });

  it('fails at once on a permanent error: incident with the Spanish message, REINTENTAR after the fix finishes it', async () => {
    dir.failures.push(new ProviderError('permanent', 'duplicate'));
    const caseId = await confirmedCase();
    const calls = dir.calls;
    const row = await settle(caseId);
    expect(dir.calls).toBe(calls + 1); // no retries for a permanent error
    expect(row.status).toBe('incidente');
    expect(row.state).toBe('incidente');
    const ctx = JSON.parse(row.snapshot).context;
    expect(ctx.incidente.message).toBe('La dirección ya existe en el directorio y pertenece a otro titular.');
    // The reason is stored on the case and the API shows it (it was saved empty: `incidente: null`).
    expect(row.incidentMessage).toBe('La dirección ya existe en el directorio y pertenece a otro titular.');
    const cases = new CaseQueryService(db.dataSource, p.engine, new InboxService(db.dataSource));
    expect((await cases.get(caseId, sj)).incidente).toBe(
      'La dirección ya existe en el directorio y pertenece a otro titular.',
    );
    const task = await db.dataSource.getRepository(Task).findOneByOrFail({ caseId, status: 'abierta' });
    expect(task).toMatchObject({ candidateRole: 'subjefatura', priority: 1 });

    await p.engine.send(caseId, { type: 'REINTENTAR' }, sj);
    const done = await settle(caseId);
    expect(done).toMatchObject({ status: 'concluido', outcome: 'creada', incidentMessage: null });
    expect((await cases.get(caseId, sj)).incidente).toBeNull();
    expect(await db.dataSource.getRepository(OutboxCommand).countBy({ caseId, type: 'provision' })).toBe(2);
  });

  it('gives up after the retries run out and lets the Subjefatura cancel', async () => {
    for (let i = 0; i < 10; i++) dir.failures.push(new ProviderError('transient', 'unavailable', { retryAfterMs: 1 }));
    const caseId = await confirmedCase();
    const row = await settle(caseId, 30_000); // RETRY_BASE_MS=50: 5 backoffs of 50 ms doubling
    expect(row.status).toBe('incidente');
    expect(
      await db.dataSource.getRepository(OutboxCommand).findOneByOrFail({ caseId, type: 'provision' }),
    ).toMatchObject({ status: 'fallido', attempts: 6 });
    expect(JSON.parse(row.snapshot).context.incidente.message).toMatch(/no está disponible.*se agotaron 6 intentos/);
    expect(row.incidentMessage).toMatch(/no está disponible.*se agotaron 6 intentos/);
    dir.failures.length = 0;
    await p.engine.send(
      caseId,
      { type: 'CANCELAR', motivo: 'El directorio no responde; se atenderá por otro medio.' },
      sj,
    );
    expect(await db.dataSource.getRepository(ProcedureCase).findOneByOrFail({ id: caseId })).toMatchObject({
      status: 'concluido',
      outcome: 'cancelada',
    });
  });
});
