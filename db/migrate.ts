/**
 * Applies db/migrations/*.sql in file-name order, each recorded in schema_migrations with a checksum.
 * All pending files run in one transaction under an advisory lock, so two processes starting against
 * one PostgreSQL cannot both apply them, and a failure leaves the schema as it was.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from './errors.ts';
import type { Db } from './types.ts';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
const LOCK_KEY = 7_424_911; // arbitrary, constant: "shugai migrations"

export interface Migration {
  version: string;
  sql: string;
  checksum: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = fs.readFileSync(path.join(dir, f), 'utf8');
      return { version: f.replace(/\.sql$/, ''), sql, checksum: crypto.createHash('sha256').update(sql).digest('hex') };
    });
}

async function assertVectorAvailable(db: Db): Promise<void> {
  const r = await db.query<{ n: number }>("select count(*)::int as n from pg_available_extensions where name = 'vector'");
  if ((r.rows[0]?.n ?? 0) === 0)
    throw new AppError(
      'db_vector_missing',
      `the PostgreSQL server at ${db.location} has no 'vector' extension available; install pgvector (e.g. the postgresql-16-pgvector package or the pgvector/pgvector image) and retry`,
      { userMessage: `数据库 ${db.location} 缺少 pgvector 扩展（vector），请先安装 pgvector 再启动。` },
    );
}

/** Returns the versions it applied (empty when the schema was already current). */
export async function migrate(db: Db, migrations = loadMigrations()): Promise<string[]> {
  await assertVectorAvailable(db);
  await db.exec(`create table if not exists schema_migrations (
    version text primary key,
    checksum text not null,
    applied_at timestamptz not null default now()
  )`);
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [LOCK_KEY]);
    const applied = new Map(
      (await tx.query<{ version: string; checksum: string }>('select version, checksum from schema_migrations')).rows.map((r) => [r.version, r.checksum]),
    );
    const done: string[] = [];
    for (const m of migrations) {
      const seen = applied.get(m.version);
      if (seen !== undefined) {
        if (seen !== m.checksum)
          throw new AppError('config', `migration ${m.version} was changed after it was applied to ${db.location}; add a new migration instead of editing an applied one`);
        continue;
      }
      await tx.exec(m.sql);
      await tx.query('insert into schema_migrations (version, checksum) values ($1, $2)', [m.version, m.checksum]);
      done.push(m.version);
    }
    return done;
  });
}
