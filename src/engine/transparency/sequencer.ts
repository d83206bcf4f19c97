import { Injectable, type OnModuleInit } from '@nestjs/common';
import { QueueRuntime } from '../../queue/queue-runtime.service';
import { TransparencyLog } from './transparency-log';

/**
 * Runs the log's sequencer with the queue runtime's relays (every RELAY_INTERVAL_MS, in every process that relays:
 * the web process on the embedded default, and every web and worker process with Redis). Its database lock makes one
 * of them integrate at a time; the others find the lock taken and do nothing. It queues no job: it returns 0.
 */
@Injectable()
export class Sequencer implements OnModuleInit {
  constructor(
    private readonly runtime: QueueRuntime,
    private readonly log: TransparencyLog,
  ) {}

  onModuleInit(): void {
    this.runtime.addRelay('la bitácora (secuenciador)', async () => {
      await this.log.integrate();
      return 0;
    });
  }
}
