/**
 * Chooses the engine from explicit options (never from process.env: the console parses the environment)
 * and brings the schema up to date before anyone uses the connection.
 */
import { migrate } from './migrate.ts';
import { openPg } from './pg.ts';
import { openPglite } from './pglite.ts';
import type { Db, DbOptions } from './types.ts';

export async function openDb(options: DbOptions, { runMigrations = true } = {}): Promise<Db> {
  const db =
    options.kind === 'pg'
      ? await openPg(options.url, options.poolSize)
      : await openPglite(options.kind === 'pglite' ? options.dataDir : null);
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
