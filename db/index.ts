/**
 * The storage layer's public surface: the Db contract, its two engines, migrations and repositories.
 * Nothing outside db/ imports a file in it other than this one.
 */
export { AppError, isAppError } from './errors.ts';
export type { AppErrorCode, AppErrorOptions, FieldErrors } from './errors.ts';
export type { Db, DbKind, DbOptions, PgliteThread, Queryable, QueryResult, SqlParam } from './types.ts';
export { openDb } from './open.ts';
export { BinaryCopyWriter, encodeBinaryCopy } from './binary-copy.ts';
export type { CopyColumnType } from './binary-copy.ts';
export { migrate, loadMigrations, MIGRATIONS_DIR } from './migrate.ts';
export type { Migration } from './migrate.ts';
export { redactUrl } from './pg.ts';
export * from './repos/audit.ts';
export * from './repos/admin.ts';
export { restorePgliteBackup } from './pglite.ts';
export { linearMemfsGrowth } from './pglite-memfs.ts';
export * as progressRepo from './repos/progress.ts';
export type { EnterpriseRow, EnterpriseFields, StageEventRow, OutputRow, OfficerRow } from './repos/progress.ts';
export { knowledgeRepo, vectorLiteral, mapChunk, LIVE_INDEX_SETTING } from './repos/knowledge.ts';
export type { ChunkRow, DocumentRow, DocumentScope, EmbeddingIndexRow, StoredChunkKind } from './repos/knowledge.ts';
export { knowledgeSearchRepo, orQuery } from './repos/knowledge-search.ts';
export type { ChunkFilter, HitDetail, RankedId, TermStats } from './repos/knowledge-search.ts';
export { knowledgeTermsRepo } from './repos/knowledge-terms.ts';
export * from './repos/chat.ts';
export * from './repos/transcripts.ts';
export * from './repos/handoffs.ts';
export { IntakeRepo, APPLICATION_STATUSES } from './repos/intake.ts';
export type { ApplicationRow, ApplicationStatus, DraftAnswer, DraftHistoryEntry, DraftRow, DraftStatus, StatusHistoryRow } from './repos/intake.ts';
export { NxRepo } from './repos/nx.ts';
export type { NxItemRow, NxSeedItem } from './repos/nx.ts';
export { channelPayloadRepo } from './repos/channels.ts';
export type { ChannelPayloadRepo } from './repos/channels.ts';
export { faqRepo } from './repos/faq.ts';
export type { FaqPair, FaqInput, FaqPatch, FaqRepo, FaqSource } from './repos/faq.ts';
