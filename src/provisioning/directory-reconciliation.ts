import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { directoryRunInProgress, reconcileDirectory, type ReconcileResult } from '../catalog/reconciliation';
import { DEFAULT_DIRECTORY_PAGE, type DirectoryProvider } from './providers/directory-provider';

/** A run «en_curso» whose heartbeat is older than this died with its process: another may start. */
export const DIRECTORY_RUN_STALE_MS = 5 * 60_000;

/**
 * The directory side of reconciliation as a background job of this process (issue 14): start() answers at once
 * with the run's id; the run lists the directory page by page and stores its progress (entries compared, heartbeat)
 * in its conciliacion_corrida row, so any process (a page, the CLI) can follow it. One at a time: a start while a run
 * with a recent heartbeat exists is refused.
 *
 * Not a Bull job: the queues carry the outbox commands of cases (a job is an outbox row of a case); a listing of the
 * whole directory belongs to no case, and its state already lives in the database.
 */
export class DirectoryReconciliation {
  private readonly log = new Logger('Conciliación');
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ds: DataSource,
    private readonly provider: DirectoryProvider,
    private readonly clock: () => Date = () => new Date(),
    private readonly pageSize = DEFAULT_DIRECTORY_PAGE,
  ) {}

  /** Starts a run in the background; resolves with its id once it exists. */
  async start(): Promise<string> {
    await this.refuseWhileRunning();
    return new Promise<string>((resolve, reject) => {
      const run = this.run((id) => resolve(id));
      this.running = run.then(
        () => undefined,
        (e: unknown) => {
          reject(e instanceof Error ? e : new Error(String(e)));
          this.log.error(`La conciliación con el directorio falló: ${(e as Error).message}`);
        },
      );
    });
  }

  /** Runs in the foreground (the CLI), with progress. */
  async runNow(onProgress?: (seen: number) => void): Promise<ReconcileResult> {
    await this.refuseWhileRunning();
    return this.run(undefined, onProgress);
  }

  /** Resolves when the background run (if any) has ended (tests, shutdown). */
  whenIdle(): Promise<unknown> {
    return this.running;
  }

  private run(onStart?: (id: string) => void, onProgress?: (seen: number) => void): Promise<ReconcileResult> {
    return reconcileDirectory(this.ds, {
      proveedor: this.provider.name,
      pages: this.provider.listPages({ pageSize: this.pageSize }),
      clock: this.clock,
      onStart,
      onProgress,
    });
  }

  private async refuseWhileRunning(): Promise<void> {
    const since = new Date(this.clock().getTime() - DIRECTORY_RUN_STALE_MS);
    if (await directoryRunInProgress(this.ds, since)) {
      throw new DomainError(
        'CONCILIACION_EN_CURSO',
        'Ya hay una conciliación con el directorio en curso; espere a que termine (su avance se ve en la página de Conciliación).',
        409,
      );
    }
  }
}
