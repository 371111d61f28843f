/**
 * The knowledge base as one object: it owns ingestion into the database, the live embedding index and its
 * atomic replacement, the editable lexicon and the hybrid retriever. Built once by the composition root
 * (console/services.ts) with its collaborators passed in; `init()` brings a fresh or stale database up to
 * date (seed lexicon, ingest changed documents, rebuild the index for a new embedder) before serving.
 */
import crypto from 'node:crypto';
import { AppError, knowledgeRepo, knowledgeSearchRepo, knowledgeTermsRepo, type ChunkRow, type Db, type DocumentRow, type EmbeddingIndexRow, type TermStats } from '../../db/index.ts';
import { fitIdf, LocalEmbedder, type LocalEmbedderOptions } from '../embed/index.ts';
import { chunkDocument, DEFAULT_CHUNKING, readPackDocuments, type ChunkingOptions, type ParsedTable, type SourceDocument } from '../ingest/index.ts';
import type { Pack } from '../pack/index.ts';
import { HybridRetriever, type HybridSettings, type LiveVectorIndex } from '../search/index.ts';
import type { Tokenizer } from '../text/index.ts';
import type { Embedder } from '../types.ts';
import { embeddingText, toChunkRows, tokensFor } from './indexing.ts';
import { loadTokenizer, seedLexicon } from './lexicon.ts';

export interface KnowledgeLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  debug?(msg: string, fields?: Record<string, unknown>): void;
}

export interface KnowledgeBaseOptions {
  db: Db;
  pack: Pack;
  /** Defaults to the local hashed embedder. */
  embedder?: Embedder;
  log?: KnowledgeLog;
  chunking?: ChunkingOptions;
  search?: Partial<HybridSettings>;
  /** Texts per embed() call while ingesting or re-indexing. */
  embedBatch?: number;
  /** Parameters of the default local embedder (used when `embedder` is not given). */
  local?: Pick<LocalEmbedderOptions, 'dimensions' | 'ngramWeights' | 'wordWeight'> & { idf?: boolean };
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

const TOKENIZER_KEY = (pack: string) => `knowledge.tokenizer.${pack}`;

/** `file` of documents uploaded in the console (they live only in the database). */
export const UPLOADED_FILE_PREFIX = 'upload/';

/** Rebuilds a local embedder from its id, so an index built earlier stays queryable. */
export function localEmbedderFromId(id: string, words?: (t: string) => string[]): LocalEmbedder | null {
  const m = /^local-hash:v1:d(\d+):n([\d.]+)-([\d.]+)-([\d.]+):w([\d.]+)$/.exec(id);
  if (!m) return null;
  const e = new LocalEmbedder({ dimensions: Number(m[1]), ngramWeights: [Number(m[2]), Number(m[3]), Number(m[4])], wordWeight: Number(m[5]), words: Number(m[5]) ? words : undefined });
  return e.id === id ? e : null;
}

export function createKnowledgeBase(options: KnowledgeBaseOptions) {
  const { db, pack } = options;
  const log = options.log ?? { info() {}, warn() {} };
  const chunking = options.chunking ?? DEFAULT_CHUNKING;
  const embedBatch = options.embedBatch ?? 256;
  let tokenizer: Tokenizer | null = null;
  let embedder: Embedder | null = options.embedder ?? null;
  const embedders = new Map<string, Embedder>();
  let statsCache: Promise<TermStats> | null = null;
  let liveCache: Promise<LiveVectorIndex | null> | null = null;
  let initialized: Promise<IngestReport> | null = null;

  // One writer at a time in this process: ingestion, re-tokenizing and re-indexing never interleave.
  let chain: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => {});
    return run;
  };

  const tok = (): Tokenizer => {
    if (!tokenizer) throw new AppError('internal', 'knowledge base used before init()');
    return tokenizer;
  };
  const words = (t: string) => tok().words(t);
  const current = (): Embedder => {
    if (!embedder) embedder = defaultEmbedder();
    embedders.set(embedder.id, embedder);
    return embedder;
  };
  /** The local embedder, its idf fitted on this pack's chunks (so it changes only when the documents do). */
  const defaultEmbedder = (): LocalEmbedder => {
    const { idf: useIdf = true, ...params } = options.local ?? {};
    const base = new LocalEmbedder({ ...params, words });
    if (!useIdf) return base;
    const texts = readPackDocuments(pack, chunking).flatMap((d) => chunkDocument(d, chunking).chunks.map(embeddingText));
    return new LocalEmbedder({ ...params, words, idf: fitIdf(base, texts) });
  };
  const embedderFor = (id: string): Embedder | null => embedders.get(id) ?? localEmbedderFromId(id, words);
  /** The index's HNSW graph (a no-op when it exists), shaped for the embedder that built its vectors. */
  const createGraph = (index: EmbeddingIndexRow) => knowledgeRepo.createHnsw(db, index, embedderFor(index.embedderId)?.hnsw);

  // The pack's own place names never change while it is loaded: derived once.
  const localPlaces = new Set(
    [pack.regions.cityProper, ...pack.regions.regions]
      .flatMap((x) => (x ? [x.name, ...x.aliases] : []))
      .concat(pack.manifest.city)
      .flatMap((n) => [n, n.replace(/[省市县区]$/u, '')]),
  );
  let homeCache: Promise<Set<string>> | null = null;
  let validityCache: Promise<string[]> | null = null;
  const invalidate = () => {
    statsCache = null;
    homeCache = null;
    validityCache = null;
    liveCache = null;
  };

  const retriever = new HybridRetriever({
    db,
    packId: pack.id,
    tokenizer: tok,
    settings: options.search,
    validityClauses: () => {
      const v = pack.manifest.validity;
      return (validityCache ??= knowledgeTermsRepo
        .chunksContaining(db, pack.id, v.document, v.clause)
        .catch((e) => ((validityCache = null), Promise.reject(e))));
    },
    localPlaces: async () => localPlaces,
    homeDocuments: () =>
      (homeCache ??= knowledgeRepo
        .listDocuments(db, pack.id)
        .then((docs) => new Set(docs.filter((d) => d.scope === 'city').map((d) => d.id)))
        .catch((e) => ((homeCache = null), Promise.reject(e)))),
    stats: () => (statsCache ??= knowledgeSearchRepo.termStats(db, pack.id).catch((e) => ((statsCache = null), Promise.reject(e)))),
    live: () =>
      (liveCache ??= knowledgeRepo.liveIndex(db).then((idx) => (idx ? { index: idx, embedder: embedderFor(idx.embedderId) } : null))).catch(
        (e) => ((liveCache = null), Promise.reject(e)),
      ),
    onError: (what, err) => log.warn(what, { err }),
  });

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
    // No HNSW yet: ingestPackUnlocked builds it once the first load is in, which costs a sixth of
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

  async function ingestDocument(doc: SourceDocument, live: EmbeddingIndexRow | null, source: 'pack' | 'upload' = 'pack'): Promise<{ chunks: number; embedded: number }> {
    return writeDocument(await prepareDocument(doc, live, source), live);
  }

  async function ingestPackUnlocked(opts: { force?: boolean } = {}): Promise<IngestReport> {
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

  async function retokenizeUnlocked(): Promise<number> {
    const docs = new Map((await knowledgeRepo.listDocuments(db, pack.id)).map((d) => [d.id, d]));
    const rows = await knowledgeRepo.listChunks(db, { pack: pack.id, limit: 100_000_000 });
    const updates = rows.map((r) => ({ id: r.id, tokens: tokensFor(tok(), docs.get(r.documentId)?.title ?? '', r) }));
    await db.transaction(async (tx) => {
      await knowledgeRepo.updateTokens(tx, updates);
      await knowledgeRepo.setSetting(tx, TOKENIZER_KEY(pack.id), { signature: signatureHash() });
    });
    invalidate();
    return updates.length;
  }

  const signatureHash = () => crypto.createHash('sha256').update(tok().signature).digest('hex');

  async function reindexUnlocked(next: Embedder): Promise<{ indexId: number; embedded: number; ms: number }> {
    const t0 = performance.now();
    embedders.set(next.id, next);
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
      embedder = next;
      invalidate();
      for (const i of await knowledgeRepo.listIndexes(db)) if (i.id !== idx.id && i.status !== 'building') await knowledgeRepo.dropIndex(db, i.id);
      log.info('embedding index swapped', { from: old?.embedderId, to: next.id, indexId: idx.id, embedded });
    } catch (e) {
      await knowledgeRepo.dropIndex(db, idx.id).catch(() => {});
      throw e;
    }
    return { indexId: idx.id, embedded, ms: Math.round(performance.now() - t0) };
  }

  const kb = {
    pack,
    retriever,
    get embedder(): Embedder {
      return current();
    },
    get tokenizer(): Tokenizer {
      return tok();
    },
    /** The tokenizer's part-of-speech tagging, following reloads (the answer layer reads questions with it). */
    tagger: { tag: (text: string) => tok().tag(text) },

    /** Seeds the lexicon, builds the tokenizer, re-indexes for a changed embedder and ingests changed documents. */
    init(): Promise<IngestReport> {
      return (initialized ??= exclusive(async () => {
        await seedLexicon(db, pack);
        tokenizer = await loadTokenizer(db, pack.id);
        const seen = await knowledgeRepo.getSetting<{ signature: string }>(db, TOKENIZER_KEY(pack.id));
        if (seen && seen.signature !== signatureHash()) await retokenizeUnlocked();
        else if (!seen) await knowledgeRepo.setSetting(db, TOKENIZER_KEY(pack.id), { signature: signatureHash() });
        const live = await knowledgeRepo.liveIndex(db);
        const e = current();
        if (live && live.embedderId !== e.id) await reindexUnlocked(e);
        return ingestPackUnlocked();
      }).catch((e) => {
        initialized = null;
        throw e;
      }));
    },

    /** Re-ingests documents whose content hash changed (all of them with force). */
    ingestPack(opts: { force?: boolean } = {}): Promise<IngestReport> {
      return exclusive(() => ingestPackUnlocked(opts));
    },

    /**
     * Adds or replaces a document that is not part of the pack (console upload, benchmark corpora). It is
     * kept across pack re-ingestion; removeDocument deletes it.
     */
    ingestText(doc: { id: string; title: string; body: string; format?: 'markdown' | 'text' | 'raw-opinions'; scope?: DocumentRow['scope']; issuer?: string; date?: string }) {
      return exclusive(async () => {
        if (!/^[a-z0-9-]+$/.test(doc.id)) throw AppError.validation({ id: '文档编号只能包含小写字母、数字和连字符。' });
        const live = await ensureLiveIndex();
        const bytes = Buffer.byteLength(doc.body);
        const r = await ingestDocument(
          {
            pack: pack.id, id: doc.id, file: `${UPLOADED_FILE_PREFIX}${doc.id}`, format: doc.format ?? 'text', title: doc.title, shortTitle: null, issuer: doc.issuer ?? null,
            docNumber: null, date: doc.date ?? null, sourceUrl: [], completeness: null, scope: doc.scope ?? 'reference', body: doc.body, bytes,
            hash: crypto.createHash('sha256').update(doc.body).digest('hex'),
          },
          live,
          'upload',
        );
        await createGraph(live); // no-op when the graph exists
        await knowledgeRepo.analyze(db);
        invalidate();
        return { ...r, bytes };
      });
    },

    removeDocument(id: string) {
      return exclusive(async () => {
        await knowledgeRepo.deleteDocument(db, pack.id, id);
        invalidate();
      });
    },

    /** Forgets cached term statistics and the live index (after writes made outside this object). */
    refresh() {
      invalidate();
    },

    /** Builds an index for `next` alongside the live one and swaps atomically; search never goes empty. */
    reindex(next: Embedder) {
      return exclusive(() => reindexUnlocked(next));
    },

    async status() {
      return {
        pack: pack.id,
        documents: (await knowledgeRepo.listDocuments(db, pack.id)).length,
        chunks: await knowledgeRepo.countChunks(db, pack.id),
        liveIndex: await knowledgeRepo.liveIndex(db),
        indexes: await knowledgeRepo.listIndexes(db),
        embedder: current().id,
      };
    },

    documents: {
      list: () => knowledgeRepo.listDocuments(db, pack.id),
      get: (id: string) => knowledgeRepo.getDocument(db, pack.id, id),
      chunks: (documentId: string, page: { limit?: number; offset?: number } = {}) => knowledgeRepo.listChunks(db, { pack: pack.id, documentId, ...page }),
      chunk: async (id: string) => (await knowledgeRepo.chunksByIds(db, [id]))[0] ?? null,
      /**
       * Ingests one document from outside the pack (a console upload, or a new version replacing one):
       * its chunks are swapped in one transaction, so searches never see it missing.
       */
      ingest: (doc: SourceDocument) =>
        exclusive(async () => {
          const live = await ensureLiveIndex();
          const r = await ingestDocument(doc, live);
          await knowledgeRepo.analyze(db);
          invalidate();
          return r;
        }),
      /** Deletes a document and its chunks (and their vectors) in one statement. */
      remove: (id: string) =>
        exclusive(async () => {
          await knowledgeRepo.deleteDocument(db, pack.id, id);
          invalidate();
        }),
      /** Tables parsed from a document (e.g. 表1 of the opinions), as data. */
      tables: async (documentId: string): Promise<ParsedTable[]> => {
        const d = await knowledgeRepo.getDocument(db, pack.id, documentId);
        return (d?.meta.tables as ParsedTable[] | undefined) ?? [];
      },
    },

    chunks: {
      /** Replaces a chunk's text: tokens and the live index's vector are updated in one transaction. */
      edit: (id: string, text: string) =>
        exclusive(async () => {
          const c = (await knowledgeRepo.chunksByIds(db, [id]))[0];
          if (!c) throw new AppError('not_found', `chunk ${id}`, { userMessage: '没有这个片段。' });
          const doc = await knowledgeRepo.getDocument(db, pack.id, c.documentId);
          const next = { ...c, text };
          const tokens = tokensFor(tok(), doc?.title ?? '', next);
          const live = await knowledgeRepo.liveIndex(db);
          const e = live ? embedderFor(live.embedderId) : null;
          const vector = live && e ? (await embedRows(e, [next]))[0] : null;
          await db.transaction(async (tx) => {
            await knowledgeRepo.updateChunkText(tx, id, text, tokens);
            if (live && vector) await knowledgeRepo.upsertEmbeddings(tx, live.id, [{ chunkId: id, vector }]);
          });
          invalidate();
        }),
      setDisabled: async (id: string, disabled: boolean) => {
        if (!(await knowledgeRepo.setChunkDisabled(db, id, disabled))) throw new AppError('not_found', `chunk ${id}`, { userMessage: '没有这个片段。' });
      },
    },

    lexicon: {
      listWords: () => knowledgeRepo.listWords(db, pack.id),
      addWord: async (word: string, freq?: number, tag?: string) => knowledgeRepo.addWord(db, pack.id, { word: validWord(word), freq, tag }),
      removeWord: (word: string) => knowledgeRepo.removeWord(db, pack.id, word),
      listSynonyms: () => knowledgeRepo.listSynonyms(db, pack.id),
      addSynonym: async (term: string, canonical: string) => knowledgeRepo.addSynonym(db, pack.id, validWord(term), validWord(canonical)),
      removeSynonym: (term: string) => knowledgeRepo.removeSynonym(db, pack.id, term),
      /** Rebuilds the tokenizer from the database and re-tokenizes every chunk; returns the chunk count. */
      reload: () =>
        exclusive(async () => {
          tokenizer = await loadTokenizer(db, pack.id);
          return retokenizeUnlocked();
        }),
    },
  };
  return kb;
}

function validWord(w: string): string {
  const t = String(w ?? '').trim();
  if (!t || t.length > 32 || /\s/.test(t))
    throw AppError.validation({ word: '词条不能为空、不能含空格，且不超过32个字。' });
  return t;
}

export type KnowledgeBase = ReturnType<typeof createKnowledgeBase>;
