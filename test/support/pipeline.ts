import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Actor } from '../../src/auth/actor';
import { PROCEDURES } from '../../machines';
import { CatalogEventFacts } from '../../src/catalog/catalog-event-facts';
import { SignInLimits } from '../../src/auth/sign-in-limits';
import { StaffUsersService } from '../../src/auth/staff-users.service';
import { CatalogAccounts } from '../../src/catalog/catalog-accounts';
import { MemoryRateLimitStore } from '../../src/common/rate-limit';
import { CatalogRecords } from '../../src/catalog/catalog-records';
import { CaseRecords } from '../../src/engine/case-records';
import { Trabajador } from '../../src/catalog/entities/trabajador.entity';
import { workerSearchText } from '../../src/catalog/import/catalog-sync';
import { generateCurp } from '../../src/validation/curp-generate';
import { type AppConfig, loadConfig } from '../../src/config/config';
import { CalendarService } from '../../src/engine/calendar.service';
import { type CommandProcessor, EffectProcessors } from '../../src/engine/effects/effect-processor';
import { JobRunner } from '../../src/engine/effects/job-runner.service';
import { OutboxRelay } from '../../src/engine/effects/outbox-relay.service';
import { TaskDigestProcessor } from '../../src/engine/effects/task-digest.processor';
import { TaskReminderProcessor } from '../../src/engine/effects/task-reminder.processor';
import { EngineService } from '../../src/engine/engine.service';
import { IdleCaseExpiry } from '../../src/engine/idle-expiry';
import { MailTemplates } from '../../src/mail/mail-templates';
import { createMailer, type Mailer } from '../../src/mail/mailer';
import { SentMailLedger } from '../../src/mail/sent-mail-ledger';
import { ActivationService } from '../../src/provisioning/activation.service';
import { AddressAvailability } from '../../src/provisioning/address/address-availability';
import { AddressGenerator } from '../../src/provisioning/address/address-generator';
import { HoldersService } from '../../src/provisioning/holders.service';
import {
  NotifyHolderProcessor,
  NotifySchoolProcessor,
  SendCredentialsProcessor,
} from '../../src/provisioning/notification.processors';
import type { DirectoryProvider } from '../../src/provisioning/providers/directory-provider';
import { LocalDirectoryProvider } from '../../src/provisioning/providers/local/local-directory.provider';
import { ProvisionProcessor, WipeChosenPasswordProcessor } from '../../src/provisioning/provision.processor';
import { InProcessDriver } from '../../src/queue/in-process.driver';
import type { TestDb } from './test-db';

/**
 * The engine, the outbox relay, the idle cases' expiry, the in-process queue and the real provisioning, mail, reminder and digest processors over a test
 * database (local directory, .eml outbox). `extra` adds processors (e.g. the letters') or answers the ones not given.
 */
export function buildPipeline(
  db: TestDb,
  opts: {
    env?: Record<string, string>;
    extra?: CommandProcessor[];
    directory?: DirectoryProvider;
    mailer?: Mailer;
  } = {},
) {
  const ds: DataSource = db.dataSource;
  const config: AppConfig = loadConfig({ NODE_ENV: 'test', DATA_DIR: db.dataDir, LOG_LEVEL: 'silent', ...opts.env });
  const engine = new EngineService(ds, PROCEDURES, new CalendarService(ds), new CatalogEventFacts());
  const directory = opts.directory ?? new LocalDirectoryProvider(ds);
  const mailer =
    opts.mailer ??
    createMailer(config, { ledger: new SentMailLedger(ds), logger: { log: () => undefined, warn: () => undefined } });
  const templates = MailTemplates.load();
  const catalog = new CatalogRecords(ds);
  const accounts = new CatalogAccounts(ds);
  const cases = new CaseRecords(ds, engine);
  const holders = new HoldersService(catalog);
  const activation = new ActivationService(ds, config, directory, holders, engine, cases, catalog);
  const addresses = new AddressGenerator({ domain: config.mailDomain });
  const staff = new StaffUsersService(ds, new SignInLimits(new MemoryRateLimitStore()), catalog);
  const processors: CommandProcessor[] = [
    new ProvisionProcessor(
      ds,
      directory,
      config,
      holders,
      addresses,
      accounts,
      catalog,
      new AddressAvailability(directory, accounts, addresses),
    ),
    new WipeChosenPasswordProcessor(ds),
    new SendCredentialsProcessor(ds, mailer, config, directory, templates, holders, activation, accounts, cases),
    new NotifyHolderProcessor(ds, mailer, templates, holders, accounts, cases),
    new NotifySchoolProcessor(mailer, templates, catalog, cases),
    new TaskReminderProcessor(ds, mailer, config, staff, templates),
    new TaskDigestProcessor(mailer, config, staff, templates),
    ...(opts.extra ?? []),
  ];
  const driver = new InProcessDriver();
  const runner = new JobRunner(ds, driver, new EffectProcessors(processors), engine, config);
  const relay = new OutboxRelay(ds, driver, engine, runner);
  const idle = new IdleCaseExpiry(ds, engine);
  driver.consume(runner.handle, 2);
  Logger.overrideLogger(false);
  /** Relays and runs jobs until nothing is left to do now (delayed reminders stay delayed). */
  const drain = async (): Promise<void> => {
    for (let i = 0; i < 50; i++) {
      const n = await relay.relay(new Date());
      await driver.idle();
      if (n === 0) return;
    }
    throw new Error('la cola no se vació');
  };
  return {
    ds,
    config,
    engine,
    directory,
    mailer,
    staff,
    holders,
    activation,
    processors,
    driver,
    runner,
    relay,
    idle,
    drain,
    close: () => driver.close(),
  };
}

let seq = 0;
/** A worker in the Capital Humano catalog with a valid CURP. */
export async function addWorker(ds: DataSource, extra: Partial<Trabajador> = {}): Promise<Trabajador> {
  seq++;
  const nombre = extra.nombre ?? 'María José';
  const primerApellido = extra.primerApellido ?? 'Núñez';
  const curp =
    extra.curp ??
    generateCurp({
      nombre,
      primerApellido,
      segundoApellido: 'Ochoa',
      fechaNacimiento: { year: 1980, month: 1 + (seq % 12), day: 1 + (seq % 28) },
      sexo: 'M',
      estado: 'CM',
      diferenciador: String(seq % 10),
    });
  const base = {
    curp,
    curt: `CURT${String(seq).padStart(6, '0')}`,
    nombre,
    primerApellido,
    segundoApellido: 'Ochoa',
    correoAlterno: `trabajador${seq}@correo-alterno.example`,
    cct: null,
    nivelClave: 'PRIMARIA',
    activo: true,
    ultimaImportacion: null,
    createdAt: new Date(),
    updatedAt: new Date(),
    ...extra,
  };
  // As the catalog import writes it: the folded name the name search compares.
  const t: Trabajador = { ...base, nombreBusqueda: extra.nombreBusqueda ?? workerSearchText(base) };
  await ds.getRepository(Trabajador).insert(t);
  return t;
}

/** The worker's own actor, as the self-service pages sign them in. */
export const asWorker = (curp: string): Actor => ({ id: `curp:${curp}`, role: 'trabajador', curp });

/** 5.1.1 by self-service: the worker (found, active, with an alternate e-mail) starts the alta of their personal account. */
export async function startPersonalAlta(engine: EngineService, w: Trabajador): Promise<{ caseId: string }> {
  return engine.start(
    'personal-alta',
    asWorker(w.curp),
    {},
    {
      startEvent: {
        curp: w.curp,
        found: true,
        active: true,
        hasAlternateEmail: true,
        nombre: w.nombre,
        cuentaId: null,
      },
    },
  );
}

/** 5.1.1 started and confirmed by the worker, which leaves the provision command in the outbox. */
export async function confirmPersonalAlta(engine: EngineService, w: Trabajador): Promise<{ caseId: string }> {
  const c = await startPersonalAlta(engine, w);
  await engine.send(c.caseId, { type: 'CONFIRMAR' }, asWorker(w.curp));
  return c;
}
