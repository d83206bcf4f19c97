import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { dialectOf } from '../database/data-source-options';
import { dateFromRaw } from '../database/raw-date';
import { certificateDaysLeft, certificateExpiryWarning, type PdfSigner } from '../letters/signer';
import { PDF_SIGNER } from '../oficios/pdf-signer.provider';
import { QUEUE_DRIVER, type QueueDriver } from '../queue/queue-driver';

export interface ComponentHealth {
  ok: boolean;
  ms: number;
  detalle?: string;
}
/**
 * `estado` is 'degradado' when a component is down (then the answer is 503) or when something needs a person while the
 * service still serves (failed jobs, incidents, a signing certificate near or past its expiry: 200, so a load balancer
 * keeps the process); `avisos` says why, in Spanish.
 */
export interface HealthReport {
  estado: 'ok' | 'degradado';
  baseDeDatos: ComponentHealth & { dialecto: 'sqlite' | 'mysql' };
  redis?: ComponentHealth;
  colas?: {
    driver: string;
    trabajos: Record<string, { waiting: number; delayed: number; active: number; failed: number }> | null;
    /** enEspera: parked until others end (the lines of an oficio before its one reply letter); not a lag. */
    bandejaDeSalida: { pendientes: number; enEspera: number; fallidos: number };
    incidentes: number;
  };
  certificado?: { serie: string; titular: string; vigenteHasta: string; diasRestantes: number; prueba: boolean };
  avisos: string[];
}

/**
 * What a load balancer asks for (`GET /health`, public): can this process serve? The database answers `SELECT 1` and
 * Redis a PING on a connection the queues already hold; no counts, no error text (an address or a host name is not for
 * everyone). The detailed report is for administrators (`GET /api/admin/salud`).
 */
export interface ReadinessReport {
  estado: 'listo' | 'no_disponible';
  baseDeDatos: { ok: boolean; ms: number };
  redis?: { ok: boolean; ms: number };
}

export interface OperationsFigures {
  outbox: { status: string; n: number; oldest: Date | null }[];
  incidentes: number;
  trabajos: Record<string, { waiting: number; delayed: number; active: number; failed: number }> | null;
}

/** A component is down: the process cannot serve (HTTP 503), unlike an aviso that needs a person. */
export const componentDown = (r: { baseDeDatos: { ok: boolean }; redis?: { ok: boolean } }): boolean =>
  !r.baseDeDatos.ok || r.redis?.ok === false;

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** How long /health waits for the database or Redis before it reports them down (503). */
export const HEALTH_PROBE_TIMEOUT_MS = 2000;

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: sin respuesta en ${ms} ms`)), ms).unref(),
    ),
  ]);

@Injectable()
export class HealthService {
  /**
   * The database probe still waiting for its answer. Checks share it instead of starting another: while the database
   * does not answer, each probe would hold a pooled connection until the statement timeout (DB_QUERY_TIMEOUT_MS), and a
   * load balancer asking every second would take the pool from the requests.
   */
  private dbProbe?: Promise<unknown>;
  /** The same for Redis: one PING in flight, whoever asks. */
  private redisProbe?: Promise<unknown>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(QUEUE_DRIVER) private readonly driver?: QueueDriver,
    @Optional() @Inject(PDF_SIGNER) private readonly signer?: PdfSigner,
  ) {}

  /** Readiness: the database and Redis (when configured) answer, probed at once. */
  async ready(): Promise<ReadinessReport> {
    const [db, redis] = await this.components();
    const report: ReadinessReport = { estado: 'listo', baseDeDatos: { ok: db.ok, ms: db.ms } };
    if (redis) report.redis = { ok: redis.ok, ms: redis.ms };
    if (componentDown(report)) report.estado = 'no_disponible';
    return report;
  }

  private components(): Promise<[ComponentHealth, ComponentHealth | undefined]> {
    return Promise.all([
      this.probe(() => this.pingDatabase(), 'base de datos'),
      this.config.redisUrl ? this.probe(() => this.pingRedis(), 'Redis') : undefined,
    ]);
  }

  async check(now: Date = new Date()): Promise<HealthReport> {
    const [db, redis] = await this.components();
    const baseDeDatos = { dialecto: dialectOf(this.config.databaseUrl), ...db };
    const report: HealthReport = { estado: 'ok', baseDeDatos, avisos: [] };
    if (!baseDeDatos.ok) report.avisos.push(`La base de datos no responde: ${baseDeDatos.detalle ?? ''}`);
    if (redis) {
      report.redis = redis;
      if (!redis.ok) report.avisos.push(`Redis no responde: ${redis.detalle ?? ''}`);
    }
    if (baseDeDatos.ok) {
      const colas = await this.queues(report.redis?.ok !== false);
      report.colas = colas;
      const { fallidos } = colas.bandejaDeSalida;
      if (fallidos > 0) {
        report.avisos.push(
          `${plural(fallidos, 'trabajo fallido', 'trabajos fallidos')} en la bandeja de salida: consulte la bitácora del servidor y los trámites afectados.`,
        );
      }
      if (colas.incidentes > 0) {
        report.avisos.push(
          `${plural(colas.incidentes, 'trámite en incidente', 'trámites en incidente')}: la Subjefatura de Sistemas los atiende desde su bandeja.`,
        );
      }
    }
    if (this.signer) {
      const c = this.signer.certificate;
      report.certificado = {
        serie: c.serial,
        titular: c.subject.nombre,
        vigenteHasta: c.validTo.toISOString(),
        diasRestantes: certificateDaysLeft(c, now),
        prueba: c.test,
      };
      const warning = certificateExpiryWarning(c, now);
      if (warning !== undefined) report.avisos.push(warning);
    }
    if (report.avisos.length > 0) report.estado = 'degradado';
    return report;
  }

  /** Queue depth, failures and incidents: what an operator watches. */
  private async queues(redisUp: boolean): Promise<NonNullable<HealthReport['colas']>> {
    const ops = await this.operations(redisUp);
    const n = (status: string): number => ops.outbox.find((o) => o.status === status)?.n ?? 0;
    return {
      driver: this.driver?.name ?? 'ninguno',
      trabajos: ops.trabajos,
      bandejaDeSalida: {
        pendientes: n('pendiente') + n('encolado') + n('en_curso'),
        enEspera: n('en_espera'),
        fallidos: n('fallido'),
      },
      incidentes: ops.incidentes,
    };
  }

  /**
   * The figures behind the report and the metrics: outbox commands not done yet (and failed ones) by status with the
   * oldest one's time, cases in incident, and Bull's job counts (null without Redis, or when it does not answer).
   * Two statements over status-led indexes, never over the commands already done.
   */
  async operations(redisUp = true): Promise<OperationsFigures> {
    const rows = await this.dataSource.query<{ status: string; n: number | string; oldest: Date | string | null }[]>(
      "SELECT status, COUNT(*) AS n, MIN(available_at) AS oldest FROM outbox WHERE status IN ('pendiente','encolado','en_curso','en_espera','fallido') GROUP BY status",
    );
    const [incident] = await this.dataSource.query<{ n: number | string }[]>(
      "SELECT COUNT(*) AS n FROM procedure_case WHERE status = 'incidente'",
    );
    const trabajos =
      this.driver && redisUp
        ? await withTimeout(this.driver.counts(), HEALTH_PROBE_TIMEOUT_MS, 'colas').catch(() => null)
        : null;
    return {
      outbox: rows.map((r) => ({
        status: r.status,
        n: Number(r.n),
        oldest: r.oldest === null ? null : dateFromRaw(r.oldest),
      })),
      incidentes: Number(incident?.n ?? 0),
      trabajos,
    };
  }

  private async probe(fn: () => Promise<unknown>, what: string): Promise<ComponentHealth> {
    const t0 = performance.now();
    try {
      await withTimeout(fn(), HEALTH_PROBE_TIMEOUT_MS, what);
      return { ok: true, ms: Math.round(performance.now() - t0) };
    } catch (e) {
      return { ok: false, ms: Math.round(performance.now() - t0), detalle: (e as Error).message };
    }
  }

  private pingDatabase(): Promise<unknown> {
    this.dbProbe ??= this.dataSource.query('SELECT 1').finally(() => (this.dbProbe = undefined));
    return this.dbProbe;
  }

  /**
   * PING on the queues' own connection (it reconnects by itself); without queues in this process (a benchmark's web
   * process), a short-lived connection, so nothing keeps reconnecting in the background when Redis is down.
   */
  private pingRedis(): Promise<unknown> {
    this.redisProbe ??= (this.driver?.ping ? this.driver.ping() : this.pingRedisOnce()).finally(
      () => (this.redisProbe = undefined),
    );
    return this.redisProbe;
  }

  private async pingRedisOnce(): Promise<void> {
    // Loaded only when Redis is configured: the embedded default never touches it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const IORedis = require('ioredis') as typeof import('ioredis').default;
    const client: Redis = new IORedis(this.config.redisUrl!, {
      lazyConnect: true,
      connectTimeout: 1500,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined); // reported through /health, not as an unhandled event
    try {
      await client.connect();
      await client.ping();
    } finally {
      client.disconnect();
    }
  }
}
