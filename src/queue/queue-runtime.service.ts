import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MaintenanceLease } from './maintenance-lease';
import { legacyRelay, type RelayWake } from './outbox-wake';
import { type JobHandler, QUEUE_DRIVER, type QueueDriver } from './queue-driver';

export const QUEUE_ROLE = Symbol('QUEUE_ROLE');
/** The lease of the maintenance passes (absent where a test builds the runtime without a database). */
export const MAINTENANCE_LEASE = Symbol('MAINTENANCE_LEASE');
/** The lease's name in process_lease. */
export const MAINTENANCE = 'mantenimiento';
/** web: serves and relays; worker: relays and runs jobs; all-in-one: the embedded default (both, one process). */
export type QueueRole = 'web' | 'worker' | 'all-in-one' | 'off';

/** What runs the jobs of every queue, registered by the module that owns the work. */
export interface JobConsumer {
  readonly handle: JobHandler;
  /** At boot, in every process that runs the queues (web too): throws when it could not run what may be queued. */
  check?(): void;
  /**
   * At boot, in a process that consumes a queue kept in its own memory, before it consumes: what that memory held at
   * the last exit is gone. Returns how many jobs go back to the queue.
   */
  resume?(): Promise<number>;
}

interface Recurring<T> {
  name: string;
  run: () => Promise<T>;
}

/**
 * Starts the relays (work moved into the queues), the maintenance tasks and, where this process runs jobs, the
 * consumer. It knows none of them: the modules that own them register them here before the application bootstraps
 * (in their onModuleInit). Web processes with Redis only enqueue; `npm run worker` processes consume. Without Redis
 * the web process does everything in-process.
 */
@Injectable()
export class QueueRuntime implements OnApplicationBootstrap, OnApplicationShutdown, RelayWake {
  private readonly log = new Logger('Colas');
  private consumer?: JobConsumer;
  private readonly relays: Recurring<number>[] = [];
  private readonly maintenance: Recurring<unknown>[] = [];
  private relayTimer?: NodeJS.Timeout;
  private recoveryTimer?: NodeJS.Timeout;
  /** The relay pass running now, and the one pass asked for while it runs (every caller meanwhile shares it). */
  private running?: Promise<number>;
  private following?: Promise<number>;
  private recovering = false;
  /** Whether this process held the maintenance lease at its last pass. */
  private leading = false;
  private stopped = false;
  private started = false;

  constructor(
    @Inject(QUEUE_DRIVER) readonly driver: QueueDriver,
    @Inject(QUEUE_ROLE) private readonly role: QueueRole,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(MAINTENANCE_LEASE) private readonly lease?: MaintenanceLease,
  ) {}

  /** The one consumer of the queues' jobs. */
  consumeWith(consumer: JobConsumer): void {
    if (this.consumer) throw new Error('Las colas ya tienen quien ejecute sus trabajos');
    this.consumer = consumer;
  }

  /** Work moved into the queues every RELAY_INTERVAL_MS; `relay` returns how many jobs it queued. `name` is read in the log. */
  addRelay(name: string, relay: () => Promise<number>): void {
    this.relays.push({ name, run: relay });
  }

  /** Maintenance every RECOVERY_INTERVAL_MS, in the order registered. `name` is read in the log. */
  addMaintenance(name: string, task: () => Promise<unknown>): void {
    this.maintenance.push({ name, run: task });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.role === 'off') return;
    this.consumer?.check?.();
    if (this.role !== 'web') {
      if (!this.consumer)
        throw new Error('Este proceso ejecuta los trabajos de las colas, pero ningún módulo los atiende');
      if (this.driver.name === 'in-process' && this.consumer.resume) {
        const n = await this.consumer.resume();
        if (n) this.log.log(`${n} trabajo(s) de una ejecución anterior vuelven a la cola`);
      }
      this.driver.consume(this.consumer.handle, this.config.workerConcurrency);
    }
    this.started = true;
    this.relayTimer = setInterval(() => void this.relayOnce(), this.config.relayIntervalMs);
    this.recoveryTimer = setInterval(() => void this.periodic(), this.config.recoveryIntervalMs);
    this.relayTimer.unref();
    this.recoveryTimer.unref();
    this.log.log(`Colas: ${this.driver.name}, este proceso: ${this.role}`);
  }

  /**
   * A commit of this process wrote work for the queues (outbox rows): a pass of the relays now, without waiting for
   * the timer (which stays for other processes' commits). Coalesced by relayOnce: however many commits wake it, at
   * most one pass runs and one more waits. Nothing before the runtime starts, after it stops, or with
   * OUTBOX_RELAY_LEGACY. The pass starts synchronously, so an in-process queue is not idle between the job whose
   * commit woke it and the jobs it queues.
   *
   * Only where the queues are shared (web and worker processes on Redis). The embedded default (all-in-one: one
   * process, SQLite's one connection) keeps its timer: a pass after every commit there would queue for the same
   * connection as the requests, to save at most RELAY_INTERVAL_MS, and its tests step the relay by hand.
   */
  wake(): void {
    if (!this.started || this.stopped || this.role === 'all-in-one' || legacyRelay()) return;
    void this.relayOnce();
  }

  /**
   * A pass of every relay that starts after this call; how many jobs it queued. Never two passes at once in this
   * process: called while one runs, it waits for it and runs one more (shared by every call meanwhile), since what
   * the caller committed may have come after the running pass read the outbox.
   */
  relayOnce(): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    if (!this.running) return this.startPass();
    this.following ??= this.running.then(() => {
      this.following = undefined;
      return this.relayOnce();
    });
    return this.following;
  }

  private startPass(): Promise<number> {
    const pass = this.pass().finally(() => {
      if (this.running === pass) this.running = undefined;
    });
    this.running = pass;
    this.driver.holdIdle?.(pass);
    return pass;
  }

  private async pass(): Promise<number> {
    let queued = 0;
    for (const relay of this.relays) {
      try {
        queued += await relay.run();
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, `No se pudo pasar ${relay.name} a las colas; se reintentará`);
      }
    }
    return queued;
  }

  /**
   * One pass of the maintenance tasks; one failing does not stop the rest. Never two passes at once in this process,
   * and among processes only the lease's holder runs them: it renews the lease for three intervals each pass, so a
   * holder that died is replaced within three intervals (its tasks are safe to run twice, but once is the rule).
   */
  async periodic(): Promise<void> {
    if (this.recovering || this.stopped) return;
    this.recovering = true;
    try {
      if (this.lease && !(await this.holdsMaintenance())) return;
      for (const task of this.maintenance) {
        try {
          await task.run();
        } catch (e) {
          this.log.error({ err: (e as Error).message }, `Falló ${task.name}; se reintentará`);
        }
      }
    } finally {
      this.recovering = false;
    }
  }

  private async holdsMaintenance(): Promise<boolean> {
    try {
      const held = await this.lease!.take(MAINTENANCE, 3 * this.config.recoveryIntervalMs);
      if (held && !this.leading) this.log.log('Este proceso ejecuta el mantenimiento periódico');
      this.leading = held;
      return held;
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'No se pudo tomar el turno del mantenimiento; se reintentará');
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.relayTimer);
    clearInterval(this.recoveryTimer);
    // The next process takes the maintenance over at its next pass, not after the lease would expire.
    if (this.leading) await this.lease?.release(MAINTENANCE).catch(() => undefined);
    await this.driver.close();
  }
}
