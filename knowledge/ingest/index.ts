/**
 * Ingestion: reading a pack's documents, parsing their structure (section paths, tables) and chunking
 * them. Pure up to here; writing to the database is the knowledge base's job (knowledge/base).
 */
export { parseStructure, tableRowText, chineseOrdinal, parseChineseOrdinal } from './structure.ts';
export type { Block, BlockKind, ParsedDocument, ParsedTable } from './structure.ts';
export { chunkBlocks, splitText, DEFAULT_CHUNKING } from './chunker.ts';
export type { ChunkDraft, ChunkingOptions } from './chunker.ts';
export { parseFrontMatter } from './frontmatter.ts';
export type { FrontMatter, FrontMatterValue } from './frontmatter.ts';
export { readPackDocuments, guessScope, documentIdFromFile, INGEST_VERSION } from './documents.ts';
export type { SourceDocument } from './documents.ts';

import { chunkBlocks, DEFAULT_CHUNKING, type ChunkDraft, type ChunkingOptions } from './chunker.ts';
import type { SourceDocument } from './documents.ts';
import { parseStructure, type ParsedTable } from './structure.ts';

/** Parses and chunks one document. */
export function chunkDocument(doc: Pick<SourceDocument, 'body' | 'format'>, options: ChunkingOptions = DEFAULT_CHUNKING): { chunks: ChunkDraft[]; tables: ParsedTable[] } {
  const parsed = parseStructure(doc.body, doc.format);
  return { chunks: chunkBlocks(parsed.blocks, options), tables: parsed.tables };
}
