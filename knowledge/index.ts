/**
 * The knowledge layer's public surface: policy packs, ingestion, tokenizing, embeddings, search,
 * answering and the pack's deterministic rules. bot/ and console/ import only this file.
 */
export * from './pack/index.ts';
export type * from './types.ts';
export * from './text/index.ts';
export * from './ingest/index.ts';
export * from './embed/index.ts';
export * from './search/index.ts';
export * from './base/index.ts';
export * from './answer/index.ts';
/** The evaluation harness (npm run eval), namespaced so its helpers never collide with search's names. */
export * as evaluation from './eval/index.ts';
export * from './cache/index.ts';
