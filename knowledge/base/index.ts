/** The knowledge base factory: ingestion into the database, embedding indexes, lexicon admin, retriever. */
export { createKnowledgeBase, localEmbedderFromId, UPLOADED_FILE_PREFIX } from './kb.ts';
export type { KnowledgeBase, KnowledgeBaseOptions, KnowledgeLog, IngestReport } from './kb.ts';
export { packLexicon, seedLexicon, loadLexicon } from './lexicon.ts';
export { lexicalText, embeddingText, tagChunk } from './indexing.ts';
