/**
 * The worker-thread side of embedded PGlite (db/pglite-worker.ts is the other side). PGlite is
 * single-threaded WebAssembly: run in the app's process, every statement stalls HTTP and dialogue work on
 * the same core. Here it owns a thread of its own and answers numbered requests from the main thread;
 * a transaction is opened, stepped and ended by separate requests, holding the engine in between, exactly
 * as the in-process session does. Errors travel as their PostgreSQL fields, so the main thread maps them
 * with the same mapDbError as in-process.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PGlite } from '@electric-sql/pglite';
import { PgliteSession, startPglite, type SessionResult, type SessionTransaction } from './pglite-session.ts';

export type WorkerRequest =
  | { id: number; op: 'query'; sql: string; params: readonly unknown[]; tx?: number }
  | { id: number; op: 'exec'; sql: string; tx?: number }
  | { id: number; op: 'copy'; table: string; columns: readonly string[]; data: Uint8Array; tx?: number }
  | { id: number; op: 'begin' }
  | { id: number; op: 'commit' | 'rollback'; tx: number }
  | { id: number; op: 'backup' }
  | { id: number; op: 'close' };

/** A PostgreSQL error's fields (DatabaseError's own properties do not survive postMessage). */
export interface WorkerError {
  name: string;
  message: string;
  [field: string]: unknown;
}

export type WorkerReply =
  | { id: number; ok: true; result: SessionResult | number | Uint8Array | null }
  | { id: number; ok: false; error: WorkerError }
  | { id: 0; ready: true }
  | { id: 0; ready: false; error: WorkerError };

export interface WorkerData {
  /** null: in memory. */
  dataDir: string | null;
}

const ERROR_FIELDS = ['code', 'severity', 'detail', 'hint', 'position', 'where', 'schema', 'table', 'column', 'dataType', 'constraint', 'routine'];

export function errorFields(e: unknown): WorkerError {
  const err = e as Record<string, unknown> | null;
  const out: WorkerError = { name: String(err?.name ?? 'Error'), message: String(err?.message ?? e) };
  for (const k of ERROR_FIELDS) if (err?.[k] !== undefined && err[k] !== null) out[k] = String(err[k]);
  return out;
}

async function serve(port: NonNullable<typeof parentPort>, data: WorkerData): Promise<void> {
  let pg: PGlite;
  try {
    pg = await startPglite(data.dataDir);
  } catch (e) {
    port.postMessage([{ id: 0, ready: false, error: errorFields(e) } satisfies WorkerReply]);
    return;
  }
  const session = new PgliteSession(pg);
  const txs = new Map<number, SessionTransaction>();
  let nextTx = 0;
  const openTx = (id: number): SessionTransaction => {
    const tx = txs.get(id);
    if (!tx) throw new Error('Transaction is closed');
    return tx;
  };
  const inTx = (id: number | undefined) => (id === undefined ? session : openTx(id));

  const handle = async (m: WorkerRequest): Promise<SessionResult | number | Uint8Array | null> => {
    switch (m.op) {
      case 'query':
        return inTx(m.tx).query(m.sql, m.params);
      case 'exec':
        await inTx(m.tx).exec(m.sql);
        return null;
      case 'copy':
        return inTx(m.tx).copyFrom(m.table, m.columns, m.data);
      case 'begin': {
        const id = ++nextTx;
        txs.set(id, await session.begin());
        return id;
      }
      case 'commit':
      case 'rollback': {
        const tx = openTx(m.tx);
        txs.delete(m.tx);
        await (m.op === 'commit' ? tx.commit() : tx.rollback());
        return null;
      }
      case 'backup': {
        const blob = await pg.dumpDataDir('gzip');
        return new Uint8Array(await blob.arrayBuffer());
      }
      case 'close':
        await pg.close();
        return null;
    }
  };

    // Replies finished in one turn of the event loop leave in one message: posting costs tens of
  // microseconds per message whatever its size, which at hundreds of statements a second is a core's
  // fifth. Requests arrive batched the same way.
  let outbox: WorkerReply[] = [];
  const flush = () => {
    const batch = outbox;
    outbox = [];
    const transfer = batch.flatMap((r) => ('result' in r && r.result instanceof Uint8Array ? [r.result.buffer as ArrayBuffer] : []));
    try {
      port.postMessage(batch, transfer);
    } catch {
      // A value structured clone cannot carry: send each reply alone so only its own request fails.
      for (const r of batch) {
        try {
          port.postMessage([r]);
        } catch (e) {
          port.postMessage([{ id: r.id, ok: false, error: errorFields(e) } satisfies WorkerReply]);
        }
      }
    }
  };
  const reply = (r: WorkerReply) => {
    if (outbox.push(r) === 1) setImmediate(flush);
  };
  // Requests are started in arrival order; the session's locks keep each transaction's statements in order.
  port.on('message', (batch: WorkerRequest[]) => {
    for (const m of batch)
      handle(m).then(
        (result) => reply({ id: m.id, ok: true, result }),
        (e) => reply({ id: m.id, ok: false, error: errorFields(e) }),
      );
  });
  port.postMessage([{ id: 0, ready: true } satisfies WorkerReply]);
}

if (parentPort) void serve(parentPort, workerData as WorkerData);
