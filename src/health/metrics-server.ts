import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DomainError } from '../common/domain-error';
import type { MetricsScrape } from './metrics-scrape.service';

/**
 * A worker's metrics: the worker serves no HTTP, so Prometheus scrapes it here (GET /metrics on METRICS_PORT, the
 * same token and text as the web process's). Anything else is a 404; a failure is a 503 without details.
 */
export async function serveMetrics(scrape: MetricsScrape, port: number, host: string): Promise<Server> {
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics')
      return json(res, 404, { error: 'NO_ENCONTRADO', mensaje: 'No se encontró lo que busca.' });
    try {
      scrape.authorize(req.headers.authorization);
    } catch (e) {
      const err = e as DomainError;
      return json(res, err instanceof DomainError ? err.status : 500, { error: err.code, mensaje: err.message });
    }
    scrape.render().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        res.end(body);
      },
      () =>
        json(res, 503, {
          error: 'METRICAS_NO_DISPONIBLES',
          mensaje: 'No se pudieron leer las métricas; intente de nuevo.',
        }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  server.unref();
  return server;
}

/** Where a server listens, for the log line. */
export const addressOf = (server: Server): string => {
  const a = server.address() as AddressInfo;
  return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/metrics`;
};
