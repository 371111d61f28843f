/**
 * Embedded PGlite on a worker thread, behind the same Db contract as in-process PGlite. The database
 * engine is most of a chat turn's CPU; on its own thread it uses the machine's second core while the main
 * thread parses HTTP and runs the dialogue, and a long statement (an import, a backup) no longer freezes
 * every request. The data-directory guard and lock file stay on this side, so the same rules hold: one
 * process per directory. Values cross the thread boundary by structured clone (Date, Uint8Array, bigint,
 * jsonb objects and arrays keep their types); errors come back as PostgreSQL fields and are mapped here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppError } from './errors.ts';
import { mapDbError } from './map-error.ts';
import { openFailed, prepareDataDir } from './pglite.ts';
import type { WorkerData, WorkerError, WorkerReply, WorkerRequest } from './pglite-worker-host.ts';
import type { Db, QueryResult, Queryable, SqlParam } from './types.ts';

type Op = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** The Worker behind a Db, under this key, for diagnostics and for tests that kill the thread. */
export const PGLITE_WORKER = Symbol.for('shugai.pgliteWorker');

/** Registers the TypeScript loader in the new thread, then loads db/pglite-worker-host.ts. */
const BOOT = new URL('./pglite-worker-boot.mjs', import.meta.url);

function rebuildError(e: WorkerError): Error {
  return Object.assign(new Error(e.message), e);
}

export async function openPgliteWorker(dataDir: string | null): Promise<Db> {
  const dir = dataDir === null ? null : path.resolve(dataDir);
  const lock = dir ? prepareDataDir(dir) : null;
  const worker = new Worker(BOOT, { workerData: { dataDir: dir } satisfies WorkerData });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  let nextId = 0;
  /** Set once the worker is gone (closed or died); every later call fails with it. */
  let gone: AppError | null = null;

  const failAll = (err: AppError) => {
    gone ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  // Resolves when PGlite is up; rejects with PGlite's own error (the directory's fault) or an AppError
  // when the thread itself could not run.
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (batch: WorkerReply[]) => {
      for (const m of batch) {
        if (m.id === 0) {
          if ('ready' in m && m.ready) resolve();
          else reject(rebuildError((m as { error: WorkerError }).error));
          continue;
        }
        const p = pending.get(m.id);
        if (!p) continue;
        pending.delete(m.id);
        if ('ok' in m && m.ok) p.resolve(m.result);
        else p.reject(mapDbError(rebuildError((m as { error: WorkerError }).error)));
      }
      // Idle, the worker must not keep the process alive (in-process PGlite does not either).
      if (pending.size === 0) worker.unref();
    });
    worker.on('error', (e) => {
      const err = new AppError('db_unavailable', `the database thread failed: ${e.message}`, { cause: e });
      reject(err);
      failAll(err);
    });
    worker.on('exit', (code) => {
      const err = new AppError('db_unavailable', `the database thread exited (${code})`);
      reject(err);
      failAll(err);
    });
  });
  try {
    await ready;
  } catch (e) {
    await worker.terminate().catch(() => {});
    if (lock) fs.rmSync(lock, { force: true });
    if (e instanceof AppError) throw e;
    if (dir) throw openFailed(dir, e);
    throw mapDbError(e);
  }
  worker.unref();

  // Requests made in one turn of the event loop leave in one message (see the host on why).
  let outbox: { request: WorkerRequest; reject(e: unknown): void }[] = [];
  const flush = () => {
    const batch = outbox;
    outbox = [];
    try {
      worker.postMessage(batch.map((b) => b.request));
    } catch {
      // A parameter structured clone cannot carry (a function, a class with private state): only its
      // own request fails.
      for (const b of batch) {
        try {
          worker.postMessage([b.request]);
        } catch (e) {
          pending.delete(b.request.id);
          b.reject(AppError.wrap(e));
        }
      }
      if (pending.size === 0) worker.unref();
    }
  };
  const call = <T>(op: Op): Promise<T> => {
    if (gone) return Promise.reject(gone);
    const id = ++nextId;
    return new Promise<T>((resolve, reject) => {
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (outbox.push({ request: { ...op, id } as WorkerRequest, reject }) === 1) setImmediate(flush);
    });
  };

  const queryable = (tx?: number): Queryable => ({
    async query<T>(sql: string, params: readonly SqlParam[] = []): Promise<QueryResult<T>> {
      return call<QueryResult<T>>({ op: 'query', sql, params, tx });
    },
    async exec(sql: string): Promise<void> {
      await call({ op: 'exec', sql, tx });
    },
    async copyFrom(table: string, columns: readonly string[], data: Uint8Array): Promise<number> {
      // Copied across by structured clone, not transferred: the caller keeps its buffer.
      return call<number>({ op: 'copy', table, columns, data, tx });
    },
  });
  const base = queryable();
  let closed = false;

  const db: Db = {
    kind: 'pglite',
    location: dir ?? 'memory://',
    ...base,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const tx = await call<number>({ op: 'begin' });
      let result: T;
      try {
        result = await fn(queryable(tx));
      } catch (e) {
        await call({ op: 'rollback', tx }).catch(() => {});
        throw mapDbError(e);
      }
      await call({ op: 'commit', tx });
      return result;
    },
    async ping() {
      if (closed) throw new AppError('db_unavailable', 'database is closed');
      await base.query('select 1');
    },
    async backup() {
      return call<Uint8Array>({ op: 'backup' });
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        if (!gone) await call({ op: 'close' });
      } finally {
        failAll(new AppError('db_unavailable', 'database is closed'));
        await worker.terminate().catch(() => {});
        if (lock) fs.rmSync(lock, { force: true });
      }
    },
  };
  Object.defineProperty(db, PGLITE_WORKER, { value: worker });
  return db;
}
