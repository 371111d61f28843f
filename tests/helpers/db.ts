/**
 * Gives each test file a fresh, migrated database on the engine the run asks for:
 * - default: embedded PGlite in memory (the product's default engine);
 * - TEST_DB=worker: the same, on its own worker thread (how `npm start` runs a data directory);
 * - TEST_DB=wire: the `pg` code path against PGlite served over the PostgreSQL wire protocol;
 * - TEST_DATABASE_URL: the `pg` code path against a real server, in a schema of its own.
 */
import crypto from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { linearMemfsGrowth, openDb, type Db, type DbOptions } from '../../db/index.ts';

export type TestDbMode = 'pglite' | 'worker' | 'wire' | 'server';

export function testDbMode(): TestDbMode {
  if (process.env.TEST_DATABASE_URL) return 'server';
  if (process.env.TEST_DB === 'wire') return 'wire';
  if (process.env.TEST_DB === 'worker') return 'worker';
  return 'pglite';
}

export interface TestDb {
  db: Db;
  mode: TestDbMode;
  /** Options that open another connection to the same database (for restart tests). */
  options: DbOptions;
  close(): Promise<void>;
}

/** Starts PGlite behind a wire-protocol socket on 127.0.0.1; returns its URL. */
export async function startWireServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const lite = new PGlite({ extensions: { vector } });
  await lite.waitReady;
  // As openDb does for in-memory PGlite: bulk loads would otherwise copy whole files as they grow.
  linearMemfsGrowth(lite);
  const server = new PGLiteSocketServer({ db: lite, host: '127.0.0.1', port: 0, maxConnections: 20 });
  await server.start();
  const addr = (server as unknown as { server?: { address(): { port: number } } }).server?.address();
  const port = addr?.port ?? Number((server as unknown as { port: number }).port);
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await lite.close();
    },
  };
}

/** `mode` overrides the run's engine, for contract tests that cover every embedded transport at once. */
export async function openTestDb(mode: TestDbMode = testDbMode()): Promise<TestDb> {
  if (mode === 'pglite' || mode === 'worker') {
    const options: DbOptions = { kind: 'pglite-memory', thread: mode === 'worker' ? 'worker' : 'main' };
    const db = await openDb(options);
    return { db, mode, options, close: () => db.close() };
  }
  if (mode === 'wire') {
    const wire = await startWireServer();
    // One connection: pglite-socket's multiplexer interleaves concurrent extended-protocol messages (08P01).
    const options: DbOptions = { kind: 'pg', url: wire.url, poolSize: 1 };
    const db = await openDb(options);
    return {
      db,
      mode,
      options,
      async close() {
        await db.close();
        await wire.stop();
      },
    };
  }
  const base = process.env.TEST_DATABASE_URL!;
  const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema},public`);
  const options: DbOptions = { kind: 'pg', url: url.toString(), poolSize: 4 };
  const db = await openDb(options);
  return {
    db,
    mode,
    options,
    async close() {
      await db.close();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}
