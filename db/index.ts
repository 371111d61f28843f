/**
 * The storage layer's public surface: the Db contract, its two engines, migrations and repositories.
 * Nothing outside db/ imports a file in it other than this one.
 */
export { AppError, isAppError } from './errors.ts';
export type { AppErrorCode, AppErrorOptions, FieldErrors } from './errors.ts';
export type { Db, DbKind, DbOptions, Queryable, QueryResult, SqlParam } from './types.ts';
export { openDb } from './open.ts';
export { migrate, loadMigrations, MIGRATIONS_DIR } from './migrate.ts';
export type { Migration } from './migrate.ts';
export { redactUrl } from './pg.ts';
export { restorePgliteBackup } from './pglite.ts';
export { channelPayloadRepo } from './repos/channels.ts';
export type { ChannelPayloadRepo } from './repos/channels.ts';
