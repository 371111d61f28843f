/**
 * PostgreSQL through `pg`, used when DATABASE_URL is set: several app processes can share one server.
 * The pool reconnects by itself, so a database outage surfaces as AppError('db_unavailable') per query
 * and recovers without a restart.
 */
import pg from 'pg';
import { copyTarget, splitBinaryCopy } from './binary-copy.ts';
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

/** Bind parameters per statement stay under the protocol's 65,535; rows per statement under this. */
const COPY_ROWS = 500;

/**
 * Db.copyFrom over `pg`: the binary COPY rows become multi-row INSERTs whose parameters are the very
 * field bytes, sent in binary (node-postgres sends a Buffer parameter in binary format), so the server
 * decodes them with the same receive functions COPY would use. Not COPY FROM STDIN: PGlite served over
 * the wire (our `pg` test and benchmark engine) does not speak its sub-protocol. Run inside a transaction.
 */
async function copyAsInsert(c: pg.PoolClient, table: string, columns: readonly string[], data: Uint8Array): Promise<number> {
  const target = copyTarget(table, columns);
  const { columns: n, rows } = splitBinaryCopy(data);
  if (rows.length && n !== columns.length) throw new AppError('internal', `copy into ${table}: rows of ${n} fields for ${columns.length} columns`);
  const per = Math.max(1, Math.min(COPY_ROWS, Math.floor(65_535 / Math.max(n, 1))));
  for (let i = 0; i < rows.length; i += per) {
    const batch = rows.slice(i, i + per);
    const values = batch.map((_, r) => `(${columns.map((__, k) => `$${r * n + k + 1}`).join(',')})`).join(',');
    await c.query(`insert into ${target} values ${values}`, batch.flat());
  }
  return rows.length;
}

function wrapClient(c: pg.Pool | pg.PoolClient): Omit<Queryable, 'copyFrom'> {
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
  const db: Db = {
    kind: 'pg',
    location,
    ...base,
    // Several statements: atomic only inside a transaction.
    copyFrom: (table, columns, data) => db.transaction((tx) => tx.copyFrom(table, columns, data)),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (e) {
        throw mapDbError(e);
      }
      const tx: Queryable = {
        ...wrapClient(client),
        async copyFrom(table, columns, data) {
          try {
            return await copyAsInsert(client, table, columns, data);
          } catch (e) {
            throw mapDbError(e);
          }
        },
      };
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
  return db;
}
