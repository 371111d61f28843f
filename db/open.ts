/**
 * Chooses the engine from explicit options (never from process.env: the console parses the environment)
 * and brings the schema up to date before anyone uses the connection.
 */
import { migrate } from './migrate.ts';
import { openPg } from './pg.ts';
import { openPglite } from './pglite.ts';
import { openPgliteWorker } from './pglite-worker.ts';
import type { Db, DbOptions, PgliteThread } from './types.ts';

/** A data directory gets its own database thread unless told otherwise; in-memory test databases do not. */
export function embeddedThread(options: Exclude<DbOptions, { kind: 'pg' }>): PgliteThread {
  return options.thread ?? (options.kind === 'pglite' ? 'worker' : 'main');
}

export async function openDb(options: DbOptions, { runMigrations = true } = {}): Promise<Db> {
  const db =
    options.kind === 'pg'
      ? await openPg(options.url, options.poolSize)
      : await (embeddedThread(options) === 'worker' ? openPgliteWorker : openPglite)(options.kind === 'pglite' ? options.dataDir : null);
  if (runMigrations) {
    try {
      await migrate(db);
    } catch (e) {
      await db.close().catch(() => {});
      throw e;
    }
  }
  return db;
}
