import { Injectable, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { PROCEDURES } from '../../machines';
import { AppModule } from '../../src/app.module';
import { AuthModule } from '../../src/auth/auth.module';
import { CatalogModule } from '../../src/catalog/catalog.module';
import { type AppConfig, loadConfig } from '../../src/config/config';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import {
  type CommandProcessor,
  EffectProcessor,
  EffectProcessors,
  JOB_TYPES,
  type JobType,
} from '../../src/engine/effects/effect-processor';
import { EngineModule } from '../../src/engine/engine.module';
import { ENTITIES } from '../../src/entities';
import { loadOrCreateTestSigner } from '../../src/letters/signer';
import type { EngineProcedure } from '../../src/engine/procedure-registry';
import { OutboxCommand } from '../../src/engine/entities/outbox.entity';
import { InProcessDriver } from '../../src/queue/in-process.driver';
import { QUEUE_DRIVER } from '../../src/queue/queue-driver';
import { QueueModule } from '../../src/queue/queue.module';
import type { QueueRole } from '../../src/queue/queue-runtime.service';
import { QueueRuntime } from '../../src/queue/queue-runtime.service';
import type { QueueName } from '../../src/queue/queue.types';
import { addCommand } from '../support/outbox';
import { createTestDb, type TestDb } from '../support/test-db';

const CATALOG = PROCEDURES as unknown as EngineProcedure[];

/** What the application had before processors were discovered: QueueModule.forRoot's list, each in its queue. */
const EXPECTED = [
  ['provision', 'ProvisionProcessor', 'provisioning'],
  ['wipeChosenPassword', 'WipeChosenPasswordProcessor', 'provisioning'],
  ['sendCredentials', 'SendCredentialsProcessor', 'notifications'],
  ['notifyHolder', 'NotifyHolderProcessor', 'notifications'],
  ['notifySchool', 'NotifySchoolProcessor', 'notifications'],
  ['renderAcuse', 'AcuseProcessor', 'letters'],
  ['renderReplyLetter', 'ReplyLetterProcessor', 'letters'],
  ['taskReminder', 'TaskReminderProcessor', 'reminders'],
  ['taskDigest', 'TaskDigestProcessor', 'reminders'],
].sort();

/** What each dummy processor was handed. */
const handled: { type: string; outboxId: string }[] = [];

/** A processor of `type` in `queue` that only notes what it ran: a module the queue module has never heard of. */
function dummyProcessor(type: JobType, queue: QueueName) {
  @Injectable()
  @EffectProcessor()
  class DummyProcessor implements CommandProcessor {
    readonly type = type;
    readonly queue = queue;
    async handle(cmd: OutboxCommand): Promise<null> {
      handled.push({ type, outboxId: cmd.id });
      return null;
    }
  }
  return DummyProcessor;
}

// Every effect but the engine's own task reminders and digests. The acuse's jobs go to the reminders queue here, to see that the
// queue is the processor's word.
@Module({
  providers: JOB_TYPES.filter((t) => t !== 'taskReminder' && t !== 'taskDigest').map((t) =>
    dummyProcessor(t, t === 'renderAcuse' ? 'reminders' : 'provisioning'),
  ),
})
class DummyEffectsModule {}

describe('effect processors: registered by the module that owns them, found by the engine', () => {
  let db: TestDb;
  let config: AppConfig;
  beforeAll(async () => {
    db = await createTestDb();
    config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATA_DIR: db.dataDir,
      ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
    });
    Logger.overrideLogger(false);
  });
  afterAll(async () => {
    await db?.close();
  });

  it.each<QueueRole>(['web', 'worker', 'off'])(
    'the application as %s gets the nine processors, each in its queue',
    async (role) => {
      // Without REDIS_URL: web becomes all-in-one; a worker consumes the in-process queue (Bull is not needed to see this).
      const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, CATALOG, role), {
        logger: false,
      });
      try {
        await app.init();
        const found = app
          .get(EffectProcessors)
          .all()
          .map((p) => [p.type, p.constructor.name, p.queue]);
        expect(found.sort()).toEqual(EXPECTED);
      } finally {
        await app.close();
      }
    },
  );

  it('runs a processor of a module the queue module does not know, in the queue the processor names', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(ENTITIES),
        AuthModule,
        CatalogModule,
        EngineModule.forRoot(CATALOG, loadOrCreateTestSigner(config.dataDir)),
        QueueModule.forRoot('all-in-one'),
        DummyEffectsModule,
      ],
    }).compile();
    const app = await moduleRef.init();
    try {
      const driver = app.get<InProcessDriver>(QUEUE_DRIVER);
      const enqueue = jest.spyOn(driver, 'enqueue');
      const id = await addCommand(db.dataSource);
      expect(await app.get(QueueRuntime).relayOnce()).toBe(1);
      await driver.idle();
      expect(enqueue).toHaveBeenCalledWith('reminders', `${id}:1`, { outboxId: id }, expect.any(Number));
      expect(handled).toEqual([{ type: 'renderAcuse', outboxId: id }]);
      expect(await db.dataSource.getRepository(OutboxCommand).findOneByOrFail({ id })).toMatchObject({
        status: 'hecho',
        attempts: 0,
      });
    } finally {
      await app.close();
    }
  });

  it('finds a missing processor, or two for one command, before anything runs', () => {
    const provision = new (dummyProcessor('provision', 'provisioning'))();
    expect(() => new EffectProcessors([provision]).assertComplete()).toThrow(
      'Faltan procesadores para: sendCredentials, notifyHolder, renderAcuse, renderReplyLetter, notifySchool, wipeChosenPassword, taskReminder',
    );
    expect(() => new EffectProcessors([provision, new (dummyProcessor('provision', 'letters'))()])).toThrow(
      'Dos procesadores para el trabajo «provision»',
    );
  });
});
