/**
 * The pg path when the database goes away: requests get a clear 503 (never a hang or a crash), and the
 * pool recovers by itself once the server is back, with no app restart.
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../db/index.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

describe('database outage on the pg path', () => {
  let lite: PGlite;
  let server: PGLiteSocketServer;
  let port: number;
  let db: Db;
  let app: TestApp;

  const startServer = async () => {
    server = new PGLiteSocketServer({ db: lite, host: '127.0.0.1', port, maxConnections: 10 });
    await server.start();
  };

  beforeAll(async () => {
    lite = new PGlite({ extensions: { vector } });
    await lite.waitReady;
    server = new PGLiteSocketServer({ db: lite, host: '127.0.0.1', port: 0, maxConnections: 10 });
    await server.start();
    port = (server as unknown as { server: { address(): { port: number } } }).server.address().port;
    const url = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
    db = await openDb({ kind: 'pg', url, poolSize: 2 });
    app = await startTestApp({
      testDb: { db, mode: 'wire', options: { kind: 'pg', url }, close: async () => {} },
    });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close().catch(() => {});
    await server?.stop().catch(() => {});
    await lite?.close();
  });

  it('answers 503 while the server is down and recovers without a restart', async () => {
    expect((await app.get('/healthz')).status).toBe(200);
    await server.stop();
    const down = await app.get('/healthz');
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe('db_unavailable');
    expect(down.body.error.message).toMatch(/数据库/);
    await startServer();
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await app.get('/healthz')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
  });
});
