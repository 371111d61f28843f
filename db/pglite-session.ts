/**
 * The one session on an embedded PGlite instance, driven through the extended query protocol with named
 * prepared statements. PGlite's own query() parses and plans every statement afresh and walks the engine's
 * main loop six times per call (parse, describe, bind, describe, execute, sync); a chat turn's statements
 * are the same few texts over and over, so each text is prepared once and then runs as one
 * bind+describe+execute+sync exchange with PostgreSQL's plan cache — 3–10× less CPU per statement here.
 * This is what `pg` does for named queries; the SQL is unchanged. The session also serialises access the
 * way PGlite does: a transaction has the engine to itself from BEGIN to COMMIT, other statements wait.
 * It runs wherever the engine runs: in-process (db/pglite.ts) or on a worker thread (db/pglite-worker-host.ts).
 */
import { Mutex, parse, PGlite, protocol } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { copyTarget } from './binary-copy.ts';
import { linearMemfsGrowth } from './pglite-memfs.ts';

/** Starts PGlite with pgvector on a directory (or in memory); the caller has checked and locked the directory. */
export async function startPglite(dir: string | null): Promise<PGlite> {
  const pg = new PGlite({ ...(dir ? { dataDir: dir } : {}), extensions: { vector } });
  await pg.waitReady;
  linearMemfsGrowth(pg);
  await pg.query('select 1');
  return pg;
}

export interface SessionResult {
  rows: unknown[];
  affectedRows: number;
}

/** One open transaction: statements run in it in order until commit() or rollback(). */
export interface SessionTransaction {
  query(sql: string, params?: readonly unknown[]): Promise<SessionResult>;
  exec(sql: string): Promise<void>;
  copyFrom(table: string, columns: readonly string[], data: Uint8Array): Promise<number>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

interface Prepared {
  name: string;
  /** Parameter type oids, for PGlite's serializers. */
  types: number[];
  /** The result's columns, described once at prepare time instead of on every execution. */
  rowDescription?: unknown;
}

type Serializer = (x: unknown) => string;
type Engine = PGlite & { serializers: Record<number, Serializer>; parsers: Record<number, unknown> };

const ser = protocol.serialize;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** PostgreSQL refuses a cached plan whose result columns changed under it (DDL since it was prepared). */
function isStalePlan(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '0A000' && /cached plan must not change result type/i.test(err.message ?? '');
}

export class PgliteSession {
  private readonly engine: Engine;
  /** Least recently used first; bounded so generated SQL texts cannot grow it without end. */
  private readonly statements = new Map<string, Prepared>();
  private readonly exclusive = new Mutex();
  private seq = 0;

  constructor(
    pg: PGlite,
    private readonly maxStatements = 400,
  ) {
    this.engine = pg as Engine;
  }

  /** One parameterised statement, outside any transaction (waits while one is open). */
  query(sql: string, params: readonly unknown[] = []): Promise<SessionResult> {
    return this.exclusive.runExclusive(() => this.run(sql, params, true));
  }

  /** Several statements without parameters (simple protocol), outside any transaction. */
  exec(sql: string): Promise<void> {
    return this.exclusive.runExclusive(() => this.simple(sql, true));
  }

  /** Binary COPY of `data` into `table (columns)`, outside any transaction; returns the rows loaded. */
  copyFrom(table: string, columns: readonly string[], data: Uint8Array): Promise<number> {
    return this.exclusive.runExclusive(() => this.copy(table, columns, data, true));
  }

  /**
   * Opens a transaction that has the engine to itself until commit() or rollback(). Split from
   * transaction() so that a caller on another thread can drive it one message at a time.
   */
  async begin(): Promise<SessionTransaction> {
    const release = await this.exclusive.acquire();
    try {
      await this.simple('BEGIN', false);
    } catch (e) {
      release();
      throw e;
    }
    let open = true;
    const check = () => {
      if (!open) throw new Error('Transaction is closed');
    };
    const end = async (sql: 'COMMIT' | 'ROLLBACK') => {
      check();
      open = false;
      try {
        await this.simple(sql, true);
      } finally {
        release();
      }
    };
    return {
      query: async (sql, params = []) => (check(), this.run(sql, params, false)),
      exec: async (sql) => (check(), this.simple(sql, false)),
      copyFrom: async (table, columns, data) => (check(), this.copy(table, columns, data, false)),
      commit: () => end('COMMIT'),
      rollback: () => end('ROLLBACK'),
    };
  }

  /** Runs `fn` in a transaction: commits when it resolves, rolls back when it throws. */
  async transaction<T>(fn: (tx: SessionTransaction) => Promise<T>): Promise<T> {
    const tx = await this.begin();
    let result: T;
    try {
      result = await fn(tx);
    } catch (e) {
      await tx.rollback().catch(() => {});
      throw e;
    }
    await tx.commit();
    return result;
  }

  private async simple(sql: string, syncToFs: boolean): Promise<void> {
    await this.engine.runExclusive(() => this.engine.execProtocol(concat([ser.query(sql)]), { syncToFs }));
  }

  /**
   * PGlite has no COPY FROM STDIN; its COPY reads the virtual file /dev/blob, which serves the blob handed
   * to the engine just before (held only for this statement).
   */
  private async copy(table: string, columns: readonly string[], data: Uint8Array, syncToFs: boolean): Promise<number> {
    const sql = `copy ${copyTarget(table, columns)} from '/dev/blob' with (format binary)`;
    const r = await this.engine.runExclusive(async () => {
      await this.engine._handleBlob(new Blob([data as Uint8Array<ArrayBuffer>]));
      try {
        return await this.engine.execProtocol(ser.query(sql), { syncToFs });
      } finally {
        await this.engine._cleanupBlob();
      }
    });
    const done = r.messages.find((m) => m.name === 'commandComplete') as { text?: string } | undefined;
    return Number(/(\d+)$/.exec(done?.text ?? '')?.[1] ?? 0);
  }

  private async run(sql: string, params: readonly unknown[], autocommit: boolean): Promise<SessionResult> {
    try {
      return await this.runPrepared(sql, params, autocommit);
    } catch (e) {
      if (!isStalePlan(e)) throw e;
      await this.forget(sql);
      // Inside a transaction the error has aborted it; outside, a fresh plan simply answers.
      if (!autocommit) throw e;
      return this.runPrepared(sql, params, autocommit);
    }
  }

  private async runPrepared(sql: string, params: readonly unknown[], autocommit: boolean): Promise<SessionResult> {
    const st = await this.prepare(sql);
    const values = params.map((v, i) => {
      if (v === null || v === undefined) return null;
      const serialize = this.engine.serializers[st.types[i]!];
      return serialize ? serialize(v) : String(v);
    });
    const r = await this.engine.runExclusive(() =>
      this.engine.execProtocol(concat([ser.bind({ statement: st.name, values }), ser.execute({}), ser.sync()]), { syncToFs: autocommit }),
    );
    const messages = st.rowDescription ? [st.rowDescription, ...r.messages] : r.messages;
    const result = parse.parseResults(messages as typeof r.messages, this.engine.parsers as never)[0];
    return { rows: result?.rows ?? [], affectedRows: result?.affectedRows ?? 0 };
  }

  private async prepare(sql: string): Promise<Prepared> {
    const found = this.statements.get(sql);
    if (found) {
      this.statements.delete(sql);
      this.statements.set(sql, found);
      return found;
    }
    const name = `shugai_${++this.seq}`;
    const r = await this.engine.runExclusive(() =>
      this.engine.execProtocol(concat([ser.parse({ name, text: sql }), ser.describe({ type: 'S', name }), ser.sync()]), { syncToFs: false }),
    );
    const prepared: Prepared = {
      name,
      types: parse.parseDescribeStatementResults(r.messages),
      rowDescription: r.messages.find((m) => m.name === 'rowDescription'),
    };
    this.statements.set(sql, prepared);
    if (this.statements.size > this.maxStatements) await this.forget(this.statements.keys().next().value!);
    return prepared;
  }

  private async forget(sql: string): Promise<void> {
    const st = this.statements.get(sql);
    if (!st) return;
    this.statements.delete(sql);
    // Closing a statement is allowed inside a transaction, even an aborted one.
    await this.engine
      .runExclusive(() => this.engine.execProtocol(concat([ser.close({ type: 'S', name: st.name }), ser.sync()]), { syncToFs: false }))
      .catch(() => {});
  }
}
