/**
 * The storage contract. Two implementations (embedded PGlite, PostgreSQL via `pg`) run the same SQL;
 * everything above the db layer sees only this interface, so nothing knows which engine it is on.
 */

export type DbKind = 'pglite' | 'pg';

export type SqlParam = string | number | boolean | null | Date | Buffer | string[] | number[] | Record<string, unknown> | unknown[];

export interface QueryResult<T> {
  rows: T[];
  /** Rows inserted, updated or deleted, where the engine reports it. */
  affectedRows: number;
}

export interface Queryable {
  /** One parameterised statement ($1, $2 …). */
  query<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<QueryResult<T>>;
  /** Several statements with no parameters (migrations, DDL). */
  exec(sql: string): Promise<void>;
  /**
   * Bulk load: appends the rows of `data`, in PostgreSQL's binary COPY format (BinaryCopyWriter), to
   * `table (columns)` — plain lower-case identifiers. Constraints and triggers apply as for INSERT; there
   * is no ON CONFLICT, so the rows must be new. Returns the number of rows loaded. Several times cheaper
   * than INSERT for wide values (a 512-dimension vector is 2 KB of floats, not 6 KB of decimal text).
   */
  copyFrom(table: string, columns: readonly string[], data: Uint8Array): Promise<number>;
}

export interface Db extends Queryable {
  readonly kind: DbKind;
  /** Where the data lives, for messages: a directory or a redacted URL. */
  readonly location: string;
  /** Runs `fn` in one transaction; it commits when `fn` resolves and rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Cheap liveness check; throws AppError('db_unavailable') when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Embedded engine only: a consistent gzip tarball of the data directory (PostgreSQL: use pg_dump). */
  backup?(): Promise<Uint8Array>;
}

/**
 * Where embedded PGlite runs: on a worker thread of its own (the default for a data directory: the
 * database uses a second core and never stalls HTTP work) or on the caller's thread.
 */
export type PgliteThread = 'worker' | 'main';

export type DbOptions =
  | { kind: 'pglite'; dataDir: string; /** default 'worker' */ thread?: PgliteThread }
  /** `memory://` keeps PGlite in memory: for tests only. */
  | { kind: 'pglite-memory'; /** default 'main' */ thread?: PgliteThread }
  | { kind: 'pg'; url: string; poolSize?: number };
