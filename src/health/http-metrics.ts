import type { NextFunction, Request, Response } from 'express';
import { httpRequestSeconds, httpRequestsInFlight, secondsSince } from '../common/metrics';

/**
 * The route's pattern (`/api/tramites/:id/eventos`), never the URL: ids, folios and tokens stay out of the labels. A
 * request no controller took is `sin_ruta` (its last match is then the middleware's own catch-all, `/{*path}`).
 */
function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' && path !== '/{*path}' ? `${req.baseUrl}${path}` : 'sin_ruta';
}

/** Times every request, by method, route pattern and status (first in the chain, so it sees the whole request). */
export function httpMetrics(req: Request, res: Response, next: NextFunction): void {
  const t0 = performance.now();
  httpRequestsInFlight.inc();
  res.once('close', () => {
    httpRequestsInFlight.dec();
    httpRequestSeconds.observe(
      { method: req.method, route: routeOf(req), status: String(res.statusCode) },
      secondsSince(t0),
    );
  });
  next();
}
