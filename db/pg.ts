/**
 * PostgreSQL through `pg`, used when DATABASE_URL is set: several app processes can share one server.
 * The pool reconnects by itself, so a database outage surfaces as AppError('db_unavailable') per query
 * and recovers without a restart.
 */
import pg from 'pg';
import { AppError } from './errors.ts';
import { mapDbError } from './map-error.ts';
import type { Db, QueryResult, Queryable, SqlParam } from './types.ts';

/** Hides the password when the URL appears in messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

function wrapClient(c: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<T>(sql: string, params?: readonly SqlParam[]): Promise<QueryResult<T>> {
      try {
        const r = await c.query(sql, params as unknown[] | undefined);
        return { rows: r.rows as T[], affectedRows: r.rowCount ?? 0 };
      } catch (e) {
        throw mapDbError(e);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await c.query(sql);
      } catch (e) {
        throw mapDbError(e);
      }
    },
  };
}

export async function openPg(url: string, poolSize = 10): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const base = wrapClient(pool);
  const location = redactUrl(url);
  try {
    await base.query('select 1');
  } catch (e) {
    await pool.end().catch(() => {});
    const err = AppError.wrap(e, 'db_unavailable');
    throw new AppError('db_unavailable', `cannot connect to PostgreSQL at ${location}: ${err.message}`, { cause: e });
  }
  return {
    kind: 'pg',
    location,
    ...base,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (e) {
        throw mapDbError(e);
      }
      const tx = wrapClient(client);
      try {
        await tx.exec('BEGIN');
        const result = await fn(tx);
        await tx.exec('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw mapDbError(e);
      } finally {
        client.release();
      }
    },
    async ping() {
      await base.query('select 1');
    },
    async close() {
      await pool.end();
    },
  };
}
