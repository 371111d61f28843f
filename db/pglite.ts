/**
 * Embedded PGlite with pgvector: the zero-configuration default. Guards the data directory so that an
 * unreadable, foreign or corrupt directory fails loudly with its path instead of being initialised empty
 * over existing data, and takes a lock file because PGlite allows one process per directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { AppError } from './errors.ts';
import { mapDbError } from './map-error.ts';
import { PgliteSession, startPglite, type SessionTransaction } from './pglite-session.ts';
import type { Db, QueryResult, Queryable, SqlParam } from './types.ts';

const LOCK_FILE = 'shugai.lock';

function dataDirError(dir: string, why: string, cause?: unknown): AppError {
  return new AppError('db_data_dir', `data directory ${dir}: ${why}`, {
    cause,
    userMessage: `数据目录 ${dir} 无法使用：${why}`,
  });
}

export function openFailed(dir: string, e: unknown): AppError {
  return dataDirError(dir, `the database in it could not be opened (corrupt or from another version): ${(e as Error)?.message ?? e}`, e);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Checks the directory before PGlite touches it; returns the lock file path it took. */
export function prepareDataDir(dir: string): string {
  if (fs.existsSync(dir)) {
    const st = fs.statSync(dir);
    if (!st.isDirectory()) throw dataDirError(dir, 'it exists but is not a directory');
    try {
      fs.accessSync(dir, fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK);
    } catch (e) {
      throw dataDirError(dir, 'it is not readable and writable by this process', e);
    }
    const entries = fs.readdirSync(dir).filter((n) => n !== LOCK_FILE && !n.startsWith('.'));
    if (entries.length > 0 && !fs.existsSync(path.join(dir, 'PG_VERSION')))
      throw dataDirError(dir, 'it is not empty and holds no database (PG_VERSION missing); refusing to initialise over it');
  } else {
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw dataDirError(dir, 'it cannot be created', e);
    }
  }
  const lock = path.join(dir, LOCK_FILE);
  if (fs.existsSync(lock)) {
    const pid = Number(fs.readFileSync(lock, 'utf8').trim());
    if (Number.isInteger(pid) && pid !== process.pid && pidAlive(pid))
      throw dataDirError(dir, `it is in use by process ${pid}; embedded PGlite allows one process per directory (set DATABASE_URL to share a PostgreSQL)`);
  }
  fs.writeFileSync(lock, String(process.pid));
  return lock;
}

function wrapQueryable(q: Pick<SessionTransaction, 'query' | 'exec' | 'copyFrom'>): Queryable {
  return {
    async query<T>(sql: string, params?: readonly SqlParam[]): Promise<QueryResult<T>> {
      try {
        const r = await q.query(sql, params);
        return { rows: r.rows as T[], affectedRows: r.affectedRows };
      } catch (e) {
        throw mapDbError(e);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await q.exec(sql);
      } catch (e) {
        throw mapDbError(e);
      }
    },
    async copyFrom(table: string, columns: readonly string[], data: Uint8Array): Promise<number> {
      try {
        return await q.copyFrom(table, columns, data);
      } catch (e) {
        throw mapDbError(e);
      }
    },
  };
}

export async function openPglite(dataDir: string | null): Promise<Db> {
  const dir = dataDir === null ? null : path.resolve(dataDir);
  const lock = dir ? prepareDataDir(dir) : null;
  let pg: PGlite;
  try {
    pg = await startPglite(dir);
  } catch (e) {
    if (lock) fs.rmSync(lock, { force: true });
    if (dir) throw openFailed(dir, e);
    throw mapDbError(e);
  }
  const session = new PgliteSession(pg);
  const base = wrapQueryable(session);
  let closed = false;
  return {
    kind: 'pglite',
    location: dir ?? 'memory://',
    ...base,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      try {
        return await session.transaction((tx) => fn(wrapQueryable(tx)));
      } catch (e) {
        throw mapDbError(e);
      }
    },
    async ping() {
      if (closed) throw new AppError('db_unavailable', 'database is closed');
      await base.query('select 1');
    },
    async backup() {
      const blob = await pg.dumpDataDir('gzip');
      return new Uint8Array(await blob.arrayBuffer());
    },
    async close() {
      if (closed) return;
      closed = true;
      await pg.close();
      if (lock) fs.rmSync(lock, { force: true });
    },
  };
}

/**
 * Restores a backup made by Db.backup() into a directory that must not hold a database yet, so a
 * restore can never overwrite live data.
 */
export async function restorePgliteBackup(dataDir: string, archive: Uint8Array): Promise<void> {
  const dir = path.resolve(dataDir);
  if (fs.existsSync(dir) && fs.readdirSync(dir).some((n) => !n.startsWith('.')))
    throw dataDirError(dir, 'restore needs an empty or new directory; move the existing data away first');
  const lock = prepareDataDir(dir);
  try {
    const pg = new PGlite({ dataDir: dir, loadDataDir: new Blob([archive]), extensions: { vector } });
    await pg.waitReady;
    await pg.query('select 1');
    await pg.close();
  } catch (e) {
    throw dataDirError(dir, `the backup could not be restored: ${(e as Error)?.message ?? e}`, e);
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
