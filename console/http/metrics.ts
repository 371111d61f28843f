/**
 * Prometheus metrics at GET /metrics: request counts and latency per route template (never per raw
 * URL, which would explode cardinality and could carry user text), plus the process's default metrics.
 * One registry per app instance so tests and several apps in one process do not collide.
 */
import type { RequestHandler, Router } from 'express';
import express from 'express';
import client from 'prom-client';

export interface HttpMetrics {
  registry: client.Registry;
  middleware: RequestHandler;
  router: Router;
}

export function createHttpMetrics(): HttpMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'shugai_' });
  const requests = new client.Counter({
    name: 'shugai_http_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: 'shugai_http_request_duration_seconds',
    help: 'HTTP request latency by route template',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const middleware: RequestHandler = (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      // Route templates only; unmatched paths collapse into one label.
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : res.statusCode === 404 ? '(unmatched)' : req.baseUrl || '(other)';
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
      duration.observe({ method: req.method, route }, seconds);
    });
    next();
  };
  const router = express.Router();
  router.get('/metrics', async (_req, res) => {
    res.set('content-type', registry.contentType);
    res.send(await registry.metrics());
  });
  return { registry, middleware, router };
}
