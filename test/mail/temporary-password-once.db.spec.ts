import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cuenta } from '../../src/catalog/entities/cuenta.entity';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { SendCredentialsProcessor } from '../../src/provisioning/notification.processors';
import type { LocalDirectoryProvider } from '../../src/provisioning/providers/local/local-directory.provider';
import { addWorker, buildPipeline, confirmPersonalAlta } from '../support/pipeline';
import { createTestDb, type TestDb } from '../support/test-db';
import { parseMessage } from './support/mime';

/**
 * CREDENTIAL_DELIVERY=temporal: each attempt sets a new temporary password, so its mail has a key (and Message-ID) of
 * its own. A retry of a job whose mail was already accepted — the attempt died before reporting to its case — must
 * neither change the password nor mail another one: the holder keeps the one message that works.
 */

describe('temporary password mail: once per job, not once per attempt', () => {
  let db: TestDb;
  let p: ReturnType<typeof buildPipeline>;
  beforeAll(async () => {
    db = await createTestDb();
    p = buildPipeline(db, { env: { CREDENTIAL_DELIVERY: 'temporal' } });
    await p.engine.syncCatalog(new Date('2026-01-01T00:00:00Z'));
  });
  afterAll(async () => {
    await p?.close();
    await db?.close();
  });

  const mails = (): string[] => readdirSync(join(db.dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));

  it('a retried sendCredentials after the mail was sent keeps the mailed password and sends nothing', async () => {
    const w = await addWorker(db.dataSource, { nombre: 'Rocío', primerApellido: 'Zamora' });
    const c = await confirmPersonalAlta(p.engine, w);
    await p.drain();

    const cuenta = await db.dataSource.getRepository(Cuenta).findOneByOrFail({ titularCurp: w.curp });
    const sent = mails();
    expect(sent).toHaveLength(1);
    const password = /Contraseña temporal: (\S+)/.exec(
      parseMessage(readFileSync(join(db.dataDir, 'outbox', sent[0]))).text ?? '',
    )?.[1];
    expect(password).toBeDefined();
    const local = p.directory as LocalDirectoryProvider;
    expect(await local.verifyPassword(cuenta.direccion, password!)).toBe('must_change');

    // The same job again, as the queue runs it when the execution that sent the mail died before reporting: a crash
    // is not a failure, so the command's `attempts` (failures) has not moved.
    const cmd = await db.dataSource
      .getRepository(OutboxCommand)
      .findOneByOrFail({ caseId: c.caseId, type: 'sendCredentials' });
    expect(cmd.attempts).toBe(0);
    const processor = p.processors.find((x): x is SendCredentialsProcessor => x instanceof SendCredentialsProcessor)!;
    await expect(processor.handle(cmd, JSON.parse(cmd.payload))).resolves.toEqual({ type: 'CREDENTIALS_SENT' });

    expect(mails()).toEqual(sent);
    expect(await local.verifyPassword(cuenta.direccion, password!)).toBe('must_change');
  });
});
