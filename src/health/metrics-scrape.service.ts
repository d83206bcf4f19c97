import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError, notFound } from '../common/domain-error';
import {
  casesInIncident,
  dbPoolConnections,
  metricsRegistry,
  outboxCommands,
  outboxOldestSeconds,
  queueJobs,
} from '../common/metrics';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { HealthService } from './health.service';

/** The statuses the gauges always show (0 when none), so a dashboard's series never disappear. */
const OUTBOX_STATUSES = ['pendiente', 'encolado', 'en_curso', 'en_espera', 'fallido'];

/** mysql2's pool keeps its counts in fields of its own; read defensively (absent on SQLite). */
interface Mysql2PoolInternals {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
}

/**
 * One scrape of this process's Prometheus metrics: who may read them (the Bearer token of METRICS_TOKEN; without that
 * setting they do not exist, 404) and the text, with the gauges read at that moment (outbox, incidents, Redis queues,
 * database pool). The web process serves it at GET /metrics, a worker on METRICS_PORT.
 */
@Injectable()
export class MetricsScrape {
  private readonly token?: Buffer;

  constructor(
    private readonly health: HealthService,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.token = config.metricsToken === undefined ? undefined : Buffer.from(config.metricsToken);
  }

  /** Throws the Spanish 404 / 401 unless `authorization` carries the configured token. */
  authorize(authorization: string | undefined): void {
    if (!this.token) throw notFound('La ruta');
    const given = Buffer.from(/^Bearer (.+)$/.exec(authorization ?? '')?.[1]?.trim() ?? '');
    if (given.length !== this.token.length || !timingSafeEqual(given, this.token))
      throw new DomainError(
        'NO_AUTENTICADO',
        'Las métricas piden el token configurado en METRICS_TOKEN (cabecera Authorization: Bearer …).',
        401,
      );
  }

  async render(): Promise<{ contentType: string; body: string }> {
    await this.refresh();
    return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
  }

  /** The scrape-time gauges; a database that does not answer leaves them as they were (the scrape still answers). */
  private async refresh(now = Date.now()): Promise<void> {
    const ops = await this.health.operations().catch(() => undefined);
    if (ops) {
      for (const status of OUTBOX_STATUSES) {
        const row = ops.outbox.find((o) => o.status === status);
        outboxCommands.set({ status }, row?.n ?? 0);
        outboxOldestSeconds.set({ status }, row?.oldest ? Math.max(0, (now - row.oldest.getTime()) / 1000) : 0);
      }
      casesInIncident.set(ops.incidentes);
      for (const [queue, counts] of Object.entries(ops.trabajos ?? {}))
        for (const [state, n] of Object.entries(counts)) queueJobs.set({ queue, state }, n);
    }
    const pool = (this.ds.driver as unknown as { pool?: Mysql2PoolInternals }).pool;
    if (pool?._allConnections) {
      dbPoolConnections.set({ state: 'total' }, pool._allConnections.length);
      dbPoolConnections.set({ state: 'libres' }, pool._freeConnections?.length ?? 0);
      dbPoolConnections.set({ state: 'esperando' }, pool._connectionQueue?.length ?? 0);
    }
  }
}
