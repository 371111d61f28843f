/**
 * The one HTTP server: health, the public API, the web chat, channel webhooks and the admin console are
 * all mounted here. Routers are factories taking the services, so tests build the same app in-process.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Services } from '../services.ts';
import { chatRouter } from './chat.ts';
import { eligibilityRouter } from './eligibility.ts';
import { progressRouter } from './progress.ts';
import { errorHandler, notFound } from './errors.ts';
import { adminRouter } from '../admin/index.ts';
import { createHttpMetrics } from './metrics.ts';

export function createHttpApp(services: Services): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  const metrics = createHttpMetrics();
  app.use(metrics.middleware);
  app.use(metrics.router);
  app.get('/healthz', async (_req, res) => {
    await services.db.ping();
    res.json({ ok: true, db: services.db.kind, pack: services.pack.id });
  });
  app.use('/admin', adminRouter(services));
  // Channel webhooks (Telegram, Slack) read their own bodies (Slack signs the exact bytes), so they are
  // mounted before any body parser.
  for (const router of services.channels.routers) app.use(router);
  app.use('/api', express.json({ limit: '64kb' }));
  app.use(chatRouter(services));
  app.use(eligibilityRouter(services));
  app.use(progressRouter(services));
  app.use(notFound);
  app.use(errorHandler(services.log));
  return app;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(app: express.Express, port: number, host: string): Promise<RunningServer> {
  const server = http.createServer(app);
  // Idle keep-alive sockets outlive the clients' own idle timeouts (undici ~4 s, load balancers 60 s), so
  // the server never closes a socket at the moment a client reuses it (ECONNRESET on a busy machine).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${addr.port}`,
    port: addr.port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
