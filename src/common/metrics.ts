import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus metrics (`GET /metrics`, src/metrics). One registry per process: Prometheus scrapes every
 * web and worker process and adds them up. Label values are bounded sets (procedure ids, job types, route patterns,
 * status codes), never a folio, a CURP or an id.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'mci_' });

/** Seconds, from a millisecond to ten seconds: a transition, a request, a job. */
const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const transitionsTotal = new Counter({
  name: 'mci_transitions_total',
  help: 'Transiciones de trámites (inicio o evento), por procedimiento y resultado (ok, rechazada, conflicto, error)',
  labelNames: ['procedure', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const transitionSeconds = new Histogram({
  name: 'mci_transition_seconds',
  help: 'Duración de una transición (lectura, máquina y transacción), por procedimiento',
  labelNames: ['procedure'] as const,
  buckets: SECONDS,
  registers: [metricsRegistry],
});

export const httpRequestSeconds = new Histogram({
  name: 'mci_http_request_seconds',
  help: 'Duración de las solicitudes HTTP, por método, ruta (el patrón, no la URL) y código',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: SECONDS,
  registers: [metricsRegistry],
});

export const httpRequestsInFlight = new Gauge({
  name: 'mci_http_requests_in_flight',
  help: 'Solicitudes HTTP en curso en este proceso',
  registers: [metricsRegistry],
});

export const jobSeconds = new Histogram({
  name: 'mci_job_seconds',
  help: 'Duración de la ejecución de un efecto (aprovisionar, firmar, enviar correo…), por tipo y resultado',
  labelNames: ['type', 'outcome'] as const,
  buckets: SECONDS,
  registers: [metricsRegistry],
});

export const jobQueueWaitSeconds = new Histogram({
  name: 'mci_job_queue_wait_seconds',
  help: 'Espera de un efecto entre su encolado y el inicio de su ejecución, por tipo',
  labelNames: ['type'] as const,
  buckets: SECONDS,
  registers: [metricsRegistry],
});

/** Seconds since `t0` (performance.now()). */
export const secondsSince = (t0: number): number => (performance.now() - t0) / 1000;

/** Read when scraped (src/health/metrics.controller.ts): the database's and the queues' state at that moment. */
export const outboxCommands = new Gauge({
  name: 'mci_outbox_commands',
  help: 'Comandos de la bandeja de salida aún no terminados (pendiente, encolado, en_curso, en_espera) y fallidos, por estado',
  labelNames: ['status'] as const,
  registers: [metricsRegistry],
});

export const outboxOldestSeconds = new Gauge({
  name: 'mci_outbox_oldest_seconds',
  help: 'Antigüedad del comando más antiguo de cada estado (retraso de la bandeja de salida), en segundos',
  labelNames: ['status'] as const,
  registers: [metricsRegistry],
});

export const casesInIncident = new Gauge({
  name: 'mci_cases_in_incident',
  help: 'Trámites en incidente (los atiende la Subjefatura de Sistemas)',
  registers: [metricsRegistry],
});

export const queueJobs = new Gauge({
  name: 'mci_queue_jobs',
  help: 'Trabajos en las colas de Redis, por cola y estado (waiting, delayed, active, failed)',
  labelNames: ['queue', 'state'] as const,
  registers: [metricsRegistry],
});

export const dbPoolConnections = new Gauge({
  name: 'mci_db_pool_connections',
  help: 'Conexiones del pool de MySQL/MariaDB de este proceso: total, libres y solicitudes esperando una',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
});
