/**
 * Starts the real app (services + HTTP server on 127.0.0.1, random port) on a fresh test database.
 * Tests talk to it over real HTTP with fetch.
 */
import { loadConfig, type AppConfig } from '../../console/config.ts';
import { createHttpApp, startHttpServer } from '../../console/http/index.ts';
import { createServices, type Services } from '../../console/services.ts';
import { createLogger } from '../../console/log.ts';
import { openTestDb, type TestDb } from './db.ts';

export interface TestApp {
  url: string;
  services: Services;
  testDb: TestDb;
  config: AppConfig;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startTestApp(options: { env?: Record<string, string>; clock?: () => Date; testDb?: TestDb } = {}): Promise<TestApp> {
  const config = loadConfig({ LOG_LEVEL: 'silent', ...options.env });
  const testDb = options.testDb ?? (await openTestDb());
  const services = await createServices(config, { db: testDb.db, clock: options.clock, log: createLogger('silent') });
  const server = await startHttpServer(createHttpApp(services), 0, '127.0.0.1');
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(server.url + path, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as any, headers: res.headers };
  };
  return {
    url: server.url,
    services,
    testDb,
    config,
    post: (p, b, h) => call('POST', p, b, h),
    get: (p, h) => call('GET', p, undefined, h),
    async close() {
      await server.close();
      await services.close();
      if (!options.testDb) await testDb.close();
    },
  };
}
