import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { QueueRuntime } from '../../queue/queue-runtime.service';
import { IdleCaseExpiry } from '../idle-expiry';
import { TaskReminderSweep } from './task-reminder-sweep';
import { DashboardCounts } from '../dashboard-counts';
import { TaskDigestScheduler } from '../task-digest';
import { type CommandProcessor, EffectProcessor, EffectProcessors } from './effect-processor';
import { JobRunner } from './job-runner.service';
import { OutboxRelay } from './outbox-relay.service';

/**
 * The engine's side effects on the queues: gathers every @EffectProcessor() of the application, whichever module
 * provides it, and gives the queue runtime the outbox's consumer, its relay and its maintenance (recovery, the idle
 * cases' expiry, the task reminders' sweep, the digests of new tasks). Before the application bootstraps, when the
 * runtime starts them.
 */
@Injectable()
export class EffectQueues implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly processors: EffectProcessors,
    private readonly runtime: QueueRuntime,
    private readonly runner: JobRunner,
    private readonly relay: OutboxRelay,
    private readonly idle: IdleCaseExpiry,
    private readonly reminders: TaskReminderSweep,
    private readonly digest: TaskDigestScheduler,
    private readonly counts: DashboardCounts,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: EffectProcessor.KEY })) {
      // Every provider is instantiated before any onModuleInit; a request-scoped one would have no instance (none is).
      if (wrapper.instance) this.processors.add(wrapper.instance as CommandProcessor);
    }
    this.runtime.consumeWith({
      handle: this.runner.handle,
      check: () => this.processors.assertComplete(),
      resume: () => this.relay.requeueAllEnqueued(),
    });
    this.runtime.addRelay('la bandeja de salida', () => this.relay.relay());
    this.runtime.addMaintenance('la recuperación de trabajos perdidos', () => this.relay.recover());
    this.runtime.addMaintenance('el vencimiento de trámites sin atender', () => this.idle.expire());
    this.runtime.addMaintenance('los recordatorios de tareas', () => this.reminders.sweep());
    this.runtime.addMaintenance('el resumen de tareas nuevas por correo', () => this.digest.schedule());
    this.runtime.addMaintenance('los contadores del tablero', () => this.counts.fold());
  }
}
