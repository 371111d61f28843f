/**
 * Hybrid retrieval: a lexical ranker (BM25-style over jieba tokens in a tsvector, GIN) and a vector ranker
 * (cosine over the live embedding index, HNSW), fused by reciprocal rank fusion. Each hit keeps both
 * rankers' rank and score so the console can show why it was found. Any query text is accepted: noise,
 * emoji or 2,000 characters yield a normal, possibly empty, result.
 */
import { knowledgeSearchRepo, knowledgeTermsRepo, vectorLiteral, type ChunkFilter, type Db, type RankedId, type TermStats } from '../../db/index.ts';
import type { Tokenizer } from '../text/index.ts';
import type { Embedder, Retriever, SearchHit, SearchOptions } from '../types.ts';
import { cjkBigrams, DEFAULT_RERANK, queryIntent, rerank, type RerankSettings } from './rerank.ts';

export interface HybridSettings {
  /** RRF constant: larger flattens the difference between ranks. */
  rrfK: number;
  /** Candidates taken from each ranker before fusion. */
  candidates: number;
  weights: { lexical: number; vector: number };
  bm25: { k1: number; b: number };
  maxQueryChars: number;
  maxQueryTokens: number;
  /** Query tokens found in more than this share of chunks carry no signal and are dropped. */
  maxDfRatio: number;
  /** Second stage over the fused candidates (rerank.ts). */
  rerank: RerankSettings;
}

export const DEFAULT_HYBRID: HybridSettings = {
  // Tuned on the dev set (docs/embeddings.md): a small k keeps the lexical ranker's top ranks decisive,
  // and the weaker hashed-vector ranker reorders ties and rescues paraphrases rather than dominating.
  rrfK: 5,
  candidates: 20,
  weights: { lexical: 1, vector: 0.35 },
  bm25: { k1: 1.2, b: 0.3 },
  maxQueryChars: 2000,
  maxQueryTokens: 32,
  maxDfRatio: 0.6,
  rerank: DEFAULT_RERANK,
};

/** A place named in the query points at the documents about it when it occurs in at most this many. */
const NAMED_MAX_DOCUMENTS = 3;

const VALIDITY_Q = /截止|到期|有效期|期限|期满|还能|还可以|还来得及|什么时候结束|啥时候结束|哪天结束|deadline|expire|still (?:apply|possible|open)/iu;

export interface LiveVectorIndex {
  index: { id: number; dimensions: number };
  /** Null when the live index was built by an embedder this process cannot run (lexical only until the swap). */
  embedder: Embedder | null;
}

export interface HybridDeps {
  db: Db;
  packId: string;
  tokenizer(): Tokenizer;
  live(): Promise<LiveVectorIndex | null>;
  stats(): Promise<TermStats>;
  /** Chunks holding the pack's declared validity clause, candidates for every deadline question. */
  validityClauses?(): Promise<string[]>;
  /** This city's own place names and aliases (金华, 永康市, 东阳 …): naming them names no other document. */
  localPlaces?(): Promise<Set<string>>;
  /** Ids of this city's own documents (scope 'city'), preferred by the second stage. */
  homeDocuments?(): Promise<Set<string>>;
  settings?: Partial<HybridSettings>;
  onError?(what: string, err: unknown): void;
}

export interface SearchTrace {
  tokens: { token: string; weight: number }[];
  lexical: RankedId[];
  vector: RankedId[];
  ms: { lexical: number; vector: number; total: number };
}

export class HybridRetriever implements Retriever {
  readonly settings: HybridSettings;

  constructor(private readonly deps: HybridDeps) {
    this.settings = { ...DEFAULT_HYBRID, ...deps.settings };
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    return (await this.searchTraced(query, options)).hits;
  }

  /**
   * Loads what searching needs (term statistics, the live index) and prepares the statements it sends,
   * so the first questions after a start are as fast as the rest: a statement text's first execution
   * costs several repeats, and the term statistics are a scan of every chunk. Returns the milliseconds.
   */
  async warm(): Promise<number> {
    const t = performance.now();
    await this.deps.stats();
    await knowledgeSearchRepo.warmLexical(this.deps.db);
    await knowledgeSearchRepo.hitDetails(this.deps.db, ['-'], ['-']);
    const live = await this.deps.live();
    if (live) {
      const basis = new Array<number>(live.index.dimensions).fill(0);
      basis[0] = 1;
      await knowledgeSearchRepo.vector(this.deps.db, live.index, vectorLiteral(basis), { pack: this.deps.packId }, this.settings.candidates);
    }
    return performance.now() - t;
  }

  /** Query tokens with their idf weight, most informative first. */
  async queryTerms(query: string): Promise<{ token: string; weight: number }[]> {
    const stats = await this.deps.stats();
    const n = Math.max(stats.n, 1);
    const seen = new Set<string>();
    const terms: { token: string; weight: number; df: number }[] = [];
    for (const t of this.deps.tokenizer().tokens(query)) {
      if (seen.has(t) || t.length > 64) continue;
      seen.add(t);
      const df = stats.df.get(t) ?? 0;
      if (df === 0) continue;
      terms.push({ token: t, df, weight: Math.log(1 + (n - df + 0.5) / (df + 0.5)) });
    }
    const informative = terms.filter((t) => t.df / n <= this.settings.maxDfRatio);
    const kept = (informative.length ? informative : terms).sort((a, b) => b.weight - a.weight).slice(0, this.settings.maxQueryTokens);
    return kept.map(({ token, weight }) => ({ token, weight }));
  }

  /**
   * Documents about another place that the query names (昆明, 广东, 天台县): the city's own documents are
   * preferred only while a question names no other place. Places of this city (its districts) name nothing.
   */
  private async namedDocuments(query: string, pack: string | undefined): Promise<Set<string>> {
    const local = (await this.deps.localPlaces?.()) ?? new Set<string>();
    const places = this.deps.tokenizer().places(query).filter((p) => !local.has(p) && !local.has(p.replace(/[省市县区]$/u, '')));
    if (places.length === 0) return new Set();
    // Only a term in at most 3 × (the largest document's chunks) chunks can be in at most 3 documents;
    // asking about the others (浙江 all over 10k generated clauses) aggregated thousands of rows for nothing.
    const { df, maxDocumentChunks } = await this.deps.stats();
    const forms = [...new Set(places.flatMap((p) => [p, p.replace(/[省市县区]$/u, '')]).filter((p) => [...p].length >= 2))].filter((f) => {
      const d = df.get(f) ?? 0;
      return pack !== this.deps.packId || (d > 0 && d <= NAMED_MAX_DOCUMENTS * maxDocumentChunks);
    });
    const byToken = forms.length ? await knowledgeTermsRepo.termDocuments(this.deps.db, pack, forms, NAMED_MAX_DOCUMENTS) : new Map<string, string[]>();
    const docs = new Set([...byToken.values()].flat());
    const home = await this.deps.homeDocuments?.();
    for (const d of docs) if (home?.has(d)) docs.delete(d);
    // Another place named but no document about it: nothing to prefer, and not the city's own either.
    if (docs.size === 0) docs.add('\u0000none');
    return docs;
  }

  async searchTraced(rawQuery: string, options: SearchOptions = {}): Promise<{ hits: SearchHit[]; trace: SearchTrace }> {
    const t0 = performance.now();
    const s = this.settings;
    const k = Math.min(Math.max(Math.trunc(options.k ?? 5), 1), 100);
    const query = String(rawQuery ?? '').slice(0, s.maxQueryChars).trim();
    const trace: SearchTrace = { tokens: [], lexical: [], vector: [], ms: { lexical: 0, vector: 0, total: 0 } };
    if (!query) return { hits: [], trace };
    const filter: ChunkFilter = {
      pack: options.pack ?? this.deps.packId,
      documentIds: options.documentIds,
      industry: options.industry,
      region: options.region,
      scopes: options.scopes,
      kinds: options.kinds,
    };
    const candidates = Math.max(s.candidates, k);

    const lexical = async () => {
      const t = performance.now();
      trace.tokens = await this.queryTerms(query);
      const stats = await this.deps.stats();
      trace.lexical = await knowledgeSearchRepo.lexical(this.deps.db, trace.tokens, filter, candidates, { ...s.bm25, avgTokens: stats.avgTokens, df: stats.df, n: stats.n });
      trace.ms.lexical = performance.now() - t;
    };
    const vector = async () => {
      const t = performance.now();
      const live = await this.deps.live();
      if (!live?.embedder) return;
      let v: number[];
      try {
        [v] = await live.embedder.embed([query]);
      } catch (e) {
        this.deps.onError?.('query embedding failed; lexical results only', e);
        return;
      }
      if (!v || !v.some((x) => x !== 0)) return; // nothing to compare (e.g. only punctuation)
      const restricted = Boolean(filter.documentIds?.length || filter.industry || filter.region || filter.scopes?.length || filter.kinds?.length);
      const run = (q: Parameters<typeof knowledgeSearchRepo.vector>[0]) => knowledgeSearchRepo.vector(q, live.index, vectorLiteral(v), filter, candidates);
      trace.vector = restricted
        ? await this.deps.db.transaction(async (tx) => {
            // Filters drop HNSW candidates after the scan; let the scan continue until enough survive.
            await tx.exec(`set local hnsw.ef_search = ${Math.max(100, candidates * 2)}; set local hnsw.iterative_scan = relaxed_order`);
            return run(tx);
          })
        : await run(this.deps.db);
      trace.ms.vector = performance.now() - t;
    };
    await Promise.all([lexical(), vector()]);

    const fused = new Map<string, { score: number; lexical?: { rank: number; score: number }; vector?: { rank: number; score: number } }>();
    const addList = (list: RankedId[], which: 'lexical' | 'vector', weight: number) =>
      list.forEach((r, i) => {
        const e = fused.get(r.id) ?? { score: 0 };
        e.score += weight / (s.rrfK + i + 1);
        e[which] = { rank: i + 1, score: r.score };
        fused.set(r.id, e);
      });
    addList(trace.lexical, 'lexical', s.weights.lexical);
    addList(trace.vector, 'vector', s.weights.vector);
    // "还能申请吗 / 截止到什么时候" rests on the validity clause, which shares few words with the question.
    const anchors = new Set<string>();
    if (VALIDITY_Q.test(query) && this.deps.validityClauses && !filter.documentIds?.length && !filter.kinds?.length && !filter.scopes?.length) {
      for (const id of await this.deps.validityClauses()) {
        anchors.add(id);
        if (!fused.has(id)) fused.set(id, { score: 0 });
      }
    }
    const ranked = [...fused.entries()].sort((a, b) => b[1].score - a[1].score || a[0].localeCompare(b[0]));
    const pool = ranked.slice(0, Math.max(k, s.rerank.pool));
    for (const e of ranked.slice(pool.length)) if (anchors.has(e[0])) pool.push(e);
    const details = new Map((await knowledgeSearchRepo.hitDetails(this.deps.db, pool.map(([id]) => id), trace.tokens.map((t) => t.token))).map((d) => [d.id, d]));
    const named = await this.namedDocuments(query, filter.pack);
    const order = rerank(
      pool.flatMap(([id, f]) => {
        const d = details.get(id);
        return d ? [{ id, fused: f.score, documentId: d.documentId, scope: d.scope, sectionPath: d.sectionPath, text: d.text, matchedTerms: d.matchedTerms, note: Boolean(d.meta?.note), kind: d.kind, columns: Array.isArray(d.meta?.columns) ? (d.meta.columns as string[]) : undefined }] : [];
      }),
      { terms: trace.tokens, bigrams: cjkBigrams(query), named, intent: queryIntent(query), anchors },
      s.rerank,
    );
    const top = order.slice(0, k).map((o) => [o.id, { ...fused.get(o.id)!, score: o.score }] as const);
    const hits: SearchHit[] = [];
    for (const [id, f] of top) {
      const d = details.get(id);
      if (!d) continue; // deleted between ranking and fetching (a concurrent re-ingest)
      hits.push({
        chunkId: d.id,
        documentId: d.documentId,
        documentTitle: d.documentTitle,
        sectionPath: d.sectionPath,
        kind: d.kind,
        text: d.text,
        position: d.position,
        score: f.score,
        scores: { ...(f.lexical ? { lexical: f.lexical } : {}), ...(f.vector ? { vector: f.vector } : {}) },
        meta: { ...d.meta, documentShortTitle: d.documentShortTitle, industries: d.industries, regions: d.regions },
        scope: d.scope,
      });
    }
    trace.ms.total = performance.now() - t0;
    return { hits, trace };
  }
}
