/** Hybrid search (lexical + vector, fused by reciprocal rank fusion) implementing the Retriever contract. */
export { HybridRetriever, DEFAULT_HYBRID } from './hybrid.ts';
export type { HybridSettings, HybridDeps, LiveVectorIndex, SearchTrace } from './hybrid.ts';
