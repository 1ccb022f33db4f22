import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * Request counts and latencies by route template (`/v1/webhooks/:id`, never the id
 * itself, so label cardinality stays bounded) and status. `templateOf` names the route
 * of a request refused before routing (by the body parser: 400, 413, 415).
 */
export function apiMetrics(registry: Registry, templateOf: (path: string) => string | undefined) {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'postmand_api_requests_total',
    help: 'API requests answered, by method, route template and status code.',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'postmand_api_request_duration_seconds',
    help: 'API request latency, from arrival to the last byte of the response.',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = duration.startTimer();
    res.once('finish', () => {
      const routePath = (req.route as { path?: string } | undefined)?.path;
      const labels = {
        method: req.method,
        route: routePath ? `${req.baseUrl}${routePath}` : (templateOf(req.path) ?? 'unmatched'),
        status: String(res.statusCode),
      };
      requests.inc(labels);
      end(labels);
    });
    next();
  };
}
