/** The knowledge base factory: ingestion into the database, embedding indexes, lexicon admin, retriever. */
export { createKnowledgeBase, localEmbedderFromId } from './kb.ts';
export type { KnowledgeBase, KnowledgeBaseOptions } from './kb.ts';
export { UPLOADED_FILE_PREFIX } from './ingestion.ts';
export type { KnowledgeLog, IngestReport } from './ingestion.ts';
export { packLexicon, seedLexicon, loadLexicon } from './lexicon.ts';
export { lexicalText, embeddingText, tagChunk } from './indexing.ts';
