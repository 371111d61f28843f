/**
 * Ingestion into the knowledge base's storage, for kb.ts, which owns the state (tokenizer, embedders,
 * caches, the one-writer lock) and passes it in. A document is prepared (parsed, chunked, tokenized,
 * embedded, reusing the stored vectors of unchanged chunks), then written in one transaction, so a search
 * sees the old chunks or the new ones; a pack is ingested with the next document prepared while the
 * previous one is written (the database works on its own thread or server meanwhile), and after a bulk
 * load the HNSW graph is built once; re-indexing for another embedder fills a second index beside the
 * live one and swaps atomically.
 */
import { knowledgeRepo, type ChunkRow, type Db, type DocumentRow, type EmbeddingIndexRow } from '../../db/index.ts';
import { chunkDocument, readPackDocuments, type ChunkingOptions, type SourceDocument } from '../ingest/index.ts';
import type { Pack } from '../pack/index.ts';
import type { Tokenizer } from '../text/index.ts';
import type { Embedder } from '../types.ts';
import { embeddingText, toChunkRows } from './indexing.ts';

export interface KnowledgeLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  debug?(msg: string, fields?: Record<string, unknown>): void;
}

export interface IngestReport {
  documents: number;
  ingested: string[];
  unchanged: string[];
  removed: string[];
  chunks: number;
  embedded: number;
  bytes: number;
  ms: number;
}

/** `file` of documents uploaded in the console (they live only in the database). */
export const UPLOADED_FILE_PREFIX = 'upload/';

export interface IngestionContext {
  db: Db;
  pack: Pack;
  chunking: ChunkingOptions;
  /** Texts per embed() call. */
  embedBatch: number;
  log: KnowledgeLog;
  tokenizer(): Tokenizer;
  /** The embedder new indexes are built with. */
  current(): Embedder;
  /** The embedder that built an index's vectors (null when it cannot be rebuilt). */
  embedderFor(id: string): Embedder | null;
  /** Makes an embedder known to embedderFor (before its index is live). */
  register(e: Embedder): void;
  /** `next`'s index has just become the live one. */
  swapped(next: Embedder): void;
  /** Forgets what the knowledge base cached about the stored data. */
  invalidate(): void;
}

export function createIngestion(ctx: IngestionContext) {
  const { db, pack, chunking, embedBatch, log, current, embedderFor, register, swapped, invalidate } = ctx;
  const tok = ctx.tokenizer;

  /** The index's HNSW graph (a no-op when it exists), shaped for the embedder that built its vectors. */
  const createGraph = (index: EmbeddingIndexRow) => knowledgeRepo.createHnsw(db, index, embedderFor(index.embedderId)?.hnsw);

  async function embedRows(e: Embedder, rows: Pick<ChunkRow, 'kind' | 'sectionPath' | 'text' | 'meta'>[]): Promise<number[][]> {
    const out: number[][] = [];
    for (let i = 0; i < rows.length; i += embedBatch) out.push(...(await e.embed(rows.slice(i, i + embedBatch).map(embeddingText))));
    return out;
  }

  async function ensureLiveIndex(): Promise<EmbeddingIndexRow> {
    const e = current();
    const live = await knowledgeRepo.liveIndex(db);
    if (live) return live;
    const idx = await knowledgeRepo.createIndex(db, e.id, e.dimensions);
    // No HNSW yet: ingestPack builds it once the first load is in, which costs a sixth of
    // maintaining the graph row by row during the load (docs/benchmarks.md).
    await knowledgeRepo.setLive(db, idx);
    invalidate();
    return { ...idx, status: 'ready' };
  }

  interface PreparedDocument {
    doc: SourceDocument;
    docRow: DocumentRow;
    rows: ChunkRow[];
    vectors: { chunkId: string; vector: number[] }[];
    embedded: number;
  }

  /**
   * A document's rows and vectors, ready to write: parsing, chunking, tokenizing and embedding. The
   * vectors of chunks already stored (same text, same id) are reused, so an external embedder is not
   * paid twice; a document known to be new (`isNew`) has none, and is prepared without the database.
   */
  async function prepareDocument(doc: SourceDocument, live: EmbeddingIndexRow | null, source: 'pack' | 'upload', isNew = false): Promise<PreparedDocument> {
    const { chunks, tables } = chunkDocument(doc, chunking);
    const rows = toChunkRows(pack, doc.id, doc.title, chunks, tok());
    const vectors: { chunkId: string; vector: number[] }[] = [];
    let embedded = 0;
    const liveEmbedder = live ? embedderFor(live.embedderId) : null;
    if (live && liveEmbedder) {
      const have = isNew ? new Map<string, number[]>() : await knowledgeRepo.embeddingsFor(db, live.id, rows.map((r) => r.id));
      const missing = rows.filter((r) => !have.has(r.id));
      const fresh = await embedRows(liveEmbedder, missing);
      embedded = fresh.length;
      missing.forEach((r, i) => have.set(r.id, fresh[i]!));
      for (const r of rows) vectors.push({ chunkId: r.id, vector: have.get(r.id)! });
    }
    const docRow: DocumentRow = {
      pack: pack.id,
      id: doc.id,
      file: doc.file,
      format: doc.format,
      title: doc.title,
      shortTitle: doc.shortTitle,
      issuer: doc.issuer,
      docNumber: doc.docNumber,
      date: doc.date,
      sourceUrl: doc.sourceUrl,
      completeness: doc.completeness,
      scope: doc.scope,
      contentHash: doc.hash,
      bytes: doc.bytes,
      chunkCount: rows.length,
      meta: { tables, source },
    };
    return { doc, docRow, rows, vectors, embedded };
  }

  async function writeDocument(p: PreparedDocument, live: EmbeddingIndexRow | null, hnswDeferred = false): Promise<{ chunks: number; embedded: number }> {
    // A large document is a bulk load of its own: build the HNSW graph once afterwards.
    const rebuild = Boolean(live && !hnswDeferred && p.rows.length > 500);
    if (rebuild) await knowledgeRepo.dropHnsw(db, live!.id);
    try {
      // One transaction: searches see the old chunks or the new ones, never a half-written document.
      await db.transaction(async (tx) => {
        await knowledgeRepo.upsertDocument(tx, p.docRow);
        await knowledgeRepo.deleteChunks(tx, pack.id, p.doc.id);
        await knowledgeRepo.insertChunks(tx, p.rows);
        if (live && p.vectors.length) await knowledgeRepo.insertEmbeddings(tx, live.id, p.vectors);
      });
    } finally {
      if (rebuild) await createGraph(live!);
    }
    return { chunks: p.rows.length, embedded: p.embedded };
  }

  async function ingestPack(opts: { force?: boolean } = {}): Promise<IngestReport> {
    const t0 = performance.now();
    const docs = readPackDocuments(pack, chunking);
    const hashes = await knowledgeRepo.documentHashes(db, pack.id);
    const live = await ensureLiveIndex();
    const report: IngestReport = { documents: docs.length, ingested: [], unchanged: [], removed: [], chunks: 0, embedded: 0, bytes: 0, ms: 0 };
    const todo = docs.filter((doc) => opts.force || hashes.get(doc.id) !== doc.hash);
    report.unchanged = docs.filter((d) => !todo.includes(d)).map((d) => d.id);
    // A bulk load (first start, or most of the corpus changed) builds the HNSW index once afterwards:
    // row-by-row HNSW inserts are about ten times slower. Meanwhile vector search scans exactly.
    const bulk = todo.reduce((a, d) => a + d.bytes, 0) > 0.5 * docs.reduce((a, d) => a + d.bytes, 0) && todo.length > 1;
    if (bulk) await knowledgeRepo.dropHnsw(db, live.id);
    try {
      // Pipelined: the next document is parsed and embedded while the previous one is being written.
      // With the database on another thread or server (the PGlite worker, PostgreSQL) both cores work;
      // the writes stay in order, one transaction each.
      let writing: Promise<void> = Promise.resolve();
      try {
        for (const doc of todo) {
          const prepared = await prepareDocument(doc, live, 'pack', !hashes.has(doc.id));
          await writing;
          writing = writeDocument(prepared, live, bulk).then((r) => {
            report.ingested.push(doc.id);
            report.chunks += r.chunks;
            report.embedded += r.embedded;
            report.bytes += doc.bytes;
          });
          // Awaited at the next document or below; a failure meanwhile is not an unhandled rejection.
          writing.catch(() => {});
        }
      } finally {
        await writing;
      }
    } finally {
      if (bulk) await createGraph(live);
    }
    const present = new Set(docs.map((d) => d.id));
    // Documents uploaded in the console are not in the pack's files; a pack re-ingest keeps them.
    const uploaded = new Set((await knowledgeRepo.listDocuments(db, pack.id)).filter((d) => d.file.startsWith(UPLOADED_FILE_PREFIX)).map((d) => d.id));
    for (const id of hashes.keys())
      if (!present.has(id) && !uploaded.has(id)) {
        await knowledgeRepo.deleteDocument(db, pack.id, id);
        report.removed.push(id);
      }
    // A no-op when the index exists; after a first load it builds the graph over all rows at once.
    if (report.ingested.length) await createGraph(live);
    if (report.ingested.length || report.removed.length) await knowledgeRepo.analyze(db);
    invalidate();
    report.ms = Math.round(performance.now() - t0);
    if (report.ingested.length || report.removed.length) log.info('knowledge ingested', { pack: pack.id, ...report, unchanged: report.unchanged.length });
    return report;
  }

  async function reindex(next: Embedder): Promise<{ indexId: number; embedded: number; ms: number }> {
    const t0 = performance.now();
    register(next);
    const idx = await knowledgeRepo.createIndex(db, next.id, next.dimensions);
    let embedded = 0;
    try {
      // Built beside the live index: searches keep using the old one until the swap below.
      for (;;) {
        const rows = await knowledgeRepo.chunksWithoutEmbedding(db, idx.id, embedBatch);
        if (rows.length === 0) break;
        const vectors = await embedRows(next, rows);
        await knowledgeRepo.insertEmbeddings(db, idx.id, rows.map((r, i) => ({ chunkId: r.id, vector: vectors[i] })));
        embedded += rows.length;
      }
      await createGraph(idx);
      await knowledgeRepo.analyze(db);
      const old = await knowledgeRepo.liveIndex(db);
      await db.transaction(async (tx) => knowledgeRepo.setLive(tx, idx));
      swapped(next);
      invalidate();
      for (const i of await knowledgeRepo.listIndexes(db)) if (i.id !== idx.id && i.status !== 'building') await knowledgeRepo.dropIndex(db, i.id);
      log.info('embedding index swapped', { from: old?.embedderId, to: next.id, indexId: idx.id, embedded });
    } catch (e) {
      await knowledgeRepo.dropIndex(db, idx.id).catch(() => {});
      throw e;
    }
    return { indexId: idx.id, embedded, ms: Math.round(performance.now() - t0) };
  }

  async function ingestDocument(doc: SourceDocument, live: EmbeddingIndexRow | null, source: 'pack' | 'upload' = 'pack'): Promise<{ chunks: number; embedded: number }> {
    return writeDocument(await prepareDocument(doc, live, source), live);
  }

  return { embedRows, ensureLiveIndex, createGraph, ingestDocument, ingestPack, reindex };
}
