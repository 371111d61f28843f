/**
 * The knowledge base as one object: it owns ingestion into the database (./ingestion.ts does the work),
 * the live embedding index and its atomic replacement, the editable lexicon and the hybrid retriever. Built once by the composition root
 * (console/services.ts) with its collaborators passed in; `init()` brings a fresh or stale database up to
 * date (seed lexicon, ingest changed documents, rebuild the index for a new embedder) before serving.
 */
import crypto from 'node:crypto';
import { AppError, knowledgeRepo, knowledgeSearchRepo, knowledgeTermsRepo, type Db, type DocumentRow, type TermStats } from '../../db/index.ts';
import { fitIdf, LocalEmbedder, type LocalEmbedderOptions } from '../embed/index.ts';
import { chunkDocument, DEFAULT_CHUNKING, readPackDocuments, type ChunkingOptions, type ParsedTable, type SourceDocument } from '../ingest/index.ts';
import type { Pack } from '../pack/index.ts';
import { HybridRetriever, type HybridSettings, type LiveVectorIndex } from '../search/index.ts';
import type { Tokenizer } from '../text/index.ts';
import type { Embedder } from '../types.ts';
import { embeddingText, tokensFor } from './indexing.ts';
import { createIngestion, UPLOADED_FILE_PREFIX, type IngestReport, type KnowledgeLog } from './ingestion.ts';
import { loadTokenizer, seedLexicon } from './lexicon.ts';

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

const TOKENIZER_KEY = (pack: string) => `knowledge.tokenizer.${pack}`;

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

  const { embedRows, ensureLiveIndex, createGraph, ingestDocument, ingestPack: ingestPackUnlocked, reindex: reindexUnlocked } = createIngestion({
    db,
    pack,
    chunking,
    embedBatch,
    log,
    tokenizer: tok,
    current,
    embedderFor,
    register: (e) => embedders.set(e.id, e),
    swapped: (next) => {
      embedder = next;
    },
    invalidate,
  });

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
