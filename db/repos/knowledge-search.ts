/**
 * The two rankers' SQL. Lexical: BM25-style scoring (idf of each matched token, length-normalised) over
 * the pre-segmented token tsvector, candidates found through the GIN index. Vector: cosine distance on
 * the live embedding index through its partial HNSW index. Filters are the same for both.
 */
import type { Queryable, SqlParam } from '../types.ts';
import { mapChunk, type ChunkRow, type DocumentScope } from './knowledge.ts';

export interface ChunkFilter {
  pack?: string;
  documentIds?: string[];
  industry?: string;
  region?: string;
  scopes?: DocumentScope[];
  kinds?: string[];
}

export interface RankedId {
  id: string;
  score: number;
}

export interface Bm25Params {
  k1: number;
  b: number;
  avgTokens: number;
  /** Chunks per token and chunk count (TermStats): they only steer the lexical ranker's pruning. */
  df?: Map<string, number>;
  n?: number;
}

/** Postings the first, pruned lexical pass may read: this share of the chunks, and at least the minimum. */
const PRUNE_SHARE = 0.05;
const PRUNE_MIN_POSTINGS = 200;

export type HitDetail = Omit<ChunkRow, 'tokens'> & {
  documentTitle: string;
  documentShortTitle: string | null;
  scope: DocumentScope;
  /** The query terms (as passed) found among the chunk's tokens. */
  matchedTerms: string[];
};

export interface TermStats {
  n: number;
  avgTokens: number;
  df: Map<string, number>;
  /** Chunks of the largest document: a term in more than k times this many chunks is in more than k documents. */
  maxDocumentChunks: number;
}

/**
 * The filter as SQL over chunks `c`. Every condition is written whatever the filter, NULL standing for
 * "any" (the planner folds it away), so each statement has one text for all filters: PGlite prepares
 * each new text once, and a first execution costs several repeats (see lexicalPass).
 */
function filterSql(f: ChunkFilter, params: SqlParam[]): string {
  const p = (v: SqlParam | undefined, type: string) => `$${params.push(v ?? null)}::${type}`;
  const pack = p(f.pack, 'text');
  const documents = p(f.documentIds?.length ? f.documentIds : null, 'text[]');
  const industry = p(f.industry, 'text');
  const region = p(f.region, 'text');
  const kinds = p(f.kinds?.length ? f.kinds : null, 'text[]');
  const scopes = p(f.scopes?.length ? f.scopes : null, 'text[]');
  // Chunks disabled in the console are never retrieved, by either ranker.
  return ` and not c.disabled
        and (${pack} is null or c.pack = ${pack})
        and (${documents} is null or c.document_id = any(${documents}))
        and (${industry} is null or cardinality(c.industries) = 0 or ${industry} = any(c.industries))
        and (${region} is null or cardinality(c.regions) = 0 or ${region} = any(c.regions))
        and (${kinds} is null or c.kind = any(${kinds}))
        and (${scopes} is null or exists (select 1 from kb_documents d where d.pack = c.pack and d.id = c.document_id and d.scope = any(${scopes})))`;
}

/**
 * Scores, by Σ weight(matched term) × BM25 length normalisation, the chunks matching `candidates` (one
 * tsquery, or several term combinations each a condition of its own) but not `scored` (the candidates
 * of earlier passes); the top `limit`. Undefined terms and candidates are padding: NULL matches nothing
 * and adds 0. The text depends only on how many terms and candidates are passed, so the caller rounds
 * both up to a power of two: with exact counts one dev-set question in six met a text not prepared
 * before, at several times a repeat's cost.
 */
async function lexicalPass(
  q: Queryable,
  terms: ({ token: string; weight: number } | undefined)[],
  candidates: string | null | (string | undefined)[],
  scored: string | undefined,
  filter: ChunkFilter,
  limit: number,
  bm25: Bm25Params,
): Promise<RankedId[]> {
  const params: SqlParam[] = [];
  // Summed in the caller's term order, as the aggregate did, so scores stay bit-identical.
  const score = terms.map((t) => `(case when c.tsv @@ $${params.push(t ? orQuery([t.token]) : null)}::tsquery then $${params.push(t?.weight ?? 0)}::float8 else 0 end)`).join(' + ');
  // float8 parameters: written as literals, they made the normalisation numeric arithmetic, a third
  // of a pass's cost in PGlite.
  const norm = `$${params.push(bm25.k1 + 1)}::float8 / (1 + $${params.push(bm25.k1)}::float8 * (1 - $${params.push(bm25.b)}::float8 + $${params.push(bm25.b)}::float8 * c.ntokens / $${params.push(Math.max(bm25.avgTokens, 1))}::float8))`;
  const match =
    !Array.isArray(candidates) ? `c.tsv @@ $${params.push(candidates)}::tsquery` : `(${candidates.map((g) => `c.tsv @@ $${params.push(g ?? null)}::tsquery`).join(' or ')})`;
  const sql = `select c.id, (${score}) * ${norm} as score
        from kb_chunks c
        where ${match} and ($${params.push(scored ?? null)}::tsquery is null or not (c.tsv @@ $${params.length}::tsquery))${filterSql(filter, params)}
        order by score desc, c.id
        limit $${params.push(Math.trunc(limit))}::int`;
  const r = await q.query<{ id: string; score: number }>(sql, params);
  return r.rows.map((x) => ({ id: x.id, score: Number(x.score) }));
}

/** Terms padded to 8, 16 or 32 (maxQueryTokens), term combinations to 1, 2, 4 … 64. */
const TERM_BUCKETS = [8, 16, 32];
const COMBINATION_BUCKETS = [1, 2, 4, 8, 16, 32, 64];

/** A tsquery literal matching any of the lexemes, quoted so no token is parsed as an operator. */
export function orQuery(tokens: string[]): string {
  return tokens.map((t) => `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`).join(' | ');
}

/**
 * Combinations of `terms` (heaviest first) whose weights sum to at least `need`: a chunk matching none
 * of them cannot reach it. Null when there are too many to write as one tsquery.
 */
function reachingGroups<T extends { weight: number }>(terms: T[], need: number, cap = 64): T[][] | null {
  const suffix = terms.map((_, i) => terms.slice(i).reduce((a, t) => a + t.weight, 0));
  const out: T[][] = [];
  const chosen: T[] = [];
  const walk = (from: number, sum: number): boolean => {
    for (let i = from; i < terms.length; i++) {
      if (sum + suffix[i]! < need) break;
      chosen.push(terms[i]!);
      const ok = sum + terms[i]!.weight >= need ? out.push([...chosen]) <= cap : walk(i + 1, sum + terms[i]!.weight);
      chosen.pop();
      if (!ok) return false;
    }
    return true;
  };
  return need <= 0 ? null : walk(0, 0) ? out : null;
}

/** `xs` followed by undefined up to the next power of two (at least `min`) long. */
function padded<T>(xs: T[], min: number): (T | undefined)[] {
  let size = min;
  while (size < xs.length) size *= 2;
  return [...xs, ...new Array<undefined>(size - xs.length).fill(undefined)];
}

export const knowledgeSearchRepo = {
  async termStats(q: Queryable, pack?: string): Promise<TermStats> {
    const where = pack ? ` where pack = ''${pack.replace(/[^a-z0-9-]/g, '')}''` : '';
    const stats = await q.query<{ n: number; avg: number; maxdoc: number }>(
      `select count(*)::int as n, coalesce(avg(ntokens), 0)::float8 as avg,
              coalesce((select max(k) from (select count(*)::int as k from kb_chunks${pack ? ' where pack = $1' : ''} group by document_id) x), 0)::int as maxdoc
       from kb_chunks${pack ? ' where pack = $1' : ''}`,
      pack ? [pack] : [],
    );
    const df = await q.query<{ word: string; ndoc: number }>(`select word, ndoc from ts_stat('select tsv from kb_chunks${where}')`);
    return { n: stats.rows[0]?.n ?? 0, avgTokens: stats.rows[0]?.avg ?? 0, df: new Map(df.rows.map((r) => [r.word, r.ndoc])), maxDocumentChunks: stats.rows[0]?.maxdoc ?? 0 };
  },

  /**
   * Top `limit` chunks by Σ idf(matched term) × length normalisation. Exact, but pruned: scoring every
   * chunk that matched any term cost ~70 ms at 10k chunks, since common terms match most of them
   * (docs/benchmarks.md). First the rarest terms' chunks are scored, with every term. The limit-th score
   * found, θ, can only rise as candidates are added; a chunk that matches none of the rare terms scores
   * at most (its matched weights) × the normalisation's maximum, so only chunks whose other terms could
   * together reach θ remain candidates: those term combinations, which GIN answers without touching the
   * rest. Each combination is a condition of its own (`tsv @@ 'a' & 'b' or tsv @@ …`): the planner then
   * estimates each small and takes a BitmapOr of GIN scans that intersect posting lists. As one tsquery
   * of OR'd groups, GIN walked the union of every term's postings, and the planner, pricing that in
   * full, chose at 10k chunks to test it against every chunk instead (25–45 ms a statement), unless the
   * ranker ran in a transaction with sequential scans priced out: three round trips more per question.
   */
  async lexical(q: Queryable, terms: { token: string; weight: number }[], filter: ChunkFilter, limit: number, bm25: Bm25Params): Promise<RankedId[]> {
    if (terms.length === 0) return [];
    const n = Math.trunc(limit);
    // Rarest (heaviest) first: they are the first pass's candidates.
    const ordered = [...terms].sort((a, b) => b.weight - a.weight);
    const df = (t: { token: string }) => bm25.df?.get(t.token) ?? Infinity;
    const budget = Math.max(PRUNE_MIN_POSTINGS, PRUNE_SHARE * (bm25.n ?? 0));
    let rare = 0;
    for (let postings = 0; rare < ordered.length && postings + df(ordered[rare]!) <= budget; rare++) postings += df(ordered[rare]!);
    rare = Math.max(rare, 1);
    // Scores the chunks matching `candidates` but not `scored` (candidates of an earlier pass).
    const padTerms = padded(terms, TERM_BUCKETS[0]!);
    const run = (candidates: string | string[], scored?: string) =>
      lexicalPass(q, padTerms, typeof candidates === 'string' ? candidates : padded(candidates, COMBINATION_BUCKETS[0]!), scored, filter, n, bm25);
    // The top of two disjoint candidate sets, in the statement's order (chunk ids are ASCII hex, which
    // every collation orders alike).
    const merge = (a: RankedId[], b: RankedId[]) => [...a, ...b].sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)).slice(0, n);
    const any = (ts: { token: string }[]) => orQuery(ts.map((t) => t.token));
    const all = (groups: { token: string }[][]) => groups.map((g) => g.map((t) => orQuery([t.token])).join(' & '));
    // The bound below needs non-negative weights and a normalisation that only falls with length.
    const boundable = bm25.k1 >= 0 && bm25.b >= 0 && bm25.b <= 1 && ordered.every((t) => t.weight >= 0);
    if (rare >= ordered.length || !boundable) return run(any(ordered));
    const rest = ordered.slice(rare);
    // Each later pass scores only chunks no earlier pass did; the passes' tops are merged.
    let scored = any(ordered.slice(0, rare));
    let found = await run(scored);
    const pass = async (candidates: string | string[]) => {
      found = merge(found, await run(candidates, scored));
      scored = [scored, ...(typeof candidates === 'string' ? [candidates] : candidates)].map((x) => `(${x})`).join(' | ');
    };
    // Chunks outside the candidates scored so far match less than this much weight among `rest`.
    let outside = rest.reduce((a, t) => a + t.weight, 0);
    // Too few chunks hold a rare term ("How many SMEs … in total": 'total' is in one chunk, the rest in
    // most). Rather than scoring every chunk with any term (8,000 rows at 10k chunks, 40 ms), add the
    // chunks holding the heaviest combinations of the common terms, lowering the bar until there are
    // enough: those intersections are small, and the best chunks are in them.
    const lightest = Math.min(...rest.map((t) => t.weight));
    for (let need = outside * 0.75; found.length < n; need /= 2) {
      const groups = need <= lightest ? null : reachingGroups(rest, need);
      if (groups === null) {
        await pass(any(rest));
        return found;
      }
      await pass(all(groups));
      outside = need;
    }
    // Score bound of a chunk matching weights summing to w (ntokens ≥ 0), a hair generous for rounding.
    const maxNorm = ((bm25.k1 + 1) / (1 + bm25.k1 * (1 - bm25.b))) * (1 + 1e-9);
    const need = found[n - 1]!.score / maxNorm;
    if (need >= outside) return found;
    const groups = reachingGroups(rest, need);
    if (groups?.length === 0) return found;
    await pass(groups === null ? any(rest) : all(groups));
    return found;
  },

  /**
   * Prepares every text the lexical ranker can send (each padding of terms and of combinations, with
   * NULL arguments, which match nothing), so that the first questions after a start do not pay for it.
   * Returns how many statements it ran.
   */
  async warmLexical(q: Queryable): Promise<number> {
    const bm25 = { k1: 1, b: 0, avgTokens: 1 };
    let n = 0;
    for (const size of TERM_BUCKETS) {
      const terms = padded([], size);
      await lexicalPass(q, terms, null, undefined, {}, 1, bm25);
      n++;
      for (const groups of COMBINATION_BUCKETS) {
        await lexicalPass(q, terms, padded([], groups), undefined, {}, 1, bm25);
        n++;
      }
    }
    return n;
  },

  async vector(q: Queryable, index: { id: number; dimensions: number }, vector: string, filter: ChunkFilter, limit: number): Promise<RankedId[]> {
    const id = Math.trunc(index.id);
    const dims = Math.trunc(index.dimensions);
    const params: SqlParam[] = [vector];
    const sql = `select e.chunk_id as id, 1 - (e.embedding::vector(${dims}) <=> $1::vector(${dims})) as score
      from kb_embeddings e join kb_chunks c on c.id = e.chunk_id
      where e.index_id = ${id}${filterSql(filter, params)}
      order by e.embedding::vector(${dims}) <=> $1::vector(${dims})
      limit ${Math.trunc(limit)}`;
    const r = await q.query<{ id: string; score: number }>(sql, params);
    return r.rows.map((x) => ({ id: x.id, score: Number(x.score) }));
  },

  /**
   * What the second stage needs of each candidate. Instead of the chunk's tokens (~70 per chunk, the
   * largest thing shipped back and a third of this statement's cost at 10k chunks), which of the given
   * query terms it contains.
   */
  async hitDetails(q: Queryable, ids: string[], terms: string[] = []): Promise<HitDetail[]> {
    if (ids.length === 0) return [];
    const r = await q.query<any>(
      // Named columns: c.* would also ship every candidate's tsvector, parsed as text and thrown away.
      `select c.id, c.pack, c.document_id, c.position, c.kind, c.section_path, c.text, c.industries, c.regions, c.meta, c.disabled,
              d.title as document_title, d.short_title as document_short_title, d.scope as document_scope,
              array(select u.t from unnest($2::text[], $3::tsquery[]) as u(t, q) where c.tsv @@ u.q) as matched_terms
       from kb_chunks c join kb_documents d on d.pack = c.pack and d.id = c.document_id where c.id = any($1::text[])`,
      [ids, terms, terms.map((t) => orQuery([t]))],
    );
    return r.rows.map((x) => {
      const { tokens: _, ...chunk } = mapChunk(x);
      return { ...chunk, documentTitle: x.document_title, documentShortTitle: x.document_short_title, scope: x.document_scope, matchedTerms: x.matched_terms ?? [] };
    });
  },
};
