import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { StoredFileSweep } from '../oficios/file-sweep';
import { ActivationService } from '../provisioning/activation.service';
import { JobRunner } from './job-runner.service';
import { OutboxRelay } from './outbox-relay.service';
import { QUEUE_DRIVER, type QueueDriver } from './queue-driver';

export const QUEUE_ROLE = Symbol('QUEUE_ROLE');
/** web: serves and relays; worker: relays and runs jobs; all-in-one: the embedded default (both, one process). */
export type QueueRole = 'web' | 'worker' | 'all-in-one' | 'off';

/**
 * Starts the relay loop, the recovery job and (where this process runs jobs) the consumers. Web processes with Redis
 * only enqueue; `npm run worker` processes consume. Without Redis the web process does everything in-process.
 */
@Injectable()
export class QueueRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Colas');
  private relayTimer?: NodeJS.Timeout;
  private recoveryTimer?: NodeJS.Timeout;
  private relaying = false;
  private recovering = false;
  private stopped = false;

  constructor(
    @Inject(QUEUE_DRIVER) readonly driver: QueueDriver,
    @Inject(QUEUE_ROLE) private readonly role: QueueRole,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly relay: OutboxRelay,
    private readonly runner: JobRunner,
    private readonly activation: ActivationService,
    private readonly fileSweep: StoredFileSweep,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.role === 'off') return;
    this.runner.assertComplete();
    if (this.role !== 'web') {
      if (this.driver.name === 'in-process') {
        const n = await this.relay.requeueAllEnqueued();
        if (n) this.log.log(`${n} trabajo(s) de una ejecución anterior vuelven a la cola`);
      }
      this.driver.consume(this.runner.handle, this.config.workerConcurrency);
    }
    this.relayTimer = setInterval(() => void this.relayOnce(), this.config.relayIntervalMs);
    this.recoveryTimer = setInterval(() => void this.periodic(), this.config.recoveryIntervalMs);
    this.relayTimer.unref();
    this.recoveryTimer.unref();
    this.log.log(`Colas: ${this.driver.name}, este proceso: ${this.role}`);
  }

  /** One relay pass, never two at once in this process. */
  async relayOnce(): Promise<number> {
    if (this.relaying || this.stopped) return 0;
    this.relaying = true;
    try {
      return await this.relay.relay();
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'No se pudo pasar la bandeja de salida a las colas; se reintentará');
      return 0;
    } finally {
      this.relaying = false;
    }
  }

  /**
   * The recovery job, the self-service expiry and 5.2.1's first use, every RECOVERY_INTERVAL_MS (never two passes at
   * once in this process); stored files nobody names, hourly.
   */
  async periodic(): Promise<void> {
    if (this.recovering || this.stopped) return;
    this.recovering = true;
    try {
      await this.periodicPass();
    } finally {
      this.recovering = false;
    }
  }

  private async periodicPass(): Promise<void> {
    try {
      await this.relay.recover();
      await this.relay.expireAbandonedSelfService();
      await this.activation.sweepFirstUse();
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'Recuperación fallida');
    }
    await this.fileSweep.sweepIfDue(); // never throws: logs its own errors
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.relayTimer);
    clearInterval(this.recoveryTimer);
    await this.driver.close();
  }
}
